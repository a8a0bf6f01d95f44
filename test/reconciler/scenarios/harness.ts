// Scenario harness: the reconciler's real logic (handleWith) against the simulated AWS on a
// virtual clock, through real SDK v3 clients over HTTP (so retries and error mapping are the
// SDK's own). Events are delivered the way EventBridge would: the group's own events from the
// simulator, scheduled events, or anything a test hands over. Every invocation must write exactly
// one JSON log line and one EMF line; a witness checks rule 1 at every API call.
import { strict as assert } from "node:assert";
import { healthyEverywhere } from "./inspect";
import {
  promotionGraceSeconds,
  TIMEOUT_MARGIN_SECONDS,
} from "../../../components/reconcilerEnvironment";
import { MAX_ATTEMPTS } from "../../../reconciler/clients";
import { handleWith } from "../../../reconciler/handler";
import { parseCapacity } from "../../../reconciler/observe";
import { DEFAULT_POLL_INTERVAL_MS } from "../../../reconciler/settings";
import type { Report } from "../../../reconciler/summary";
import type { Settings } from "../../../reconciler/types";
import {
  REALISTIC_TIMINGS,
  SimulatedAws,
  VirtualClock,
  sdkClientsFor,
  startSimServer,
  type AutoScalingEvent,
  type CallRecord,
  type SimOptions,
  type SimServer,
  type Timings,
} from "../../../sandbox/sim";

/** The document's execution timeout, as the dev stack configures it. */
const ACTIVATION_TIMEOUT_SECONDS = 600;
/** The deployed Lambda's timeout. */
const BUDGET_MS = (ACTIVATION_TIMEOUT_SECONDS + TIMEOUT_MARGIN_SECONDS) * 1000;
/** The component's grace, with the NLB's TCP health-check defaults (30 s, 5 + 2). */
const PROMOTION_GRACE_SECONDS = promotionGraceSeconds({
  activationTimeoutSeconds: ACTIVATION_TIMEOUT_SECONDS,
  healthCheckIntervalSeconds: 30,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
});
/** Attempts per call, as the Lambda's clients make them. */
export { MAX_ATTEMPTS };
/** The stack's schedule: rate(5 minutes). */
export const SCHEDULE_MS = 300_000;

/** Two target groups (ports 7000, 7001), for scenarios that must see "every target group". */
export const TWO_TARGET_GROUPS = [
  "warm-standby-7000/0123456789abcdef",
  "warm-standby-7001/fedcba9876543210",
].map((name) => `arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/${name}`);

/** Anything with an EventBridge time ("2025-01-06T09:00:00Z"). */
export type TimedEvent = { time: string } & Record<string, unknown>;

export interface LoggedLine {
  level: string;
  msg: string;
  event: { kind: string; problems: string[] };
  report: Report;
}

export interface Invocation {
  /** Undefined when the handler threw (then `error` holds what it threw). */
  report?: Report;
  error?: Error;
  log: LoggedLine;
  emf: Record<string, unknown>;
  /** The simulator's calls from the invocation's start to its end. */
  calls: CallRecord[];
  startedAt: number;
}

export type ScenarioOptions = Omit<SimOptions, "clock" | "timings"> & {
  timings?: Partial<Timings>;
};

export interface Scenario {
  sim: SimulatedAws;
  clock: VirtualClock;
  settings: Settings;
  /**
   * Rule 1's witness, one line per violation: an API call after which the active set had gained
   * an instance and held more than the capacity in force. (Only calls add active instances: the
   * simulator's own transitions only remove them; a capacity lowered under the active count is
   * no violation until someone adds to it.)
   */
  violations: string[];
  capacityInForce(): number;
  /** The load balancer's capacity tag (null removes it). */
  setCapacityTag(value: string | null): void;
  advance(ms: number): void;
  /** Moves the clock to `at`, or leaves it where it is if it is already later. */
  advanceTo(at: number): void;
  /** One run of the handler, now. Never rejects: a thrown error is returned. */
  invoke(event: unknown): Promise<Invocation>;
  /** Delivers an event `delayMs` after its own time (at once if that is past); default 2 s. */
  deliver(event: TimedEvent | AutoScalingEvent, delayMs?: number): Promise<Invocation>;
  /** Delivers a scheduled event fired now. */
  schedule(): Promise<Invocation>;
  /** The group's EventBridge events emitted since the previous call. */
  newEvents(): AutoScalingEvent[];
  close(): Promise<void>;
}

/** Opens scenarios that are closed after each test of the enclosing describe. */
export function scenarios(): (options?: ScenarioOptions) => Promise<Scenario> {
  const open: Scenario[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((scenario) => scenario.close()));
  });
  return async (options = {}) => {
    const scenario = await openScenario(options);
    open.push(scenario);
    return scenario;
  };
}

async function openScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const clock = new VirtualClock();
  const sim = new SimulatedAws({
    ...options,
    clock,
    timings: { ...REALISTIC_TIMINGS, ...options.timings },
  });
  let capacityTag = sim.options.capacityTag;
  const capacityInForce = () => parseCapacity(capacityTag ?? undefined) ?? 0;
  const violations: string[] = [];
  const server: SimServer = await startSimServer(witnessed(sim, capacityInForce, violations));
  const settings: Settings = {
    groupName: sim.options.groupName,
    loadBalancerArn: sim.options.loadBalancerArn,
    targetGroupArns: sim.options.targetGroupArns,
    documentName: sim.options.documentName,
    activationTimeoutSeconds: ACTIVATION_TIMEOUT_SECONDS,
    promotionGraceSeconds: PROMOTION_GRACE_SECONDS,
    pollIntervalMs: DEFAULT_POLL_INTERVAL_MS,
  };
  let eventsSeen = 0;
  let schedules = 0;
  const advanceTo = (at: number) => {
    if (at > clock.now()) clock.advance(at - clock.now());
  };

  const invoke = async (event: unknown): Promise<Invocation> => {
    // Fresh clients per invocation, as the Lambda handler creates them.
    const clients = sdkClientsFor(server.url, { maxAttempts: MAX_ATTEMPTS, retryDelayMs: 1 });
    const startedAt = clock.now();
    const callsBefore = sim.calls.length;
    const lines: string[] = [];
    const run = handleWith({
      clients,
      settings,
      now: () => clock.now(),
      sleep: clock.sleep,
      remainingMs: () => startedAt + BUDGET_MS - clock.now(),
      write: (line) => {
        lines.push(line);
      },
    });
    const invocation: Partial<Invocation> = { startedAt };
    try {
      invocation.report = await run(event, { awsRequestId: `req-${startedAt}` });
    } catch (error) {
      invocation.error = error as Error;
    } finally {
      clients.destroy();
    }
    assert.equal(lines.length, 2, "one JSON log line and one EMF line per invocation");
    const log = JSON.parse(lines[0]) as LoggedLine;
    const emf = JSON.parse(lines[1]) as Record<string, unknown>;
    assert.equal(emf.AutoScalingGroupName, settings.groupName, "the EMF line's dimension");
    assert.ok(emf._aws, "the EMF line carries its metric definitions");
    return {
      ...invocation,
      log,
      emf,
      calls: sim.calls.slice(callsBefore),
      startedAt,
    };
  };

  return {
    sim,
    clock,
    settings,
    violations,
    capacityInForce,
    setCapacityTag(value) {
      capacityTag = value;
      sim.setCapacityTag(value);
    },
    advance: (ms) => clock.advance(ms),
    advanceTo,
    invoke,
    deliver(event, delayMs = 2000) {
      advanceTo(Date.parse(event.time) + delayMs);
      return invoke(event);
    },
    schedule() {
      schedules += 1;
      return invoke(scheduledEvent(sim, clock.now(), schedules));
    },
    newEvents() {
      const events = sim.events.slice(eventsSeen);
      eventsSeen += events.length;
      return events;
    },
    async close() {
      await server.close();
    },
  };
}

/** The simulator as the HTTP server sees it, with rule 1's witness around every call. */
function witnessed(
  sim: SimulatedAws,
  capacityInForce: () => number,
  violations: string[],
): SimulatedAws {
  const call: SimulatedAws["call"] = (service, operation, input) => {
    const before = new Set(sim.activeInstanceIds());
    try {
      return sim.call(service, operation, input);
    } finally {
      const after = sim.activeInstanceIds();
      const capacity = capacityInForce();
      if (after.some((id) => !before.has(id)) && after.length > capacity) {
        violations.push(
          `${operation} at ${isoSeconds(sim.now())}: active ${after.join(", ")} > capacity ${capacity}`,
        );
      }
    }
  };
  return new Proxy(sim, {
    get: (target, key) => (key === "call" ? call : Reflect.get(target, key, target)),
  });
}

/** A "Scheduled Event" as EventBridge delivers it for the stack's schedule rule. */
export function scheduledEvent(sim: SimulatedAws, at: number, serial: number): TimedEvent {
  const { account, region, groupName } = sim.options;
  return {
    version: "0",
    id: `5c1a7e11-0000-4000-8000-${String(serial).padStart(12, "0")}`,
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account,
    time: isoSeconds(at),
    region,
    resources: [`arn:aws:events:${region}:${account}:rule/${groupName}-reconcile-schedule`],
    detail: {},
  };
}

/** ISO-8601 without milliseconds, as EventBridge writes event times. */
export function isoSeconds(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** First start on a fresh warm group, then the NLB's registration: the oldest instance serves. */
export async function promoteFirst(scenario: Scenario): Promise<Invocation> {
  const invocation = await scenario.schedule();
  scenario.advance(scenario.sim.timings.registrationMs);
  assert.deepEqual(healthyEverywhere(scenario.sim), [scenario.sim.groupInstanceIds()[0]]);
  return invocation;
}
