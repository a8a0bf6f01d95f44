// The EventBridge pattern that wakes the reconciler: this group's successful launches and
// terminations, and the start of a termination (the original design listened account-wide and
// filtered in the function).

/**
 * Sent as an instance enters Terminating:Wait, because of the group's terminate lifecycle hook
 * (autoScalingGroup.ts): the earliest word that an instance is leaving, a shutdown ahead of
 * "EC2 Instance Terminate Successful".
 */
export const TERMINATE_LIFECYCLE_ACTION = "EC2 Instance-terminate Lifecycle Action";

export const LIFECYCLE_DETAIL_TYPES = [
  "EC2 Instance Launch Successful",
  "EC2 Instance Terminate Successful",
  TERMINATE_LIFECYCLE_ACTION,
];

export interface LifecycleEventPattern {
  source: string[];
  "detail-type": string[];
  detail: { AutoScalingGroupName: string[] };
}

export function lifecycleEventPattern(groupName: string): LifecycleEventPattern {
  return {
    source: ["aws.autoscaling"],
    "detail-type": LIFECYCLE_DETAIL_TYPES,
    detail: { AutoScalingGroupName: [groupName] },
  };
}
