// The simulator's state, its time and its schedule of pending transitions. No behaviour lives
// here: the fleet, target and command models act on it, and SimulatedAws wires them together.
import type { AutoScalingEvent } from "./events";
import type { HistoryEntry, SimCommand, SimInstance, SimTarget } from "./model";
import type { ActivationBehaviour, ResolvedOptions } from "./options";

/**
 * How the models react to each other. SimulatedAws wires these at construction so that the model
 * modules never import one another (fleet -> targets -> fleet would be a cycle).
 */
export interface Reactions {
  /** An instance's application started or stopped: target health follows. */
  appChanged(instance: SimInstance): void;
  /** An instance began terminating: its commands fail. */
  instanceStopping(instance: SimInstance): void;
  /** An instance's SSM agent came online: pending commands get picked up. */
  agentOnline(instance: SimInstance): void;
  /** A registered target turned unhealthy: the group (health-check type ELB) may replace it. */
  targetUnhealthy(target: SimTarget): void;
}

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

/** A generous bound: a runaway chain of same-time transitions is a simulator bug. */
const MAX_TRANSITIONS_PER_SETTLE = 1_000_000;

export class World {
  /** In launch order. */
  readonly instances = new Map<string, SimInstance>();
  /** Keyed by targetKey(). */
  readonly targets = new Map<string, SimTarget>();
  /** In request order. */
  readonly commands: SimCommand[] = [];
  readonly events: AutoScalingEvent[] = [];
  /** When each event was emitted (ms; an event's own `time` is cut to whole seconds), by id. */
  readonly emittedAt = new Map<string, number>();
  readonly history: HistoryEntry[] = [];
  readonly groupArn: string;
  capacityTag: string | null;
  activationBehaviour: ActivationBehaviour;
  reactions!: Reactions;

  private readonly queue: Scheduled[] = [];
  private sequence = 0;
  /** The time of the transition being processed; null outside settle(). */
  private processingAt: number | null = null;
  private readonly counters = new Map<string, number>();

  constructor(
    readonly options: ResolvedOptions,
    /** When the group was created (reported as CreatedTime and in the suspension reason). */
    readonly createdAt: number,
  ) {
    this.capacityTag = options.capacityTag;
    this.activationBehaviour = options.activationBehaviour;
    this.groupArn =
      `arn:aws:autoscaling:${options.region}:${options.account}:autoScalingGroup:` +
      `${this.uuid("group")}:autoScalingGroupName/${options.groupName}`;
  }

  /** Simulated now: a scheduled transition sees its own time, everything else the clock's. */
  now(): number {
    return this.processingAt ?? this.options.clock.now();
  }

  after(delayMs: number, run: () => void): void {
    const entry = { at: this.now() + delayMs, seq: this.sequence++, run };
    // Insert after every entry due at or before it: equal times keep scheduling order.
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.queue[mid].at <= entry.at) low = mid + 1;
      else high = mid;
    }
    this.queue.splice(low, 0, entry);
  }

  /** Runs every transition due by the clock's now, in time order; `afterEach` follows each one. */
  settle(afterEach: () => void): void {
    const until = this.options.clock.now();
    for (let count = 0; this.queue.length > 0 && this.queue[0].at <= until; count++) {
      if (count >= MAX_TRANSITIONS_PER_SETTLE) throw new Error("simulator: runaway transitions");
      const entry = this.queue.shift() as Scheduled;
      this.processingAt = entry.at;
      try {
        entry.run();
      } finally {
        this.processingAt = null;
      }
      afterEach();
    }
  }

  /** When the next transition is due, if any (lets a real-clock driver know how long to wait). */
  get nextTransitionAt(): number | undefined {
    return this.queue[0]?.at;
  }

  next(kind: string): number {
    const value = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, value);
    return value;
  }

  /** Deterministic, UUID-shaped ids: runs are reproducible, ids still look like AWS's. */
  uuid(kind: string): string {
    const prefix = [...kind].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7);
    const serial = this.next(`uuid:${kind}`);
    return `${hex(prefix, 8)}-0000-4000-8000-${hex(serial, 12)}`;
  }

  emit(event: AutoScalingEvent): void {
    this.events.push(event);
    this.emittedAt.set(event.id, this.now());
  }

  note(instanceId: string | undefined, what: string): void {
    this.history.push({ at: this.now(), instanceId, what });
  }
}

export function targetKey(targetGroupArn: string, instanceId: string): string {
  return `${targetGroupArn}|${instanceId}`;
}

export function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, "0");
}
