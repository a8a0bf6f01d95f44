// The documented timing model of the offline sandbox: how long each step of a failover takes on
// AWS. Nothing here is measured on AWS. Each value is either read from the stack (what `pulumi up`
// would deploy), derived from this project's code, or an assumption informed by a public source;
// every one can be overridden by a flag (`--<kebab-case key> <seconds>`). docs/sandbox.md holds
// the same table for readers.
import { SCRIPT_TIMEOUT_MARGIN_SECONDS } from "../components/activationDocument";
import { DEFAULT_POLL_INTERVAL_MS, ENV } from "../reconciler/settings";

export const TIMING_KEYS = [
  "deregistrationDelaySeconds",
  "lifecycleHookHeartbeatSeconds",
  "terminationSeconds",
  "launchSeconds",
  "eventDeliverySeconds",
  "lambdaInitSeconds",
  "apiCallSeconds",
  "agentPickupSeconds",
  "activationScriptSeconds",
  "activationFailureSeconds",
  "pollIntervalSeconds",
  "nlbRegistrationSeconds",
  "healthChecksSeconds",
  "unhealthyChecksSeconds",
  "groupHealthCycleSeconds",
  "scheduleSeconds",
  "instanceBootSeconds",
] as const;

export type TimingKey = (typeof TIMING_KEYS)[number];

export interface TimingEntry {
  key: TimingKey;
  label: string;
  seconds: number;
  /**
   * Where the value comes from: the stack's settings, this project's code, a public source, an
   * assumption (possibly informed by a public source), or a flag that overrode it.
   */
  origin: "stack" | "code" | "public" | "assumption" | "flag";
  /** The public source or the reasoning, for the docs table and `--json`. */
  source: string;
  flag: string;
}

export type TimingModel = Record<TimingKey, TimingEntry>;

/** The deployed settings that the model reads (see stackTimingsFrom). */
export interface StackTimings {
  healthCheckIntervalSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  deregistrationDelaySeconds: number;
  /** Period of the safety-net schedule; undefined for a cron() expression. */
  scheduleSeconds?: number;
  scheduleExpression: string;
  activationTimeoutSeconds: number;
  /** heartbeatTimeout of the group's terminate lifecycle hook. */
  lifecycleHookHeartbeatSeconds: number;
}

interface PlannedResource {
  type: string;
  inputs: Record<string, unknown>;
}

/** Reads the timing-relevant settings from the resources the program would create. */
export function stackTimingsFrom(resources: PlannedResource[]): StackTimings {
  const first = (
    type: string,
    where: (inputs: Record<string, unknown>) => boolean = () => true,
  ) => {
    const found = resources.find((r) => r.type === type && where(r.inputs));
    if (!found) throw new Error(`the program planned no ${type}`);
    return found.inputs;
  };
  const targetGroup = first("aws:lb/targetGroup:TargetGroup");
  const healthCheck = (targetGroup.healthCheck ?? {}) as Record<string, unknown>;
  const schedule = first("aws:cloudwatch/eventRule:EventRule", (i) => !!i.scheduleExpression);
  const lambda = first("aws:lambda/function:Function");
  const hook = first(
    "aws:autoscaling/lifecycleHook:LifecycleHook",
    (i) => i.lifecycleTransition === "autoscaling:EC2_INSTANCE_TERMINATING",
  );
  const variables = ((lambda.environment ?? {}) as { variables?: Record<string, string> })
    .variables;
  const scheduleExpression = String(schedule.scheduleExpression);
  return {
    healthCheckIntervalSeconds: Number(healthCheck.interval),
    healthyThreshold: Number(healthCheck.healthyThreshold),
    unhealthyThreshold: Number(healthCheck.unhealthyThreshold),
    deregistrationDelaySeconds: Number(targetGroup.deregistrationDelay),
    scheduleExpression,
    scheduleSeconds: rateSeconds(scheduleExpression),
    activationTimeoutSeconds: Number(variables?.[ENV.activationTimeoutSeconds]),
    lifecycleHookHeartbeatSeconds: Number(hook.heartbeatTimeout),
  };
}

/** "rate(5 minutes)" -> 300; undefined for cron() or anything else. */
export function rateSeconds(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const unit = { minute: 60, hour: 3600, day: 86400 }[match[2].replace(/s$/, "")] as number;
  return Number(match[1]) * unit;
}

/**
 * Cold start as a function of the zipped archive: 0.25 s plus 0.03 s per MiB. A linear fit through
 * the public benchmarks' two ends (about 0.2-0.3 s for a 1 KB Node.js package, over 1 s for tens
 * of MB); not a measurement.
 */
export function lambdaInitSeconds(zippedBytes: number): number {
  return round(0.25 + (0.03 * zippedBytes) / (1024 * 1024));
}

const SOURCES = {
  drain:
    "EC2 Auto Scaling user guide, 'How lifecycle hooks work' (https://docs.aws.amazon.com/" +
    "autoscaling/ec2/userguide/lifecycle-hooks-overview.html): with target groups attached, the " +
    "group deregisters a terminating instance and waits for the deregistration delay (activity " +
    "WaitingForELBConnectionDraining) before Terminating:Wait and its lifecycle action event. A " +
    "worst case: ELB may complete a deregistration sooner when no connection is open",
  termination:
    "assumption: Windows shutdown, once the terminate hook's wait is over, until Auto Scaling " +
    "emits 'EC2 Instance Terminate Successful' (sent after termination, EC2 Auto Scaling user " +
    "guide, 'Amazon EC2 Auto Scaling event reference'); the failover no longer waits for it",
  delivery:
    "assumption: EventBridge delivers AWS service events in near real time; sub-second typical " +
    "since the 2023 latency improvement (https://medium.com/postnl-engineering/improved-" +
    "eventbridge-latency-opens-up-new-use-cases-at-postnl-910fdf6b5dde)",
  init:
    "assumption: 0.25 s + 0.03 s per MiB zipped, a linear fit of public Node.js cold-start " +
    "benchmarks (https://medium.com/@adtanasa/size-is-almost-all-that-matters-for-optimizing-" +
    "aws-lambda-cold-starts-cad54f65cbb)",
  api: "assumption: one AWS API round trip from a Lambda in the same region",
  pickup:
    "assumption: the SSM agent receives commands over its open ec2messages/ssmmessages channel " +
    "(https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-setting-up-" +
    "messageAPIs.html)",
  script:
    "assumption: the application's own start time once Windows is warm; measure yours " +
    "(scripts/activate.ps1 prints 'ACTIVATED in N s')",
  launch:
    "assumption: RunInstances until the instance is InService and Auto Scaling emits 'EC2 " +
    "Instance Launch Successful' (Windows is still booting: the SSM agent is not online yet)",
  poll: `code: the handler polls GetCommandInvocation every ${DEFAULT_POLL_INTERVAL_MS} ms (reconciler/settings.ts)`,
  cycle:
    "assumption: how soon the group acts on a registered target that the NLB reports unhealthy " +
    "(health-check type ELB)",
  nlb:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-" +
    "targets.html ('a few minutes'); about 120 s observed before the first health check " +
    "(https://github.com/awsdocs/elb-network-load-balancers-user-guide/pull/11)",
  boot:
    "assumption: a replacement Windows instance boots, runs the warm-up user data and its SSM " +
    "agent comes online",
};

/** Builds the model from the stack's settings, the archive size and the flag overrides. */
export function buildTimingModel(
  stack: StackTimings,
  archiveBytes: number,
  overrides: Partial<Record<TimingKey, number>> = {},
): TimingModel {
  const failureSeconds = stack.activationTimeoutSeconds - SCRIPT_TIMEOUT_MARGIN_SECONDS;
  const entries: Array<Omit<TimingEntry, "key" | "flag"> & { key: TimingKey }> = [
    {
      key: "deregistrationDelaySeconds",
      label:
        "group drains a terminating instance from its target groups, before the lifecycle event",
      seconds: stack.deregistrationDelaySeconds,
      origin: "stack",
      source:
        `stack: deregistrationDelaySeconds ${stack.deregistrationDelaySeconds} of the target ` +
        `groups (a target the reconciler deregisters drains as long); ${SOURCES.drain}`,
    },
    {
      key: "lifecycleHookHeartbeatSeconds",
      label: "terminating instance waits in Terminating:Wait",
      seconds: stack.lifecycleHookHeartbeatSeconds,
      origin: "stack",
      source:
        `stack: heartbeatTimeout ${stack.lifecycleHookHeartbeatSeconds} of the terminate ` +
        `lifecycle hook (nobody completes it; CONTINUE); 'EC2 Instance-terminate Lifecycle ` +
        `Action' is emitted as the wait begins and wakes the reconciler`,
    },
    entry(
      "terminationSeconds",
      "Terminating:Proceed -> terminated, Terminate event",
      60,
      SOURCES.termination,
    ),
    entry("launchSeconds", "replacement launched -> Launch event", 60, SOURCES.launch),
    entry("eventDeliverySeconds", "EventBridge delivers the event", 0.5, SOURCES.delivery),
    entry(
      "lambdaInitSeconds",
      `Lambda cold start (${archiveBytes} B zipped)`,
      lambdaInitSeconds(archiveBytes),
      SOURCES.init,
    ),
    entry("apiCallSeconds", "one AWS API round trip", 0.05, SOURCES.api),
    entry("agentPickupSeconds", "SSM agent picks the command up", 2, SOURCES.pickup),
    entry("activationScriptSeconds", "activation script succeeds", 60, SOURCES.script),
    {
      key: "activationFailureSeconds",
      label: "activation script fails (at its deadline)",
      seconds: failureSeconds,
      origin: "code",
      source:
        `code: the script gives up at its deadline, the document's timeout ` +
        `(${stack.activationTimeoutSeconds} s, stack) minus ${SCRIPT_TIMEOUT_MARGIN_SECONDS} s ` +
        `(components/activationDocument.ts); a fast failure (missing service) is quicker`,
    },
    {
      key: "pollIntervalSeconds",
      label: "handler waits between two command polls",
      seconds: DEFAULT_POLL_INTERVAL_MS / 1000,
      origin: "code",
      source: SOURCES.poll,
    },
    entry("nlbRegistrationSeconds", "NLB registration completes", 120, SOURCES.nlb),
    {
      key: "healthChecksSeconds",
      label: "NLB health checks pass",
      seconds: stack.healthyThreshold * stack.healthCheckIntervalSeconds,
      origin: "stack",
      source:
        `stack: healthyThreshold ${stack.healthyThreshold} x healthCheckIntervalSeconds ` +
        `${stack.healthCheckIntervalSeconds}`,
    },
    {
      key: "unhealthyChecksSeconds",
      label: "NLB health checks fail a stopped target",
      seconds: stack.unhealthyThreshold * stack.healthCheckIntervalSeconds,
      origin: "stack",
      source:
        `stack: unhealthyThreshold ${stack.unhealthyThreshold} x healthCheckIntervalSeconds ` +
        `${stack.healthCheckIntervalSeconds}`,
    },
    entry("groupHealthCycleSeconds", "group replaces an ELB-unhealthy instance", 30, SOURCES.cycle),
    {
      key: "scheduleSeconds",
      label: "wait for the safety-net schedule (worst case)",
      seconds: stack.scheduleSeconds ?? 300,
      origin: stack.scheduleSeconds === undefined ? "assumption" : "stack",
      source:
        stack.scheduleSeconds === undefined
          ? `assumption: 300 s; the stack's ${stack.scheduleExpression} has no fixed period`
          : `stack: reconcileSchedule ${stack.scheduleExpression}`,
    },
    entry("instanceBootSeconds", "launch -> warm (SSM agent online)", 300, SOURCES.boot),
  ];
  const model = {} as TimingModel;
  for (const item of entries) {
    const overridden = overrides[item.key];
    model[item.key] = {
      ...item,
      flag: flagOf(item.key),
      ...(overridden === undefined
        ? {}
        : { seconds: overridden, origin: "flag" as const, source: `flag ${flagOf(item.key)}` }),
    };
  }
  return model;
}

function entry(key: TimingKey, label: string, seconds: number, source: string) {
  return {
    key,
    label,
    seconds,
    origin: source.startsWith("assumption") ? ("assumption" as const) : ("public" as const),
    source,
  };
}

/** "nlbRegistrationSeconds" -> "--nlb-registration-seconds". */
export function flagOf(key: TimingKey): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
