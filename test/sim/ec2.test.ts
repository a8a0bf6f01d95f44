import assert from "node:assert/strict";
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type Instance,
} from "@aws-sdk/client-ec2";
import { rejection, startHarness, type Harness } from "./harness";

const A = "i-00000000000000001";
const B = "i-00000000000000002";
const C = "i-00000000000000003";

describe("simulated EC2 over HTTP (real SDK client)", () => {
  let h: Harness;
  afterEach(async () => h.close());

  async function instances(input: DescribeInstancesCommandInput) {
    const out = await h.clients.ec2.send(new DescribeInstancesCommand(input));
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  }

  const summary = (i: Instance) => `${i.InstanceId} ${i.State?.Name}`;

  it("describes instances by id: launch time, state, zone and the group tag", async () => {
    h = await startHarness({ instanceCount: 2 });
    const [a] = await instances({ InstanceIds: [A] });
    assert.equal(a.InstanceId, A);
    assert.deepEqual(a.State, { Code: 16, Name: "running" });
    assert.equal(a.LaunchTime?.getTime(), h.sim.instances()[0].launchTime);
    assert.equal(a.Placement?.AvailabilityZone, "eu-central-1a");
    assert.deepEqual(
      a.Tags?.find((t) => t.Key === "aws:autoscaling:groupName"),
      { Key: "aws:autoscaling:groupName", Value: "warm-standby" },
    );
    const both = await instances({ InstanceIds: [B, A] });
    assert.deepEqual(both.map(summary), [`${A} running`, `${B} running`]);
  });

  it("reports shutting-down, then terminated, and the replacement pending", async () => {
    h = await startHarness({ instanceCount: 2 });
    h.sim.terminate(A);
    assert.deepEqual((await instances({ InstanceIds: [A] })).map(summary), [`${A} shutting-down`]);
    h.clock.advance(h.sim.timings.lifecycleHookHeartbeatMs + h.sim.timings.terminateMs - 1);
    assert.deepEqual((await instances({ InstanceIds: [A] })).map(summary), [`${A} shutting-down`]);
    h.clock.advance(1);
    assert.deepEqual((await instances({})).map(summary), [
      `${A} terminated`,
      `${B} running`,
      `${C} pending`,
    ]);
    const [terminated] = await instances({ InstanceIds: [A] });
    assert.deepEqual(terminated.State, { Code: 48, Name: "terminated" });
  });

  it("filters by tag, state and instance id", async () => {
    h = await startHarness({ instanceCount: 2 });
    h.sim.terminate(B);
    const ids = async (Filters: { Name: string; Values: string[] }[]) =>
      (await instances({ Filters })).map((i) => i.InstanceId);
    assert.deepEqual(
      await ids([{ Name: "tag:aws:autoscaling:groupName", Values: ["warm-standby"] }]),
      [A, B],
    );
    assert.deepEqual(await ids([{ Name: "tag:aws:autoscaling:groupName", Values: ["other"] }]), []);
    assert.deepEqual(await ids([{ Name: "instance-state-name", Values: ["running"] }]), [A]);
    assert.deepEqual(
      await ids([
        { Name: "instance-state-name", Values: ["running", "shutting-down"] },
        { Name: "instance-id", Values: [B] },
      ]),
      [B],
    );
    const bad = await rejection(ids([{ Name: "owner-alias", Values: ["amazon"] }]));
    assert.equal(bad.name, "InvalidParameterValue");
  });

  it("paginates with MaxResults and NextToken", async () => {
    h = await startHarness({ instanceCount: 7 });
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const out = await h.clients.ec2.send(
        new DescribeInstancesCommand({ MaxResults: 5, NextToken }),
      );
      seen.push(
        ...(out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!),
      );
      NextToken = out.NextToken;
      pages++;
    } while (NextToken);
    assert.equal(pages, 2);
    assert.deepEqual(seen, h.sim.groupInstanceIds());
  });

  it("an unknown instance id is InvalidInstanceID.NotFound", async () => {
    h = await startHarness();
    const error = await rejection(instances({ InstanceIds: [A, "i-0000000000000beef"] }));
    assert.equal(error.name, "InvalidInstanceID.NotFound");
    assert.match(error.message, /i-0000000000000beef/);
  });
});
