import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { handler } from "../reconciler/handler";
import type { Account } from "./account";
import type { WarmStandbyGroupArgs } from "./args";
import { assumeRolePolicy } from "./iam";
import { reconcilerEnvironment, TIMEOUT_MARGIN_SECONDS } from "./reconcilerEnvironment";
import { reconcilerPolicy } from "./reconcilerPolicy";

/**
 * The @aws-sdk/* packages among package.json's dependencies, read at deploy time so that a client
 * added later is left out too: the Node.js runtime ships SDK v3, and without them the archive
 * holds only the serialized handler (smaller package, faster cold start).
 */
export function awsSdkPackages(packageJsonPath = path.join(__dirname, "..", "package.json")) {
  const manifest = JSON.parse(fs.readFileSync(packageJsonPath, "utf8")) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith("@aws-sdk/"));
}

export interface ReconcilerTargets {
  group: aws.autoscaling.Group;
  loadBalancer: aws.lb.LoadBalancer;
  targetGroups: aws.lb.TargetGroup[];
  document: aws.ssm.Document;
  deadLetterQueue: aws.sqs.Queue;
  account: Account;
}

/** The reconciler Lambda with its own least-privilege role and a log group with retention. */
export function createReconcilerFunction(
  name: string,
  args: WarmStandbyGroupArgs,
  targets: ReconcilerTargets,
  parent: pulumi.Resource,
): aws.lambda.CallbackFunction<unknown, unknown> {
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-reconciler`,
    { retentionInDays: args.logRetentionDays },
    { parent },
  );
  // Its own role: without one, CallbackFunction attaches broad FullAccess managed policies.
  const role = new aws.iam.Role(
    `${name}-reconciler`,
    {
      description: "warm-standby reconciler: only the calls it makes, on this group's resources",
      assumeRolePolicy: JSON.stringify(assumeRolePolicy("lambda.amazonaws.com")),
    },
    { parent },
  );
  const policy = pulumi
    .output({
      ...targets.account,
      groupName: targets.group.name,
      groupArn: targets.group.arn,
      targetGroupArns: targets.targetGroups.map((targetGroup) => targetGroup.arn),
      documentArn: targets.document.arn,
      logGroupArn: logGroup.arn,
      deadLetterQueueArn: targets.deadLetterQueue.arn,
    })
    .apply((scope) => JSON.stringify(reconcilerPolicy(scope)));
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-reconciler`,
    { role: role.id, policy },
    { parent },
  );
  return new aws.lambda.CallbackFunction<unknown, unknown>(
    `${name}-reconciler`,
    {
      description: "warm-standby reconciler: activates and registers warm instances",
      callback: async (event: unknown, context: aws.lambda.Context) => handler(event, context),
      role,
      runtime: aws.lambda.Runtime.NodeJS22dX,
      timeout: pulumi
        .output(args.activationTimeoutSeconds)
        .apply((t) => t + TIMEOUT_MARGIN_SECONDS),
      memorySize: 256,
      // The original design's guard against races: one reconciler at a time.
      reservedConcurrentExecutions: 1,
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      deadLetterConfig: { targetArn: targets.deadLetterQueue.arn },
      environment: { variables: reconcilerEnvironment(args, targets) },
      codePathOptions: { extraExcludePackages: awsSdkPackages() },
    },
    // Its permissions exist before anything can invoke it.
    { parent, dependsOn: [rolePolicy] },
  );
}
