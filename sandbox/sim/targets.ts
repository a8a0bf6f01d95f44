// NLB target groups: registration ("initial" -> first verdict), health that follows the
// application on the instance, and deregistration ("draining" -> gone).
import type { SimInstance, SimTarget, TargetState } from "./model";
import { targetKey, type World } from "./world";

const REASONS: Record<TargetState, { reason?: string; description?: string }> = {
  initial: {
    reason: "Elb.RegistrationInProgress",
    description: "Target registration is in progress",
  },
  healthy: {},
  unhealthy: { reason: "Target.FailedHealthChecks", description: "Health checks failed" },
  draining: {
    reason: "Target.DeregistrationInProgress",
    description: "Target deregistration is in progress",
  },
};

/** What the health checks see: the application answers on an instance still in service. */
function passesHealthChecks(instance: SimInstance | undefined): boolean {
  return instance !== undefined && instance.appRunning && instance.lifecycle === "InService";
}

export function targetsOf(world: World, targetGroupArn: string): SimTarget[] {
  return [...world.targets.values()].filter((t) => t.targetGroupArn === targetGroupArn);
}

/** Registering an already registered target changes nothing (as in AWS). */
export function registerTarget(
  world: World,
  targetGroupArn: string,
  instanceId: string,
  port: number,
  stray = false,
): void {
  const key = targetKey(targetGroupArn, instanceId);
  const existing = world.targets.get(key);
  if (existing && existing.state !== "draining") return;
  const target: SimTarget = existing ?? {
    targetGroupArn,
    instanceId,
    port,
    state: "initial",
    since: world.now(),
    generation: 0,
    stray,
  };
  world.targets.set(key, target);
  setState(world, target, "initial");
  const generation = target.generation;
  world.after(world.options.timings.registrationMs, () => {
    if (target.generation !== generation) return;
    const healthy = passesHealthChecks(world.instances.get(instanceId));
    setState(world, target, healthy ? "healthy" : "unhealthy");
  });
}

/**
 * The instance's registrations that still count: not draining. Every target group of the simulator
 * is attached to the group, so these are what the group deregisters when it terminates the instance.
 */
export function registeredTargets(world: World, instanceId: string): SimTarget[] {
  return [...world.targets.values()].filter(
    (t) => t.instanceId === instanceId && t.state !== "draining",
  );
}

/** Deregistering an unknown or already draining target changes nothing (as in AWS). */
export function deregisterTarget(world: World, targetGroupArn: string, instanceId: string): void {
  const key = targetKey(targetGroupArn, instanceId);
  const target = world.targets.get(key);
  if (!target || target.state === "draining") return;
  setState(world, target, "draining");
  const generation = target.generation;
  world.after(world.options.timings.deregistrationDelayMs, () => {
    if (target.generation !== generation) return;
    world.targets.delete(key);
    world.note(instanceId, `target ${shortName(targetGroupArn)}: deregistered`);
  });
}

/**
 * Health checks follow the application: a verdict flips only if the application stayed in its new
 * state for the whole threshold x interval (appSince unchanged).
 */
export function followApplication(world: World, instance: SimInstance): void {
  const { unhealthyAfterMs, healthyAfterMs } = world.options.timings;
  const passing = passesHealthChecks(instance);
  for (const target of world.targets.values()) {
    if (target.instanceId !== instance.instanceId) continue;
    const flipsTo = passing ? "healthy" : "unhealthy";
    if (target.state !== (passing ? "unhealthy" : "healthy")) continue;
    const generation = target.generation;
    const appSince = instance.appSince;
    world.after(passing ? healthyAfterMs : unhealthyAfterMs, () => {
      if (target.generation !== generation || instance.appSince !== appSince) return;
      setState(world, target, flipsTo);
    });
  }
}

function setState(world: World, target: SimTarget, state: TargetState): void {
  target.state = state;
  target.reason = REASONS[state].reason;
  target.description = REASONS[state].description;
  target.since = world.now();
  target.generation += 1;
  world.note(target.instanceId, `target ${shortName(target.targetGroupArn)}: ${state}`);
  if (state === "unhealthy") world.reactions.targetUnhealthy(target);
}

/** "targetgroup/name/id" -> "name", for readable history lines. */
function shortName(targetGroupArn: string): string {
  return targetGroupArn.split("/").at(-2) ?? targetGroupArn;
}
