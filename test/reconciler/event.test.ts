import { strict as assert } from "node:assert";
import { LIFECYCLE_DETAIL_TYPES } from "../../components/eventPattern";
import { isForAnotherGroup, parseTrigger, signalAtOf, type Trigger } from "../../reconciler/event";

// Shaped as the EventBridge documentation shows them.
const LAUNCH = {
  version: "0",
  id: "3e3c153a-8339-4e30-8c35-687ebef853fe",
  "detail-type": "EC2 Instance Launch Successful",
  source: "aws.autoscaling",
  account: "111122223333",
  time: "2025-03-01T10:00:05Z",
  region: "eu-central-1",
  resources: [
    "arn:aws:autoscaling:eu-central-1:111122223333:autoScalingGroup:uuid:autoScalingGroupName/app-asg",
    "arn:aws:ec2:eu-central-1:111122223333:instance/i-0b5a2c2ba1a1e4d5f",
  ],
  detail: {
    StatusCode: "InProgress",
    Description: "Launching a new EC2 instance: i-0b5a2c2ba1a1e4d5f",
    AutoScalingGroupName: "app-asg",
    ActivityId: "87654321-4321-4321-4321-210987654321",
    Details: { "Availability Zone": "eu-central-1b", "Subnet ID": "subnet-12345678" },
    RequestId: "12345678-1234-1234-1234-123456789012",
    StatusMessage: "",
    EndTime: "2025-03-01T10:00:05Z",
    EC2InstanceId: "i-0b5a2c2ba1a1e4d5f",
    StartTime: "2025-03-01T09:59:31Z",
    Cause: "At 2025-03-01T09:59:30Z an instance was started in response to a difference...",
  },
};
const TERMINATE = {
  ...LAUNCH,
  "detail-type": "EC2 Instance Terminate Successful",
  detail: { ...LAUNCH.detail, EC2InstanceId: "i-0aaaaaaaaaaaaaaaa" },
};
// The EC2 Auto Scaling event reference's "Scale-in lifecycle action": the instance entered
// Terminating:Wait. Only the group's ARN in resources; no NotificationMetadata (the hook has none).
const TERMINATING = {
  version: "0",
  id: "12345678-1234-1234-1234-123456789012",
  "detail-type": "EC2 Instance-terminate Lifecycle Action",
  source: "aws.autoscaling",
  account: "111122223333",
  time: "2025-03-01T09:58:55Z",
  region: "eu-central-1",
  resources: [LAUNCH.resources[0]],
  detail: {
    LifecycleActionToken: "87654321-4321-4321-4321-210987654321",
    AutoScalingGroupName: "app-asg",
    LifecycleHookName: "app-asg-terminating-1a2b3c4",
    EC2InstanceId: "i-0aaaaaaaaaaaaaaaa",
    LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
    Origin: "AutoScalingGroup",
    Destination: "EC2",
  },
};
const TERMINATING_TIME = Date.parse("2025-03-01T09:58:55Z");
const SCHEDULE = {
  version: "0",
  id: "89d1a02d-5ec7-412e-82f5-13505f849b41",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "111122223333",
  time: "2025-03-01T10:05:00Z",
  region: "eu-central-1",
  resources: ["arn:aws:events:eu-central-1:111122223333:rule/app-reconcile-schedule"],
  detail: {},
};
const TIME = Date.parse("2025-03-01T10:00:05Z");

describe("event parsing", () => {
  it("launch of an instance of the group", () => {
    assert.deepEqual(parseTrigger(LAUNCH), {
      kind: "launch",
      source: "aws.autoscaling",
      detailType: "EC2 Instance Launch Successful",
      time: TIME,
      groupName: "app-asg",
      instanceId: "i-0b5a2c2ba1a1e4d5f",
      problems: [],
    });
  });

  it("terminate of an instance of the group", () => {
    assert.deepEqual(parseTrigger(TERMINATE), {
      kind: "terminate",
      source: "aws.autoscaling",
      detailType: "EC2 Instance Terminate Successful",
      time: TIME,
      groupName: "app-asg",
      instanceId: "i-0aaaaaaaaaaaaaaaa",
      problems: [],
    });
  });

  it("terminate lifecycle action (Terminating:Wait) of an instance of the group: a terminate", () => {
    assert.deepEqual(parseTrigger(TERMINATING), {
      kind: "terminate",
      source: "aws.autoscaling",
      detailType: "EC2 Instance-terminate Lifecycle Action",
      time: TERMINATING_TIME,
      groupName: "app-asg",
      instanceId: "i-0aaaaaaaaaaaaaaaa",
      problems: [],
    });
  });

  it("knows every detail type the lifecycle rule lets through (none is 'other')", () => {
    const kinds = LIFECYCLE_DETAIL_TYPES.map(
      (detailType) => parseTrigger({ ...TERMINATING, "detail-type": detailType }).kind,
    );
    assert.deepEqual(kinds, ["launch", "terminate", "terminate"]);
  });

  it("an Auto Scaling event it does not act on is 'other' (e.g. the launch lifecycle action)", () => {
    const launching = {
      ...TERMINATING,
      "detail-type": "EC2 Instance-launch Lifecycle Action",
      detail: { ...TERMINATING.detail, LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING" },
    };
    assert.equal(parseTrigger(launching).kind, "other");
    assert.equal(parseTrigger({ ...TERMINATING, "detail-type": "toString" }).kind, "other");
  });

  it("scheduled event", () => {
    assert.deepEqual(parseTrigger(SCHEDULE), {
      kind: "schedule",
      source: "aws.events",
      detailType: "Scheduled Event",
      time: Date.parse("2025-03-01T10:05:00Z"),
      problems: [],
    });
  });

  it("any other event is 'other', with what arrived", () => {
    const custom = {
      source: "ops.manual",
      "detail-type": "Reconcile Now",
      time: "2025-03-01T10:00:05Z",
    };
    assert.deepEqual(parseTrigger(custom), {
      kind: "other",
      source: "ops.manual",
      detailType: "Reconcile Now",
      time: TIME,
      problems: [],
      raw: JSON.stringify(custom),
    });
    assert.deepEqual(parseTrigger({}), {
      kind: "other",
      problems: [
        "source is missing or not a string",
        "detail-type is missing or not a string",
        "time is missing or not a date",
      ],
      raw: "{}",
    });
  });

  it("malformed input never throws and is 'other' or notes what is missing", () => {
    const notObject = ["event is not an object"];
    const cases: [unknown, Partial<Trigger>][] = [
      [null, { kind: "other", problems: notObject, raw: "null" }],
      [undefined, { kind: "other", problems: notObject, raw: "undefined" }],
      ["look now", { kind: "other", problems: notObject, raw: '"look now"' }],
      [42, { kind: "other", problems: notObject, raw: "42" }],
      [[LAUNCH], { kind: "other", problems: notObject }],
      [
        { ...TERMINATE, time: "yesterday", detail: "gone" },
        {
          kind: "terminate",
          problems: ["time is missing or not a date", "detail is not an object"],
        },
      ],
      [
        { ...TERMINATE, detail: { AutoScalingGroupName: 7 } },
        {
          kind: "terminate",
          problems: [
            "detail.AutoScalingGroupName is missing or not a string",
            "detail.EC2InstanceId is missing or not a string",
          ],
        },
      ],
      [{ ...SCHEDULE, source: ["aws.events"] }, { kind: "other" }],
    ];
    for (const [event, expected] of cases) {
      const trigger = parseTrigger(event);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(trigger[key as keyof Trigger], value, `${JSON.stringify(event)}: ${key}`);
      }
    }
  });

  it("survives circular, BigInt and throwing events", () => {
    const circular: Record<string, unknown> = { source: "x" };
    circular.self = circular;
    assert.equal(parseTrigger(circular).raw, "[object Object]");
    assert.equal(parseTrigger({ n: BigInt(1) }).kind, "other");
    const hostile = {
      get source(): string {
        throw new Error("no");
      },
    };
    assert.deepEqual(parseTrigger(hostile), {
      kind: "other",
      problems: ["event could not be read: Error: no"],
    });
  });

  it("keeps at most 500 characters of a raw event", () => {
    const raw = parseTrigger({ note: "x".repeat(1000) }).raw ?? "";
    assert.equal(raw.length, 503);
    assert.ok(raw.endsWith("..."));
  });

  describe("signalAt and group", () => {
    const now = TIME + 10_000;

    it("is the time of a terminate of our group", () => {
      assert.equal(signalAtOf(parseTrigger(TERMINATE), "app-asg", now), TIME);
    });

    it("is the time a lifecycle action of our group was emitted (entering Terminating:Wait)", () => {
      assert.equal(signalAtOf(parseTrigger(TERMINATING), "app-asg", now), TERMINATING_TIME);
      assert.equal(signalAtOf(parseTrigger(TERMINATING), "other-asg", now), undefined);
      const other = {
        ...TERMINATING,
        detail: { ...TERMINATING.detail, AutoScalingGroupName: "x" },
      };
      assert.equal(isForAnotherGroup(parseTrigger(other), "app-asg"), true);
    });

    it("is capped at now (a skewed clock cannot make failover negative)", () => {
      assert.equal(signalAtOf(parseTrigger(TERMINATE), "app-asg", TIME - 1), TIME - 1);
    });

    it("is undefined for another group, a launch, a schedule, or a terminate without time", () => {
      assert.equal(signalAtOf(parseTrigger(TERMINATE), "other-asg", now), undefined);
      assert.equal(signalAtOf(parseTrigger(LAUNCH), "app-asg", now), undefined);
      assert.equal(signalAtOf(parseTrigger(SCHEDULE), "app-asg", now), undefined);
      const noTime = parseTrigger({ ...TERMINATE, time: undefined });
      assert.equal(signalAtOf(noTime, "app-asg", now), undefined);
    });

    it("tells an event for another group apart", () => {
      assert.equal(isForAnotherGroup(parseTrigger(LAUNCH), "app-asg"), false);
      assert.equal(isForAnotherGroup(parseTrigger(LAUNCH), "other-asg"), true);
      assert.equal(isForAnotherGroup(parseTrigger(SCHEDULE), "other-asg"), false);
    });
  });
});
