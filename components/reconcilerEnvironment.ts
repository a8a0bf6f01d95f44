// What the reconciler Lambda is told through its environment (names: reconciler/settings.ts).
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV } from "../reconciler/settings";
import type { WarmStandbyGroupArgs } from "./args";

/** The Lambda outlives the activation it waits for by this much (load, register, report). */
export const TIMEOUT_MARGIN_SECONDS = 60;
/** The NLB guide: registration "can take a few minutes" before health checks even start. */
export const NLB_REGISTRATION_ALLOWANCE_SECONDS = 300;

type HealthTiming = Pick<
  WarmStandbyGroupArgs,
  | "activationTimeoutSeconds"
  | "healthCheckIntervalSeconds"
  | "healthyThreshold"
  | "unhealthyThreshold"
>;

/**
 * How long a promoted instance may stay unhealthy in its target groups before the reconciler
 * fences it: the activation, the NLB's registration delay, then the health checks that must pass.
 */
export function promotionGraceSeconds(o: pulumi.Unwrap<HealthTiming>): number {
  const checks = (o.healthyThreshold + o.unhealthyThreshold) * o.healthCheckIntervalSeconds;
  return o.activationTimeoutSeconds + NLB_REGISTRATION_ALLOWANCE_SECONDS + checks;
}

export function reconcilerEnvironment(
  args: WarmStandbyGroupArgs,
  resources: {
    group: aws.autoscaling.Group;
    loadBalancer: aws.lb.LoadBalancer;
    targetGroups: aws.lb.TargetGroup[];
    document: aws.ssm.Document;
  },
): Record<string, pulumi.Input<string>> {
  const timing: HealthTiming = {
    activationTimeoutSeconds: args.activationTimeoutSeconds,
    healthCheckIntervalSeconds: args.healthCheckIntervalSeconds,
    healthyThreshold: args.healthyThreshold,
    unhealthyThreshold: args.unhealthyThreshold,
  };
  return {
    [ENV.groupName]: resources.group.name,
    [ENV.loadBalancerArn]: resources.loadBalancer.arn,
    [ENV.targetGroupArns]: pulumi
      .all(resources.targetGroups.map((targetGroup) => targetGroup.arn))
      .apply((arns) => arns.join(",")),
    [ENV.documentName]: resources.document.name,
    [ENV.activationTimeoutSeconds]: pulumi.output(args.activationTimeoutSeconds).apply(String),
    [ENV.promotionGraceSeconds]: pulumi
      .output(timing)
      .apply((resolved) => String(promotionGraceSeconds(resolved))),
  };
}
