// The reconciler Lambda as deployed: an archive holding only the serialized handler, runtime
// nodejs22.x, one concurrent execution, and a package list read from package.json.
import { strict as assert } from "node:assert";
import { builtinModules, createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { awsSdkPackages } from "../../components/reconcilerFunction";
import { TEST_RUNNER_GLOBALS, type ProgramRun } from "../../sandbox/pulumi-mocks";
import { PROJECT_DIR, devRun, single } from "./stacks";

interface Archive {
  assets: Promise<Record<string, { text: Promise<string> }>>;
}

const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

describe("program: reconciler Lambda", () => {
  let run: ProgramRun;
  let assets: Record<string, { text: Promise<string> }>;
  let handlerText: string;
  before(async () => {
    run = await devRun();
    const code = single(run, "aws:lambda/function:Function").inputs.code as Archive;
    assets = await code.assets;
    handlerText = await assets["__index.js"].text;
  });

  it("ships an archive with only the serialized __index.js", () => {
    assert.deepEqual(Object.keys(assets), ["__index.js"]);
    assert.match(handlerText, /^exports\.handler = __f\d+;/);
  });

  it("runs nodejs22.x, one execution at a time, handler __index.handler", () => {
    const fn = single(run, "aws:lambda/function:Function").inputs;
    assert.equal(fn.runtime, "nodejs22.x");
    assert.equal(fn.reservedConcurrentExecutions, 1);
    assert.equal(fn.handler, "__index.handler");
  });

  it("requires at run time only Node built-ins and the AWS SDK v3 the runtime ships", () => {
    const required = [...handlerText.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.ok(required.length > 0);
    for (const name of required) {
      const builtin = builtinModules.includes(name.replace(/^node:/, ""));
      assert.ok(builtin || name.startsWith("@aws-sdk/client-"), `unexpected require("${name}")`);
    }
    assert.doesNotMatch(handlerText, /@pulumi\//);
  });

  it("loads as a CommonJS module and exports a handler function", () => {
    const module = { exports: {} as Record<string, unknown> };
    const requireFromProject = createRequire(path.join(PROJECT_DIR, "index.js"));
    new Function("exports", "require", "module", handlerText)(
      module.exports,
      requireFromProject,
      module,
    );
    assert.equal(typeof module.exports.handler, "function");
  });

  it("leaves out every @aws-sdk/* dependency of package.json, read at deploy time", () => {
    const sdk = Object.keys(manifest.dependencies).filter((name) => name.startsWith("@aws-sdk/"));
    assert.ok(sdk.length >= 3);
    assert.deepEqual(awsSdkPackages(), sdk);
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "warm-standby-"));
    const file = path.join(directory, "package.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ dependencies: { ...manifest.dependencies, "@aws-sdk/client-sqs": "^3" } }),
    );
    try {
      assert.deepEqual(awsSdkPackages(file), [...sdk, "@aws-sdk/client-sqs"]);
    } finally {
      fs.rmSync(directory, { recursive: true });
    }
  });

  it("captures module-level names that mocha also defines as globals, as the CLI would", () => {
    // Pulumi takes a global for a built-in and leaves it out; the harness hides mocha's globals.
    const directory = path.join(PROJECT_DIR, "reconciler");
    const declared = fs
      .readdirSync(directory)
      .flatMap((file) => [
        ...fs
          .readFileSync(path.join(directory, file), "utf8")
          .matchAll(/^(?:export )?(?:async )?(?:function|const|let) (\w+)/gm),
      ])
      .map((match) => match[1])
      .filter((name) => TEST_RUNNER_GLOBALS.includes(name));
    for (const name of declared) {
      if (new RegExp(`\\b${name}\\(`).test(handlerText)) {
        assert.match(handlerText, new RegExp(`\\b${name}: __`), `${name} is not captured`);
      }
    }
    assert.equal(typeof (globalThis as Record<string, unknown>).describe, "function");
  });
});
