import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { WarmStandbyGroupArgs } from "./args";

/** Windows boots, runs the warm-up and settles in well under this many seconds. */
export const HEALTH_CHECK_GRACE_SECONDS = 600;

/**
 * The group keeps activeCapacity + standbyCapacity instances warm. AddToLoadBalancer is suspended:
 * the reconciler registers an instance only after activating it.
 */
export function createAutoScalingGroup(
  name: string,
  args: WarmStandbyGroupArgs,
  deps: { launchTemplate: aws.ec2.LaunchTemplate; targetGroups: aws.lb.TargetGroup[] },
  parent: pulumi.Resource,
): { group: aws.autoscaling.Group; attachments: aws.autoscaling.Attachment[] } {
  const size = args.activeCapacity + args.standbyCapacity;
  const group = new aws.autoscaling.Group(
    name,
    {
      vpcZoneIdentifiers: args.subnetIds,
      minSize: size,
      maxSize: size,
      desiredCapacity: size,
      launchTemplate: { id: deps.launchTemplate.id, version: "$Latest" },
      // ELB health: the group replaces a registered (active) instance that fails the NLB's checks;
      // unregistered warm instances are judged by their EC2 status checks.
      healthCheckType: "ELB",
      healthCheckGracePeriod: HEALTH_CHECK_GRACE_SECONDS,
      suspendedProcesses: ["AddToLoadBalancer"],
      // The reconciler promotes the oldest warm instance, so the active one tends to be the
      // oldest: when the group shrinks, it loses its newest (warm) instance instead.
      terminationPolicies: ["NewestInstance"],
    },
    // The target groups belong to the attachments below; the group must not fight over them.
    { parent, ignoreChanges: ["targetGroupArns"] },
  );
  // Why separate attachments: the provider creates the group and only then suspends its
  // processes, so target groups passed at creation would get every instance launched in between
  // registered by AddToLoadBalancer, unactivated. An attachment that depends on the group is made
  // once the group exists with AddToLoadBalancer already suspended, so no launch registers.
  // Attaching itself registers the group's current instances (EC2 Auto Scaling user guide, "Verify
  // the attachment status": the target group is "Adding" "while registering the instances in the
  // group"; the suspend page covers only launches), so the first deployment may still see a few;
  // the reconciler deregisters registrations it did not make as strays either way. Attached target
  // groups are what ELB health checks and termination-time deregistration apply to.
  const attachments = deps.targetGroups.map(
    (targetGroup, index) =>
      new aws.autoscaling.Attachment(
        `${name}-${args.ports[index]}`,
        { autoscalingGroupName: group.name, lbTargetGroupArn: targetGroup.arn },
        { parent, dependsOn: [group] },
      ),
  );
  return { group, attachments };
}
