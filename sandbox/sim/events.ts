// EventBridge events of the group, shaped as the EC2 Auto Scaling event reference shows them
// (source aws.autoscaling): the successful scaling events "EC2 Instance Launch Successful" /
// "EC2 Instance Terminate Successful", and the lifecycle action event "EC2 Instance-terminate
// Lifecycle Action" that the terminate lifecycle hook produces.

export type AutoScalingDetailType =
  "EC2 Instance Launch Successful" | "EC2 Instance Terminate Successful";

export type AutoScalingEvent = ScalingActivityEvent | LifecycleActionEvent;

/** The event announces a termination: its lifecycle action (Terminating:Wait) or its end. */
export function isTerminateEvent(event: AutoScalingEvent): boolean {
  return event["detail-type"] !== "EC2 Instance Launch Successful";
}

/** A successful launch or termination: the end of a scaling activity. */
export interface ScalingActivityEvent {
  version: "0";
  id: string;
  "detail-type": AutoScalingDetailType;
  source: "aws.autoscaling";
  account: string;
  /** ISO-8601 without milliseconds, as EventBridge writes it. */
  time: string;
  region: string;
  /** [group ARN, instance ARN] */
  resources: [string, string];
  detail: {
    Origin: string;
    Destination: string;
    StatusCode: "InProgress";
    Description: string;
    AutoScalingGroupName: string;
    ActivityId: string;
    Details: { "Availability Zone": string; "Subnet ID": string };
    RequestId: string;
    StatusMessage: string;
    EndTime: string;
    EC2InstanceId: string;
    StartTime: string;
    Cause: string;
  };
}

export interface ActivityFacts {
  detailType: AutoScalingDetailType;
  eventId: string;
  activityId: string;
  requestId: string;
  account: string;
  region: string;
  groupName: string;
  groupArn: string;
  instanceId: string;
  availabilityZone: string;
  subnetId: string;
  startTime: number;
  endTime: number;
  cause: string;
}

export function autoScalingEvent(facts: ActivityFacts): ScalingActivityEvent {
  const launch = facts.detailType === "EC2 Instance Launch Successful";
  return {
    version: "0",
    id: facts.eventId,
    "detail-type": facts.detailType,
    source: "aws.autoscaling",
    account: facts.account,
    time: eventTime(facts.endTime),
    region: facts.region,
    resources: [
      facts.groupArn,
      `arn:aws:ec2:${facts.region}:${facts.account}:instance/${facts.instanceId}`,
    ],
    detail: {
      Origin: launch ? "EC2" : "AutoScalingGroup",
      Destination: launch ? "AutoScalingGroup" : "EC2",
      StatusCode: "InProgress",
      Description: `${launch ? "Launching a new" : "Terminating"} EC2 instance: ${facts.instanceId}`,
      AutoScalingGroupName: facts.groupName,
      ActivityId: facts.activityId,
      Details: { "Availability Zone": facts.availabilityZone, "Subnet ID": facts.subnetId },
      RequestId: facts.requestId,
      StatusMessage: "",
      EndTime: new Date(facts.endTime).toISOString(),
      EC2InstanceId: facts.instanceId,
      StartTime: new Date(facts.startTime).toISOString(),
      Cause: facts.cause,
    },
  };
}

/**
 * The instance entered Terminating:Wait ("Scale-in lifecycle action" in the event reference). Only
 * the group's ARN in resources; no NotificationMetadata, since the component's hook has none.
 */
export interface LifecycleActionEvent {
  version: "0";
  id: string;
  "detail-type": "EC2 Instance-terminate Lifecycle Action";
  source: "aws.autoscaling";
  account: string;
  /** ISO-8601 without milliseconds, as EventBridge writes it. */
  time: string;
  region: string;
  resources: [string];
  detail: {
    LifecycleActionToken: string;
    AutoScalingGroupName: string;
    LifecycleHookName: string;
    EC2InstanceId: string;
    LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING";
    Origin: "AutoScalingGroup";
    Destination: "EC2";
  };
}

export interface LifecycleActionFacts {
  eventId: string;
  token: string;
  account: string;
  region: string;
  groupName: string;
  groupArn: string;
  hookName: string;
  instanceId: string;
  at: number;
}

export function terminateLifecycleActionEvent(facts: LifecycleActionFacts): LifecycleActionEvent {
  return {
    version: "0",
    id: facts.eventId,
    "detail-type": "EC2 Instance-terminate Lifecycle Action",
    source: "aws.autoscaling",
    account: facts.account,
    time: eventTime(facts.at),
    region: facts.region,
    resources: [facts.groupArn],
    detail: {
      LifecycleActionToken: facts.token,
      AutoScalingGroupName: facts.groupName,
      LifecycleHookName: facts.hookName,
      EC2InstanceId: facts.instanceId,
      LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      Origin: "AutoScalingGroup",
      Destination: "EC2",
    },
  };
}

/** ISO-8601 without milliseconds, as EventBridge writes an event's time. */
function eventTime(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
}
