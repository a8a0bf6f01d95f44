// Scenarios of API faults and concurrency on the simulated AWS: throttling within and beyond the
// SDK's retries, two invocations at once; and what a steady state costs in calls.
import { strict as assert } from "node:assert";
import { MAX_ATTEMPTS, promoteFirst, scenarios } from "./harness";
import { assertPhases, instanceId, instanceOf, mutationsOf, stateOf } from "./inspect";

const [I1, I2] = [1, 2].map(instanceId);

/** Every operation a first start calls. */
const FIRST_START_OPERATIONS = [
  "DescribeAutoScalingGroups",
  "DescribeTags",
  "DescribeTargetHealth",
  "ListCommands",
  "DescribeInstances",
  "DescribeInstanceInformation",
  "SendCommand",
  "GetCommandInvocation",
  "RegisterTargets",
];

const THROTTLING_CODES: Record<string, string> = {
  autoscaling: "Throttling",
  elbv2: "Throttling",
  ssm: "ThrottlingException",
  ec2: "RequestLimitExceeded",
};

describe("scenarios: faults and concurrency on the simulated AWS", () => {
  const open = scenarios();

  it("throttled calls are retried by the SDK: the same end state as without throttling", async () => {
    const calm = await open({ instanceCount: 3 });
    await calm.schedule();

    const s = await open({ instanceCount: 3 });
    for (const operation of FIRST_START_OPERATIONS) {
      s.sim.throttle({ operations: [operation], count: MAX_ATTEMPTS - 1 });
    }
    const run = await s.schedule();

    assert.equal(run.error, undefined);
    assert.equal(run.report?.totals.failedActions, 0);
    const throttled = run.calls.filter((call) => call.error !== undefined);
    assert.equal(throttled.length, FIRST_START_OPERATIONS.length * (MAX_ATTEMPTS - 1));
    for (const call of throttled) assert.equal(call.error, THROTTLING_CODES[call.service]);
    assert.deepEqual(
      [...new Set(throttled.map((call) => call.operation))].sort(),
      [...FIRST_START_OPERATIONS].sort(),
    );
    assert.deepEqual(mutationsOf(run.calls, s.sim), mutationsOf(calm.sim.calls, calm.sim));
    assert.deepEqual(stateOf(s.sim), stateOf(calm.sim));
    assert.deepEqual(s.sim.activeInstanceIds(), [I1]);
  });

  it("more throttling than retries in observe: the invocation fails cleanly, the next converges", async () => {
    const s = await open({ instanceCount: 3 });
    s.sim.throttle({ operations: ["DescribeAutoScalingGroups"], count: MAX_ATTEMPTS });

    const failed = await s.schedule();

    assert.equal(failed.error?.name, "Throttling", "the handler rethrows the SDK's error");
    assert.equal(failed.report, undefined);
    assert.equal(failed.log.level, "error");
    assert.equal(failed.log.msg, "reconcile failed");
    assert.equal(failed.log.report.fault, "Throttling: Rate exceeded");
    assert.equal(failed.log.report.stoppedBecause, "fault");
    assert.equal(failed.emf.Activations, 0);
    assert.equal(
      failed.calls.filter((c) => c.operation === "DescribeAutoScalingGroups").length,
      MAX_ATTEMPTS,
    );
    assert.deepEqual(mutationsOf(failed.calls, s.sim), []);

    s.advance(300_000);
    const next = await s.schedule();
    assert.equal(next.error, undefined);
    assertPhases(mutationsOf(next.calls, s.sim), [
      [`SendCommand ${I1}`],
      [`RegisterTargets ${I1} :7000`],
    ]);
  });

  it("RegisterTargets throttled beyond retries after Success: reported, and the next invocation registers", async () => {
    const s = await open({ instanceCount: 3 });
    // Two calls' worth: the activation's own registration and the second round's retry of it.
    s.sim.throttle({ operations: ["RegisterTargets"], count: 2 * MAX_ATTEMPTS });

    const first = await s.schedule();

    assert.equal(first.error, undefined, "act reports failed actions, it does not throw");
    assert.equal(first.log.level, "warn");
    assert.deepEqual(
      first.report?.rounds.map((round) =>
        round.outcomes.map((o) => `${o.action.kind} ${o.action.instanceId} ${o.ok}`),
      ),
      [[`activate ${I1} false`], [`register ${I1} false`]],
    );
    assert.equal(first.report?.rounds[0].outcomes[0].commandStatus, "Success");
    assert.equal(first.report?.stoppedBecause, "no action changed anything");
    assert.deepEqual(s.sim.activeInstanceIds(), [], "activated but not registered");

    s.advance(300_000);
    const second = await s.schedule();
    assert.deepEqual(mutationsOf(second.calls, s.sim), [`RegisterTargets ${I1} :7000`]);
    assert.deepEqual(
      second.calls.filter((c) => c.operation === "SendCommand"),
      [],
      "not activated again",
    );
    // The failover clock survived the invocations through the command's comment.
    const registeredAt = s.sim.registrations()[0].since;
    assert.equal(second.emf.FailoverSeconds, (registeredAt - first.startedAt) / 1000);
    assert.deepEqual(s.sim.activeInstanceIds(), [I1]);
  });

  it("two invocations at once on a first start: the same instance chosen, never more than one active", async () => {
    const s = await open({ instanceCount: 3 });

    const runs = await Promise.all([s.schedule(), s.schedule()]);

    const sent = s.sim.calls.filter((c) => c.operation === "SendCommand").map(instanceOf);
    assert.ok(sent.length >= 1 && sent.length <= 2, `one command per invocation at most: ${sent}`);
    assert.deepEqual([...new Set(sent)], [I1]);
    for (const run of runs) assert.equal(run.error, undefined);
    s.advance(s.sim.timings.registrationMs);
    assert.deepEqual(stateOf(s.sim).targets, [`${I1} :7000 healthy`]);
    assert.equal(s.sim.maxActiveSeen, 1);
    assert.deepEqual(s.violations, []);
  });

  it("two invocations at once on a failover (a duplicated event): the same successor chosen", async () => {
    const s = await open({ instanceCount: 3 });
    await promoteFirst(s);
    s.sim.terminate(I1);
    s.advance(s.sim.timings.deregistrationDelayMs);
    const [terminating] = s.newEvents();
    s.advanceTo(Date.parse(terminating.time) + 2000);
    const callsBefore = s.sim.calls.length;

    await Promise.all([s.invoke(terminating), s.invoke(terminating)]);

    const calls = s.sim.calls.slice(callsBefore);
    const sent = calls.filter((c) => c.operation === "SendCommand").map(instanceOf);
    assert.ok(sent.length >= 1 && sent.length <= 2, `one command per invocation at most: ${sent}`);
    assert.deepEqual([...new Set(sent)], [I2]);
    s.advance(s.sim.timings.registrationMs);
    assert.deepEqual(stateOf(s.sim).targets, [`${I2} :7000 healthy`]);
    assert.equal(s.sim.maxActiveSeen, 1);
    assert.deepEqual(s.violations, []);
  });

  for (const size of [2, 100]) {
    it(`a steady-state invocation makes at most 4 calls with ${size} instances`, async () => {
      const s = await open({ instanceCount: size });
      await promoteFirst(s);
      s.sim.resetCalls();

      const steady = await s.schedule();

      assert.deepEqual(s.sim.callCounts(), {
        DescribeAutoScalingGroups: 1,
        DescribeTags: 1,
        DescribeTargetHealth: 1,
        ListCommands: 1,
      });
      assert.equal(steady.calls.length, 4);
      assert.deepEqual(steady.report?.rounds[0].actions, []);
      assert.equal(steady.emf.WarmStandbys, size - 1);
    });
  }
});
