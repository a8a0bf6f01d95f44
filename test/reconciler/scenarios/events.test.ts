// Scenarios of event delivery on the simulated AWS: EventBridge delivers at least once, in no
// promised order, best effort; events of other groups and garbage reach the function too.
import { strict as assert } from "node:assert";
import type { AutoScalingEvent } from "../../../sandbox/sim";
import { isoSeconds, promoteFirst, scenarios, type Scenario } from "./harness";
import { assertPhases, instanceId, instanceOf, mutationsOf, stateOf } from "./inspect";

const [I1, I2, I3, I4] = [1, 2, 3, 4].map(instanceId);
const OTHER_GROUP = "billing-batch";
const OTHER_INSTANCE = "i-0fedcba9876543210";

/**
 * The active instance (I1) dies; returns the events of its termination (the lifecycle action as it
 * enters Terminating:Wait once the group drained it, the Terminate event once it is gone) and the
 * replacement's launch.
 */
async function failoverEvents(s: Scenario): Promise<AutoScalingEvent[]> {
  await promoteFirst(s);
  s.sim.terminate(I1);
  const { deregistrationDelayMs, lifecycleHookHeartbeatMs, terminateMs, launchMs } = s.sim.timings;
  s.advance(deregistrationDelayMs + lifecycleHookHeartbeatMs + terminateMs + launchMs);
  const events = s.newEvents();
  assert.deepEqual(
    events.map((event) => `${event["detail-type"]} ${event.detail.EC2InstanceId}`),
    [
      `EC2 Instance-terminate Lifecycle Action ${I1}`,
      `EC2 Instance Terminate Successful ${I1}`,
      `EC2 Instance Launch Successful ${I4}`,
    ],
  );
  return events;
}

/** A terminate event of another group in the same account, as the rule without a group filter sees it. */
function otherGroupEvent(s: Scenario) {
  const { account, region } = s.sim.options;
  return {
    version: "0",
    id: "3d7c44e2-0000-4000-8000-0000000000aa",
    "detail-type": "EC2 Instance Terminate Successful",
    source: "aws.autoscaling",
    account,
    time: isoSeconds(s.clock.now()),
    region,
    resources: [
      `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:0:autoScalingGroupName/${OTHER_GROUP}`,
      `arn:aws:ec2:${region}:${account}:instance/${OTHER_INSTANCE}`,
    ],
    detail: {
      StatusCode: "InProgress",
      AutoScalingGroupName: OTHER_GROUP,
      EC2InstanceId: OTHER_INSTANCE,
      Cause: "At 2025-01-06T08:59:00Z an instance was taken out of service.",
    },
  };
}

describe("scenarios: event delivery on the simulated AWS", () => {
  const open = scenarios();

  it("duplicated and reordered events reach the end state of a single delivery, with one promotion", async () => {
    const single = await open({ instanceCount: 3 });
    for (const event of await failoverEvents(single)) await single.deliver(event);

    const messy = await open({ instanceCount: 3 });
    const [terminating, terminated, launched] = await failoverEvents(messy);
    const runs = [];
    for (const event of [launched, terminated, terminating, launched, terminating, terminated]) {
      runs.push(await messy.deliver(event));
    }

    // The first delivery (the launch, out of order) did the failover (the group had deregistered
    // I1 already); the rest found nothing to do.
    assertPhases(mutationsOf(runs[0].calls, messy.sim), [
      [`SendCommand ${I2}`],
      [`RegisterTargets ${I2} :7000`],
    ]);
    for (const run of runs.slice(1)) assert.deepEqual(mutationsOf(run.calls, messy.sim), []);

    for (const s of [single, messy]) s.advance(s.sim.timings.registrationMs);
    assert.deepEqual(stateOf(messy.sim), stateOf(single.sim));
    assert.deepEqual(stateOf(messy.sim), {
      group: [I2, I3, I4],
      active: [I2],
      appRunning: [I2],
      targets: [`${I2} :7000 healthy`],
      commands: [`${I1} Success`, `${I2} Success`],
    });
    assert.equal(messy.sim.maxActiveSeen, 1);
    assert.deepEqual(messy.violations, []);
  });

  it("an event of another group: our group is reconciled, nothing of the other group touched", async () => {
    const s = await open({ instanceCount: 3 });

    const run = await s.deliver(otherGroupEvent(s), 0);

    assert.deepEqual(run.report?.notes, [
      `event for group ${OTHER_GROUP}, not ours: reconciled warm-standby`,
    ]);
    assert.equal(run.report?.signalAt, undefined, "another group's event starts no failover clock");
    assertPhases(mutationsOf(run.calls, s.sim), [
      [`SendCommand ${I1}`],
      [`RegisterTargets ${I1} :7000`],
    ]);
    for (const call of run.calls) {
      const input = JSON.stringify(call.input);
      assert.ok(!input.includes(OTHER_GROUP) && !input.includes(OTHER_INSTANCE), input);
    }
    const groupLookups = run.calls.filter((c) => c.operation === "DescribeAutoScalingGroups");
    assert.deepEqual(
      groupLookups.map((c) => c.input),
      groupLookups.map(() => ({ AutoScalingGroupNames: ["warm-standby"] })),
    );

    // In steady state the same event costs the four observe calls and changes nothing.
    s.advance(s.sim.timings.registrationMs);
    const steady = await s.deliver(otherGroupEvent(s), 0);
    assert.deepEqual(steady.calls.map((c) => c.operation).sort(), [
      "DescribeAutoScalingGroups",
      "DescribeTags",
      "DescribeTargetHealth",
      "ListCommands",
    ]);
    assert.deepEqual(s.sim.activeInstanceIds(), [I1]);
  });

  it("malformed events never throw: each is logged as 'other' and treated as look-now", async () => {
    const s = await open({ instanceCount: 3 });
    const circular: Record<string, unknown> = { source: "aws.autoscaling" };
    circular.self = circular;
    const malformed: unknown[] = [
      { source: "aws.autoscaling", "detail-type": "EC2 Instance Terminate Successful" },
      null,
      undefined,
      "EC2 Instance Terminate Successful",
      42,
      [{ source: "aws.events" }],
      {},
      { source: "aws.events", "detail-type": "Scheduled Event", time: "yesterday" },
      { "detail-type": "EC2 Instance Terminate Successful", detail: "i-1", time: 7 },
      circular,
    ];

    const runs = [];
    for (const event of malformed) runs.push(await s.invoke(event));

    for (const run of runs) {
      assert.equal(run.error, undefined);
      assert.ok(run.log.event.problems.length > 0, JSON.stringify(run.log.event));
    }
    // A terminate without detail is still a terminate (of no known group); the rest are "other".
    assert.deepEqual(
      runs.map((run) => run.log.event.kind),
      ["terminate", ...Array(6).fill("other"), "schedule", "other", "other"],
    );
    // Look now: the first one finds nothing active and promotes; the others find nothing to do.
    assert.deepEqual(runs[0].calls.filter((c) => c.operation === "SendCommand").map(instanceOf), [
      I1,
    ]);
    for (const run of runs.slice(1)) assert.deepEqual(mutationsOf(run.calls, s.sim), []);
    assert.deepEqual(s.sim.activeInstanceIds(), [I1]);
  });
});
