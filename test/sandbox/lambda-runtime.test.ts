import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  invokeHandler,
  prepareLambdaFolder,
  sdkRuntimePackages,
  type LambdaFolder,
} from "../../sandbox/lambda-runtime";

const PROJECT = path.resolve(__dirname, "../..");

describe("sandbox: Lambda-like runtime folder", () => {
  const folders: LambdaFolder[] = [];
  const prepare = (indexJs: string) => {
    const folder = prepareLambdaFolder(indexJs);
    folders.push(folder);
    return folder;
  };
  after(() => folders.forEach((folder) => folder.dispose()));

  it("links every installed @aws-sdk package and the closure of their dependencies, nothing else", () => {
    const packages = sdkRuntimePackages();
    const installedSdk = fs
      .readdirSync(path.join(PROJECT, "node_modules/@aws-sdk"))
      .map((name) => `@aws-sdk/${name}`);
    for (const name of installedSdk) assert.ok(packages.has(name), `${name} missing`);
    // Closed under dependencies: every dependency of a linked package is linked too.
    for (const dir of packages.values()) {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        const nested = fs.existsSync(path.join(dir, "node_modules", dep));
        assert.ok(nested || packages.has(dep), `${manifest.name} needs ${dep}, not linked`);
      }
    }
    for (const name of packages.keys()) {
      assert.ok(!/^(@pulumi\/|yaml$|jszip$|mocha$|typescript$)/.test(name), `${name} leaked in`);
    }
  });

  it("holds only __index.js and node_modules in the task folder", () => {
    const folder = prepare("exports.handler = async () => 1;");
    assert.deepEqual(fs.readdirSync(folder.taskDir).sort(), ["__index.js", "node_modules"]);
    assert.equal(
      fs.readFileSync(path.join(folder.taskDir, "__index.js"), "utf8"),
      "exports.handler = async () => 1;",
    );
  });

  it("calls the handler in a fresh node with the event, only the given env and a Lambda context", async () => {
    const folder = prepare(`
      exports.handler = async (event, context) => {
        const { SSMClient } = require("@aws-sdk/client-ssm");
        console.log("log line", event.n);
        const first = context.getRemainingTimeInMillis();
        await new Promise((r) => setTimeout(r, 30));
        return {
          event,
          sdk: typeof SSMClient,
          requestId: context.awsRequestId,
          functionName: context.functionName,
          remainingShrinks: context.getRemainingTimeInMillis() < first && first <= 5000,
          env: { custom: process.env.CUSTOM, nodeOptions: process.env.NODE_OPTIONS,
                 tsNode: Object.keys(require.cache).some((k) => k.includes("ts-node")),
                 pid: process.pid },
        };
      };`);
    const outcome = await invokeHandler(folder, {
      event: { n: 7 },
      env: { CUSTOM: "yes" },
      functionName: "fn-under-test",
      requestId: "req-1",
      timeoutMs: 5000,
    });
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(outcome.stdout, ["log line 7"]);
    const result = outcome.result as {
      event: unknown;
      sdk: string;
      requestId: string;
      functionName: string;
      remainingShrinks: boolean;
      env: { custom?: string; nodeOptions?: string; tsNode: boolean; pid: number };
    };
    assert.deepEqual(result.event, { n: 7 });
    assert.equal(result.sdk, "function");
    assert.equal(result.requestId, "req-1");
    assert.equal(result.functionName, "fn-under-test");
    assert.equal(result.remainingShrinks, true);
    assert.equal(result.env.custom, "yes");
    assert.equal(result.env.nodeOptions, undefined);
    assert.equal(result.env.tsNode, false);
    assert.notEqual(result.env.pid, process.pid);
  });

  it("fails like Lambda when the serialized code requires a package the runtime lacks", async () => {
    const folder = prepare(`const YAML = require("yaml"); exports.handler = async () => YAML;`);
    const outcome = await invokeHandler(folder, { event: {}, env: {} });
    assert.equal(outcome.ok, false);
    assert.equal(outcome.exitCode, 1);
    assert.equal(outcome.error?.errorType, "Runtime.ImportModuleError");
    assert.match(outcome.error?.errorMessage ?? "", /Cannot find module 'yaml'/);
  });

  it("resolves the SDK's own dependencies inside the folder (a missing one fails, not found elsewhere)", async () => {
    const folder = prepare(
      `exports.handler = async () => typeof require("@aws-sdk/client-ssm").SSMClient;`,
    );
    fs.unlinkSync(path.join(folder.taskDir, "node_modules", "@smithy", "core"));
    const outcome = await invokeHandler(folder, { event: {}, env: {} });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error?.errorMessage ?? "", /Cannot find module '@smithy\/core/);
  });

  it("returns a stdout line larger than a pipe's 64 KiB whole, before the process exits", async () => {
    const folder = prepare(`exports.handler = async () => {
      process.stdout.write("x".repeat(200000) + "\\n" + "last\\n");
      return "done";
    };`);
    const outcome = await invokeHandler(folder, { event: {}, env: {} });
    assert.equal(outcome.result, "done");
    assert.deepEqual(
      outcome.stdout.map((line) => line.length),
      [200000, 4],
    );
  });

  it("says so when the module exports no handler", async () => {
    const folder = prepare(`exports.main = async () => 1;`);
    const outcome = await invokeHandler(folder, { event: {}, env: {} });
    assert.deepEqual(outcome.error, {
      errorType: "Runtime.HandlerNotFound",
      errorMessage: "__index.handler is undefined or not exported",
    });
  });

  it("reports a rejected handler with Lambda's error shape, and kills one that outlives its timeout", async () => {
    const failing = prepare(`exports.handler = async () => { throw new RangeError("boom"); };`);
    const failed = await invokeHandler(failing, { event: {}, env: {} });
    assert.deepEqual(
      [failed.ok, failed.exitCode, failed.error],
      [false, 1, { errorType: "RangeError", errorMessage: "boom" }],
    );

    const hanging = prepare(
      `exports.handler = () => new Promise(() => setInterval(() => {}, 1000));`,
    );
    const killed = await invokeHandler(hanging, {
      event: {},
      env: {},
      timeoutMs: 5_000,
      killAfterMs: 300,
    });
    assert.equal(killed.ok, false);
    assert.equal(killed.timedOut, true);
    assert.equal(killed.error?.errorType, "Sandbox.Timeout");
  });
});
