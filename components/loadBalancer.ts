import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CAPACITY_TAG_KEY } from "../reconciler/types";
import type { WarmStandbyGroupArgs } from "./args";

/**
 * The health check's timeout: AWS's TCP default (10 s) unless the interval is shorter, since the
 * timeout may not exceed the interval (CreateTargetGroup rejects e.g. interval 5 with timeout 10).
 */
export function healthCheckTimeoutSeconds(intervalSeconds: number): number {
  return Math.max(2, Math.min(10, intervalSeconds - 1));
}

export interface LoadBalancer {
  loadBalancer: aws.lb.LoadBalancer;
  /** One per port, in the order of `ports`. */
  targetGroups: aws.lb.TargetGroup[];
  listeners: aws.lb.Listener[];
}

/**
 * The NLB, one TCP target group and one TCP listener per port. Nothing registers targets here:
 * the reconciler does, after activation, up to the capacity the tag declares.
 */
export function createLoadBalancer(
  name: string,
  args: WarmStandbyGroupArgs,
  parent: pulumi.Resource,
): LoadBalancer {
  const loadBalancer = new aws.lb.LoadBalancer(
    name,
    {
      loadBalancerType: "network",
      internal: args.internal,
      subnets: args.loadBalancerSubnetIds,
      // Off by default on NLBs; with one active target, clients that reach another zone's NLB
      // node would get nothing.
      enableCrossZoneLoadBalancing: true,
      // The original design's contract: the reconciler reads the desired capacity at run time.
      tags: { [CAPACITY_TAG_KEY]: String(args.activeCapacity) },
    },
    { parent },
  );
  const targetGroups = args.ports.map(
    (port) =>
      new aws.lb.TargetGroup(
        `${name}-${port}`,
        {
          port,
          protocol: "TCP",
          targetType: "instance",
          vpcId: args.vpcId,
          deregistrationDelay: args.deregistrationDelaySeconds,
          // A singleton's clients must reconnect to the new active instance when the old one is
          // fenced, not hang on it until their own timeouts.
          connectionTermination: true,
          healthCheck: {
            enabled: true,
            protocol: "TCP",
            port: pulumi.output(args.healthCheckPort).apply(String),
            interval: args.healthCheckIntervalSeconds,
            timeout: pulumi
              .output(args.healthCheckIntervalSeconds)
              .apply(healthCheckTimeoutSeconds),
            healthyThreshold: args.healthyThreshold,
            unhealthyThreshold: args.unhealthyThreshold,
          },
        },
        { parent },
      ),
  );
  const listeners = args.ports.map(
    (port, index) =>
      new aws.lb.Listener(
        `${name}-${port}`,
        {
          loadBalancerArn: loadBalancer.arn,
          port,
          protocol: "TCP",
          defaultActions: [{ type: "forward", targetGroupArn: targetGroups[index].arn }],
        },
        { parent },
      ),
  );
  return { loadBalancer, targetGroups, listeners };
}
