// The reconciler Lambda's permissions: exactly the calls it makes, each scoped as tightly as IAM
// allows. Pure, so that tests can parse the document AWS receives.
import type { PolicyDocument } from "./iam";

/** The ARNs and names the policy is scoped to, resolved. */
export interface ReconcilerPolicyScope {
  partition: string;
  region: string;
  accountId: string;
  groupName: string;
  groupArn: string;
  targetGroupArns: string[];
  documentArn: string;
  logGroupArn: string;
  deadLetterQueueArn: string;
}

/**
 * Calls whose actions have no resource type in the Service Authorization Reference, so IAM only
 * accepts them on "*": the Describe/List/Get reads, and ssm:CancelCommand (its "Write" entry lists
 * no resource either). GetCommandInvocation and CancelCommand name a command id, which the
 * reconciler only learns from its own SendCommand, itself scoped below.
 */
export const UNSCOPED_ACTIONS = [
  "autoscaling:DescribeAutoScalingGroups",
  "elasticloadbalancing:DescribeTags",
  "elasticloadbalancing:DescribeTargetHealth",
  "ssm:ListCommands",
  "ssm:GetCommandInvocation",
  "ssm:CancelCommand",
  "ssm:DescribeInstanceInformation",
  "ec2:DescribeInstances",
];

export function reconcilerPolicy(scope: ReconcilerPolicyScope): PolicyDocument {
  const { partition, region, accountId } = scope;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadWithoutResourceScope", Effect: "Allow", Action: UNSCOPED_ACTIONS, Resource: "*" },
      {
        Sid: "ReplaceOwnInstances",
        Effect: "Allow",
        Action: ["autoscaling:SetInstanceHealth"],
        Resource: scope.groupArn,
      },
      {
        Sid: "RegisterInOwnTargetGroups",
        Effect: "Allow",
        Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
        Resource: scope.targetGroupArns,
      },
      {
        Sid: "RunActivationDocument",
        Effect: "Allow",
        Action: ["ssm:SendCommand"],
        Resource: scope.documentArn,
      },
      {
        // SendCommand is authorized against the document and each target instance; the group
        // tags its instances with aws:autoscaling:groupName, so only they qualify.
        Sid: "RunOnOwnInstances",
        Effect: "Allow",
        Action: ["ssm:SendCommand"],
        Resource: `arn:${partition}:ec2:${region}:${accountId}:instance/*`,
        Condition: {
          StringEquals: { "ssm:resourceTag/aws:autoscaling:groupName": scope.groupName },
        },
      },
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [scope.logGroupArn, `${scope.logGroupArn}:*`],
      },
      {
        Sid: "DeadLetterFailedInvocations",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: scope.deadLetterQueueArn,
      },
    ],
  };
}
