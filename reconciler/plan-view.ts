// Derived, per-instance views of one Snapshot: the vocabulary of the planner's rules (plan.ts).
// Pure and order-independent: every list that comes out is sorted, so that the planner never
// depends on the order in which AWS listed things.
import type { Activation, GroupInstance, Settings, Snapshot } from "./types";

/** Statuses of a command that may still run the activation script. */
const IN_FLIGHT_STATUSES: readonly string[] = ["Pending", "InProgress", "Delayed", "Cancelling"];

/**
 * Statuses after which the instance must not serve: the script failed or was stopped half-way.
 * "Cancelling" belongs here too: whoever cancelled the command had decided that this instance must
 * not become active, so it is fenced, never kept (and it still counts against capacity while the
 * cancellation runs, see `blocksCapacity`).
 */
const FAILED_STATUSES: readonly string[] = ["Failed", "TimedOut", "Cancelled", "Cancelling"];

/** A command older than the document's timeout plus this margin will never report back. */
export const LOST_MARGIN_MS = 60_000;

export interface InstanceView {
  instanceId: string;
  /** The group's entry for the instance; undefined when the group does not list it. */
  groupEntry?: GroupInstance;
  /** In the group and InService. Everything else is "gone". */
  member: boolean;
  /** Managed target groups where the instance is registered and not draining (settings order). */
  registeredIn: string[];
  /** Some registration in `registeredIn` reports "unhealthy". */
  unhealthyTarget: boolean;
  /** The instance's activations, oldest first (requestedAt, then commandId). */
  history: Activation[];
  latest?: Activation;
  /** Why the latest activation disqualifies the instance (failed, stopped or lost), if it does. */
  latestFailure?: string;
  /** Activations that may still run the script (in-flight status, not yet lost). */
  inFlight: Activation[];
  /** The in-flight activations that a CancelCommand can still stop (not already Cancelling). */
  cancellable: Activation[];
  /** Registered or with an activation in flight: counts against the declared capacity. */
  active: boolean;
  /**
   * Some activation succeeded or is in flight: the reconciler started (or is starting) the
   * application here. An active instance that is not verified was registered by someone else
   * (a "stray", e.g. the group before AddToLoadBalancer was suspended): its application never ran.
   */
  verified: boolean;
}

/** Plain code-unit order: locale-independent, so every Lambda sorts the same way. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The target groups the reconciler manages, without duplicates, in settings order. */
export function managedTargetGroups(settings: Settings): string[] {
  return settings.targetGroupArns.filter((arn, index, all) => all.indexOf(arn) === index);
}

export function isInFlight(activation: Activation, now: number, settings: Settings): boolean {
  return (
    IN_FLIGHT_STATUSES.includes(activation.status) &&
    activation.requestedAt + settings.activationTimeoutSeconds * 1000 + LOST_MARGIN_MS > now
  );
}

function isLost(activation: Activation, now: number, settings: Settings): boolean {
  return IN_FLIGHT_STATUSES.includes(activation.status) && !isInFlight(activation, now, settings);
}

function compareActivations(a: Activation, b: Activation): number {
  return a.requestedAt - b.requestedAt || compareText(a.commandId, b.commandId);
}

function failureOf(latest: Activation | undefined, now: number, settings: Settings) {
  if (latest === undefined) return undefined;
  if (isLost(latest, now, settings)) return `lost (still ${latest.status} after its timeout)`;
  return FAILED_STATUSES.includes(latest.status) ? latest.status : undefined;
}

/**
 * DescribeAutoScalingGroups lists an instance once; should a snapshot hold it twice anyway, the
 * pick must not depend on the order, so take the smallest (lifecycle, health) entry.
 */
function pickGroupEntry(entries: GroupInstance[]): GroupInstance | undefined {
  return [...entries].sort(
    (a, b) =>
      compareText(a.lifecycleState, b.lifecycleState) ||
      compareText(a.healthStatus, b.healthStatus),
  )[0];
}

/** One view per instance id that the snapshot mentions anywhere, sorted by instance id. */
export function viewInstances(snapshot: Snapshot, settings: Settings): InstanceView[] {
  const managed = managedTargetGroups(settings);
  const now = snapshot.now;
  const ids = new Set<string>();
  snapshot.instances.forEach((entry) => ids.add(entry.instanceId));
  snapshot.activations.forEach((activation) => ids.add(activation.instanceId));
  snapshot.registrations
    .filter((registration) => managed.includes(registration.targetGroupArn))
    .forEach((registration) => ids.add(registration.instanceId));

  return [...ids].sort(compareText).map((instanceId) => {
    const groupEntry = pickGroupEntry(
      snapshot.instances.filter((entry) => entry.instanceId === instanceId),
    );
    const live = snapshot.registrations.filter(
      (registration) =>
        registration.instanceId === instanceId &&
        managed.includes(registration.targetGroupArn) &&
        registration.state !== "draining",
    );
    const registeredIn = managed.filter((arn) => live.some((r) => r.targetGroupArn === arn));
    const history = snapshot.activations
      .filter((activation) => activation.instanceId === instanceId)
      .sort(compareActivations);
    const latest = history[history.length - 1];
    const inFlight = history.filter((activation) => isInFlight(activation, now, settings));
    return {
      instanceId,
      groupEntry,
      member: groupEntry?.lifecycleState === "InService",
      registeredIn,
      unhealthyTarget: live.some((registration) => registration.state === "unhealthy"),
      history,
      latest,
      latestFailure: failureOf(latest, now, settings),
      inFlight,
      cancellable: inFlight.filter((activation) => activation.status !== "Cancelling"),
      active: registeredIn.length > 0 || inFlight.length > 0,
      verified:
        inFlight.length > 0 || history.some((activation) => activation.status === "Success"),
    };
  });
}

/**
 * Still active after every action the plan could take on it: a CancelCommand is already under way
 * and carries no guarantee (the script may yet finish), and nothing can shorten it.
 */
export function blocksCapacity(view: InstanceView): boolean {
  return view.inFlight.some((activation) => activation.status === "Cancelling");
}
