// The simulated AWS: one Auto Scaling group behind an NLB, with SSM and EC2, as the reconciler
// sees them. `call()` is the API (SDK-shaped objects in and out, no HTTP); the other methods are
// test controls and inspection. Every entry point first catches up on the transitions due by the
// clock, so the simulator works the same on a virtual and on the real clock.
import type { Clock } from "./clock";
import { failCommandsOn, pickUpPending } from "./commands";
import { SimError, throttlingError, unknownOperationError, type ServiceName } from "./errors";
import type { AutoScalingEvent } from "./events";
import {
  inGroup,
  launchInstance,
  setAgentOnline,
  setAppRunning,
  terminateInstance,
  watchUnhealthyTarget,
} from "./fleet";
import { isInFlight, type HistoryEntry, type SimInstance } from "./model";
import {
  resolveOptions,
  type ActivationBehaviour,
  type ResolvedOptions,
  type SimOptions,
  type Timings,
} from "./options";
import { followApplication, registerTarget } from "./targets";
import { World } from "./world";
import { autoScalingOperations } from "./api/autoscaling";
import { ec2Operations } from "./api/ec2";
import { elbv2Operations } from "./api/elbv2";
import { InputReader, type Operation } from "./api/input";
import { ssmOperations } from "./api/ssm";

const OPERATIONS: Record<ServiceName, Record<string, Operation>> = {
  autoscaling: autoScalingOperations,
  elbv2: elbv2Operations,
  ssm: ssmOperations,
  ec2: ec2Operations,
};

/** Warm instances at construction were launched this far apart, oldest first. */
const WARM_LAUNCH_SPACING_MS = 60_000;

export interface CallRecord {
  service: ServiceName;
  operation: string;
  input: Record<string, unknown>;
  at: number;
  /** The error code the call failed with, if it failed (throttled calls included). */
  error?: string;
}

export interface InstanceView {
  instanceId: string;
  availabilityZone: string;
  /** Auto Scaling lifecycle; "Gone" once terminated and out of the group. */
  lifecycleState: SimInstance["lifecycle"];
  healthStatus: SimInstance["health"];
  ec2State: SimInstance["ec2State"];
  launchTime: number;
  agentOnline: boolean;
  appRunning: boolean;
}

export interface RegistrationView {
  targetGroupArn: string;
  instanceId: string;
  port: number;
  state: string;
  reason?: string;
  since: number;
  stray: boolean;
}

export interface CommandView {
  commandId: string;
  instanceId: string;
  documentName: string;
  comment: string;
  parameters: Record<string, string[]>;
  status: string;
  statusDetails: string;
  requestedAt: number;
  startedAt?: number;
  endedAt?: number;
}

export interface ThrottleRule {
  /** Operation names (e.g. "DescribeTargetHealth"); all operations when omitted. */
  operations?: string[];
  /** How many of the next matching calls fail with the service's throttling error. */
  count: number;
}

export class SimulatedAws {
  readonly options: ResolvedOptions;
  private readonly world: World;
  private readonly throttles: { operations?: string[]; remaining: number }[] = [];
  private readonly callLog: CallRecord[] = [];
  private maxActive = 0;
  private maxAppRunning = 0;

  constructor(options: SimOptions = {}) {
    this.options = resolveOptions(options);
    const { clock, startWarm, instanceCount } = this.options;
    const start = clock.now();
    const createdAt = start - (startWarm ? (instanceCount + 1) * WARM_LAUNCH_SPACING_MS : 0);
    const world = new World(this.options, createdAt);
    world.reactions = {
      appChanged: (instance) => followApplication(world, instance),
      instanceStopping: (instance) => failCommandsOn(world, instance),
      agentOnline: (instance) => pickUpPending(world, instance),
      targetUnhealthy: (target) => watchUnhealthyTarget(world, target),
    };
    for (let index = 0; index < instanceCount; index++) {
      const warmSince = start - (instanceCount - index) * WARM_LAUNCH_SPACING_MS;
      launchInstance(world, startWarm ? warmSince : undefined);
    }
    this.world = world;
    this.observe();
  }

  get clock(): Clock {
    return this.options.clock;
  }

  get timings(): Timings {
    return this.options.timings;
  }

  get groupArn(): string {
    return this.world.groupArn;
  }

  /** One API call, as the SDK would make it; throws SimError as the service would answer. */
  call(service: ServiceName, operation: string, input: Record<string, unknown> = {}) {
    const operations = OPERATIONS[service];
    if (!operations) throw new Error(`SimulatedAws.call: unknown service ${String(service)}`);
    this.settle();
    const record: CallRecord = {
      service,
      operation,
      input: structuredClone(input),
      at: this.now(),
    };
    this.callLog.push(record);
    try {
      this.consumeThrottle(service, operation);
      if (!Object.hasOwn(operations, operation)) throw unknownOperationError(service, operation);
      return operations[operation](this.world, new InputReader(service, input));
    } catch (error) {
      if (error instanceof SimError) record.error = error.code;
      throw error;
    } finally {
      this.observe();
    }
  }

  // ---- test controls ----

  /**
   * The instance dies (terminated outside the group): its termination starts now (Terminating
   * while the group drains it from its target groups if it is registered; then Terminating:Wait
   * with the terminate hook), and it is replaced once gone.
   */
  terminate(instanceId: string): void {
    this.control(instanceId, (instance) => terminateInstance(this.world, instance, "ec2"));
  }

  /** The application crashes; the instance stays up. */
  stopApp(instanceId: string): void {
    this.control(instanceId, (instance) => setAppRunning(this.world, instance, false));
  }

  /** Offline holds until set online again (a booting instance does not bring it back). */
  setAgentOnline(instanceId: string, online: boolean): void {
    this.control(instanceId, (instance) => {
      instance.agentHeldOffline = !online;
      setAgentOnline(this.world, instance, online);
    });
  }

  /** Applies to commands picked up from now on. */
  setActivationBehaviour(behaviour: ActivationBehaviour): void {
    this.world.activationBehaviour = behaviour;
  }

  /** The load balancer's capacity tag; undefined or null removes it. Any text is allowed. */
  setCapacityTag(value: string | number | null | undefined): void {
    this.world.capacityTag = value === undefined || value === null ? null : String(value);
  }

  /** Registers the instance in every target group, as the group did before its suspension. */
  strayRegister(instanceId: string): void {
    this.control(instanceId, (instance) => {
      if (instance.ec2State !== "running") throw new Error(`${instanceId} is not running`);
      const { targetGroupArns, targetPorts } = this.options;
      targetGroupArns.forEach((arn, index) =>
        registerTarget(this.world, arn, instanceId, targetPorts[index], true),
      );
    });
  }

  /** The next `count` calls of these operations (all when omitted) are throttled. */
  throttle(rule: ThrottleRule): void {
    this.throttles.push({ operations: rule.operations, remaining: rule.count });
  }

  // ---- inspection ----

  now(): number {
    return this.world.now();
  }

  /** Registered (not draining) in any target group, or with an activation in flight. */
  activeInstanceIds(): string[] {
    this.settle();
    return this.activeIds();
  }

  appRunningIds(): string[] {
    this.settle();
    return this.allInstances()
      .filter((instance) => instance.appRunning)
      .map((instance) => instance.instanceId);
  }

  /** Most instances ever active at once (rule 1's witness), checked after every change. */
  get maxActiveSeen(): number {
    this.settle();
    return this.maxActive;
  }

  /** Most instances ever running the application at once. */
  get maxAppRunningSeen(): number {
    this.settle();
    return this.maxAppRunning;
  }

  /** Every instance ever launched, in launch order (terminated ones as "Gone"). */
  instances(): InstanceView[] {
    this.settle();
    return this.allInstances().map((instance) => ({
      instanceId: instance.instanceId,
      availabilityZone: instance.availabilityZone,
      lifecycleState: instance.lifecycle,
      healthStatus: instance.health,
      ec2State: instance.ec2State,
      launchTime: instance.launchTime,
      agentOnline: instance.agentOnline,
      appRunning: instance.appRunning,
    }));
  }

  /** Ids of the instances the group counts now (Pending or InService), in launch order. */
  groupInstanceIds(): string[] {
    this.settle();
    return this.allInstances()
      .filter(inGroup)
      .map((instance) => instance.instanceId);
  }

  registrations(): RegistrationView[] {
    this.settle();
    return [...this.world.targets.values()].map((target) => ({
      targetGroupArn: target.targetGroupArn,
      instanceId: target.instanceId,
      port: target.port,
      state: target.state,
      reason: target.reason,
      since: target.since,
      stray: target.stray,
    }));
  }

  commands(): CommandView[] {
    this.settle();
    return this.world.commands.map((command) => ({
      commandId: command.commandId,
      instanceId: command.instanceId,
      documentName: command.documentName,
      comment: command.comment,
      parameters: structuredClone(command.parameters),
      status: command.status,
      statusDetails: command.statusDetails,
      requestedAt: command.requestedAt,
      startedAt: command.startedAt,
      endedAt: command.endedAt,
    }));
  }

  /** EventBridge events the group emitted, oldest first. */
  get events(): readonly AutoScalingEvent[] {
    this.settle();
    return [...this.world.events];
  }

  /** When the simulator emitted one of its events, to the millisecond (`time` has whole seconds). */
  emittedAt(event: AutoScalingEvent): number {
    const at = this.world.emittedAt.get(event.id);
    if (at === undefined) throw new Error(`event ${event.id} was not emitted by this simulator`);
    return at;
  }

  /** What changed and when, oldest first. */
  get history(): readonly HistoryEntry[] {
    this.settle();
    return [...this.world.history];
  }

  get calls(): readonly CallRecord[] {
    return [...this.callLog];
  }

  /** Calls per operation name since the last resetCalls(). */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { operation } of this.callLog) counts[operation] = (counts[operation] ?? 0) + 1;
    return counts;
  }

  resetCalls(): void {
    this.callLog.length = 0;
  }

  /** When the next scheduled transition is due (for real-clock drivers), if any. */
  nextTransitionAt(): number | undefined {
    this.settle();
    return this.world.nextTransitionAt;
  }

  // ---- internals ----

  private settle(): void {
    this.world.settle(() => this.observe());
  }

  private control(instanceId: string, change: (instance: SimInstance) => void): void {
    this.settle();
    const instance = this.world.instances.get(instanceId);
    if (!instance || instance.lifecycle === "Gone") {
      throw new Error(`${instanceId} is not an instance of the group`);
    }
    change(instance);
    this.observe();
  }

  private consumeThrottle(service: ServiceName, operation: string): void {
    const rule = this.throttles.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.operations === undefined || candidate.operations.includes(operation)),
    );
    if (!rule) return;
    rule.remaining -= 1;
    throw throttlingError(service);
  }

  private allInstances(): SimInstance[] {
    return [...this.world.instances.values()];
  }

  private activeIds(): string[] {
    const active = new Set<string>();
    for (const target of this.world.targets.values()) {
      if (target.state !== "draining") active.add(target.instanceId);
    }
    // Every command is of the activation document (SendCommand accepts no other).
    for (const command of this.world.commands) {
      if (isInFlight(command)) active.add(command.instanceId);
    }
    return this.allInstances()
      .map((instance) => instance.instanceId)
      .filter((id) => active.has(id));
  }

  /** Records the high-water marks after every change (each transition, each call). */
  private observe(): void {
    this.maxActive = Math.max(this.maxActive, this.activeIds().length);
    const running = this.allInstances().filter((instance) => instance.appRunning).length;
    this.maxAppRunning = Math.max(this.maxAppRunning, running);
  }
}
