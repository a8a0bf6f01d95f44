// EventBridge events of the group, shaped as the EC2 Auto Scaling event reference shows them for
// "EC2 Instance Launch Successful" / "EC2 Instance Terminate Successful" (source aws.autoscaling).

export type AutoScalingDetailType =
  "EC2 Instance Launch Successful" | "EC2 Instance Terminate Successful";

export interface AutoScalingEvent {
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

export function autoScalingEvent(facts: ActivityFacts): AutoScalingEvent {
  const launch = facts.detailType === "EC2 Instance Launch Successful";
  return {
    version: "0",
    id: facts.eventId,
    "detail-type": facts.detailType,
    source: "aws.autoscaling",
    account: facts.account,
    time: new Date(facts.endTime).toISOString().replace(/\.\d{3}Z$/, "Z"),
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
