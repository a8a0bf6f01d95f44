// A long random soak on the simulated AWS: a seeded sequence of faults (terminations, application
// crashes, agents offline, failing activations, capacity changes, throttling) while EventBridge
// delivers the group's events late, duplicated, lost or twice at once, plus the schedule. Rule 1
// is checked at every API call and after every invocation; once the faults stop, the group must
// converge to exactly `capacity` healthy registered instances, and stay there doing nothing.
import { strict as assert } from "node:assert";
import type { AutoScalingEvent } from "../../../sandbox/sim";
import {
  MAX_ATTEMPTS,
  SCHEDULE_MS,
  scheduledEvent,
  scenarios,
  type Invocation,
  type Scenario,
} from "./harness";
import { healthyEverywhere, mutationsOf } from "./inspect";

const SEEDS = [1, 2, 3, 4];
const STEPS = 40;
const INSTANCE_COUNT = 4;
const MAX_CAPACITY = 2;
/** Capacities a capacity change picks from: 0 (everything fenced) less often. */
const CAPACITIES = [0, 1, 1, 2, 2];
/** How often each fault is picked, relative to the others. */
const FAULT_WEIGHTS = {
  terminate: 3,
  stopApp: 2,
  agentOffline: 2,
  agentOnline: 2,
  failingActivation: 2,
  capacity: 2,
  throttle: 3,
  quiet: 1,
} as const;
type Fault = keyof typeof FAULT_WEIGHTS;
const WEIGHTED_FAULTS = (Object.keys(FAULT_WEIGHTS) as Fault[]).flatMap((fault) =>
  Array<Fault>(FAULT_WEIGHTS[fault]).fill(fault),
);
/** Schedule periods allowed for convergence once the faults stop. */
const CONVERGENCE_PERIODS = 12;
const LOSS = 0.2;
const DUPLICATE = 0.25;
/** Two deliveries of the same event run at once (reserved concurrency failed to serialize them). */
const OVERLAP = 0.1;

const OPERATIONS = [
  "DescribeAutoScalingGroups",
  "DescribeTags",
  "DescribeTargetHealth",
  "ListCommands",
  "DescribeInstances",
  "DescribeInstanceInformation",
  "SendCommand",
  "GetCommandInvocation",
  "RegisterTargets",
  "DeregisterTargets",
  "SetInstanceHealth",
  "CancelCommand",
];
const THROTTLING = ["Throttling", "ThrottlingException", "RequestLimitExceeded"];

/** mulberry32: a small seeded PRNG, so that a failing seed replays the same faults and deliveries. */
function random(seed: number): () => number {
  // Spread small consecutive seeds apart: their first outputs are otherwise alike.
  let state = Math.imul(seed, 0x9e3779b1) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Delivery {
  at: number;
  event: AutoScalingEvent | ReturnType<typeof scheduledEvent>;
}

/** The soak's world: the scenario, its random source, and EventBridge's pending deliveries. */
function soakWorld(s: Scenario, seed: number) {
  const rand = random(seed);
  const pick = <T>(items: T[]): T | undefined =>
    items.length === 0 ? undefined : items[Math.floor(rand() * items.length)];
  const between = (low: number, high: number) => low + Math.floor(rand() * (high - low + 1));
  const pending: Delivery[] = [];
  const failing = new Map<string, "Failed" | "TimedOut">();
  const log: string[] = [];
  let highestCapacity = s.capacityInForce();
  const setCapacity = (capacity: number) => {
    s.setCapacityTag(String(capacity));
    highestCapacity = Math.max(highestCapacity, capacity);
    return String(capacity);
  };
  let nextSchedule = s.clock.now() + SCHEDULE_MS;
  let schedules = 0;
  s.sim.setActivationBehaviour((id) => ({ outcome: failing.get(id) ?? "Success" }));

  /**
   * Rule 1 after every invocation and step. The witness compares every growth of the active set
   * with the capacity in force at that moment; maxActiveSeen is a high-water mark over the whole
   * run, so after a decrease it can only be held to the highest capacity ever in force.
   */
  const check = (where: string) => {
    assert.deepEqual(s.violations, [], `seed ${seed}, ${where}\n${log.join("\n")}`);
    assert.ok(
      s.sim.maxActiveSeen <= highestCapacity,
      `seed ${seed}, ${where}: ${s.sim.maxActiveSeen} active > ${highestCapacity}`,
    );
  };

  /** EventBridge: each new group event is late, maybe lost, maybe delivered twice. */
  const collect = () => {
    for (const event of s.newEvents()) {
      if (rand() < LOSS) continue;
      const at = Date.parse(event.time) + between(1_000, 10_000);
      pending.push({ at, event });
      if (rand() < DUPLICATE) pending.push({ at: at + between(0, 60_000), event });
    }
  };

  const deliverNext = async (): Promise<Invocation[]> => {
    const next = pending.reduce<Delivery | undefined>(
      (best, d) => (best === undefined || d.at < best.at ? d : best),
      undefined,
    );
    let delivery: Delivery;
    if (next !== undefined && next.at < nextSchedule) {
      pending.splice(pending.indexOf(next), 1);
      delivery = next;
    } else {
      schedules += 1;
      delivery = { at: nextSchedule, event: scheduledEvent(s.sim, nextSchedule, schedules) };
      nextSchedule += SCHEDULE_MS;
    }
    s.advanceTo(delivery.at);
    const overlap = rand() < OVERLAP;
    const runs = await Promise.all((overlap ? [1, 2] : [1]).map(() => s.invoke(delivery.event)));
    for (const run of runs) {
      // A fault ends an invocation only as the SDK's throttling error, logged and rethrown.
      if (run.error) assert.ok(THROTTLING.includes(run.error.name), String(run.error));
      const did = mutationsOf(run.calls, s.sim).join(", ");
      log.push(`${new Date(run.startedAt).toISOString()} ${run.log.event.kind}: ${did}`);
    }
    return runs;
  };

  /** Runs every delivery due before `end`, checking rule 1 after each invocation. */
  const runUntil = async (end: number): Promise<Invocation[]> => {
    const runs: Invocation[] = [];
    for (;;) {
      collect();
      const due = Math.min(nextSchedule, ...pending.map((d) => d.at));
      if (due > end) break;
      runs.push(...(await deliverNext()));
      check(`after the invocation at ${new Date(s.clock.now()).toISOString()}`);
    }
    s.advanceTo(end);
    return runs;
  };

  const faults: Record<Fault, () => string | undefined> = {
    terminate: () => {
      const id = pick(s.sim.groupInstanceIds());
      if (id) s.sim.terminate(id);
      return id;
    },
    stopApp: () => {
      const id = pick(s.sim.appRunningIds());
      if (id) s.sim.stopApp(id);
      return id;
    },
    agentOffline: () => {
      const id = pick(s.sim.groupInstanceIds());
      if (id) s.sim.setAgentOnline(id, false);
      return id;
    },
    agentOnline: () => {
      const id = pick(s.sim.groupInstanceIds());
      if (id) s.sim.setAgentOnline(id, true);
      return id;
    },
    failingActivation: () => {
      const id = pick(s.sim.groupInstanceIds());
      if (id) failing.set(id, rand() < 0.5 ? "Failed" : "TimedOut");
      return id;
    },
    capacity: () => setCapacity(pick(CAPACITIES) as number),
    throttle: () => {
      const operation = pick(OPERATIONS) as string;
      const count = between(1, 2 * MAX_ATTEMPTS);
      s.sim.throttle({ operations: [operation], count });
      return `${operation} x${count}`;
    },
    quiet: () => undefined,
  };

  return {
    log,
    check,
    runUntil,
    async faultStep(step: number) {
      const name = pick(WEIGHTED_FAULTS) as Fault;
      const what = faults[name]();
      log.push(`${new Date(s.clock.now()).toISOString()} step ${step}: ${name} ${what ?? ""}`);
      await runUntil(s.clock.now() + between(10_000, 400_000));
      check(`after step ${step}`);
    },
    /**
     * The faults stop: every activation succeeds, every agent of the group comes back, and the
     * operator declares a capacity of at least 1 (converging to 0 active would prove little).
     * Throttling already scheduled still drains through the next calls.
     */
    heal() {
      failing.clear();
      s.sim.groupInstanceIds().forEach((id) => s.sim.setAgentOnline(id, true));
      const capacity = setCapacity(between(1, MAX_CAPACITY));
      log.push(`${new Date(s.clock.now()).toISOString()} faults stop, capacity ${capacity}`);
    },
  };
}

/** The invocation ran without fault and planned nothing: the world matched its declaration. */
function isIdle(run: Invocation): boolean {
  return run.error === undefined && run.report?.totals.actions === 0;
}

/**
 * Exactly `capacity` instances healthy in every target group, and they are the only ones active
 * or running the application.
 */
function atCapacity(s: Scenario): boolean {
  const healthy = healthyEverywhere(s.sim);
  return (
    healthy.length === s.capacityInForce() &&
    JSON.stringify(s.sim.activeInstanceIds()) === JSON.stringify(healthy) &&
    JSON.stringify(s.sim.appRunningIds()) === JSON.stringify(healthy)
  );
}

describe("scenarios: random soak on the simulated AWS", () => {
  const open = scenarios();

  for (const seed of SEEDS) {
    it(`seed ${seed}: ${STEPS} fault steps never exceed the capacity in force, then converge`, async () => {
      const s = await open({ instanceCount: INSTANCE_COUNT });
      const world = soakWorld(s, seed);
      for (let step = 1; step <= STEPS; step++) await world.faultStep(step);

      world.heal();
      let converged = false;
      for (let period = 0; period < CONVERGENCE_PERIODS && !converged; period++) {
        const runs = await world.runUntil(s.clock.now() + SCHEDULE_MS);
        world.check(`convergence period ${period}`);
        converged = runs.length > 0 && runs.every(isIdle) && atCapacity(s);
      }
      assert.ok(converged, `seed ${seed} did not converge:\n${world.log.join("\n")}`);
    });
  }
});
