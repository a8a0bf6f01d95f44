// Three of the bench's measurements (the fourth, handler wall time, is in bench-handler-time.ts).
// They run the SERIALIZED reconciler (the archive's __index.js) in a Lambda-like folder against
// the simulated AWS on the story's virtual clock:
// - archive size: ours vs the same CallbackFunction with default code paths;
// - AWS calls per invocation (modeled polls) for several group sizes;
// - the modeled failover of the story's "instance dies" incident, step by step.
import { defaultCodePathsAssets, zippedBytes } from "./archive";
import { DRAIN_OVER_NOTE, isTerminateEvent, type CallRecord } from "./sim";
import type { LoadedStack } from "./stack";
import { incidentsFor } from "./story";
import { runIncidents } from "./story-driver";
import { openStoryWorld, scheduledEvent, type Invocation, type StoryWorld } from "./story-world";
import { lambdaInitSeconds } from "./timing-model";

/** What the original design reports: startup improved "from 10 minutes to 3 minutes". */
export const ORIGINAL_DESIGN_SECONDS = 180;

export interface ArchiveSize {
  entries: number;
  zippedBytes: number;
  modeledInitSeconds: number;
}

export async function compareArchives(
  stack: LoadedStack,
): Promise<{ ours: ArchiveSize; defaultCodePaths: ArchiveSize }> {
  const assets = await defaultCodePathsAssets();
  const defaultBytes = await zippedBytes(assets);
  return {
    ours: {
      entries: stack.pkg.entries.length,
      zippedBytes: stack.zippedBytes,
      modeledInitSeconds: lambdaInitSeconds(stack.zippedBytes),
    },
    defaultCodePaths: {
      entries: Object.keys(assets).length,
      zippedBytes: defaultBytes,
      modeledInitSeconds: lambdaInitSeconds(defaultBytes),
    },
  };
}

export interface CallSummary {
  total: number;
  /** GetCommandInvocation: one per modeled poll interval while an activation runs. */
  polls: number;
  byOperation: Record<string, number>;
}

export interface CallCounts {
  instances: number;
  firstStart: CallSummary;
  steadyState: CallSummary;
  failover: CallSummary;
}

/** First start, a steady-state run and a failover, on a warm group of `instances`. */
export async function countCalls(stack: LoadedStack, instances: number): Promise<CallCounts> {
  const world = await openStoryWorld({
    ...worldOf(stack),
    startWarm: true,
    instanceCount: instances,
  });
  try {
    const tick = () => {
      const at = world.clock.now();
      return world.invoke(scheduledEvent(world, at, `bench-${at}`), at, "schedule");
    };
    const firstStart = await tick();
    runTransitions(world);
    const steadyState = await tick();
    const failover = await failOver(world);
    return {
      instances,
      firstStart: summarize(firstStart.calls),
      steadyState: summarize(steadyState.calls),
      failover: summarize(failover.calls),
    };
  } finally {
    await world.close();
  }
}

/**
 * Terminates the active instance and delivers the first event of its termination (the lifecycle
 * action as it enters Terminating:Wait; without the hook, its Terminate Successful).
 */
async function failOver(world: StoryWorld): Promise<Invocation> {
  const [active] = world.sim.activeInstanceIds();
  world.sim.terminate(active);
  for (;;) {
    const event = world.sim.events.find(
      (e) => isTerminateEvent(e) && e.detail.EC2InstanceId === active,
    );
    if (event) return world.invoke(event, world.sim.emittedAt(event), "terminate");
    const next = world.sim.nextTransitionAt();
    if (next === undefined) throw new Error("bench: the terminated instance never left the group");
    world.advanceTo(next);
  }
}

function runTransitions(world: StoryWorld): void {
  for (
    let next = world.sim.nextTransitionAt();
    next !== undefined;
    next = world.sim.nextTransitionAt()
  ) {
    world.advanceTo(next);
  }
}

function summarize(calls: CallRecord[]): CallSummary {
  const byOperation: Record<string, number> = {};
  for (const call of calls) byOperation[call.operation] = (byOperation[call.operation] ?? 0) + 1;
  return { total: calls.length, polls: byOperation.GetCommandInvocation ?? 0, byOperation };
}

export interface FailoverStep {
  step: string;
  seconds: number;
  share: number;
}

export interface FailoverBreakdown {
  totalSeconds: number;
  originalDesignSeconds: number;
  steps: FailoverStep[];
  /** What the old instance's termination took meanwhile: its start to its Terminate event. */
  terminationSeconds: number;
}

/**
 * The story's "instance dies" incident, cut at its milestones: the group draining the instance from
 * its target groups, the trigger reaching the reconciler, the cold start, the calls before
 * SendCommand, the agent's pickup, the activation script, the calls until RegisterTargets, then NLB
 * registration and health checks until healthy. The trigger is the lifecycle action, emitted as the
 * drain ends and the instance enters Terminating:Wait: the rest of the termination (hook wait,
 * shutdown) runs alongside. A trigger emitted later (the Terminate event, without the hook) adds
 * the wait for it after the drain.
 */
export async function failoverBreakdown(stack: LoadedStack): Promise<FailoverBreakdown> {
  const world = await openStoryWorld({ ...worldOf(stack), startWarm: false });
  try {
    const run = await runIncidents(world, incidentsFor("instance-dies", 0), {
      declared: stack.declared,
      scheduleSeconds: stack.model.scheduleSeconds.seconds,
      progress: () => undefined,
    });
    const incident = run.incidents.find((i) => i.key === "instance-dies");
    if (!incident?.resolvedAt) throw new Error("bench: the failover did not complete");
    const startedAt = world.startedAt + incident.startedAt * 1000;
    const healthyAt = world.startedAt + incident.resolvedAt * 1000;
    const promoting = run.invocations.find(
      (inv) => inv.deliveredAt >= startedAt && inv.calls.some((c) => c.operation === "SendCommand"),
    );
    const send = promoting?.calls.find((c) => c.operation === "SendCommand");
    const register = promoting?.calls.find((c) => c.operation === "RegisterTargets");
    const command = world.sim.commands().find((c) => send && c.requestedAt >= send.at - 1);
    if (!promoting || !send || !register || !command?.startedAt || !command.endedAt) {
      throw new Error("bench: the failover's promotion was not found");
    }
    // The incident terminates one instance: the first Terminate event since it began is its end.
    const terminated = world.sim.events.find(
      (e) =>
        e["detail-type"] === "EC2 Instance Terminate Successful" &&
        world.sim.emittedAt(e) >= startedAt,
    );
    if (!terminated) throw new Error("bench: the old instance's Terminate event was not found");
    const healthChecks = stack.model.healthChecksSeconds.seconds * 1000;
    const triggerEvent = promoting.label.replace(/ of i-[0-9a-f]+$/, "");
    // The simulator notes the end of the group's drain; a trigger before it (a schedule: the
    // draining instance is no longer active) ends the drain's part of the failover.
    const drainedAt =
      world.sim.history.find(
        (entry) =>
          entry.instanceId === terminated.detail.EC2InstanceId &&
          entry.at >= startedAt &&
          entry.what.endsWith(`(${DRAIN_OVER_NOTE})`),
      )?.at ?? startedAt;
    const drainEnd = Math.min(drainedAt, promoting.emittedAt);
    const waitForTrigger: Array<[string, number]> = [
      [
        drainEnd < drainedAt
          ? `the group drains the instance from its target groups, until '${triggerEvent}'`
          : "the group drains the instance from its target groups (deregistration delay)",
        drainEnd - startedAt,
      ],
      [`instance terminating until '${triggerEvent}'`, promoting.emittedAt - drainEnd],
    ];
    const segments: Array<[string, number]> = [
      ...waitForTrigger.filter(([, ms]) => ms > 0),
      [`EventBridge delivers '${triggerEvent}'`, promoting.deliveredAt - promoting.emittedAt],
      ["Lambda cold start", promoting.startedAt - promoting.deliveredAt],
      ["observe + plan (API calls)", send.at - promoting.startedAt],
      ["SSM agent pickup", command.startedAt - send.at],
      ["activation script", command.endedAt - command.startedAt],
      ["result polled, RegisterTargets", register.at - command.endedAt],
      ["NLB registration", healthyAt - register.at - healthChecks],
      ["NLB health checks", healthChecks],
    ];
    const total = healthyAt - startedAt;
    return {
      totalSeconds: round(total / 1000),
      originalDesignSeconds: ORIGINAL_DESIGN_SECONDS,
      terminationSeconds: round((world.sim.emittedAt(terminated) - startedAt) / 1000),
      steps: segments.map(([step, ms]) => ({
        step,
        seconds: round(ms / 1000),
        share: Math.round((ms / total) * 1000) / 1000,
      })),
    };
  } finally {
    await world.close();
  }
}

function worldOf(stack: LoadedStack) {
  return { pkg: stack.pkg, resources: stack.resources, model: stack.model };
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
