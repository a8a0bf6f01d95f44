import assert from "node:assert/strict";
import { setTimeout as wait } from "node:timers/promises";
import { realClock, SimulatedAws, VIRTUAL_EPOCH, VirtualClock } from "../../sandbox/sim";

const A = "i-00000000000000001";
const B = "i-00000000000000002";
const C = "i-00000000000000003";
const DOCUMENT = "warm-standby-activate";

function newSim(options: ConstructorParameters<typeof SimulatedAws>[0] = {}) {
  const clock = new VirtualClock();
  return { clock, sim: new SimulatedAws({ ...options, clock }) };
}

describe("SimulatedAws core (in-process, virtual clock)", () => {
  it("starts warm: InService, agents Online, launched a minute apart, no events", () => {
    const { sim } = newSim({ instanceCount: 3 });
    assert.deepEqual(
      sim.instances().map((i) => [i.instanceId, i.lifecycleState, i.agentOnline, i.launchTime]),
      [
        [A, "InService", true, VIRTUAL_EPOCH - 180_000],
        [B, "InService", true, VIRTUAL_EPOCH - 120_000],
        [C, "InService", true, VIRTUAL_EPOCH - 60_000],
      ],
    );
    assert.deepEqual(sim.events, []);
    assert.deepEqual(sim.activeInstanceIds(), []);
    assert.equal(sim.maxActiveSeen, 0);
  });

  it("active = registered and not draining, or an activation in flight (Cancelling included)", () => {
    const { clock, sim } = newSim({ instanceCount: 3 });
    const tg = sim.options.targetGroupArns[0];
    sim.call("elbv2", "RegisterTargets", { TargetGroupArn: tg, Targets: [{ Id: A }] });
    const { Command } = sim.call("ssm", "SendCommand", {
      DocumentName: DOCUMENT,
      InstanceIds: [B],
    }) as {
      Command: { CommandId: string };
    };
    assert.deepEqual(sim.activeInstanceIds(), [A, B]);
    clock.advance(sim.timings.agentPickupMs);
    sim.call("ssm", "CancelCommand", { CommandId: Command.CommandId });
    assert.equal(sim.commands()[0].status, "Cancelling");
    assert.deepEqual(sim.activeInstanceIds(), [A, B]);
    clock.advance(sim.timings.agentPickupMs);
    assert.deepEqual(sim.activeInstanceIds(), [A]);
    sim.call("elbv2", "DeregisterTargets", { TargetGroupArn: tg, Targets: [{ Id: A }] });
    assert.deepEqual(sim.activeInstanceIds(), []);
    assert.equal(sim.maxActiveSeen, 2);
  });

  it("maxActiveSeen and maxAppRunningSeen see peaks reached between inspections", () => {
    const { clock, sim } = newSim({ instanceCount: 3 });
    sim.call("ssm", "SendCommand", { DocumentName: DOCUMENT, InstanceIds: [A] });
    sim.call("ssm", "SendCommand", { DocumentName: DOCUMENT, InstanceIds: [B] });
    // Both applications start and then stop while nobody looks.
    clock.advance(sim.timings.agentPickupMs + sim.timings.activationMs);
    sim.stopApp(A);
    sim.stopApp(B);
    assert.deepEqual(sim.appRunningIds(), []);
    assert.deepEqual(sim.activeInstanceIds(), []);
    assert.equal(sim.maxActiveSeen, 2);
    assert.equal(sim.maxAppRunningSeen, 2);
  });

  it("records the lifecycle action, terminate and launch events exactly as EventBridge shapes them", () => {
    const { clock, sim } = newSim({ instanceCount: 2 });
    clock.advance(5_250);
    sim.terminate(A);
    const { lifecycleHookHeartbeatMs, terminateMs, launchMs } = sim.timings;
    clock.advance(lifecycleHookHeartbeatMs + terminateMs + launchMs);
    const [terminating, terminated, launched] = sim.events;
    if (
      terminating["detail-type"] !== "EC2 Instance-terminate Lifecycle Action" ||
      terminated["detail-type"] === "EC2 Instance-terminate Lifecycle Action" ||
      launched["detail-type"] === "EC2 Instance-terminate Lifecycle Action"
    ) {
      throw new Error(`unexpected events: ${sim.events.map((e) => e["detail-type"]).join()}`);
    }
    const at = (ms: number) => new Date(VIRTUAL_EPOCH + ms).toISOString();
    // As the instance enters Terminating:Wait; `time` in whole seconds, emittedAt to the ms.
    assert.deepEqual(terminating, {
      version: "0",
      id: terminating.id,
      "detail-type": "EC2 Instance-terminate Lifecycle Action",
      source: "aws.autoscaling",
      account: "123456789012",
      time: at(5_000).replace(".000Z", "Z"),
      region: "eu-central-1",
      resources: [sim.groupArn],
      detail: {
        LifecycleActionToken: terminating.detail.LifecycleActionToken,
        AutoScalingGroupName: "warm-standby",
        LifecycleHookName: "warm-standby-terminating",
        EC2InstanceId: A,
        LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        Origin: "AutoScalingGroup",
        Destination: "EC2",
      },
    });
    assert.match(terminating.detail.LifecycleActionToken, /^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    assert.deepEqual(
      sim.events.map((event) => sim.emittedAt(event) - VIRTUAL_EPOCH),
      [
        5_250,
        5_250 + lifecycleHookHeartbeatMs + terminateMs,
        5_250 + lifecycleHookHeartbeatMs + terminateMs + launchMs,
      ],
    );
    const gone = 5_250 + lifecycleHookHeartbeatMs + terminateMs;
    assert.deepEqual(terminated, {
      version: "0",
      id: terminated.id,
      "detail-type": "EC2 Instance Terminate Successful",
      source: "aws.autoscaling",
      account: "123456789012",
      time: at(gone).replace(/\.\d{3}Z$/, "Z"),
      region: "eu-central-1",
      resources: [sim.groupArn, `arn:aws:ec2:eu-central-1:123456789012:instance/${A}`],
      detail: {
        Origin: "AutoScalingGroup",
        Destination: "EC2",
        StatusCode: "InProgress",
        Description: `Terminating EC2 instance: ${A}`,
        AutoScalingGroupName: "warm-standby",
        ActivityId: terminated.detail.ActivityId,
        Details: { "Availability Zone": "eu-central-1a", "Subnet ID": "subnet-00000000000000001" },
        RequestId: terminated.detail.RequestId,
        StatusMessage: "",
        EndTime: at(gone),
        EC2InstanceId: A,
        StartTime: at(5_250),
        Cause:
          `At ${at(5_000).replace(".000Z", "Z")} an instance was taken out of service in response ` +
          "to an EC2 health check indicating it has been terminated or stopped.",
      },
    });
    assert.match(terminated.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(launched["detail-type"], "EC2 Instance Launch Successful");
    assert.equal(launched.detail.EC2InstanceId, C);
    assert.equal(launched.detail.Description, `Launching a new EC2 instance: ${C}`);
    assert.deepEqual(
      [launched.detail.Origin, launched.detail.Destination],
      ["EC2", "AutoScalingGroup"],
    );
    assert.equal(launched.detail.StartTime, at(gone));
    assert.equal(launched.detail.EndTime, at(gone + launchMs));
    assert.equal(new Set(sim.events.map((e) => e.id)).size, 3);
    assert.throws(() => sim.emittedAt({ ...terminated, id: "elsewhere" }), /not emitted by this/);
  });

  it("without the terminate hook, records no lifecycle action and terminates at once", () => {
    const { clock, sim } = newSim({ instanceCount: 1, terminateHook: null });
    sim.terminate(A);
    assert.equal(sim.instances()[0].lifecycleState, "Terminating");
    clock.advance(sim.timings.terminateMs);
    assert.deepEqual(
      sim.events.map((event) => [event["detail-type"], sim.emittedAt(event) - VIRTUAL_EPOCH]),
      [["EC2 Instance Terminate Successful", sim.timings.terminateMs]],
    );
  });

  describe("a termination first drains a registered instance from the group's target groups", () => {
    const TWO_GROUPS = ["ws-7000/0000000000000001", "ws-7001/0000000000000002"].map(
      (name) => `arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/${name}`,
    );
    const EC2_REASON = "an EC2 health check indicating it has been terminated or stopped";

    /** A's history and the group's events from the termination on, in ms since it began. */
    function afterTermination(sim: SimulatedAws, terminatedAt: number) {
      return {
        history: sim.history
          .filter((entry) => entry.at >= terminatedAt && entry.instanceId === A)
          .map((entry) => [entry.at - terminatedAt, entry.what]),
        events: sim.events.map((event) => [
          event["detail-type"],
          sim.emittedAt(event) - terminatedAt,
        ]),
      };
    }

    it("registered: deregistered at once, Terminating for the delay, then Terminating:Wait and its event", () => {
      const { clock, sim } = newSim({ instanceCount: 2, targetGroupArns: TWO_GROUPS });
      const { deregistrationDelayMs, lifecycleHookHeartbeatMs, terminateMs, launchMs } =
        sim.timings;
      sim.strayRegister(A);
      clock.advance(1_000);
      const terminatedAt = clock.now();
      sim.terminate(A);
      assert.deepEqual(
        sim.registrations().map((r) => [r.targetGroupArn, r.state, r.reason]),
        TWO_GROUPS.map((arn) => [arn, "draining", "Target.DeregistrationInProgress"]),
      );
      assert.deepEqual(sim.activeInstanceIds(), []);
      clock.advance(deregistrationDelayMs + lifecycleHookHeartbeatMs + terminateMs + launchMs);

      const drained = deregistrationDelayMs;
      const gone = drained + lifecycleHookHeartbeatMs + terminateMs;
      assert.deepEqual(afterTermination(sim, terminatedAt), {
        history: [
          [0, `Terminating (${EC2_REASON}): WaitingForELBConnectionDraining`],
          [0, "target ws-7000: draining"],
          [0, "target ws-7001: draining"],
          [0, "SSM agent ConnectionLost"],
          [drained, "target ws-7000: deregistered"],
          [drained, "target ws-7001: deregistered"],
          [drained, "Terminating:Wait (connection draining over)"],
          [
            drained + lifecycleHookHeartbeatMs,
            "Terminating:Proceed (warm-standby-terminating timed out: CONTINUE)",
          ],
          [gone, "terminated"],
        ],
        events: [
          ["EC2 Instance-terminate Lifecycle Action", drained],
          ["EC2 Instance Terminate Successful", gone],
          ["EC2 Instance Launch Successful", gone + launchMs],
        ],
      });
      // The scaling activity began with the termination, drain included.
      const terminated = sim.events[1];
      if (terminated["detail-type"] !== "EC2 Instance Terminate Successful") {
        throw new Error(`unexpected event: ${terminated["detail-type"]}`);
      }
      assert.deepEqual(
        [terminated.detail.EC2InstanceId, terminated.detail.StartTime, terminated.detail.EndTime],
        [A, new Date(terminatedAt).toISOString(), new Date(terminatedAt + gone).toISOString()],
      );
      assert.deepEqual(sim.registrations(), []);
    });

    it("registered in one target group only: drained from that one, for the same delay", () => {
      const { clock, sim } = newSim({ instanceCount: 2, targetGroupArns: TWO_GROUPS });
      sim.call("elbv2", "RegisterTargets", { TargetGroupArn: TWO_GROUPS[1], Targets: [{ Id: A }] });
      sim.terminate(A);
      assert.deepEqual(
        sim.registrations().map((r) => [r.targetGroupArn, r.state]),
        [[TWO_GROUPS[1], "draining"]],
      );
      clock.advance(sim.timings.deregistrationDelayMs - 1);
      assert.equal(sim.instances()[0].lifecycleState, "Terminating");
      clock.advance(1);
      assert.equal(sim.instances()[0].lifecycleState, "Terminating:Wait");
      assert.deepEqual(
        sim.events.map((e) => [e["detail-type"], sim.emittedAt(e) - VIRTUAL_EPOCH]),
        [["EC2 Instance-terminate Lifecycle Action", sim.timings.deregistrationDelayMs]],
      );
    });

    it("without the terminate hook: Terminating through the drain and the shutdown", () => {
      const { clock, sim } = newSim({ instanceCount: 1, terminateHook: null });
      const { deregistrationDelayMs, terminateMs } = sim.timings;
      sim.strayRegister(A);
      sim.terminate(A);
      clock.advance(deregistrationDelayMs + terminateMs);
      assert.deepEqual(afterTermination(sim, VIRTUAL_EPOCH), {
        history: [
          [0, "target warm-standby-7000: initial"],
          [0, `Terminating (${EC2_REASON}): WaitingForELBConnectionDraining`],
          [0, "target warm-standby-7000: draining"],
          [0, "SSM agent ConnectionLost"],
          [deregistrationDelayMs, "target warm-standby-7000: deregistered"],
          [deregistrationDelayMs, "Terminating (connection draining over)"],
          [deregistrationDelayMs + terminateMs, "terminated"],
        ],
        events: [["EC2 Instance Terminate Successful", deregistrationDelayMs + terminateMs]],
      });
    });

    it("not registered, or already draining (deregistered by the reconciler): no wait", () => {
      const { clock, sim } = newSim({ instanceCount: 2 });
      const tg = sim.options.targetGroupArns[0];
      sim.call("elbv2", "RegisterTargets", { TargetGroupArn: tg, Targets: [{ Id: A }] });
      sim.call("elbv2", "DeregisterTargets", { TargetGroupArn: tg, Targets: [{ Id: A }] });
      clock.advance(1_000);
      sim.terminate(A);
      sim.terminate(B);
      assert.deepEqual(
        sim.instances().map((i) => [i.instanceId, i.lifecycleState]),
        [
          [A, "Terminating:Wait"],
          [B, "Terminating:Wait"],
        ],
      );
      assert.deepEqual(
        sim.events.map((e) => [e.detail.EC2InstanceId, sim.emittedAt(e) - VIRTUAL_EPOCH]),
        [
          [A, 1_000],
          [B, 1_000],
        ],
      );
      // A's earlier deregistration drains on its own clock, as it did before.
      clock.advance(sim.timings.deregistrationDelayMs - 1_000);
      assert.deepEqual(sim.registrations(), []);
    });
  });

  it("processes transitions lazily, each at its own time", () => {
    const { clock, sim } = newSim({ instanceCount: 1 });
    sim.terminate(A);
    clock.advance(60_000); // long after everything
    const { lifecycleHookHeartbeatMs, terminateMs, launchMs, agentOnlineMs } = sim.timings;
    const t0 = VIRTUAL_EPOCH;
    const gone = lifecycleHookHeartbeatMs + terminateMs;
    assert.deepEqual(
      sim.history.map((entry) => [entry.at - t0, entry.instanceId, entry.what]),
      [
        [
          0,
          A,
          "Terminating:Wait (an EC2 health check indicating it has been terminated or stopped)",
        ],
        [0, A, "SSM agent ConnectionLost"],
        [
          lifecycleHookHeartbeatMs,
          A,
          "Terminating:Proceed (warm-standby-terminating timed out: CONTINUE)",
        ],
        [gone, A, "terminated"],
        [gone, B, "launched in eu-central-1a: Pending"],
        [gone + launchMs, B, "InService"],
        [gone + agentOnlineMs, B, "SSM agent Online"],
      ],
    );
  });

  it("logs every call with its time and outcome; counts per operation; resets", () => {
    const { clock, sim } = newSim();
    sim.call("autoscaling", "DescribeAutoScalingGroups", {});
    clock.advance(10);
    assert.throws(() => sim.call("ssm", "GetCommandInvocation", { CommandId: "x", InstanceId: A }));
    assert.deepEqual(sim.calls, [
      {
        service: "autoscaling",
        operation: "DescribeAutoScalingGroups",
        input: {},
        at: VIRTUAL_EPOCH,
      },
      {
        service: "ssm",
        operation: "GetCommandInvocation",
        input: { CommandId: "x", InstanceId: A },
        at: VIRTUAL_EPOCH + 10,
        error: "InvocationDoesNotExist",
      },
    ]);
    assert.deepEqual(sim.callCounts(), { DescribeAutoScalingGroups: 1, GetCommandInvocation: 1 });
    sim.resetCalls();
    assert.deepEqual(sim.calls, []);
  });

  it("is deterministic: same options and clock, same ids and history", () => {
    const run = () => {
      const { clock, sim } = newSim({ instanceCount: 2 });
      sim.call("ssm", "SendCommand", { DocumentName: DOCUMENT, InstanceIds: [B] });
      sim.terminate(A);
      clock.advance(10_000);
      return { events: sim.events, history: sim.history, commands: sim.commands() };
    };
    assert.deepEqual(run(), run());
  });

  it("test controls refuse instances the group does not have", () => {
    const { clock, sim } = newSim({ instanceCount: 1 });
    assert.throws(() => sim.terminate("i-0000000000000cafe"), /not an instance of the group/);
    sim.terminate(A);
    clock.advance(sim.timings.lifecycleHookHeartbeatMs);
    sim.stopApp(A); // still in the group's list (Terminating:Proceed)
    clock.advance(sim.timings.terminateMs);
    assert.throws(() => sim.stopApp(A), /not an instance of the group/);
    assert.throws(() => sim.setAgentOnline(A, true), /not an instance of the group/);
  });

  it("rejects inconsistent options", () => {
    assert.throws(
      () => new SimulatedAws({ targetPorts: [1, 2], timings: { launchMs: -1 } }),
      /targetPorts must have one port per target group; timings.launchMs must be >= 0/,
    );
    assert.throws(() => new SimulatedAws({ terminateHook: "" }), /terminateHook must be a name/);
  });

  it("runs on the real clock too: transitions happen as wall-clock time passes", async () => {
    const sim = new SimulatedAws({
      clock: realClock,
      instanceCount: 1,
      timings: { lifecycleHookHeartbeatMs: 5, terminateMs: 5, launchMs: 5, agentOnlineMs: 5 },
    });
    sim.terminate(A);
    assert.deepEqual(sim.groupInstanceIds(), []);
    await wait(60);
    assert.deepEqual(
      sim.instances().map((i) => [i.instanceId, i.lifecycleState, i.agentOnline]),
      [
        [A, "Gone", false],
        [B, "InService", true],
      ],
    );
    assert.equal(sim.nextTransitionAt(), undefined);
  });
});
