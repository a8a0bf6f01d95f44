// The EventBridge pattern that wakes the reconciler: this group's successful launches and
// terminations only (the original design listened account-wide and filtered in the function).

export const LIFECYCLE_DETAIL_TYPES = [
  "EC2 Instance Launch Successful",
  "EC2 Instance Terminate Successful",
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
