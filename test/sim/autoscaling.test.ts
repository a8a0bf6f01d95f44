import assert from "node:assert/strict";
import {
  DescribeAutoScalingGroupsCommand,
  SetInstanceHealthCommand,
  type AutoScalingGroup,
} from "@aws-sdk/client-auto-scaling";
import { RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { rejection, startHarness, type Harness } from "./harness";

describe("simulated Auto Scaling over HTTP (real SDK client)", () => {
  let h: Harness;
  afterEach(async () => h.close());

  async function group(): Promise<AutoScalingGroup> {
    const out = await h.clients.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["warm-standby"] }),
    );
    assert.equal(out.AutoScalingGroups?.length, 1);
    return out.AutoScalingGroups![0];
  }

  async function lifecycles(): Promise<string[]> {
    return ((await group()).Instances ?? []).map((i) => `${i.InstanceId} ${i.LifecycleState}`);
  }

  it("describes the group: fixed size, ELB health checks, AddToLoadBalancer suspended", async () => {
    h = await startHarness({ instanceCount: 3 });
    const described = await group();
    assert.equal(described.AutoScalingGroupARN, h.sim.groupArn);
    assert.deepEqual([described.MinSize, described.MaxSize, described.DesiredCapacity], [3, 3, 3]);
    assert.equal(described.HealthCheckType, "ELB");
    assert.deepEqual(described.TargetGroupARNs, h.sim.options.targetGroupArns);
    assert.deepEqual(
      described.SuspendedProcesses?.map((p) => p.ProcessName),
      ["AddToLoadBalancer"],
    );
    assert.ok(described.CreatedTime instanceof Date);
    assert.deepEqual(
      described.Instances?.map((i) => [
        i.InstanceId,
        i.AvailabilityZone,
        i.LifecycleState,
        i.HealthStatus,
      ]),
      [
        ["i-00000000000000001", "eu-central-1a", "InService", "Healthy"],
        ["i-00000000000000002", "eu-central-1b", "InService", "Healthy"],
        ["i-00000000000000003", "eu-central-1a", "InService", "Healthy"],
      ],
    );
    const other = await h.clients.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["someone-else"] }),
    );
    assert.deepEqual(other.AutoScalingGroups, []);
  });

  it("replaces a terminated instance: Terminating:Wait, :Proceed, gone, then Pending -> InService", async () => {
    h = await startHarness({ instanceCount: 2 });
    const { lifecycleHookHeartbeatMs, terminateMs, launchMs } = h.sim.timings;
    h.sim.terminate("i-00000000000000001");
    assert.deepEqual(await lifecycles(), [
      "i-00000000000000001 Terminating:Wait",
      "i-00000000000000002 InService",
    ]);
    h.clock.advance(lifecycleHookHeartbeatMs - 1);
    assert.equal((await lifecycles())[0], "i-00000000000000001 Terminating:Wait");
    h.clock.advance(1);
    assert.equal((await lifecycles())[0], "i-00000000000000001 Terminating:Proceed");
    h.clock.advance(terminateMs - 1);
    assert.equal((await lifecycles())[0], "i-00000000000000001 Terminating:Proceed");
    h.clock.advance(1);
    assert.deepEqual(await lifecycles(), [
      "i-00000000000000002 InService",
      "i-00000000000000003 Pending",
    ]);
    h.clock.advance(launchMs);
    assert.deepEqual(await lifecycles(), [
      "i-00000000000000002 InService",
      "i-00000000000000003 InService",
    ]);
    // The replacement went to the zone that lost an instance.
    const replacement = (await group()).Instances?.[1];
    assert.equal(replacement?.AvailabilityZone, "eu-central-1a");
  });

  it("without the terminate hook: Terminating, gone after terminateMs, then replaced", async () => {
    h = await startHarness({ instanceCount: 2, terminateHook: null });
    const { terminateMs } = h.sim.timings;
    h.sim.terminate("i-00000000000000001");
    assert.deepEqual(await lifecycles(), [
      "i-00000000000000001 Terminating",
      "i-00000000000000002 InService",
    ]);
    h.clock.advance(terminateMs - 1);
    assert.equal((await lifecycles())[0], "i-00000000000000001 Terminating");
    h.clock.advance(1);
    assert.deepEqual(await lifecycles(), [
      "i-00000000000000002 InService",
      "i-00000000000000003 Pending",
    ]);
    assert.deepEqual(
      h.sim.events.map((e) => e["detail-type"]),
      ["EC2 Instance Terminate Successful"],
    );
  });

  it("a registered instance: Terminating while the group drains it, then Terminating:Wait", async () => {
    h = await startHarness({ instanceCount: 2 });
    const { deregistrationDelayMs, lifecycleHookHeartbeatMs, terminateMs } = h.sim.timings;
    h.sim.strayRegister("i-00000000000000001");
    h.sim.terminate("i-00000000000000001");
    assert.deepEqual(await lifecycles(), [
      "i-00000000000000001 Terminating",
      "i-00000000000000002 InService",
    ]);
    h.clock.advance(deregistrationDelayMs - 1);
    assert.equal((await lifecycles())[0], "i-00000000000000001 Terminating");
    assert.deepEqual(h.sim.events, []);
    h.clock.advance(1);
    assert.equal((await lifecycles())[0], "i-00000000000000001 Terminating:Wait");
    assert.deepEqual(h.sim.registrations(), []);
    h.clock.advance(lifecycleHookHeartbeatMs);
    assert.equal((await lifecycles())[0], "i-00000000000000001 Terminating:Proceed");
    h.clock.advance(terminateMs);
    assert.deepEqual(await lifecycles(), [
      "i-00000000000000002 InService",
      "i-00000000000000003 Pending",
    ]);
  });

  it("SetInstanceHealth Unhealthy makes the group replace the instance", async () => {
    h = await startHarness({ instanceCount: 2 });
    await h.clients.autoScaling.send(
      new SetInstanceHealthCommand({
        InstanceId: "i-00000000000000002",
        HealthStatus: "Unhealthy",
      }),
    );
    const [, marked] = (await group()).Instances ?? [];
    assert.deepEqual(
      [marked.LifecycleState, marked.HealthStatus],
      ["Terminating:Wait", "Unhealthy"],
    );
    const { lifecycleHookHeartbeatMs, terminateMs, launchMs } = h.sim.timings;
    h.clock.advance(lifecycleHookHeartbeatMs + terminateMs + launchMs);
    assert.deepEqual(h.sim.groupInstanceIds(), ["i-00000000000000001", "i-00000000000000003"]);
    assert.deepEqual(
      h.sim.events.map((e) => [e["detail-type"], e.detail.EC2InstanceId]),
      [
        ["EC2 Instance-terminate Lifecycle Action", "i-00000000000000002"],
        ["EC2 Instance Terminate Successful", "i-00000000000000002"],
        ["EC2 Instance Launch Successful", "i-00000000000000003"],
      ],
    );
    assert.match(terminateCause(h), /in response to a user health-check\.$/);
  });

  it("SetInstanceHealth on an instance the group does not have is a ValidationError", async () => {
    h = await startHarness();
    const error = await rejection(
      h.clients.autoScaling.send(
        new SetInstanceHealthCommand({
          InstanceId: "i-0000000000000dead",
          HealthStatus: "Unhealthy",
        }),
      ),
    );
    assert.equal(error.name, "ValidationError");
    assert.match(error.message, /No managed instance found for instance ID: i-0000000000000dead/);
    assert.equal(error.$metadata.httpStatusCode, 400);
  });

  it("health-check type ELB: replaces a registered instance whose target stays unhealthy", async () => {
    h = await startHarness({ instanceCount: 2 });
    const { registrationMs, elbHealthGraceMs } = h.sim.timings;
    // Registered without its application: the first verdict is "unhealthy".
    await h.clients.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: h.sim.options.targetGroupArns[0],
        Targets: [{ Id: "i-00000000000000001" }],
      }),
    );
    h.clock.advance(registrationMs + elbHealthGraceMs - 1);
    assert.equal((await lifecycles())[0], "i-00000000000000001 InService");
    h.clock.advance(1);
    // Registered: the group first drains it from the target group, then the hook's wait.
    assert.equal((await lifecycles())[0], "i-00000000000000001 Terminating");
    assert.deepEqual(
      h.sim.registrations().map((r) => [r.instanceId, r.state]),
      [["i-00000000000000001", "draining"]],
    );
    // The unregistered warm instance is judged by EC2 checks only: untouched.
    assert.equal((await lifecycles())[1], "i-00000000000000002 InService");
    h.clock.advance(h.sim.timings.deregistrationDelayMs);
    assert.equal((await lifecycles())[0], "i-00000000000000001 Terminating:Wait");
    h.clock.advance(h.sim.timings.lifecycleHookHeartbeatMs + h.sim.timings.terminateMs);
    assert.match(terminateCause(h), /an ELB system health check failure\.$/);
  });

  it("a cold start launches the instances: Pending, InService, then SSM agent Online", async () => {
    h = await startHarness({ instanceCount: 2, startWarm: false });
    const { launchMs, agentOnlineMs } = h.sim.timings;
    assert.deepEqual(await lifecycles(), [
      "i-00000000000000001 Pending",
      "i-00000000000000002 Pending",
    ]);
    h.clock.advance(launchMs);
    assert.deepEqual(await lifecycles(), [
      "i-00000000000000001 InService",
      "i-00000000000000002 InService",
    ]);
    assert.deepEqual(
      h.sim.instances().map((i) => i.agentOnline),
      [false, false],
    );
    h.clock.advance(agentOnlineMs - launchMs);
    assert.deepEqual(
      h.sim.instances().map((i) => i.agentOnline),
      [true, true],
    );
    assert.deepEqual(
      h.sim.events.map((e) => e["detail-type"]),
      ["EC2 Instance Launch Successful", "EC2 Instance Launch Successful"],
    );
  });
});

/** The Cause of the group's (first) Terminate Successful event. */
function terminateCause(h: Harness): string {
  const event = h.sim.events.find((e) => e["detail-type"] === "EC2 Instance Terminate Successful");
  if (event?.["detail-type"] !== "EC2 Instance Terminate Successful") {
    throw new Error("no Terminate Successful event");
  }
  return event.detail.Cause;
}
