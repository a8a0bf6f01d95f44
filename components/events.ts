import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deadLetterQueuePolicy } from "./deadLetterQueue";
import { lifecycleEventPattern } from "./eventPattern";

/**
 * How long EventBridge keeps trying to hand an event to Lambda, and how often. A stale event is
 * harmless (the reconciler looks at the current state, whatever woke it) but an hour-old one is
 * useless: the schedule has run since.
 */
export const TARGET_RETRY_POLICY = { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 8 };

export interface EventTriggers {
  lifecycleRule: aws.cloudwatch.EventRule;
  scheduleRule: aws.cloudwatch.EventRule;
}

/**
 * What wakes the reconciler: this group's launch and terminate events (a termination's start, via
 * the terminate lifecycle hook, and its end), and a schedule as the safety net (EventBridge
 * delivers Auto Scaling events best effort). Undeliverable events go to the dead-letter queue,
 * which accepts them only from these two rules.
 */
export function createEventTriggers(
  name: string,
  o: {
    groupName: pulumi.Output<string>;
    reconcileSchedule: pulumi.Input<string>;
    reconciler: aws.lambda.Function;
    deadLetterQueue: aws.sqs.Queue;
  },
  parent: pulumi.Resource,
): EventTriggers {
  const lifecycleRule = new aws.cloudwatch.EventRule(
    `${name}-lifecycle`,
    {
      description: "warm-standby: instances of this group launched, terminating or terminated",
      eventPattern: o.groupName.apply((groupName) =>
        JSON.stringify(lifecycleEventPattern(groupName)),
      ),
    },
    { parent },
  );
  const scheduleRule = new aws.cloudwatch.EventRule(
    `${name}-schedule`,
    {
      description: "warm-standby: periodic reconcile (safety net for missed events)",
      scheduleExpression: o.reconcileSchedule,
    },
    { parent },
  );
  for (const [suffix, rule] of [
    ["lifecycle", lifecycleRule],
    ["schedule", scheduleRule],
  ] as const) {
    new aws.cloudwatch.EventTarget(
      `${name}-${suffix}`,
      {
        rule: rule.name,
        arn: o.reconciler.arn,
        retryPolicy: TARGET_RETRY_POLICY,
        deadLetterConfig: { arn: o.deadLetterQueue.arn },
      },
      { parent },
    );
    new aws.lambda.Permission(
      `${name}-${suffix}`,
      {
        action: "lambda:InvokeFunction",
        function: o.reconciler.name,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      },
      { parent },
    );
  }
  new aws.sqs.QueuePolicy(
    `${name}-dead-letters`,
    {
      queueUrl: o.deadLetterQueue.url,
      policy: pulumi
        .all([o.deadLetterQueue.arn, lifecycleRule.arn, scheduleRule.arn])
        .apply(([queueArn, ...ruleArns]) =>
          JSON.stringify(deadLetterQueuePolicy(queueArn, ruleArns)),
        ),
    },
    { parent },
  );
  return { lifecycleRule, scheduleRule };
}
