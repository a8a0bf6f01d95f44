import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { WarmStandbyGroupArgs } from "./args";

/** Windows boots, runs the warm-up and settles in well under this many seconds. */
export const HEALTH_CHECK_GRACE_SECONDS = 600;

/**
 * How long an instance waits in Terminating:Wait: AWS's minimum heartbeat timeout (PutLifecycleHook
 * accepts 30-7200 s), since nobody completes the action and every termination waits this long.
 */
export const TERMINATE_HOOK_HEARTBEAT_SECONDS = 30;

export const TERMINATE_HOOK_TRANSITION = "autoscaling:EC2_INSTANCE_TERMINATING";

/**
 * The group keeps activeCapacity + standbyCapacity instances warm. AddToLoadBalancer is suspended:
 * the reconciler registers an instance only after activating it.
 */
export function createAutoScalingGroup(
  name: string,
  args: WarmStandbyGroupArgs,
  deps: { launchTemplate: aws.ec2.LaunchTemplate; targetGroups: aws.lb.TargetGroup[] },
  parent: pulumi.Resource,
): {
  group: aws.autoscaling.Group;
  attachments: aws.autoscaling.Attachment[];
  terminateHook: aws.autoscaling.LifecycleHook;
} {
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
  const terminateHook = createTerminateHook(name, group, parent);
  return { group, attachments, terminateHook };
}

/**
 * A terminate lifecycle hook that nobody completes: it exists for its event. Without it, the
 * group's first word about a leaving instance is "EC2 Instance Terminate Successful", sent once the
 * instance is gone (Windows has shut down), while the active instance stopped serving when its
 * termination began. With it, EC2 Auto Scaling emits "EC2 Instance-terminate Lifecycle Action" as
 * the instance enters Terminating:Wait (user guide, "Amazon EC2 Auto Scaling event reference"), so
 * the reconciler promotes a warm instance while the old one still shuts down. On a group with
 * attached target groups the instance is deregistered (and drained for the deregistration delay)
 * before it enters the wait state (user guide, "How lifecycle hooks work"): the event comes that
 * much after the termination began, still well before the instance is gone.
 *
 * The reconciler never calls CompleteLifecycleAction: after the heartbeat timeout, defaultResult
 * CONTINUE lets the termination go on. The cost is TERMINATE_HOOK_HEARTBEAT_SECONDS more per
 * termination (and before a replacement launches). EventBridge gets the event without a
 * notification target, so the hook needs no role either.
 *
 * A separate resource rather than the group's initialLifecycleHooks, which the provider applies only
 * when it creates the group: an existing stack would never get the hook. It is created right after
 * the group, in the same deployment. Instances launched before it get it too: a hook acts on the
 * Terminating transition whenever it happens, not on the launch. A termination in the seconds
 * before it exists only takes the old way (the Terminate Successful event wakes the reconciler).
 */
function createTerminateHook(
  name: string,
  group: aws.autoscaling.Group,
  parent: pulumi.Resource,
): aws.autoscaling.LifecycleHook {
  return new aws.autoscaling.LifecycleHook(
    `${name}-terminating`,
    {
      autoscalingGroupName: group.name,
      lifecycleTransition: TERMINATE_HOOK_TRANSITION,
      heartbeatTimeout: TERMINATE_HOOK_HEARTBEAT_SECONDS,
      defaultResult: "CONTINUE",
    },
    { parent },
  );
}
