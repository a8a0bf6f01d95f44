import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliError } from "../../sandbox/cli";
import { START_FLAGS, main, type jsonReport } from "../../sandbox/start";
import { TIMING_KEYS } from "../../sandbox/timing-model";
import { withoutMochaGlobals } from "./helpers";

const PROJECT = path.resolve(__dirname, "../..");

function capture() {
  const io = { stdout: "", stderr: "" };
  return {
    io,
    sink: {
      out: (text: string) => (io.stdout += text),
      err: (text: string) => (io.stderr += text),
    },
  };
}

describe("sandbox: npm start", () => {
  it("--help lists every flag and exits 0", async () => {
    const { io, sink } = capture();
    assert.equal(await main(["--help"], sink), 0);
    assert.match(io.stdout, /^usage: npm start -- \[flags\]/);
    for (const flag of START_FLAGS) assert.ok(io.stdout.includes(`--${flag.name}`), flag.name);
  });

  it("refuses a bad flag with exit code 2 and one clear line (real process)", async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "sandbox/start.ts", "--scenario", "later"],
        { cwd: PROJECT },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "error: --scenario must be one of all, first-start, instance-dies, activation-fails, " +
        "capacity-change, got 'later'\nrun with --help for usage\n",
    );
  });

  describe("stack files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-start-"));
    before(() => {
      fs.writeFileSync(
        path.join(dir, "Pulumi.broken.yaml"),
        "config:\n  warm-standby:ports: [8080\n",
      );
      const dev = fs.readFileSync(path.join(PROJECT, "Pulumi.dev.yaml"), "utf8");
      fs.writeFileSync(
        path.join(dir, "Pulumi.bad.yaml"),
        dev.replace("warm-standby:activeCapacity: 1", "warm-standby:activeCapacity: 0"),
      );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const rejects = async (argv: string[], message: RegExp) => {
      const { sink } = capture();
      await assert.rejects(main(argv, sink, { projectDir: dir }), (err: unknown) => {
        assert.ok(err instanceof CliError, String(err));
        assert.match(err.message, message);
        return true;
      });
    };

    it("names an unknown stack and the known ones", () =>
      rejects(
        ["--stack", "qa"],
        /^stack file Pulumi\.qa\.yaml not found; known stacks: bad, broken$/,
      ));
    it("says a stack file is not valid YAML", () =>
      rejects(["--stack", "broken"], /^Pulumi\.broken\.yaml is not a valid stack file: /));
    it("passes on the program's own message for a config it rejects", () =>
      rejects(["--stack", "bad"], /^the program rejects Pulumi\.bad\.yaml: .*activeCapacity/s));
  });

  describe("--json, one scenario", () => {
    let report: ReturnType<typeof jsonReport>;
    let code: number;
    let stderr: string;

    before(async () => {
      const { io, sink } = capture();
      code = await withoutMochaGlobals(() =>
        main(["--json", "--scenario", "first-start", "--nlb-registration-seconds", "30"], sink),
      );
      report = JSON.parse(io.stdout);
      stderr = io.stderr;
    });

    it("exits 0 with every check of the story held", () => {
      assert.equal(code, 0);
      assert.equal(report.ok, true);
      assert.deepEqual([report.stack, report.scenario], ["dev", "first-start"]);
    });

    it("prints a progress line for each step on stderr", () => {
      const lines = stderr.trim().split("\n");
      lines.forEach((line, i) => assert.ok(line.startsWith(`[sandbox ${i + 1}] `), line));
      assert.ok(lines.some((line) => line.includes("incident 1/1: first start")));
      assert.ok(lines.some((line) => line.includes("invoking the serialized handler")));
    });

    it("holds the plan: every resource with type, name and settings", () => {
      const types = report.plan.map((row) => row.type);
      for (const type of ["aws:autoscaling:Group", "aws:lb:LoadBalancer", "aws:lambda:Function"]) {
        assert.ok(types.includes(type), type);
      }
      for (const row of report.plan)
        assert.deepEqual(Object.keys(row), ["type", "name", "settings"]);
    });

    it("holds the archive and the timing model with the override applied", () => {
      assert.deepEqual(report.archive.entries, ["__index.js"]);
      assert.ok(report.archive.zippedBytes < 64 * 1024);
      assert.deepEqual(
        report.timingModel.map((e) => e.key),
        [...TIMING_KEYS],
      );
      const nlb = report.timingModel.find((e) => e.key === "nlbRegistrationSeconds");
      assert.deepEqual([nlb?.seconds, nlb?.origin], [30, "flag"]);
    });

    it("tells the first start: resolved, within the declared capacity, timed by the model", () => {
      assert.equal(report.incidents.length, 1);
      const [incident] = report.incidents;
      assert.equal(incident.key, "first-start");
      assert.ok(incident.checks.length >= 3 && incident.checks.every((c) => c.ok));
      const { resolvedAt = NaN, recoverySeconds = NaN, startedAt } = incident;
      assert.ok(Math.abs(recoverySeconds - (resolvedAt - startedAt)) < 0.002);
      // The target is "initial" for NLB registration (30 s, the flag) + health checks (2 x 5 s).
      const target = (what: string) =>
        report.timeline.find((e) => /^target .*: /.test(e.what) && e.what.endsWith(what))?.at ??
        NaN;
      assert.equal(Math.round((target("healthy") - target("initial")) * 1000), 40_000);
      assert.equal(resolvedAt, target("healthy"));
      for (const entry of report.timeline) {
        assert.ok(["story", "aws", "reconciler"].includes(entry.actor));
        assert.equal(typeof entry.at, "number");
      }
    });
  });
});
