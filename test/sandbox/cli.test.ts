import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CliError,
  TIMING_FLAGS,
  helpText,
  parseFlags,
  stackFile,
  timingOverrides,
  type FlagSpec,
} from "../../sandbox/cli";

const SPECS: FlagSpec[] = [
  { name: "stack", kind: "string", help: "stack name" },
  { name: "scenario", kind: "string", help: "which", choices: ["all", "first-start"] },
  { name: "json", kind: "boolean", help: "json" },
  { name: "groups", kind: "list", help: "sizes" },
  ...TIMING_FLAGS,
];

describe("sandbox: flag parsing", () => {
  it("reads --name value, --name=value, booleans, lists and numbers", () => {
    const flags = parseFlags(
      [
        "--stack",
        "dev",
        "--scenario=first-start",
        "--json",
        "--groups",
        "2, 10",
        "--nlb-registration-seconds=30.5",
      ],
      SPECS,
    );
    assert.deepEqual(flags, {
      stack: "dev",
      scenario: "first-start",
      json: true,
      groups: ["2", "10"],
      "nlb-registration-seconds": 30.5,
    });
    assert.deepEqual(timingOverrides(flags), { nlbRegistrationSeconds: 30.5 });
  });

  const refused: Array<[string[], string]> = [
    [["--nope"], "unknown flag --nope"],
    [["dev"], "unexpected argument 'dev'"],
    [["--stack"], "--stack needs a value"],
    [["--stack", "--json"], "--stack needs a value"],
    [["--json=yes"], "--json takes no value"],
    [["--scenario", "later"], "--scenario must be one of all, first-start, got 'later'"],
    [["--agent-pickup-seconds", "-1"], "--agent-pickup-seconds must be a number >= 0, got '-1'"],
    [
      ["--agent-pickup-seconds", "soon"],
      "--agent-pickup-seconds must be a number >= 0, got 'soon'",
    ],
    [["--agent-pickup-seconds="], "--agent-pickup-seconds must be a number >= 0, got ''"],
  ];
  for (const [argv, message] of refused) {
    it(`refuses ${JSON.stringify(argv)}: ${message}`, () => {
      assert.throws(
        () => parseFlags(argv, SPECS),
        (err: unknown) => {
          assert.ok(err instanceof CliError);
          assert.equal(err.message, message);
          return true;
        },
      );
    });
  }

  it("refuses a schedule without a period", () => {
    assert.throws(() => timingOverrides(parseFlags(["--schedule-seconds", "0"], SPECS)), {
      name: "CliError",
      message: "--schedule-seconds must be above 0",
    });
  });

  it("offers one override flag per timing-model value, named after it", () => {
    assert.ok(TIMING_FLAGS.some((flag) => flag.name === "health-checks-seconds"));
    assert.ok(
      TIMING_FLAGS.every((flag) => flag.kind === "number" && flag.name.endsWith("-seconds")),
    );
  });

  it("prints every flag in the help text", () => {
    const text = helpText("npm start -- [flags]", "Tells the story.", SPECS);
    for (const spec of SPECS) assert.ok(text.includes(`--${spec.name}`), spec.name);
    assert.ok(text.includes("(all | first-start)"));
  });

  describe("stack files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-cli-"));
    before(() => {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\n");
      fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
      fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), "config: {}\n");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("finds Pulumi.<stack>.yaml", () => {
      assert.equal(stackFile("prod", dir), path.join(dir, "Pulumi.prod.yaml"));
    });
    it("names the known stacks when the file is missing", () => {
      assert.throws(() => stackFile("qa", dir), {
        name: "CliError",
        message: "stack file Pulumi.qa.yaml not found; known stacks: dev, prod",
      });
    });
    it("refuses a name that is not a stack name (no paths)", () => {
      assert.throws(() => stackFile("../dev", dir), {
        message: "--stack '../dev' is not a stack name (letters, digits, _ . -)",
      });
    });
  });
});
