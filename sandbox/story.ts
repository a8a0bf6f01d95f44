// The scripted story of `npm start`: the serialized reconciler keeps the simulated group serving
// through a first start, the death of the active instance, a failing activation script and a
// capacity change 1 -> 2 -> 1. Each incident is a change to the world plus the checks that prove
// the reconciler's rules held; story-driver.ts runs them.
import type { StoryWorld } from "./story-world";

export const SCENARIOS = [
  "first-start",
  "instance-dies",
  "activation-fails",
  "capacity-change",
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** What the story knows that the simulator keeps to itself: the declared capacity. */
export interface StoryState {
  declared: number;
}

export interface Check {
  what: string;
  ok: boolean;
}

export interface IncidentPlan {
  key: string;
  title: string;
  /** What the recovery time means for this incident. */
  measure: string;
  /** Changes the world; returns what happened, for the timeline. */
  begin(world: StoryWorld, state: StoryState): string;
  /** Incident-specific checks once it is over. */
  checks(world: StoryWorld): Check[];
}

/** The incidents of a scenario ("all": every one); each scenario opens with the first start. */
export function incidentsFor(
  scenario: ScenarioName | "all",
  failureSeconds: number,
): IncidentPlan[] {
  const chosen = scenario === "all" ? SCENARIOS : [scenario];
  const plans: Record<ScenarioName, () => IncidentPlan[]> = {
    "first-start": () => [],
    "instance-dies": () => [instanceDies()],
    "activation-fails": () => [activationFails(failureSeconds)],
    "capacity-change": () => [capacityChange(1, 2), capacityChange(2, 1)],
  };
  return [firstStart(), ...chosen.flatMap((name) => plans[name]())];
}

function firstStart(): IncidentPlan {
  return {
    key: "first-start",
    title: "first start: the group launches its instances, nothing is active",
    measure: "time to the first active instance",
    begin: (world) =>
      `pulumi up: the group launches ${world.sim.groupInstanceIds().length} instances`,
    checks: (world) => [
      {
        what: "one activation command, and it succeeded",
        ok: statuses(world).join() === "Success",
      },
    ],
  };
}

function instanceDies(): IncidentPlan {
  let victim = "";
  let diedAt = 0;
  return {
    key: "instance-dies",
    title: "the active instance dies",
    measure: "failover",
    begin: (world) => {
      diedAt = world.clock.now();
      victim = terminateActive(world);
      return `${victim} (active) is terminated`;
    },
    checks: (world) => {
      // The terminate hook's event wakes the reconciler once the group has drained the instance
      // from its target groups: the promotion does not wait for the instance to be gone.
      const goneAt = world.sim.history.find(
        (entry) => entry.instanceId === victim && entry.what === "terminated",
      )?.at;
      const promotedAt = world.sim
        .commands()
        .find((c) => c.instanceId !== victim && c.requestedAt >= diedAt)?.requestedAt;
      return [
        {
          what: `${victim} is deregistered everywhere`,
          ok: !registeredIds(world).includes(victim),
        },
        {
          what: "another instance is active",
          ok: world.sim.activeInstanceIds().some((id) => id !== victim),
        },
        {
          what: `a warm instance was promoted before ${victim} was gone`,
          ok: promotedAt !== undefined && goneAt !== undefined && promotedAt < goneAt,
        },
      ];
    },
  };
}

function activationFails(failureSeconds: number): IncidentPlan {
  return {
    key: "activation-fails",
    title: "the active instance dies and the next activation script fails",
    measure: "failover",
    begin: (world) => {
      let failed = false;
      world.sim.setActivationBehaviour(() => {
        if (failed) return { outcome: "Success" };
        failed = true;
        return { outcome: "Failed", durationMs: failureSeconds * 1000 };
      });
      const victim = terminateActive(world);
      return `the next activation will fail after ${failureSeconds} s; ${victim} (active) is terminated`;
    },
    checks: (world) => {
      const failed = world.sim.commands().filter((c) => c.status === "Failed");
      const fenced = failed.map((c) => c.instanceId);
      const fencedGone = world.sim
        .instances()
        .filter((i) => fenced.includes(i.instanceId))
        .every((i) => i.healthStatus === "Unhealthy" || i.lifecycleState === "Gone");
      return [
        { what: "exactly one activation failed", ok: failed.length === 1 },
        { what: "the instance whose activation failed was fenced and replaced", ok: fencedGone },
        {
          what: "it never became active again; another one serves",
          ok: world.sim.activeInstanceIds().every((id) => !fenced.includes(id)),
        },
      ];
    },
  };
}

function capacityChange(from: number, to: number): IncidentPlan {
  return {
    key: `capacity-${from}-${to}`,
    title: `the capacity tag changes ${from} -> ${to}`,
    measure: "time to converge",
    begin: (world, state) => {
      world.sim.setCapacityTag(String(to));
      state.declared = to;
      return `warm-standby:active-capacity set to ${to} on the load balancer (no event is emitted)`;
    },
    checks: (world) => [
      { what: `${to} active instance(s)`, ok: world.sim.activeInstanceIds().length === to },
    ],
  };
}

function terminateActive(world: StoryWorld): string {
  const [active] = world.sim.activeInstanceIds();
  if (!active) throw new Error("story: no active instance to terminate");
  world.sim.terminate(active);
  return active;
}

function statuses(world: StoryWorld): string[] {
  return world.sim.commands().map((command) => command.status);
}

function registeredIds(world: StoryWorld): string[] {
  return world.sim
    .registrations()
    .filter((r) => r.state !== "draining")
    .map((r) => r.instanceId);
}

const IN_FLIGHT_STATUSES = ["Pending", "InProgress", "Cancelling"];

/**
 * Serving as declared: as many active instances as declared, each InService with its application
 * running and healthy in every target group, and no activation in flight.
 */
export function serving(world: StoryWorld, declared: number): boolean {
  const { sim } = world;
  const active = sim.activeInstanceIds();
  if (active.length !== declared) return false;
  if (sim.commands().some((c) => IN_FLIGHT_STATUSES.includes(c.status))) return false;
  const instances = new Map(sim.instances().map((i) => [i.instanceId, i]));
  const registrations = sim.registrations();
  return active.every((id) => {
    const instance = instances.get(id);
    if (!instance || instance.lifecycleState !== "InService" || !instance.appRunning) return false;
    return sim.options.targetGroupArns.every((arn) =>
      registrations.some(
        (r) => r.instanceId === id && r.targetGroupArn === arn && r.state === "healthy",
      ),
    );
  });
}
