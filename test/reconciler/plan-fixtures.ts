// Shared test material for the reconciler: snapshot builders, a model of what AWS does after each
// action (applyIdeal, applyWithGate), an independent oracle of the active set, and fast-check
// arbitraries for random snapshots and fault sequences. Reused by the planner's tests and others.
import fc from "fast-check";
import type {
  Action,
  Activation,
  CommandStatus,
  GroupInstance,
  InstanceFacts,
  Registration,
  Settings,
  Snapshot,
} from "../../reconciler/types";

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

const TG_PREFIX = "arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup";
export const TG_A = `${TG_PREFIX}/app-3389/0a0a0a0a0a0a0a0a`;
export const TG_B = `${TG_PREFIX}/app-8443/0b0b0b0b0b0b0b0b`;
export const TG_C = `${TG_PREFIX}/app-9000/0c0c0c0c0c0c0c0c`;
/** A target group of the same account that the reconciler does not manage. */
export const TG_FOREIGN = `${TG_PREFIX}/other-app/0f0f0f0f0f0f0f0f`;

export const SETTINGS: Settings = {
  groupName: "app-asg",
  loadBalancerArn:
    "arn:aws:elasticloadbalancing:eu-central-1:111122223333:loadbalancer/net/app/0123456789abcdef",
  targetGroupArns: [TG_A, TG_B],
  documentName: "app-activate",
  activationTimeoutSeconds: 600,
  promotionGraceSeconds: 330,
  pollIntervalMs: 3000,
};

export const TARGET_STATES = [
  "initial",
  "healthy",
  "unhealthy",
  "unused",
  "draining",
  "unavailable",
] as const;

export const COMMAND_STATUSES: CommandStatus[] = [
  "Pending",
  "InProgress",
  "Delayed",
  "Success",
  "Cancelled",
  "Cancelling",
  "Failed",
  "TimedOut",
];

export const LIFECYCLE_STATES = [
  "Pending",
  "Pending:Wait",
  "Pending:Proceed",
  "InService",
  "EnteringStandby",
  "Standby",
  "Terminating",
  "Terminating:Wait",
  "Terminating:Proceed",
  "Terminated",
  "Detaching",
  "Detached",
] as const;

// ---------------------------------------------------------------- builders

/** An InService, Healthy group instance. */
export function member(instanceId: string, overrides: Partial<GroupInstance> = {}): GroupInstance {
  return {
    instanceId,
    availabilityZone: "eu-central-1a",
    lifecycleState: "InService",
    healthStatus: "Healthy",
    ...overrides,
  };
}

/** The instance's registrations, one per target group, all in `state`. */
export function targets(
  instanceId: string,
  state: string = "healthy",
  targetGroupArns: string[] = SETTINGS.targetGroupArns,
): Registration[] {
  return targetGroupArns.map((targetGroupArn) => ({ instanceId, targetGroupArn, state }));
}

/** One activation; its commandId is derived from the instance and the time unless given. */
export function activation(
  instanceId: string,
  status: CommandStatus,
  requestedAt: number,
  extra: Partial<Activation> = {},
): Activation {
  return {
    commandId: `cmd-${instanceId}-${requestedAt}`,
    instanceId,
    status,
    requestedAt,
    ...extra,
  };
}

export function online(launchTime: number): InstanceFacts {
  return { launchTime, agentOnline: true };
}

export function offline(launchTime: number): InstanceFacts {
  return { launchTime, agentOnline: false };
}

/** A managed group with capacity 1 and nothing in it at NOW, overridden by `parts`. */
export function snapshot(parts: Partial<Snapshot> = {}): Snapshot {
  return {
    now: NOW,
    groupFound: true,
    desiredActive: 1,
    instances: [],
    registrations: [],
    activations: [],
    ...parts,
  };
}

// ---------------------------------------------------------------- oracle

function inFlightOracle(a: Activation, now: number, settings: Settings): boolean {
  const open = ["Pending", "InProgress", "Delayed", "Cancelling"].includes(a.status);
  return open && a.requestedAt + settings.activationTimeoutSeconds * 1000 + 60_000 > now;
}

/** The active set straight from the definition, written independently of the planner. */
export function oracleActiveIds(s: Snapshot, settings: Settings): string[] {
  const ids = new Set<string>();
  for (const r of s.registrations) {
    if (settings.targetGroupArns.includes(r.targetGroupArn) && r.state !== "draining") {
      ids.add(r.instanceId);
    }
  }
  for (const a of s.activations) if (inFlightOracle(a, s.now, settings)) ids.add(a.instanceId);
  return [...ids].sort();
}

/** Instances with a Cancelling command in flight: active, and no action can make them inactive. */
export function stuckIds(s: Snapshot, settings: Settings): string[] {
  const ids = s.activations
    .filter((a) => a.status === "Cancelling" && inFlightOracle(a, s.now, settings))
    .map((a) => a.instanceId);
  return [...new Set(ids)].sort();
}

// ---------------------------------------------------------------- model of AWS

/** What AWS looks like after every action succeeded (time does not move). */
export function applyIdeal(s: Snapshot, actions: Action[]): Snapshot {
  return actions.reduce(applyOne, s);
}

/**
 * What AWS looks like after `act` ran the plan when action i succeeds iff succeeded[i]: `act`'s
 * contract is that activate/register run only if every fencing action (deregister,
 * cancelActivation, markUnhealthy) succeeded.
 */
export function applyWithGate(s: Snapshot, actions: Action[], succeeded: boolean[]): Snapshot {
  const raising = (action: Action) => action.kind === "activate" || action.kind === "register";
  const gateOpen = actions.every((action, i) => raising(action) || succeeded[i]);
  return applyIdeal(
    s,
    actions.filter((action, i) => succeeded[i] && (gateOpen || !raising(action))),
  );
}

function applyOne(s: Snapshot, action: Action): Snapshot {
  const id = action.instanceId;
  switch (action.kind) {
    case "deregister":
      return {
        ...s,
        registrations: s.registrations.map((r) =>
          r.instanceId === id && action.targetGroupArns.includes(r.targetGroupArn)
            ? { ...r, state: "draining" }
            : r,
        ),
      };
    case "register":
      return {
        ...s,
        registrations: [
          ...s.registrations.filter(
            (r) => r.instanceId !== id || !action.targetGroupArns.includes(r.targetGroupArn),
          ),
          ...targets(id, "initial", action.targetGroupArns),
        ],
      };
    case "markUnhealthy":
      return {
        ...s,
        instances: s.instances.map((i) =>
          i.instanceId === id ? { ...i, healthStatus: "Unhealthy" } : i,
        ),
      };
    case "cancelActivation":
      return {
        ...s,
        activations: s.activations.map((a) =>
          a.commandId === action.commandId ? { ...a, status: "Cancelled" } : a,
        ),
      };
    case "activate":
      return {
        ...s,
        activations: [
          ...s.activations,
          activation(id, "InProgress", s.now, {
            commandId: `sim-${id}-${s.activations.length}`,
            deficitSince: action.deficitSince,
          }),
        ],
      };
  }
}

// ---------------------------------------------------------------- shuffling

/** The same snapshot with every array (and the facts' keys) in a seed-determined order. */
export function shuffleSnapshot(s: Snapshot, seed: number): Snapshot {
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: a tiny deterministic generator, enough to permute a handful of items.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const shuffle = <T>(items: T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  };
  return {
    ...s,
    instances: shuffle(s.instances),
    registrations: shuffle(s.registrations),
    activations: shuffle(s.activations),
    ...(s.facts === undefined
      ? {}
      : { facts: Object.fromEntries(shuffle(Object.entries(s.facts))) }),
  };
}

// ---------------------------------------------------------------- arbitraries

export interface Scenario {
  settings: Settings;
  snapshot: Snapshot;
}

export const settingsArbitrary: fc.Arbitrary<Settings> = fc
  .record({
    groups: fc.integer({ min: 1, max: 3 }),
    activationTimeoutSeconds: fc.constantFrom(60, 600),
    promotionGraceSeconds: fc.constantFrom(30, 330),
  })
  .map(({ groups, ...times }) => ({
    ...SETTINGS,
    ...times,
    targetGroupArns: [TG_A, TG_B, TG_C].slice(0, groups),
  }));

const weighted = <T>(common: T, rare: readonly T[]) =>
  fc.oneof(
    { weight: 3 * rare.length, arbitrary: fc.constant(common) },
    { weight: rare.length, arbitrary: fc.constantFrom(...rare) },
  );

/** Ages that hit the planner's boundaries exactly (grace, lost) as well as anything in between. */
function ageArbitrary(settings: Settings): fc.Arbitrary<number> {
  const grace = settings.promotionGraceSeconds * SECOND;
  const lost = (settings.activationTimeoutSeconds + 60) * SECOND;
  return fc.oneof(
    fc.integer({ min: 0, max: 25 * MINUTE }),
    fc.constantFrom(0, grace - 1, grace, lost - 1, lost),
  );
}

/** One activation of a story: its age relative to NOW, and how long the deficit preceded it. */
interface CommandStory {
  status: CommandStatus;
  age: number;
  deficitLead?: number;
}

function storyArbitrary(settings: Settings) {
  const stateOrNone = fc.option(fc.constantFrom(...TARGET_STATES), { nil: undefined });
  const command: fc.Arbitrary<CommandStory> = fc.record({
    status: fc.constantFrom(...COMMAND_STATUSES),
    age: ageArbitrary(settings),
    deficitLead: fc.option(fc.integer({ min: 0, max: 5 * MINUTE }), { nil: undefined }),
  });
  return fc.record({
    inGroup: weighted(true, [false]),
    lifecycleState: weighted(
      "InService",
      LIFECYCLE_STATES.filter((state) => state !== "InService"),
    ),
    healthStatus: weighted("Healthy", ["Unhealthy"]),
    /** Per slot: the managed target groups, then TG_FOREIGN. */
    targets: fc.oneof(
      { weight: 3, arbitrary: fc.constant<(string | undefined)[]>([]) },
      { weight: 2, arbitrary: fc.array(stateOrNone, { minLength: 4, maxLength: 4 }) },
    ),
    activations: fc.oneof(
      { weight: 3, arbitrary: fc.constant<CommandStory[]>([]) },
      { weight: 2, arbitrary: fc.array(command, { minLength: 1, maxLength: 2 }) },
    ),
    /** Minutes since launch, few values so that ties happen. */
    launchAge: fc.integer({ min: 0, max: 4 }),
    facts: weighted<"online" | "offline" | "none">("online", ["offline", "none"]),
  });
}

/** A random snapshot for `settings`: 0-8 instances, every lifecycle/health/target/command state. */
export function snapshotArbitrary(settings: Settings): fc.Arbitrary<Snapshot> {
  return fc
    .record({
      groupFound: fc.oneof(
        { weight: 19, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      desiredActive: fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 9, arbitrary: fc.integer({ min: 0, max: 4 }) },
      ),
      stories: fc.array(storyArbitrary(settings), { maxLength: 8 }),
      withFacts: weighted(true, [false]),
      signalAge: fc.option(fc.integer({ min: 0, max: 10 * MINUTE }), { nil: undefined }),
    })
    .map(({ groupFound, desiredActive, stories, withFacts, signalAge }) => {
      const slots = [...settings.targetGroupArns, TG_FOREIGN];
      const s = snapshot({ groupFound, desiredActive });
      const facts: Record<string, InstanceFacts> = {};
      stories.forEach((story, n) => {
        const instanceId = `i-0${n}`;
        if (story.inGroup) {
          const { lifecycleState, healthStatus } = story;
          s.instances.push(member(instanceId, { lifecycleState, healthStatus }));
          if (story.facts !== "none") {
            facts[instanceId] = {
              launchTime: NOW - (story.launchAge + 30) * MINUTE,
              agentOnline: story.facts === "online",
            };
          }
        }
        story.targets.forEach((state, slot) => {
          if (state !== undefined && slot < slots.length) {
            s.registrations.push({ instanceId, targetGroupArn: slots[slot], state });
          }
        });
        story.activations.forEach(({ status, age, deficitLead }, k) => {
          const requestedAt = NOW - age;
          s.activations.push(
            activation(instanceId, status, requestedAt, {
              commandId: `cmd-${instanceId}-${k}`,
              ...(deficitLead === undefined ? {} : { deficitSince: requestedAt - deficitLead }),
            }),
          );
        });
      });
      return {
        ...s,
        ...(withFacts ? { facts } : {}),
        ...(signalAge === undefined ? {} : { signalAt: NOW - signalAge }),
      };
    });
}

export const scenarioArbitrary: fc.Arbitrary<Scenario> = settingsArbitrary.chain((settings) =>
  snapshotArbitrary(settings).map((s) => ({ settings, snapshot: s })),
);

/**
 * Rounds of faults: in round r, action i succeeds iff rounds[r][i % 16]. Mostly successes, so
 * that plans make progress as well as fail.
 */
export const faultRoundsArbitrary: fc.Arbitrary<boolean[][]> = fc.array(
  fc.array(weighted(true, [false]), { minLength: 16, maxLength: 16 }),
  { minLength: 1, maxLength: 4 },
);
