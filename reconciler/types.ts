// The reconciler's data model: what `observe` sees, what `plan` decides and what `act` carries out.
// Everything here is plain data (no classes, no methods) so that it survives closure serialization
// and can be generated freely by property tests. Times are epoch milliseconds.

/** The tag on the load balancer that declares how many instances may be active at once. */
export const CAPACITY_TAG_KEY = "warm-standby:active-capacity";

/** Where the handler finds its AWS resources; read from the Lambda's environment (see settings.ts). */
export interface Settings {
  groupName: string;
  loadBalancerArn: string;
  targetGroupArns: string[];
  documentName: string;
  /** Execution timeout of the activation document; a command older than this is treated as lost. */
  activationTimeoutSeconds: number;
  /**
   * How long after its activation was requested an instance may stay unhealthy in the target
   * groups before it is fenced: activation time + NLB registration (minutes) + health checks.
   */
  promotionGraceSeconds: number;
  /** Interval between GetCommandInvocation polls while an activation runs. */
  pollIntervalMs: number;
}

/** One instance as the Auto Scaling group reports it (DescribeAutoScalingGroups). */
export interface GroupInstance {
  instanceId: string;
  availabilityZone: string;
  /** "Pending", "InService", "Terminating", "Terminating:Wait", "Standby", ... as AWS spells it. */
  lifecycleState: string;
  /** "Healthy" or "Unhealthy". */
  healthStatus: string;
}

/** One target as a target group reports it (DescribeTargetHealth). */
export interface Registration {
  instanceId: string;
  targetGroupArn: string;
  /** "initial", "healthy", "unhealthy", "unused", "draining", "unavailable". */
  state: string;
  reason?: string;
}

/** SSM command statuses (ListCommands), as AWS spells them. */
export type CommandStatus =
  | "Pending"
  | "InProgress"
  | "Delayed"
  | "Success"
  | "Cancelled"
  | "Cancelling"
  | "Failed"
  | "TimedOut";

/** One run of the activation document on one instance (ListCommands, one instance per command). */
export interface Activation {
  commandId: string;
  instanceId: string;
  status: CommandStatus;
  requestedAt: number;
  /**
   * When the reconciler first saw the capacity deficit that this activation answers; carried in
   * the command's Comment so that the failover time can be measured across invocations.
   */
  deficitSince?: number;
}

/** Facts about an instance that cost extra calls; fetched only when the plan must rank instances. */
export interface InstanceFacts {
  launchTime: number;
  /** SSM agent PingStatus is "Online". */
  agentOnline: boolean;
}

/** Everything the planner needs, from one observation. */
export interface Snapshot {
  now: number;
  /** False when DescribeAutoScalingGroups did not find the group. */
  groupFound: boolean;
  /** The load balancer's capacity tag, parsed; null when missing or invalid (the group is not ours). */
  desiredActive: number | null;
  instances: GroupInstance[];
  /** One entry per (instance, target group) that the target groups report, whatever the state. */
  registrations: Registration[];
  /** Recent commands of the activation document (in flight and finished), any invocation's. */
  activations: Activation[];
  /**
   * Per instance id of the group's InService instances. Undefined when observe skipped the lookup
   * because `needsFacts` said the plan ranks nobody (no deficit, no surplus): keeps steady state
   * at a handful of calls whatever the group's size.
   */
  facts?: Record<string, InstanceFacts>;
  /** When the first sign of a missing active instance was seen (e.g. a terminate event's time). */
  signalAt?: number;
}

export type Action =
  /** Remove the instance from these target groups. */
  | { kind: "deregister"; instanceId: string; targetGroupArns: string[]; reason: string }
  /** SetInstanceHealth Unhealthy so that the group replaces it. */
  | { kind: "markUnhealthy"; instanceId: string; reason: string }
  /** Cancel an activation command that must not finish (e.g. too many active). */
  | { kind: "cancelActivation"; instanceId: string; commandId: string; reason: string }
  /**
   * Run the activation document on the instance, wait for its result, then register it in every
   * target group. On failure or timeout: deregister and mark unhealthy.
   */
  | { kind: "activate"; instanceId: string; deficitSince: number; reason: string }
  /** Register an instance whose activation already succeeded (e.g. in an earlier invocation). */
  | {
      kind: "register";
      instanceId: string;
      targetGroupArns: string[];
      deficitSince?: number;
      reason: string;
    };

export type ActionKind = Action["kind"];

/** What `act` reports for each action. */
export interface Outcome {
  action: Action;
  ok: boolean;
  durationMs: number;
  error?: string;
  /** For activate/register: the command's final status, if known. */
  commandStatus?: CommandStatus;
  commandId?: string;
}

/** The planner's answer: actions plus the reasons it did nothing where it did nothing. */
export interface Plan {
  actions: Action[];
  notes: string[];
}
