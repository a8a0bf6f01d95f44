// Scenarios of promotion on the simulated AWS: first start, failover after a termination (woken by
// the terminate lifecycle hook's event, or without the hook by the Terminate event), a failing
// activation script, and no warm candidate (agents offline, group still booting).
import { strict as assert } from "node:assert";
import { TWO_TARGET_GROUPS, promoteFirst, scenarios, type Scenario } from "./harness";
import {
  assertPhases,
  healthyEverywhere,
  instanceId,
  instanceOf,
  mutationsOf,
  stateOf,
} from "./inspect";

const [I1, I2, I3, I4] = [1, 2, 3, 4].map(instanceId);

/** The end of a failover from I1 to I2 on two target groups, once I2's registration completed. */
function assertFailedOverToI2(s: Scenario): void {
  s.advance(s.sim.timings.registrationMs);
  assert.deepEqual(stateOf(s.sim), {
    group: [I2, I3, I4],
    active: [I2],
    appRunning: [I2],
    targets: [`${I2} :7000 healthy`, `${I2} :7001 healthy`],
    commands: [`${I1} Success`, `${I2} Success`],
  });
  assert.equal(s.sim.maxActiveSeen, 1);
  assert.deepEqual(s.violations, []);
}

describe("scenarios: promotion on the simulated AWS", () => {
  const open = scenarios();

  it("first start: the oldest warm instance is activated, registered everywhere, then healthy", async () => {
    const s = await open({ instanceCount: 3, targetGroupArns: TWO_TARGET_GROUPS });
    assert.deepEqual(s.sim.activeInstanceIds(), []);

    const first = await s.schedule();

    assertPhases(mutationsOf(first.calls, s.sim), [
      [`SendCommand ${I1}`],
      [`RegisterTargets ${I1} :7000`, `RegisterTargets ${I1} :7001`],
    ]);
    const [command] = s.sim.commands();
    assert.equal(command.documentName, s.settings.documentName);
    assert.equal(command.status, "Success");
    assert.equal(command.comment, `warm-standby deficit-since=${first.startedAt}`);
    const registeredAt = s.sim.registrations()[0].since;
    assert.ok(registeredAt > (command.endedAt ?? Infinity), "registered only after Success");
    assert.deepEqual(stateOf(s.sim).targets, [`${I1} :7000 initial`, `${I1} :7001 initial`]);
    assert.equal(first.log.level, "info");
    assert.equal(first.log.event.kind, "schedule");
    assert.deepEqual(
      first.report?.rounds.map((round) => round.actions.map((a) => `${a.kind} ${a.instanceId}`)),
      [[`activate ${I1}`], []],
    );
    const { _aws, ...metrics } = first.emf;
    assert.ok(_aws);
    assert.deepEqual(metrics, {
      AutoScalingGroupName: "warm-standby",
      ActiveInstances: 1,
      WarmStandbys: 2,
      Activations: 1,
      ActivationFailures: 0,
      FailoverSeconds: (registeredAt - first.startedAt) / 1000,
    });

    // The NLB's registration, its health checks, and long after: still serving, not replaced.
    s.advance(s.sim.timings.registrationMs);
    assert.deepEqual(healthyEverywhere(s.sim), [I1]);
    s.advance(30 * 60_000);
    assert.deepEqual(stateOf(s.sim), {
      group: [I1, I2, I3],
      active: [I1],
      appRunning: [I1],
      targets: [`${I1} :7000 healthy`, `${I1} :7001 healthy`],
      commands: [`${I1} Success`],
    });
    assert.equal(s.sim.maxActiveSeen, 1);
    assert.equal(s.sim.maxAppRunningSeen, 1);
    assert.deepEqual(s.violations, []);
  });

  it("the active instance is terminated: drained by the group, then its lifecycle action wakes the reconciler, which promotes while it waits in Terminating:Wait", async () => {
    const s = await open({ instanceCount: 3, targetGroupArns: TWO_TARGET_GROUPS });
    await promoteFirst(s);
    const { deregistrationDelayMs, lifecycleHookHeartbeatMs, terminateMs } = s.sim.timings;
    const diedAt = s.clock.now();
    s.sim.terminate(I1);
    // The group takes I1 out of its target groups first and waits out the deregistration delay:
    // no event yet, nothing active.
    assert.deepEqual(stateOf(s.sim).targets, [`${I1} :7000 draining`, `${I1} :7001 draining`]);
    assert.deepEqual(s.sim.activeInstanceIds(), []);
    s.advance(deregistrationDelayMs - 1);
    assert.deepEqual(s.newEvents(), []);
    s.advance(1);
    const drainedAt = diedAt + deregistrationDelayMs;
    const [terminating] = s.newEvents();
    assert.equal(terminating["detail-type"], "EC2 Instance-terminate Lifecycle Action");
    assert.equal(terminating.detail.EC2InstanceId, I1);
    assert.equal(s.sim.emittedAt(terminating), drainedAt);
    assert.deepEqual(stateOf(s.sim).targets, []);

    const failover = await s.deliver(terminating);

    // Nothing left to deregister: the group did it.
    assertPhases(mutationsOf(failover.calls, s.sim), [
      [`SendCommand ${I2}`],
      [`RegisterTargets ${I2} :7000`, `RegisterTargets ${I2} :7001`],
    ]);
    assert.equal(failover.log.event.kind, "terminate");
    const [first] = failover.report?.rounds ?? [];
    assert.deepEqual(
      first.actions.map((a) => `${a.kind} ${a.instanceId}`),
      [`activate ${I2}`],
    );
    assert.equal(first.snapshot.inService, 2, "I1 is no longer InService");
    // I1 was still in Terminating:Wait when I2's activation was sent.
    const waitEndsAt = drainedAt + lifecycleHookHeartbeatMs;
    const sentAt = failover.calls.find((c) => c.operation === "SendCommand")?.at ?? Infinity;
    assert.ok(sentAt < waitEndsAt, `SendCommand at +${sentAt - drainedAt} ms after the drain`);
    assert.equal(
      s.sim.history.find((h) => h.instanceId === I1 && h.what.startsWith("Terminating:Proceed"))
        ?.at,
      waitEndsAt,
    );
    // FailoverSeconds counts from the lifecycle action's time: the drain before it is not in it
    // (the event carries no earlier time).
    assert.equal(failover.report?.signalAt, Date.parse(terminating.time));
    const registeredAt = s.sim.registrations().find((r) => r.instanceId === I2)?.since ?? NaN;
    assert.equal(failover.emf.FailoverSeconds, (registeredAt - drainedAt) / 1000);
    const goneAt = drainedAt + lifecycleHookHeartbeatMs + terminateMs;
    assert.ok(registeredAt < goneAt, "before I1 is gone");

    // I1 is gone later: its Terminate Successful event, and the replacement's launch, change nothing.
    s.advanceTo(goneAt + s.sim.timings.launchMs);
    const [terminated, launched] = s.newEvents();
    assert.deepEqual(
      [terminated["detail-type"], terminated.detail.EC2InstanceId],
      ["EC2 Instance Terminate Successful", I1],
    );
    const late = await s.deliver(terminated);
    assert.deepEqual(mutationsOf(late.calls, s.sim), []);
    assert.equal(late.log.event.kind, "terminate");
    assert.deepEqual([late.emf.Activations, late.emf.FailoverSeconds], [0, undefined]);
    assert.equal(launched.detail.EC2InstanceId, I4);
    assert.deepEqual(mutationsOf((await s.deliver(launched)).calls, s.sim), []);
    assertFailedOverToI2(s);
  });

  it("a schedule run during the group's drain promotes at once: the draining instance is no longer active", async () => {
    const s = await open({ instanceCount: 3 });
    await promoteFirst(s);
    const { deregistrationDelayMs } = s.sim.timings;
    const diedAt = s.clock.now();
    s.sim.terminate(I1);
    s.advance(60_000);

    const run = await s.schedule();

    assertPhases(mutationsOf(run.calls, s.sim), [
      [`SendCommand ${I2}`],
      [`RegisterTargets ${I2} :7000`],
    ]);
    assert.deepEqual(
      run.report?.rounds[0].actions.map((a) => `${a.kind} ${a.instanceId}`),
      [`activate ${I2}`],
    );
    // I2 was registered while the group still drained I1: no lifecycle action had come yet.
    const registeredAt = s.sim.registrations().find((r) => r.instanceId === I2)?.since ?? NaN;
    assert.ok(
      registeredAt < diedAt + deregistrationDelayMs,
      `registered at +${registeredAt - diedAt} ms`,
    );
    assert.equal(s.sim.instances().find((i) => i.instanceId === I1)?.lifecycleState, "Terminating");
    assert.deepEqual(s.newEvents(), []);

    // The lifecycle action, once the drain is over, finds the deficit answered.
    s.advanceTo(diedAt + deregistrationDelayMs);
    const [terminating] = s.newEvents();
    assert.equal(terminating["detail-type"], "EC2 Instance-terminate Lifecycle Action");
    const late = await s.deliver(terminating);
    assert.deepEqual(mutationsOf(late.calls, s.sim), []);
    s.advanceTo(registeredAt + s.sim.timings.registrationMs);
    assert.deepEqual(stateOf(s.sim).targets, [`${I2} :7000 healthy`]);
    assert.equal(s.sim.maxActiveSeen, 1);
    assert.deepEqual(s.violations, []);
  });

  it("without the terminate hook: drained by the group, then the Terminate event wakes it; the next oldest promoted", async () => {
    const s = await open({
      instanceCount: 3,
      targetGroupArns: TWO_TARGET_GROUPS,
      terminateHook: null,
    });
    await promoteFirst(s);
    const diedAt = s.clock.now();
    s.sim.terminate(I1);
    const { deregistrationDelayMs, terminateMs } = s.sim.timings;
    s.advance(deregistrationDelayMs + terminateMs - 1);
    assert.deepEqual(s.newEvents(), []);
    s.advance(1);
    const [terminated] = s.newEvents();
    assert.equal(terminated["detail-type"], "EC2 Instance Terminate Successful");
    assert.equal(terminated.detail.EC2InstanceId, I1);
    assert.equal(s.sim.emittedAt(terminated), diedAt + deregistrationDelayMs + terminateMs);
    assert.deepEqual(stateOf(s.sim).targets, [], "drained before the shutdown");

    const failover = await s.deliver(terminated);

    assertPhases(mutationsOf(failover.calls, s.sim), [
      [`SendCommand ${I2}`],
      [`RegisterTargets ${I2} :7000`, `RegisterTargets ${I2} :7001`],
    ]);
    assert.equal(failover.report?.signalAt, Date.parse(terminated.time));
    // FailoverSeconds: from the terminate event's time to the registration the NLB recorded.
    const registeredAt = s.sim.registrations().find((r) => r.instanceId === I2)?.since ?? NaN;
    assert.equal(failover.emf.FailoverSeconds, (registeredAt - Date.parse(terminated.time)) / 1000);
    assert.equal(failover.emf.ActiveInstances, 1);

    // The replacement's launch event changes nothing; I2's registration completes.
    const [launched] = s.newEvents();
    assert.equal(launched.detail.EC2InstanceId, I4);
    const late = await s.deliver(launched);
    assert.deepEqual(mutationsOf(late.calls, s.sim), []);
    assertFailedOverToI2(s);
  });

  it("the activation script fails: fenced (deregistered, Unhealthy, replaced), the next promoted at once", async () => {
    const s = await open({
      instanceCount: 3,
      targetGroupArns: TWO_TARGET_GROUPS,
      activationBehaviour: (id) => ({ outcome: id === I1 ? "Failed" : "Success" }),
    });

    const run = await s.schedule();

    assertPhases(mutationsOf(run.calls, s.sim), [
      [`SendCommand ${I1}`],
      [`DeregisterTargets ${I1} :7000`, `DeregisterTargets ${I1} :7001`, `SetInstanceHealth ${I1}`],
      [`SendCommand ${I2}`],
      [`RegisterTargets ${I2} :7000`, `RegisterTargets ${I2} :7001`],
    ]);
    const health = run.calls.find((call) => call.operation === "SetInstanceHealth");
    assert.deepEqual(health?.input, {
      InstanceId: I1,
      HealthStatus: "Unhealthy",
      ShouldRespectGracePeriod: "false",
    });
    assert.equal(run.log.level, "warn", "a failed action is a warning");
    assert.equal(run.emf.Activations, 2);
    assert.equal(run.emf.ActivationFailures, 1);
    // Both commands answer the deficit seen at the start: one failover clock.
    const comments = new Set(s.sim.commands().map((c) => c.comment));
    assert.deepEqual([...comments], [`warm-standby deficit-since=${run.startedAt}`]);

    s.advance(s.sim.timings.registrationMs);
    assert.deepEqual(stateOf(s.sim), {
      group: [I2, I3, I4],
      active: [I2],
      appRunning: [I2],
      targets: [`${I2} :7000 healthy`, `${I2} :7001 healthy`],
      commands: [`${I1} Failed`, `${I2} Success`],
    });
    assert.equal(s.sim.instances()[0].lifecycleState, "Gone", "the group replaced it");
    assert.deepEqual(s.violations, []);
  });

  it("no warm candidate (every agent offline): nothing done, a note; the schedule catches up", async () => {
    const s = await open({ instanceCount: 2 });
    [I1, I2].forEach((id) => s.sim.setAgentOnline(id, false));

    const idle = await s.schedule();

    assert.deepEqual(mutationsOf(idle.calls, s.sim), []);
    assert.deepEqual(idle.report?.rounds[0].notes, [
      "no warm candidate for 1 of 1 missing active instance(s): the next event or the schedule retries",
    ]);
    assert.equal(idle.log.level, "info");
    assert.equal(idle.emf.ActiveInstances, 0);
    assert.equal(idle.emf.WarmStandbys, 0);
    assert.deepEqual(s.sim.commands(), []);

    [I1, I2].forEach((id) => s.sim.setAgentOnline(id, true));
    s.advance(300_000);
    const caughtUp = await s.schedule();
    assert.deepEqual(mutationsOf(caughtUp.calls, s.sim), [
      `SendCommand ${I1}`,
      `RegisterTargets ${I1} :7000`,
    ]);
    s.advance(s.sim.timings.registrationMs);
    assert.deepEqual(healthyEverywhere(s.sim), [I1]);
    assert.equal(s.sim.maxActiveSeen, 1);
  });

  it("group still booting (startWarm false): launch events change nothing until agents are Online", async () => {
    const s = await open({ instanceCount: 2, startWarm: false });
    s.advance(s.sim.timings.launchMs);
    const launches = s.newEvents();
    assert.deepEqual(
      launches.map((event) => `${event["detail-type"]} ${event.detail.EC2InstanceId}`),
      [`EC2 Instance Launch Successful ${I1}`, `EC2 Instance Launch Successful ${I2}`],
    );

    for (const launch of launches) {
      const early = await s.deliver(launch);
      assert.deepEqual(mutationsOf(early.calls, s.sim), []);
      assert.equal(early.log.event.kind, "launch");
      assert.match(early.report?.rounds[0].notes.join() ?? "", /no warm candidate/);
    }
    assert.deepEqual(s.sim.activeInstanceIds(), []);

    // The schedule after the agents registered (launch + boot): both launched at once, so the
    // tie goes to the smaller instance id.
    s.advance(s.sim.timings.agentOnlineMs);
    const caughtUp = await s.schedule();
    assert.deepEqual(caughtUp.calls.filter((c) => c.operation === "SendCommand").map(instanceOf), [
      I1,
    ]);
    s.advance(s.sim.timings.registrationMs);
    assert.deepEqual(healthyEverywhere(s.sim), [I1]);
    assert.equal(s.sim.maxActiveSeen, 1);
    assert.deepEqual(s.violations, []);
  });
});
