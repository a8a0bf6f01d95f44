import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "./iam";

/** Two weeks, SQS's maximum: time enough to notice and read what failed. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * Where undeliverable EventBridge events and failed asynchronous invocations of the reconciler
 * end up. Encrypted with an SQS-managed key, which EventBridge can write to without a KMS grant.
 */
export function createDeadLetterQueue(name: string, parent: pulumi.Resource): aws.sqs.Queue {
  return new aws.sqs.Queue(
    `${name}-dead-letters`,
    { sqsManagedSseEnabled: true, messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS },
    { parent },
  );
}

/** EventBridge may send to the queue only on behalf of this group's own rules. */
export function deadLetterQueuePolicy(queueArn: string, ruleArns: string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnRulesDeadLetters",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["sqs:SendMessage"],
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
      },
    ],
  };
}
