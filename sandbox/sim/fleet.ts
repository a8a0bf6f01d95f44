// The Auto Scaling group and its EC2 instances: launch, InService, SSM agent, the application,
// termination and replacement (min = max = desired). AddToLoadBalancer is suspended, so nothing
// here ever registers a target; a termination deregisters the instance's targets, as AWS does.
import {
  autoScalingEvent,
  terminateLifecycleActionEvent,
  type AutoScalingDetailType,
} from "./events";
import type { SimInstance, SimTarget } from "./model";
import { deregisterTarget, registeredTargets } from "./targets";
import { hex, type World } from "./world";

/** Instances the group counts towards its desired capacity. */
export function inGroup(instance: SimInstance): boolean {
  return instance.lifecycle === "Pending" || instance.lifecycle === "InService";
}

/** The group's subnet in its n-th availability zone. */
export function subnetId(zoneIndex: number): string {
  return `subnet-0${hex(zoneIndex + 1, 16)}`;
}

/** The tags every instance of the group carries (the group propagates its name tag). */
export function instanceTags(world: World): { Key: string; Value: string }[] {
  const name = world.options.groupName;
  return [
    { Key: "aws:autoscaling:groupName", Value: name },
    { Key: "Name", Value: `${name}-instance` },
  ];
}

/** True for the tag filter names "tag-key" and "tag:KEY" (EC2 and SSM spell them alike). */
export function isTagFilter(name: string): boolean {
  return name === "tag-key" || name.startsWith("tag:");
}

/**
 * Whether a tag filter keeps the group's instances. They all carry the same tags, so a tag filter
 * keeps all of them or none.
 */
export function tagFilterMatches(world: World, name: string, values: string[]): boolean {
  const key = name.slice("tag:".length);
  return instanceTags(world).some((tag) =>
    name === "tag-key" ? values.includes(tag.Key) : tag.Key === key && values.includes(tag.Value),
  );
}

/** Launches one instance; `warmSince` creates it already InService with its agent Online. */
export function launchInstance(world: World, warmSince?: number): SimInstance {
  const serial = world.next("instance");
  const availabilityZone = balancedZone(world);
  const zoneIndex = world.options.availabilityZones.indexOf(availabilityZone);
  const warm = warmSince !== undefined;
  const launchTime = warmSince ?? world.now();
  const instance: SimInstance = {
    instanceId: `i-0${hex(serial, 16)}`,
    availabilityZone,
    subnetId: subnetId(zoneIndex),
    privateIpAddress: `10.0.${zoneIndex}.${10 + (serial % 240)}`,
    launchTime,
    lifecycle: warm ? "InService" : "Pending",
    health: "Healthy",
    ec2State: warm ? "running" : "pending",
    agentRegistered: warm,
    agentOnline: warm,
    agentHeldOffline: false,
    lastPingAt: launchTime,
    appRunning: false,
    appSince: launchTime,
  };
  world.instances.set(instance.instanceId, instance);
  if (warm) return instance;

  const { launchMs, agentOnlineMs } = world.options.timings;
  world.note(instance.instanceId, `launched in ${availabilityZone}: Pending`);
  world.after(launchMs, () => enterService(world, instance));
  // The agent needs a running instance: never online before InService.
  world.after(Math.max(launchMs, agentOnlineMs), () => {
    if (instance.ec2State === "running" && !instance.agentHeldOffline) {
      setAgentOnline(world, instance, true);
    }
  });
  return instance;
}

function enterService(world: World, instance: SimInstance): void {
  if (instance.lifecycle !== "Pending") return;
  instance.lifecycle = "InService";
  instance.ec2State = "running";
  world.note(instance.instanceId, "InService");
  recordEvent(world, "EC2 Instance Launch Successful", instance, instance.launchTime, launchCause);
}

/** The group spreads instances over its zones: the zone with the fewest, first listed on ties. */
function balancedZone(world: World): string {
  const zones = world.options.availabilityZones;
  const counts = zones.map(
    (zone) =>
      [...world.instances.values()].filter((i) => inGroup(i) && i.availabilityZone === zone).length,
  );
  return zones[counts.indexOf(Math.min(...counts))];
}

export function setAgentOnline(world: World, instance: SimInstance, online: boolean): void {
  if (online && instance.ec2State !== "running") return;
  if (instance.agentOnline === online) return;
  instance.agentOnline = online;
  instance.lastPingAt = world.now();
  if (online) instance.agentRegistered = true;
  world.note(instance.instanceId, `SSM agent ${online ? "Online" : "ConnectionLost"}`);
  if (online) world.reactions.agentOnline(instance);
}

export function setAppRunning(world: World, instance: SimInstance, running: boolean): void {
  if (instance.appRunning === running) return;
  instance.appRunning = running;
  instance.appSince = world.now();
  world.note(instance.instanceId, running ? "application started" : "application stopped");
  world.reactions.appChanged(instance);
}

/** Why an instance leaves, in the words the group writes into its activity's Cause. */
export type TerminationCause = "ec2" | "elb" | "user";

const TERMINATION_REASONS: Record<TerminationCause, string> = {
  ec2: "an EC2 health check indicating it has been terminated or stopped",
  elb: "an ELB system health check failure",
  user: "a user health-check",
};

/** How the history names the end of the group's drain ("Terminating:Wait (connection ...)"). */
export const DRAIN_OVER_NOTE = "connection draining over";

/**
 * Marks the instance Unhealthy and terminates it; the replacement launches once it is gone. The
 * instance stops at once: agent, application and in-flight commands (see the README's
 * Simplifications). Then, as the EC2 Auto Scaling user guide's "How lifecycle hooks work" orders it:
 * 1. if it is registered (not draining) in the group's target groups, the group deregisters it and
 *    waits in Terminating for the deregistration delay (activity WaitingForELBConnectionDraining);
 * 2. with the terminate lifecycle hook, Terminating:Wait for the heartbeat timeout (nobody completes
 *    the action; CONTINUE), announced by the lifecycle action event, then Terminating:Proceed;
 * 3. Windows shuts down (terminateMs) and the instance is gone.
 */
export function terminateInstance(
  world: World,
  instance: SimInstance,
  cause: TerminationCause,
): void {
  if (!inGroup(instance)) return;
  const startedAt = world.now();
  const registered = registeredTargets(world, instance.instanceId);
  instance.health = "Unhealthy";
  instance.ec2State = "shutting-down";
  if (registered.length === 0) {
    continueTermination(world, instance, cause, startedAt, TERMINATION_REASONS[cause]);
  } else {
    instance.lifecycle = "Terminating";
    world.note(
      instance.instanceId,
      `Terminating (${TERMINATION_REASONS[cause]}): WaitingForELBConnectionDraining`,
    );
    for (const target of registered) {
      deregisterTarget(world, target.targetGroupArn, instance.instanceId);
    }
    world.after(world.options.timings.deregistrationDelayMs, () =>
      continueTermination(world, instance, cause, startedAt, DRAIN_OVER_NOTE),
    );
  }
  setAgentOnline(world, instance, false);
  setAppRunning(world, instance, false);
  world.reactions.instanceStopping(instance);
}

/** Out of the target groups: the terminate hook's wait (if any), then the shutdown. */
function continueTermination(
  world: World,
  instance: SimInstance,
  cause: TerminationCause,
  startedAt: number,
  why: string,
): void {
  const hook = world.options.terminateHook;
  instance.lifecycle = hook === null ? "Terminating" : "Terminating:Wait";
  world.note(instance.instanceId, `${instance.lifecycle} (${why})`);
  if (hook === null) {
    shutDown(world, instance, cause, startedAt);
    return;
  }
  recordLifecycleAction(world, instance, hook);
  world.after(world.options.timings.lifecycleHookHeartbeatMs, () => {
    instance.lifecycle = "Terminating:Proceed";
    world.note(instance.instanceId, `Terminating:Proceed (${hook} timed out: CONTINUE)`);
    shutDown(world, instance, cause, startedAt);
  });
}

function shutDown(
  world: World,
  instance: SimInstance,
  cause: TerminationCause,
  startedAt: number,
): void {
  world.after(world.options.timings.terminateMs, () => {
    instance.lifecycle = "Gone";
    instance.ec2State = "terminated";
    world.note(instance.instanceId, "terminated");
    recordEvent(world, "EC2 Instance Terminate Successful", instance, startedAt, (at) =>
      terminationCause(at, cause),
    );
    replaceMissing(world);
  });
}

function replaceMissing(world: World): void {
  const current = [...world.instances.values()].filter(inGroup).length;
  for (let count = current; count < world.options.instanceCount; count++) launchInstance(world);
}

/**
 * Health-check type ELB: the group replaces a registered instance whose target stays unhealthy
 * for elbHealthGraceMs. Draining or deregistered targets lapse the check (their generation moves).
 */
export function watchUnhealthyTarget(world: World, target: SimTarget): void {
  const generation = target.generation;
  world.after(world.options.timings.elbHealthGraceMs, () => {
    const instance = world.instances.get(target.instanceId);
    if (target.generation !== generation || !instance || instance.lifecycle !== "InService") return;
    terminateInstance(world, instance, "elb");
  });
}

function recordLifecycleAction(world: World, instance: SimInstance, hookName: string): void {
  const { account, region, groupName } = world.options;
  world.emit(
    terminateLifecycleActionEvent({
      eventId: world.uuid("event"),
      token: world.uuid("lifecycle-action"),
      account,
      region,
      groupName,
      groupArn: world.groupArn,
      hookName,
      instanceId: instance.instanceId,
      at: world.now(),
    }),
  );
}

function recordEvent(
  world: World,
  detailType: AutoScalingDetailType,
  instance: SimInstance,
  startTime: number,
  cause: (at: string) => string,
): void {
  const { account, region, groupName } = world.options;
  world.emit(
    autoScalingEvent({
      detailType,
      eventId: world.uuid("event"),
      activityId: world.uuid("activity"),
      requestId: world.uuid("request"),
      account,
      region,
      groupName,
      groupArn: world.groupArn,
      instanceId: instance.instanceId,
      availabilityZone: instance.availabilityZone,
      subnetId: instance.subnetId,
      startTime,
      endTime: world.now(),
      cause: cause(new Date(startTime).toISOString().replace(/\.\d{3}Z$/, "Z")),
    }),
  );
}

function launchCause(at: string): string {
  return `At ${at} an instance was started in response to a difference between desired and actual capacity.`;
}

function terminationCause(at: string, cause: TerminationCause): string {
  return `At ${at} an instance was taken out of service in response to ${TERMINATION_REASONS[cause]}.`;
}
