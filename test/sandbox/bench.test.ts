import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main, type BenchReport } from "../../sandbox/bench";
import { ORIGINAL_DESIGN_SECONDS } from "../../sandbox/bench-measure";
import { CliError } from "../../sandbox/cli";
import { withoutMochaGlobals } from "./helpers";

describe("sandbox: npm run bench (reduced: one group of 2, one run)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ws-bench-"));
  const out = path.join(dir, "bench.json");
  let printed: BenchReport;
  let written: BenchReport;
  let code: number;
  let stderr = "";

  before(async () => {
    let stdout = "";
    const io = { out: (t: string) => (stdout += t), err: (t: string) => (stderr += t) };
    const argv = ["--groups", "2", "--repeat", "1", "--latency-ms", "5", "--out", out, "--json"];
    code = await withoutMochaGlobals(() => main(argv, io));
    printed = JSON.parse(stdout);
    written = JSON.parse(fs.readFileSync(out, "utf8"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("exits 0, prints the JSON it writes, with a progress line per step", () => {
    assert.equal(code, 0);
    assert.deepEqual(printed, written);
    assert.deepEqual(Object.keys(written), [
      "stack",
      "generatedAt",
      "node",
      "archive",
      "calls",
      "handlerTime",
      "failover",
    ]);
    const lines = stderr.trim().split("\n");
    lines.forEach((line, i) => assert.ok(line.startsWith(`[bench ${i + 1}] `), line));
  });

  it("compares our archive with the default code paths' one", () => {
    const { ours, defaultCodePaths } = written.archive;
    assert.equal(ours.entries, 1);
    assert.ok(defaultCodePaths.entries > 10, `${defaultCodePaths.entries} entries`);
    assert.ok(ours.zippedBytes < 64 * 1024);
    assert.ok(defaultCodePaths.zippedBytes > 50 * ours.zippedBytes);
    assert.ok(defaultCodePaths.modeledInitSeconds > ours.modeledInitSeconds);
  });

  it("counts the calls of each invocation kind from the simulator's log", () => {
    assert.equal(written.calls.length, 1);
    const [counts] = written.calls;
    assert.equal(counts.instances, 2);
    assert.deepEqual(counts.steadyState, {
      total: 4,
      polls: 0,
      byOperation: {
        DescribeAutoScalingGroups: 1,
        DescribeTags: 1,
        DescribeTargetHealth: 1,
        ListCommands: 1,
      },
    });
    for (const summary of [counts.firstStart, counts.failover]) {
      assert.equal(summary.byOperation.SendCommand, 1);
      assert.equal(summary.byOperation.RegisterTargets, 1);
      assert.ok(summary.polls > 0);
      const sum = Object.values(summary.byOperation).reduce((a, b) => a + b, 0);
      assert.equal(sum, summary.total);
    }
    // The group drained the dead instance before its lifecycle action: nothing left to deregister.
    assert.equal(counts.failover.byOperation.DeregisterTargets, undefined);
  });

  it("times the handler with the per-call latency", () => {
    const [time] = written.handlerTime;
    assert.deepEqual([time.instances, time.latencyMs, time.steadyStateMs.length], [2, 5, 1]);
    assert.equal(time.steadyStateCalls, 4);
    assert.ok(time.steadyStateMs[0] >= 5, "at least one delayed round trip");
    assert.ok(time.failoverMs > time.steadyStateMs[0]);
    assert.ok(time.failoverCalls > time.steadyStateCalls);
  });

  it("breaks the modeled failover into steps whose shares add up", () => {
    const { failover } = written;
    assert.equal(failover.originalDesignSeconds, ORIGINAL_DESIGN_SECONDS);
    const seconds = failover.steps.reduce((sum, step) => sum + step.seconds, 0);
    const shares = failover.steps.reduce((sum, step) => sum + step.share, 0);
    assert.ok(
      Math.abs(seconds - failover.totalSeconds) < 0.05,
      `${seconds} vs ${failover.totalSeconds}`,
    );
    assert.ok(Math.abs(shares - 1) < 0.01, `shares add up to ${shares}`);
    const step = (name: string) => failover.steps.find((s) => s.step === name)?.seconds;
    assert.equal(step("NLB health checks"), 10);
    assert.equal(step("activation script"), 60);
    assert.equal(step("NLB registration"), 120);
  });

  it("starts the failover with the group's drain; the lifecycle action's delivery follows, the rest of the termination runs alongside", () => {
    const { failover } = written;
    const share = (seconds: number) => Math.round((seconds / failover.totalSeconds) * 1000) / 1000;
    // The dev stack's deregistrationDelaySeconds: 30.
    assert.deepEqual(failover.steps.slice(0, 2), [
      {
        step: "the group drains the instance from its target groups (deregistration delay)",
        seconds: 30,
        share: share(30),
      },
      {
        step: "EventBridge delivers 'EC2 Instance-terminate Lifecycle Action'",
        seconds: 0.5,
        share: share(0.5),
      },
    ]);
    assert.ok(failover.steps.every((s) => !s.step.startsWith("instance terminating")));
    // 30 s of drain, then the hook's 30 s wait and 60 s of Windows shutdown: the last two off the
    // failover's path.
    assert.equal(failover.terminationSeconds, 120);
  });

  it("refuses a group size it cannot simulate", async () => {
    const io = { out: () => undefined, err: () => undefined };
    await assert.rejects(main(["--groups", "1"], io), (err: unknown) => {
      assert.ok(err instanceof CliError);
      assert.equal(err.message, "--groups takes sizes from 2 to 500, got '1'");
      return true;
    });
  });
});
