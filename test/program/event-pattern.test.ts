// The lifecycle rule's pattern, parsed and matched against Auto Scaling events written as the
// EC2 Auto Scaling event reference shows them ("Successful scaling events", "Lifecycle action
// events").
import { strict as assert } from "node:assert";
import { MOCK_ACCOUNT_ID, type ProgramRun } from "../../sandbox/pulumi-mocks";
import { matchesPattern, parsePattern } from "./eventPatternMatcher";
import { devRun, single } from "./stacks";

function launchSuccessful(groupName: string, groupArn: string) {
  return {
    version: "0",
    id: "3e3c153a-8339-4e30-8c35-687ebef853fe",
    "detail-type": "EC2 Instance Launch Successful",
    source: "aws.autoscaling",
    account: MOCK_ACCOUNT_ID,
    time: "2024-06-01T10:15:30Z",
    region: "eu-central-1",
    resources: [
      groupArn,
      `arn:aws:ec2:eu-central-1:${MOCK_ACCOUNT_ID}:instance/i-0a1b2c3d4e5f60718`,
    ],
    detail: {
      StatusCode: "InProgress",
      Description: "Launching a new EC2 instance: i-0a1b2c3d4e5f60718",
      AutoScalingGroupName: groupName,
      ActivityId: "9cabb81f-42de-417d-8aa7-ce16bf026590",
      Details: { "Availability Zone": "eu-central-1a", "Subnet ID": "subnet-0a1b2c3d4e5f60001" },
      RequestId: "9cabb81f-42de-417d-8aa7-ce16bf026590",
      StatusMessage: "",
      EndTime: "2024-06-01T10:15:30.000Z",
      EC2InstanceId: "i-0a1b2c3d4e5f60718",
      StartTime: "2024-06-01T10:14:58.000Z",
      Cause:
        "At 2024-06-01T10:14:55Z an instance was started in response to a difference between " +
        "desired and actual capacity, increasing the capacity from 1 to 2.",
      Origin: "EC2",
      Destination: "AutoScalingGroup",
    },
  };
}

function terminateSuccessful(groupName: string, groupArn: string) {
  const launch = launchSuccessful(groupName, groupArn);
  return {
    ...launch,
    id: "0f2a8d3c-6e1b-4b7f-9a4e-2d5c8e1f3a7b",
    "detail-type": "EC2 Instance Terminate Successful",
    detail: {
      ...launch.detail,
      Description: "Terminating EC2 instance: i-0a1b2c3d4e5f60718",
      Cause:
        "At 2024-06-01T11:02:10Z an instance was taken out of service in response to an EC2 " +
        "health check indicating it has been terminated or stopped.",
      Origin: "AutoScalingGroup",
      Destination: "EC2",
    },
  };
}

/** "Scale-in lifecycle action": the instance entered Terminating:Wait (the group's terminate hook). */
function terminateLifecycleAction(groupName: string, groupArn: string, hookName: string) {
  return {
    version: "0",
    id: "6a7e8f9b-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
    "detail-type": "EC2 Instance-terminate Lifecycle Action",
    source: "aws.autoscaling",
    account: MOCK_ACCOUNT_ID,
    time: "2024-06-01T11:01:05Z",
    region: "eu-central-1",
    resources: [groupArn],
    detail: {
      LifecycleActionToken: "87654321-4321-4321-4321-210987654321",
      AutoScalingGroupName: groupName,
      LifecycleHookName: hookName,
      EC2InstanceId: "i-0a1b2c3d4e5f60718",
      LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      Origin: "AutoScalingGroup",
      Destination: "EC2",
    },
  };
}

describe("program: lifecycle event pattern", () => {
  let run: ProgramRun;
  let pattern: ReturnType<typeof parsePattern>;
  let groupName: string;
  let groupArn: string;
  before(async () => {
    run = await devRun();
    const rule = single(run, "aws:cloudwatch/eventRule:EventRule", "warm-standby-lifecycle");
    pattern = parsePattern(rule.inputs.eventPattern);
    groupName = single(run, "aws:autoscaling/group:Group").state.name;
    groupArn = single(run, "aws:autoscaling/group:Group").state.arn;
  });

  it("matches this group's successful launches and terminations", () => {
    assert.ok(matchesPattern(pattern, launchSuccessful(groupName, groupArn)));
    assert.ok(matchesPattern(pattern, terminateSuccessful(groupName, groupArn)));
  });

  it("matches this group's terminate lifecycle action, not another group's", () => {
    const hookName = single(run, "aws:autoscaling/lifecycleHook:LifecycleHook").state.name;
    assert.ok(matchesPattern(pattern, terminateLifecycleAction(groupName, groupArn, hookName)));
    const otherArn = groupArn.replace(groupName, "other-app-asg");
    const other = terminateLifecycleAction("other-app-asg", otherArn, hookName);
    assert.equal(matchesPattern(pattern, other), false);
    const launching = {
      ...terminateLifecycleAction(groupName, groupArn, hookName),
      "detail-type": "EC2 Instance-launch Lifecycle Action",
    };
    assert.equal(matchesPattern(pattern, launching), false);
  });

  it("does not match another group's launch (the rule is not account-wide)", () => {
    const otherArn = groupArn.replace(groupName, "other-app-asg");
    assert.equal(matchesPattern(pattern, launchSuccessful("other-app-asg", otherArn)), false);
    assert.equal(matchesPattern(pattern, terminateSuccessful(`${groupName}-2`, otherArn)), false);
  });

  it("does not match other event types or sources", () => {
    const launch = launchSuccessful(groupName, groupArn);
    const unsuccessful = { ...launch, "detail-type": "EC2 Instance Launch Unsuccessful" };
    const fromEc2 = { ...launch, source: "aws.ec2" };
    const withoutDetail = { ...launch, detail: undefined };
    assert.equal(matchesPattern(pattern, unsuccessful), false);
    assert.equal(matchesPattern(pattern, fromEc2), false);
    assert.equal(matchesPattern(pattern, JSON.parse(JSON.stringify(withoutDetail))), false);
  });

  it("matcher: arrays in the event match on any element; unsupported filters are refused", () => {
    assert.ok(matchesPattern({ resources: ["b"] }, { resources: ["a", "b"] }));
    assert.equal(matchesPattern({ a: { b: ["x"] } }, { a: "x" }), false);
    assert.throws(() => parsePattern('{"source":[{"prefix":"aws."}]}'), /not supported/);
  });
});
