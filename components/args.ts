import type * as pulumi from "@pulumi/pulumi";

/** Where the golden AMI comes from: a fixed image id, or the newest image whose name matches. */
export type AmiSource =
  | { imageId: pulumi.Input<string> }
  | { namePattern: pulumi.Input<string>; owners: pulumi.Input<pulumi.Input<string>[]> };

/**
 * Inputs of the WarmStandbyGroup component. Values that decide how many resources exist are plain
 * (as pulumi-eks does for its counts): `ports` (one target group and listener per port), the
 * subnet lists (one subnet lookup per load-balancer subnet, and their count must be known to check
 * it), the capacities (group sizes and the capacity tag, checked against each other before anything
 * is created) and `extraInstancePolicyArns` (one attachment per policy). Everything else may be an
 * Output of another resource.
 */
export interface WarmStandbyGroupArgs {
  vpcId: pulumi.Input<string>;
  /** Private subnets of the instances, one per Availability Zone. */
  subnetIds: pulumi.Input<string>[];
  /** Subnets of the load balancer (public ones for an internet-facing NLB). */
  loadBalancerSubnetIds: pulumi.Input<string>[];
  ami: AmiSource;
  instanceType: pulumi.Input<string>;
  keyName?: pulumi.Input<string>;
  /** Instances that may be registered (active) at once; the load balancer's capacity tag. */
  activeCapacity: number;
  /** Warm instances kept on top of the active ones. */
  standbyCapacity: number;
  ports: number[];
  healthCheckPort: pulumi.Input<number>;
  healthCheckIntervalSeconds: pulumi.Input<number>;
  healthyThreshold: pulumi.Input<number>;
  unhealthyThreshold: pulumi.Input<number>;
  deregistrationDelaySeconds: pulumi.Input<number>;
  internal: pulumi.Input<boolean>;
  /** Who may reach the ports; when omitted, the VPC's CIDR. */
  allowedCidrs?: pulumi.Input<pulumi.Input<string>[]>;
  /** The PowerShell activation script's text (not its path). */
  activationScript: pulumi.Input<string>;
  activationServices: pulumi.Input<pulumi.Input<string>[]>;
  activationTimeoutSeconds: pulumi.Input<number>;
  reconcileSchedule: pulumi.Input<string>;
  logRetentionDays: pulumi.Input<number>;
  extraInstancePolicyArns: pulumi.Input<string>[];
}
