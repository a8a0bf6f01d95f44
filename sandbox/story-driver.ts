// Runs the story's incidents against the story world. Every event the group emits is delivered
// to the serialized handler in order, one invocation at a time (reserved concurrency 1: an event
// that arrives while an invocation runs waits for it); the safety-net schedule fires at its period
// while the world is not as declared (while it is, its runs would change nothing and are skipped).
// Between invocations the virtual clock jumps to the simulator's next transition.
import { serving, type Check, type IncidentPlan, type StoryState } from "./story";
import { invocationEntries } from "./story-timeline";
import { scheduledEvent, type Invocation, type StoryWorld } from "./story-world";

export interface Incident {
  key: string;
  title: string;
  measure: string;
  /** Seconds from the story's start. */
  startedAt: number;
  /** When the group served as declared again (seconds from the story's start). */
  resolvedAt?: number;
  recoverySeconds?: number;
  invocations: number;
  /** Most instances active at once since the story began, read when the incident ended. */
  maxActiveSoFar: number;
  /** The highest capacity declared so far. */
  declaredSoFar: number;
  checks: Check[];
  /** Modeled invocations longer than the function's timeout (AWS would have killed them). */
  overTimeout: string[];
}

export interface TimelineEntry {
  /** Seconds from the story's start. */
  at: number;
  incident: string;
  actor: "story" | "aws" | "reconciler";
  instanceId?: string;
  what: string;
}

export interface StoryRun {
  incidents: Incident[];
  timeline: TimelineEntry[];
  invocations: Invocation[];
}

export interface DriverOptions {
  declared: number;
  scheduleSeconds: number;
  progress: (line: string) => void;
}

/** Bounds that turn a story that does not converge into an error instead of a hang. */
const MAX_INVOCATIONS_PER_INCIDENT = 15;
const MAX_INCIDENT_MS = 3 * 3600_000;

export async function runIncidents(
  world: StoryWorld,
  plans: IncidentPlan[],
  options: DriverOptions,
): Promise<StoryRun> {
  const state: StoryState = { declared: options.declared };
  const run: StoryRun = { incidents: [], timeline: [], invocations: [] };
  const since = (at: number) => round((at - world.startedAt) / 1000);
  const period = options.scheduleSeconds * 1000;
  let delivered = 0;
  let lastTick = world.startedAt;
  let historySeen = 0;
  let declaredSoFar = options.declared;

  for (const [index, plan] of plans.entries()) {
    options.progress(`incident ${index + 1}/${plans.length}: ${plan.title}`);
    const startedAt = world.clock.now();
    const incident: Incident = {
      key: plan.key,
      title: plan.title,
      measure: plan.measure,
      startedAt: since(startedAt),
      invocations: 0,
      maxActiveSoFar: 0,
      declaredSoFar,
      checks: [],
      overTimeout: [],
    };
    run.incidents.push(incident);
    const note = (actor: TimelineEntry["actor"], what: string, at = world.clock.now()) =>
      run.timeline.push({ at: since(at), incident: plan.key, actor, what });
    // The simulator's own record of what changed, in the order it happened.
    const drainHistory = () => {
      const history = world.sim.history;
      for (const entry of history.slice(historySeen)) {
        run.timeline.push({
          at: since(entry.at),
          incident: plan.key,
          actor: "aws",
          instanceId: entry.instanceId,
          what: entry.what,
        });
      }
      historySeen = history.length;
    };

    drainHistory();
    note("story", plan.begin(world, state));
    declaredSoFar = Math.max(declaredSoFar, state.declared);
    let wasUnresolved = !serving(world, state.declared);
    const resolved = () => !wasUnresolved || incident.resolvedAt !== undefined;
    const noteResolution = () => {
      drainHistory();
      const isServing = serving(world, state.declared);
      if (!isServing) wasUnresolved = true;
      if (isServing && wasUnresolved && incident.resolvedAt === undefined) {
        incident.resolvedAt = since(world.clock.now());
        incident.recoverySeconds = round(incident.resolvedAt - incident.startedAt);
        const seconds = incident.recoverySeconds.toFixed(1);
        note("story", `serving as declared again: ${plan.measure} ${seconds} s`);
      }
    };
    const invoke = async (event: unknown, emittedAt: number, label: string) => {
      if (++incident.invocations > MAX_INVOCATIONS_PER_INCIDENT) {
        throw new Error(
          `story: ${plan.key} needed over ${MAX_INVOCATIONS_PER_INCIDENT} invocations`,
        );
      }
      options.progress(`  invoking the serialized handler: ${label}`);
      const invocation = await world.invoke(event, emittedAt, label);
      drainHistory();
      run.invocations.push(invocation);
      run.timeline.push(...invocationEntries(invocation, plan.key, since));
      if (!invocation.ok) throw new Error(`story: the handler failed: ${invocation.error}`);
      if ((invocation.endedAt - invocation.startedAt) / 1000 > world.functionTimeoutSeconds) {
        incident.overTimeout.push(label);
      }
    };

    for (;;) {
      if (world.clock.now() - startedAt > MAX_INCIDENT_MS) {
        throw new Error(
          `story: ${plan.key} did not converge within ${MAX_INCIDENT_MS / 3600_000} h`,
        );
      }
      noteResolution();
      const events = world.sim.events;
      if (delivered < events.length) {
        const event = events[delivered++];
        const label = `${event["detail-type"]} of ${event.detail.EC2InstanceId}`;
        await invoke(event, world.sim.emittedAt(event), label);
        continue;
      }
      const nextTransition = world.sim.nextTransitionAt();
      if (resolved()) {
        if (nextTransition === undefined) break;
        while (lastTick + period <= nextTransition) lastTick += period;
        world.advanceTo(nextTransition);
        continue;
      }
      const nextTick = lastTick + period;
      if (nextTransition !== undefined && nextTransition < nextTick) {
        world.advanceTo(nextTransition);
        continue;
      }
      lastTick = nextTick;
      world.advanceTo(nextTick);
      noteResolution();
      await invoke(scheduledEvent(world, nextTick, `tick-${nextTick}`), nextTick, "schedule");
    }
    incident.resolvedAt ??= incident.startedAt;
    incident.recoverySeconds ??= 0;
    incident.maxActiveSoFar = world.sim.maxActiveSeen;
    incident.declaredSoFar = declaredSoFar;
    incident.checks = [
      { what: "serving as declared again", ok: serving(world, state.declared) },
      {
        what: `never more than ${declaredSoFar} active (rule 1; most seen: ${incident.maxActiveSoFar})`,
        ok: incident.maxActiveSoFar <= declaredSoFar,
      },
      ...plan.checks(world),
    ];
  }
  // Stable: equal times keep the order in which things were recorded.
  run.timeline.sort((a, b) => a.at - b.at);
  return run;
}

/** Seconds to the millisecond (the virtual clock's unit), without float noise. */
function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
