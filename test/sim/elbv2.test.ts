import assert from "node:assert/strict";
import {
  DeregisterTargetsCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CAPACITY_TAG_KEY } from "../../reconciler/types";
import { rejection, startHarness, type Harness } from "./harness";

const A = "i-00000000000000001";
const B = "i-00000000000000002";

describe("simulated ELBv2 over HTTP (real SDK client)", () => {
  let h: Harness;
  afterEach(async () => h.close());

  const tg = (index = 0) => h.sim.options.targetGroupArns[index];

  async function health(index = 0): Promise<string[]> {
    const out = await h.clients.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg(index) }),
    );
    return (out.TargetHealthDescriptions ?? []).map(
      (d) =>
        `${d.Target?.Id}:${d.Target?.Port} ${d.TargetHealth?.State}` +
        (d.TargetHealth?.Reason ? ` ${d.TargetHealth.Reason}` : ""),
    );
  }

  async function register(id: string, index = 0): Promise<void> {
    await h.clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg(index), Targets: [{ Id: id }] }),
    );
  }

  async function capacityTag(): Promise<string | undefined> {
    const out = await h.clients.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [h.sim.options.loadBalancerArn] }),
    );
    assert.equal(out.TagDescriptions?.[0].ResourceArn, h.sim.options.loadBalancerArn);
    return out.TagDescriptions?.[0].Tags?.find((t) => t.Key === CAPACITY_TAG_KEY)?.Value;
  }

  it("DescribeTags reports the capacity tag as the controls set it", async () => {
    h = await startHarness({ capacityTag: "1" });
    assert.equal(await capacityTag(), "1");
    h.sim.setCapacityTag(2);
    assert.equal(await capacityTag(), "2");
    h.sim.setCapacityTag("two");
    assert.equal(await capacityTag(), "two");
    h.sim.setCapacityTag(undefined);
    assert.equal(await capacityTag(), undefined);
  });

  // The wire codes are awsQuery error codes; the SDK maps them to its modeled exceptions.
  it("DescribeTags of an unknown load balancer: LoadBalancerNotFoundException", async () => {
    h = await startHarness();
    const arn = h.sim.options.loadBalancerArn.replace("warm-standby", "other");
    const error = await rejection(
      h.clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] })),
    );
    assert.equal(error.name, "LoadBalancerNotFoundException");
  });

  it("registration: initial for registrationMs, then unhealthy without the application", async () => {
    h = await startHarness();
    await register(A);
    assert.deepEqual(await health(), [`${A}:7000 initial Elb.RegistrationInProgress`]);
    h.clock.advance(h.sim.timings.registrationMs - 1);
    assert.deepEqual(await health(), [`${A}:7000 initial Elb.RegistrationInProgress`]);
    h.clock.advance(1);
    assert.deepEqual(await health(), [`${A}:7000 unhealthy Target.FailedHealthChecks`]);
  });

  it("registration of an activated instance turns healthy; a stopped app turns it unhealthy", async () => {
    h = await startHarness();
    h.sim.call("ssm", "SendCommand", { DocumentName: "warm-standby-activate", InstanceIds: [A] });
    h.clock.advance(h.sim.timings.agentPickupMs + h.sim.timings.activationMs);
    assert.deepEqual(h.sim.appRunningIds(), [A]);
    await register(A);
    h.clock.advance(h.sim.timings.registrationMs);
    assert.deepEqual(await health(), [`${A}:7000 healthy`]);
    h.sim.stopApp(A);
    h.clock.advance(h.sim.timings.unhealthyAfterMs - 1);
    assert.deepEqual(await health(), [`${A}:7000 healthy`]);
    h.clock.advance(1);
    assert.deepEqual(await health(), [`${A}:7000 unhealthy Target.FailedHealthChecks`]);
  });

  it("the group deregisters a terminated instance's target: draining at once, gone after the delay", async () => {
    h = await startHarness();
    h.sim.call("ssm", "SendCommand", { DocumentName: "warm-standby-activate", InstanceIds: [A] });
    h.clock.advance(h.sim.timings.agentPickupMs + h.sim.timings.activationMs);
    await register(A);
    h.clock.advance(h.sim.timings.registrationMs);
    assert.deepEqual(await health(), [`${A}:7000 healthy`]);
    h.sim.terminate(A);
    assert.deepEqual(await health(), [`${A}:7000 draining Target.DeregistrationInProgress`]);
    assert.deepEqual(h.sim.activeInstanceIds(), []);
    // The stopped application does not turn a draining target unhealthy.
    h.clock.advance(h.sim.timings.deregistrationDelayMs - 1);
    assert.deepEqual(await health(), [`${A}:7000 draining Target.DeregistrationInProgress`]);
    h.clock.advance(1);
    assert.deepEqual(await health(), []);
  });

  it("registering twice changes nothing; deregistering drains, then the target is gone", async () => {
    h = await startHarness();
    await register(A);
    h.clock.advance(1000);
    await register(A);
    const [registration] = h.sim.registrations();
    assert.equal(registration.since, h.clock.now() - 1000);
    await h.clients.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg(), Targets: [{ Id: A }] }),
    );
    assert.deepEqual(await health(), [`${A}:7000 draining Target.DeregistrationInProgress`]);
    assert.deepEqual(h.sim.activeInstanceIds(), []);
    h.clock.advance(h.sim.timings.deregistrationDelayMs);
    assert.deepEqual(await health(), []);
  });

  it("deregistering a target that is not registered succeeds", async () => {
    h = await startHarness();
    const out = await h.clients.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg(), Targets: [{ Id: B }] }),
    );
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(h.sim.registrations(), []);
  });

  it("DescribeTargetHealth for named targets reports the unregistered ones as unused", async () => {
    h = await startHarness();
    await register(A);
    const out = await h.clients.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg(), Targets: [{ Id: A }, { Id: B }] }),
    );
    assert.deepEqual(
      out.TargetHealthDescriptions?.map((d) => [
        d.Target?.Id,
        d.TargetHealth?.State,
        d.TargetHealth?.Reason,
      ]),
      [
        [A, "initial", "Elb.RegistrationInProgress"],
        [B, "unused", "Target.NotRegistered"],
      ],
    );
  });

  it("each target group is separate, with its own port", async () => {
    h = await startHarness({
      targetGroupArns: [
        "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/ws-7000/0000000000000001",
        "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/ws-7443/0000000000000002",
      ],
      targetPorts: [7000, 7443],
    });
    await register(A, 1);
    assert.deepEqual(await health(0), []);
    assert.deepEqual(await health(1), [`${A}:7443 initial Elb.RegistrationInProgress`]);
  });

  it("refuses a target that is not running, and an unknown target group", async () => {
    h = await startHarness();
    h.sim.terminate(B);
    const notRunning = await rejection(register(B));
    assert.equal(notRunning.name, "InvalidTargetException");
    assert.match(notRunning.message, new RegExp(`'${B}'`));
    const unknown = await rejection(
      h.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: `${tg()}-missing` })),
    );
    assert.equal(unknown.name, "TargetGroupNotFoundException");
  });

  it("a stray registration (made before suspension) is a registration like any other", async () => {
    h = await startHarness();
    h.sim.strayRegister(B);
    assert.deepEqual(await health(), [`${B}:7000 initial Elb.RegistrationInProgress`]);
    assert.deepEqual(
      h.sim.registrations().map((r) => [r.instanceId, r.stray]),
      [[B, true]],
    );
    assert.deepEqual(h.sim.activeInstanceIds(), [B]);
  });
});
