// Scenarios around the declared capacity on the simulated AWS: the tag raised and lowered, the tag
// removed, and registrations the reconciler did not make (stray).
import { strict as assert } from "node:assert";
import { promoteFirst, scenarios } from "./harness";
import { assertPhases, healthyEverywhere, instanceId, mutationsOf, stateOf } from "./inspect";

const [I1, I2, I3, I4, I5] = [1, 2, 3, 4, 5].map(instanceId);

describe("scenarios: declared capacity on the simulated AWS", () => {
  const open = scenarios();

  it("capacity tag 1 -> 2: a second instance promoted; 2 -> 1: the newest deregistered and replaced", async () => {
    const s = await open({ instanceCount: 4 });
    await promoteFirst(s);

    s.setCapacityTag("2");
    const raised = await s.schedule();
    assertPhases(mutationsOf(raised.calls, s.sim), [
      [`SendCommand ${I2}`],
      [`RegisterTargets ${I2} :7000`],
    ]);
    s.advance(s.sim.timings.registrationMs);
    assert.deepEqual(healthyEverywhere(s.sim), [I1, I2]);
    assert.equal(s.sim.maxActiveSeen, 2);

    s.setCapacityTag("1");
    const lowered = await s.schedule();
    assertPhases(mutationsOf(lowered.calls, s.sim), [
      [`DeregisterTargets ${I2} :7000`, `SetInstanceHealth ${I2}`],
    ]);
    assert.deepEqual(
      lowered.report?.rounds[0].actions.map((a) => `${a.kind} ${a.instanceId}: ${a.reason}`),
      [
        `deregister ${I2}: too many active (2 > 1): newest removed first`,
        `markUnhealthy ${I2}: too many active (2 > 1): newest removed first`,
      ],
    );
    assert.deepEqual(s.sim.activeInstanceIds(), [I1], "draining is not active");

    // The group replaces the fenced instance; the replacement stays warm.
    s.advance(s.sim.timings.terminateMs + s.sim.timings.deregistrationDelayMs);
    const settled = await s.schedule();
    assert.deepEqual(mutationsOf(settled.calls, s.sim), []);
    assert.deepEqual(stateOf(s.sim), {
      group: [I1, I3, I4, I5],
      active: [I1],
      appRunning: [I1],
      targets: [`${I1} :7000 healthy`],
      commands: [`${I1} Success`, `${I2} Success`],
    });
    assert.equal(s.sim.maxActiveSeen, 2, "never above the highest capacity in force");
    assert.deepEqual(s.violations, [], "never above the capacity in force when promoting");
  });

  for (const tag of [null, "two"]) {
    it(`capacity tag ${tag === null ? "removed" : `invalid (${tag})`}: nothing is done, even when the active instance dies`, async () => {
      const s = await open({ instanceCount: 3 });
      await promoteFirst(s);
      s.setCapacityTag(tag);

      const steady = await s.schedule();
      s.sim.terminate(I1);
      s.advance(s.sim.timings.deregistrationDelayMs);
      const [terminating] = s.newEvents();
      const dead = await s.deliver(terminating);

      for (const run of [steady, dead]) {
        assert.deepEqual(mutationsOf(run.calls, s.sim), []);
        assert.deepEqual(run.report?.rounds[0].notes, [
          `load balancer ${s.settings.loadBalancerArn} has no valid warm-standby:active-capacity tag: group warm-standby is not managed`,
        ]);
      }
      // The group drained I1 from the target group on its own; nothing else changed.
      assert.deepEqual(stateOf(s.sim).targets, [], "only the group's own deregistration");
      assert.deepEqual(s.sim.activeInstanceIds(), []);

      // Once the tag is back, the next schedule does the work.
      s.setCapacityTag("1");
      const healed = await s.schedule();
      assertPhases(mutationsOf(healed.calls, s.sim), [
        [`SendCommand ${I2}`],
        [`RegisterTargets ${I2} :7000`],
      ]);
      assert.deepEqual(s.violations, []);
    });
  }

  it("rule 1's witness is not vacuous: a promotion beyond the capacity in force is caught", async () => {
    const s = await open({ instanceCount: 3 });
    await promoteFirst(s);
    // Behind the harness's back: the reconciler sees 2, the witness still holds the test to 1.
    s.sim.setCapacityTag("2");

    await s.schedule();

    // Twice: the command in flight, then (once it ended) the registration.
    assert.deepEqual(
      s.violations.map((line) => line.replace(/ at \S+:/, ":")),
      [
        `SendCommand: active ${I1}, ${I2} > capacity 1`,
        `RegisterTargets: active ${I1}, ${I2} > capacity 1`,
      ],
    );
  });

  it("a stray registration of a newer warm instance: the stray (newest) is fenced, the active one kept", async () => {
    const s = await open({ instanceCount: 3 });
    await promoteFirst(s);
    s.sim.strayRegister(I3);
    assert.deepEqual(s.sim.activeInstanceIds(), [I1, I3]);

    const run = await s.schedule();

    assertPhases(mutationsOf(run.calls, s.sim), [
      [`DeregisterTargets ${I3} :7000`, `SetInstanceHealth ${I3}`],
    ]);
    s.advance(s.sim.timings.terminateMs + s.sim.timings.deregistrationDelayMs);
    assert.deepEqual(stateOf(s.sim), {
      group: [I1, I2, I4],
      active: [I1],
      appRunning: [I1],
      targets: [`${I1} :7000 healthy`],
      commands: [`${I1} Success`],
    });
    assert.deepEqual(s.violations, []);
  });

  it("a stray registration of an older instance: the stray (never activated) is fenced, the promoted one keeps serving", async () => {
    const s = await open({ instanceCount: 3 });
    s.sim.setAgentOnline(I1, false);
    await s.schedule();
    s.advance(s.sim.timings.registrationMs);
    assert.deepEqual(healthyEverywhere(s.sim), [I2]);
    s.sim.setAgentOnline(I1, true);
    s.sim.strayRegister(I1);

    const run = await s.schedule();

    // Unverified first, whatever its age: the stray goes, the instance the reconciler promoted
    // (the only one whose application runs) stays.
    assertPhases(mutationsOf(run.calls, s.sim), [
      [`DeregisterTargets ${I1} :7000`, `SetInstanceHealth ${I1}`],
    ]);
    assert.deepEqual(
      run.report?.rounds[0].actions.map((a) => `${a.kind} ${a.instanceId}: ${a.reason}`),
      [
        `deregister ${I1}: too many active (2 > 1): never activated by the reconciler, removed first`,
        `markUnhealthy ${I1}: too many active (2 > 1): never activated by the reconciler, removed first`,
      ],
    );

    // I2 serves throughout, sampled every 30 s while the group replaces the stray and it drains.
    const { terminateMs, deregistrationDelayMs } = s.sim.timings;
    for (let waited = 0; waited < terminateMs + deregistrationDelayMs; waited += 30_000) {
      assert.deepEqual(healthyEverywhere(s.sim), [I2], `${waited / 1000} s after the fence`);
      s.advance(30_000);
    }
    // The stray's terminate event changes nothing.
    const strayGone = s
      .newEvents()
      .find(
        (e) =>
          e["detail-type"] === "EC2 Instance Terminate Successful" && e.detail.EC2InstanceId === I1,
      );
    assert.ok(strayGone, "the group terminated the stray");
    const settled = await s.deliver(strayGone);
    assert.deepEqual(mutationsOf(settled.calls, s.sim), []);
    assert.deepEqual(stateOf(s.sim), {
      group: [I2, I3, I4],
      active: [I2],
      appRunning: [I2],
      targets: [`${I2} :7000 healthy`],
      commands: [`${I2} Success`],
    });
    assert.equal(s.sim.maxAppRunningSeen, 1);
    assert.deepEqual(s.violations, []);
  });
});
