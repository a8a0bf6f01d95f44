// What a simulated AWS is made of, and how long each AWS behaviour takes in it.
import { realClock, type Clock } from "./clock";

/** Durations of the simulated behaviours, in milliseconds of the simulator's clock. */
export interface Timings {
  /** Auto Scaling launch: Pending -> InService (EC2 "running"). */
  launchMs: number;
  /** From launch until the SSM agent is Online (never before InService). */
  agentOnlineMs: number;
  /**
   * Terminating (or Terminating:Proceed, after the hook) -> terminated and gone from the group;
   * the replacement launches then.
   */
  terminateMs: number;
  /** Terminating:Wait: the terminate lifecycle hook's heartbeat timeout (nobody completes it). */
  lifecycleHookHeartbeatMs: number;
  /** NLB target "initial" (registration + first health checks) before its first verdict. */
  registrationMs: number;
  /** A healthy target whose application stopped turns "unhealthy" (threshold x interval). */
  unhealthyAfterMs: number;
  /** An unhealthy target whose application started turns "healthy" (threshold x interval). */
  healthyAfterMs: number;
  /**
   * Target "draining" after DeregisterTargets, then gone. Also how long a terminating instance that
   * was registered stays in Terminating while the group drains it, before Terminating:Wait.
   */
  deregistrationDelayMs: number;
  /**
   * A registered target that stays "unhealthy" this long gets its instance marked Unhealthy by the
   * group (health-check type ELB) and replaced. Counted from the moment the target turned
   * unhealthy: the worst case, a warm instance whose HealthCheckGracePeriod expired long ago.
   */
  elbHealthGraceMs: number;
  /** SSM: Pending -> InProgress once the instance's agent is Online. */
  agentPickupMs: number;
  /** SSM: InProgress -> final status, unless the activation behaviour says otherwise. */
  activationMs: number;
}

/**
 * The same behaviours at AWS speed. Sources: NLB target-group defaults and registration delay from
 * ../../shared/notes/aws-and-pulumi-facts.md (NLB guide, API reference, aws-load-balancer-controller
 * reports); the rest are assumptions, marked so.
 */
export const REALISTIC_TIMINGS: Timings = {
  launchMs: 60_000, // assumption: EC2 "running" about a minute after RunInstances
  agentOnlineMs: 240_000, // assumption: Windows boot + SSM agent registration, ~4 min
  terminateMs: 60_000, // assumption: Windows shutdown to "terminated", ~1 min
  lifecycleHookHeartbeatMs: 30_000, // the component's hook: AWS's minimum heartbeat timeout
  registrationMs: 180_000, // NLB guide "a few minutes"; reports 2-5 min
  unhealthyAfterMs: 60_000, // TCP defaults: unhealthy threshold 2 x interval 30 s
  healthyAfterMs: 150_000, // TCP defaults: healthy threshold 5 x interval 30 s
  deregistrationDelayMs: 300_000, // deregistration_delay.timeout_seconds default 300
  elbHealthGraceMs: 30_000, // assumption: the group's health-check cycle
  agentPickupMs: 2_000, // assumption: agent receives commands over its control channel
  activationMs: 60_000, // assumption: starting the legacy application
};

/** Default scale: one minute of AWS time is one second of simulator time. */
export const DEFAULT_TIME_SCALE = 1 / 60;

export function scaleTimings(timings: Timings, scale: number): Timings {
  const scaled = {} as Timings;
  for (const key of Object.keys(timings) as (keyof Timings)[]) {
    scaled[key] = Math.round(timings[key] * scale);
  }
  return scaled;
}

export const DEFAULT_TIMINGS: Timings = scaleTimings(REALISTIC_TIMINGS, DEFAULT_TIME_SCALE);

/** What the configured activation document does on an instance; called at agent pickup. */
export type ActivationBehaviour = (instanceId: string) => {
  outcome: "Success" | "Failed" | "TimedOut";
  /** Defaults to timings.activationMs. */
  durationMs?: number;
};

export interface SimOptions {
  /** Defaults to the real clock. */
  clock?: Clock;
  region?: string;
  account?: string;
  groupName?: string;
  /** min = max = desired. */
  instanceCount?: number;
  availabilityZones?: string[];
  loadBalancerArn?: string;
  /** Value of the load balancer's warm-standby:active-capacity tag; null: no tag. */
  capacityTag?: string | null;
  /** One target group per port. */
  targetGroupArns?: string[];
  /** Port of each target group, same order; defaults to 7000, 7001, ... */
  targetPorts?: number[];
  documentName?: string;
  /**
   * Name of the group's terminate lifecycle hook (default "<groupName>-terminating", as the
   * component has one); null: no hook. With it, a termination waits in Terminating:Wait for
   * timings.lifecycleHookHeartbeatMs (after the drain of a registered instance) and records
   * "EC2 Instance-terminate Lifecycle Action" as the wait begins.
   */
  terminateHook?: string | null;
  timings?: Partial<Timings>;
  /**
   * True (default): the group's instances exist at construction, InService with agents Online
   * (launched a minute apart, oldest first), and no events are recorded for them. False: they are
   * launched at construction and go through Pending like replacements do.
   */
  startWarm?: boolean;
  activationBehaviour?: ActivationBehaviour;
}

export type ResolvedOptions = Required<
  Omit<SimOptions, "timings" | "capacityTag" | "terminateHook">
> & {
  timings: Timings;
  capacityTag: string | null;
  terminateHook: string | null;
};

export function resolveOptions(options: SimOptions = {}): ResolvedOptions {
  const region = options.region ?? "eu-central-1";
  const account = options.account ?? "123456789012";
  const elb = `arn:aws:elasticloadbalancing:${region}:${account}`;
  const targetGroupArns = options.targetGroupArns ?? [
    `${elb}:targetgroup/warm-standby-7000/0123456789abcdef`,
  ];
  const groupName = options.groupName ?? "warm-standby";
  const resolved: ResolvedOptions = {
    clock: options.clock ?? realClock,
    region,
    account,
    groupName,
    instanceCount: options.instanceCount ?? 3,
    availabilityZones: options.availabilityZones ?? [`${region}a`, `${region}b`],
    loadBalancerArn:
      options.loadBalancerArn ?? `${elb}:loadbalancer/net/warm-standby/fedcba9876543210`,
    capacityTag: options.capacityTag === undefined ? "1" : options.capacityTag,
    targetGroupArns,
    targetPorts: options.targetPorts ?? targetGroupArns.map((_, index) => 7000 + index),
    documentName: options.documentName ?? "warm-standby-activate",
    terminateHook:
      options.terminateHook === undefined ? `${groupName}-terminating` : options.terminateHook,
    timings: { ...DEFAULT_TIMINGS, ...options.timings },
    startWarm: options.startWarm ?? true,
    activationBehaviour: options.activationBehaviour ?? (() => ({ outcome: "Success" })),
  };
  checkOptions(resolved);
  return resolved;
}

function checkOptions(options: ResolvedOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.instanceCount) || options.instanceCount < 0) {
    problems.push("instanceCount must be a non-negative integer");
  }
  if (options.availabilityZones.length === 0) problems.push("availabilityZones is empty");
  if (options.targetGroupArns.length === 0) problems.push("targetGroupArns is empty");
  if (options.terminateHook === "") problems.push("terminateHook must be a name or null");
  if (options.targetPorts.length !== options.targetGroupArns.length) {
    problems.push("targetPorts must have one port per target group");
  }
  for (const [name, value] of Object.entries(options.timings)) {
    if (!Number.isFinite(value) || value < 0) problems.push(`timings.${name} must be >= 0`);
  }
  if (problems.length > 0) throw new Error(`SimulatedAws options: ${problems.join("; ")}`);
}
