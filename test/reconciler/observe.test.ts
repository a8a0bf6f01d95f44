import { strict as assert } from "node:assert";
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import {
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeInstanceInformationCommand, ListCommandsCommand } from "@aws-sdk/client-ssm";
import { observe, parseCapacity, parseDeficitSince } from "../../reconciler/observe";
import type { Snapshot } from "../../reconciler/types";
import {
  LB_ARN,
  SETTINGS,
  T0,
  TG_A,
  TG_B,
  fleet,
  harness,
  stubWorld,
  type World,
} from "./aws-harness";

const WEEK_MS = 7 * 24 * 3600 * 1000;
const inputsOf = <T>(calls: { args: [{ input: T }] }[]): T[] => calls.map((c) => c.args[0].input);

/** One active instance (registered, activation succeeded), the others warm: nothing to do. */
function steadyWorld(n: number): World {
  const instances = fleet(n);
  const active = instances[0].id;
  return {
    instances,
    capacityTag: "1",
    registrations: [{ id: active, tg: TG_A, state: "healthy" }],
    commands: [
      {
        commandId: "cmd-1",
        instanceId: active,
        status: "Success",
        requestedAt: T0 - 3_000_000,
        comment: `warm-standby deficit-since=${T0 - 3_100_000}`,
      },
    ],
  };
}

describe("observe", () => {
  it("sends exactly the four documented requests and maps every field", async () => {
    const h = harness({ settings: { ...SETTINGS, targetGroupArns: [TG_A, TG_B] } });
    stubWorld(h.mocks, {
      instances: [
        { id: "i-a", az: "eu-central-1a" },
        { id: "i-b", az: "eu-central-1b", lifecycle: "Terminating", health: "Unhealthy" },
      ],
      capacityTag: "1",
      registrations: [
        { id: "i-a", tg: TG_A, state: "healthy" },
        { id: "i-a", tg: TG_B, state: "initial", reason: "Elb.RegistrationInProgress" },
      ],
      commands: [
        {
          commandId: "cmd-1",
          instanceId: "i-a",
          status: "InProgress",
          requestedAt: T0 - 5000,
          comment: `warm-standby deficit-since=${T0 - 9000}`,
        },
        { commandId: "cmd-0", instanceId: "i-b", status: "Failed", requestedAt: T0 - 60_000 },
      ],
    });

    const snapshot = await observe(h.deps, T0 - 20_000);

    assert.deepEqual(inputsOf(h.mocks.autoScaling.commandCalls(DescribeAutoScalingGroupsCommand)), [
      { AutoScalingGroupNames: ["app-asg"] },
    ]);
    assert.deepEqual(inputsOf(h.mocks.elbv2.commandCalls(DescribeTagsCommand)), [
      { ResourceArns: [LB_ARN] },
    ]);
    assert.deepEqual(inputsOf(h.mocks.elbv2.commandCalls(DescribeTargetHealthCommand)), [
      { TargetGroupArn: TG_A },
      { TargetGroupArn: TG_B },
    ]);
    assert.deepEqual(inputsOf(h.mocks.ssm.commandCalls(ListCommandsCommand)), [
      {
        Filters: [
          { key: "DocumentName", value: "app-activate" },
          // Whole seconds, as the SSM API reference writes it: T0 is 2025-03-01T10:00:00.000Z.
          { key: "InvokedAfter", value: "2025-02-22T10:00:00Z" },
        ],
        MaxResults: 50,
      },
    ]);
    assert.equal(h.callNames().length, 5, "one DescribeTargetHealth per target group");

    const expected: Snapshot = {
      now: T0,
      groupFound: true,
      desiredActive: 1,
      instances: [
        {
          instanceId: "i-a",
          availabilityZone: "eu-central-1a",
          lifecycleState: "InService",
          healthStatus: "Healthy",
        },
        {
          instanceId: "i-b",
          availabilityZone: "eu-central-1b",
          lifecycleState: "Terminating",
          healthStatus: "Unhealthy",
        },
      ],
      registrations: [
        { instanceId: "i-a", targetGroupArn: TG_A, state: "healthy" },
        {
          instanceId: "i-a",
          targetGroupArn: TG_B,
          state: "initial",
          reason: "Elb.RegistrationInProgress",
        },
      ],
      activations: [
        {
          commandId: "cmd-1",
          instanceId: "i-a",
          status: "InProgress",
          requestedAt: T0 - 5000,
          deficitSince: T0 - 9000,
        },
        { commandId: "cmd-0", instanceId: "i-b", status: "Failed", requestedAt: T0 - 60_000 },
      ],
      signalAt: T0 - 20_000,
    };
    assert.deepEqual(snapshot, expected);
  });

  it("follows ListCommands NextToken and lists one activation per instance of a command", async () => {
    const h = harness();
    stubWorld(h.mocks, { instances: [], capacityTag: "1" });
    h.mocks.ssm
      .on(ListCommandsCommand)
      .resolvesOnce({
        Commands: [
          {
            CommandId: "cmd-1",
            InstanceIds: ["i-a", "i-b"],
            Status: "Cancelled",
            RequestedDateTime: new Date(T0 - 1000),
          },
        ],
        NextToken: "page-2",
      })
      .resolvesOnce({
        Commands: [
          {
            CommandId: "cmd-2",
            InstanceIds: ["i-c"],
            Status: "Success",
            RequestedDateTime: new Date(T0 - 2000),
          },
          { CommandId: "cmd-3", InstanceIds: ["i-d"], Status: "Success" },
        ],
      });

    const snapshot = await observe(h.deps);

    const calls = inputsOf(h.mocks.ssm.commandCalls(ListCommandsCommand));
    assert.equal(calls.length, 2);
    assert.equal(calls[0].NextToken, undefined);
    assert.deepEqual(calls[1], { ...calls[0], NextToken: "page-2" });
    assert.deepEqual(snapshot.activations, [
      { commandId: "cmd-1", instanceId: "i-a", status: "Cancelled", requestedAt: T0 - 1000 },
      { commandId: "cmd-1", instanceId: "i-b", status: "Cancelled", requestedAt: T0 - 1000 },
      { commandId: "cmd-2", instanceId: "i-c", status: "Success", requestedAt: T0 - 2000 },
    ]);
    assert.equal("signalAt" in snapshot, false);
  });

  it("parses the capacity tag as a plain non-negative integer, else null", async () => {
    const cases: [string | undefined, number | null][] = [
      [undefined, null],
      ["abc", null],
      ["-1", null],
      ["1.5", null],
      ["", null],
      [" 2", null],
      ["1e3", null],
      ["99999999999999999999", null],
      ["0", 0],
      ["2", 2],
    ];
    for (const [value, expected] of cases) {
      const h = harness();
      stubWorld(h.mocks, { instances: [], capacityTag: value });
      const snapshot = await observe(h.deps);
      assert.equal(snapshot.desiredActive, expected, `tag ${JSON.stringify(value)}`);
      assert.equal(parseCapacity(value), expected);
    }
  });

  it("sends InvokedAfter a week back in whole seconds, the fraction truncated", async () => {
    const h = harness();
    stubWorld(h.mocks, { instances: [], capacityTag: "1" });
    h.clock.now = T0 + 1_999;
    await observe(h.deps);
    const [{ Filters }] = inputsOf(h.mocks.ssm.commandCalls(ListCommandsCommand));
    const invokedAfter = Filters?.find((filter) => filter.key === "InvokedAfter")?.value;
    assert.equal(invokedAfter, "2025-02-22T10:00:01Z");
    assert.equal(Date.parse(invokedAfter ?? ""), T0 + 1_000 - WEEK_MS);
  });

  it("reports a missing group as groupFound false", async () => {
    const h = harness();
    stubWorld(h.mocks, { groupFound: false, instances: [], capacityTag: "1" });
    const snapshot = await observe(h.deps);
    assert.equal(snapshot.groupFound, false);
    assert.deepEqual(snapshot.instances, []);
  });

  it("reads deficit-since only from the reconciler's own comment format", () => {
    assert.equal(parseDeficitSince("warm-standby deficit-since=1740823200000"), 1740823200000);
    assert.equal(parseDeficitSince("manual run"), undefined);
    assert.equal(parseDeficitSince("warm-standby deficit-since=soon"), undefined);
    assert.equal(parseDeficitSince(undefined), undefined);
  });

  describe("facts", () => {
    it("asks needsFacts with the snapshot without facts, and fetches none when it says no", async () => {
      const h = harness();
      stubWorld(h.mocks, steadyWorld(3));
      const seen: Snapshot[] = [];
      h.deps.planner = {
        needsFacts: (snapshot) => {
          seen.push(structuredClone(snapshot));
          return false;
        },
      };
      const snapshot = await observe(h.deps);
      assert.equal(seen.length, 1);
      assert.deepEqual(seen[0], snapshot);
      assert.equal(snapshot.facts, undefined);
      assert.equal(h.mocks.ssm.commandCalls(DescribeInstanceInformationCommand).length, 0);
      assert.equal(h.mocks.ec2.commandCalls(DescribeInstancesCommand).length, 0);
    });

    it("fetches launch time and agent status of the InService instances only", async () => {
      const h = harness({ planner: { needsFacts: () => true } });
      stubWorld(h.mocks, {
        instances: [
          { id: "i-a", launchTime: T0 - 7200_000 },
          { id: "i-b", launchTime: T0 - 3600_000, agentOnline: false },
          { id: "i-c", lifecycle: "Pending" },
          { id: "i-d", lifecycle: "Terminating" },
        ],
        capacityTag: "1",
      });

      const snapshot = await observe(h.deps);

      assert.deepEqual(inputsOf(h.mocks.ssm.commandCalls(DescribeInstanceInformationCommand)), [
        { Filters: [{ Key: "InstanceIds", Values: ["i-a", "i-b"] }], MaxResults: 50 },
      ]);
      assert.deepEqual(inputsOf(h.mocks.ec2.commandCalls(DescribeInstancesCommand)), [
        { Filters: [{ Name: "instance-id", Values: ["i-a", "i-b"] }] },
      ]);
      assert.deepEqual(snapshot.facts, {
        "i-a": { launchTime: T0 - 7200_000, agentOnline: true },
        "i-b": { launchTime: T0 - 3600_000, agentOnline: false },
      });
    });

    it("pages DescribeInstanceInformation and DescribeInstances, and chunks ids by 50", async () => {
      const h = harness({ planner: { needsFacts: () => true } });
      const instances = fleet(60);
      stubWorld(h.mocks, { instances, capacityTag: "1" });
      const ids = instances.map((i) => i.id);
      h.mocks.ssm
        .on(DescribeInstanceInformationCommand, {
          Filters: [{ Key: "InstanceIds", Values: ids.slice(0, 50) }],
        })
        .resolvesOnce({
          InstanceInformationList: ids
            .slice(0, 30)
            .map((id) => ({ InstanceId: id, PingStatus: "Online" })),
          NextToken: "info-2",
        })
        .resolvesOnce({
          InstanceInformationList: ids
            .slice(30, 50)
            .map((id) => ({ InstanceId: id, PingStatus: "Online" })),
        });
      h.mocks.ec2
        .on(DescribeInstancesCommand)
        .resolvesOnce({
          Reservations: [{ Instances: [{ InstanceId: ids[0], LaunchTime: new Date(T0 - 1000) }] }],
          NextToken: "ec2-2",
        })
        .resolvesOnce({
          Reservations: ids.slice(1).map((id) => ({
            Instances: [{ InstanceId: id, LaunchTime: new Date(T0 - 500) }],
          })),
        });

      const snapshot = await observe(h.deps);

      assert.deepEqual(inputsOf(h.mocks.ssm.commandCalls(DescribeInstanceInformationCommand)), [
        { Filters: [{ Key: "InstanceIds", Values: ids.slice(0, 50) }], MaxResults: 50 },
        { Filters: [{ Key: "InstanceIds", Values: ids.slice(50) }], MaxResults: 50 },
        {
          Filters: [{ Key: "InstanceIds", Values: ids.slice(0, 50) }],
          MaxResults: 50,
          NextToken: "info-2",
        },
      ]);
      assert.deepEqual(inputsOf(h.mocks.ec2.commandCalls(DescribeInstancesCommand)), [
        { Filters: [{ Name: "instance-id", Values: ids }] },
        { Filters: [{ Name: "instance-id", Values: ids }], NextToken: "ec2-2" },
      ]);
      const facts = snapshot.facts ?? {};
      assert.equal(Object.keys(facts).length, 60);
      assert.deepEqual(facts[ids[0]], { launchTime: T0 - 1000, agentOnline: true });
      assert.deepEqual(facts[ids[59]], { launchTime: T0 - 500, agentOnline: true });
    });

    it("asks EC2 by instance-id filter in batches of 200 (EC2's filter-value limit)", async () => {
      const h = harness({ planner: { needsFacts: () => true } });
      const instances = fleet(250);
      stubWorld(h.mocks, { instances, capacityTag: "1" });
      const ids = instances.map((i) => i.id);

      const snapshot = await observe(h.deps);

      const requests = inputsOf(h.mocks.ec2.commandCalls(DescribeInstancesCommand));
      assert.deepEqual(requests, [
        { Filters: [{ Name: "instance-id", Values: ids.slice(0, 200) }] },
        { Filters: [{ Name: "instance-id", Values: ids.slice(200) }] },
      ]);
      assert.equal(Object.keys(snapshot.facts ?? {}).length, 250);
    });

    it("gives no facts to an instance EC2 does not report (never ranked as a candidate)", async () => {
      const h = harness({ planner: { needsFacts: () => true } });
      stubWorld(h.mocks, { instances: [{ id: "i-a" }, { id: "i-gone" }], capacityTag: "1" });
      h.mocks.ec2.on(DescribeInstancesCommand).resolves({
        Reservations: [{ Instances: [{ InstanceId: "i-a", LaunchTime: new Date(T0 - 1) }] }],
      });
      const snapshot = await observe(h.deps);
      assert.deepEqual(snapshot.facts, { "i-a": { launchTime: T0 - 1, agentOnline: true } });
    });
  });

  describe("call count: group size adds no calls", () => {
    for (const n of [2, 100]) {
      it(`steady state with ${n} instances costs exactly 4 calls (real planner)`, async () => {
        const h = harness();
        stubWorld(h.mocks, steadyWorld(n));
        const snapshot = await observe(h.deps);
        assert.equal(snapshot.facts, undefined);
        assert.deepEqual(h.callNames().sort(), [
          "autoScaling.DescribeAutoScalingGroups",
          "elbv2.DescribeTags",
          "elbv2.DescribeTargetHealth",
          "ssm.ListCommands",
        ]);
      });
    }

    it("a deficit (nothing active) makes the real planner ask for facts: 6 calls", async () => {
      const h = harness();
      stubWorld(h.mocks, { instances: fleet(2), capacityTag: "1" });
      const snapshot = await observe(h.deps);
      assert.deepEqual(
        Object.keys(snapshot.facts ?? {}).sort(),
        fleet(2).map((i) => i.id),
      );
      assert.equal(h.callNames().length, 6);
    });

    for (const [n, calls] of [
      [2, 6],
      [100, 7],
    ]) {
      it(`with facts needed, ${n} instances cost ${calls} calls (ids batched by 50)`, async () => {
        const h = harness({ planner: { needsFacts: () => true } });
        stubWorld(h.mocks, steadyWorld(n));
        await observe(h.deps);
        assert.equal(h.callNames().length, calls);
      });
    }
  });
});
