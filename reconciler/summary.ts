// The report of one invocation: what each round saw, decided and did, and the numbers that the
// log line and the metrics are made of. Plain data, so it can be logged whole.
import type { ActOutcome } from "./activate";
import type { Planner } from "./deps";
import type { Trigger } from "./event";
import type { Action, Settings, Snapshot } from "./types";

const IN_FLIGHT_STATUSES: string[] = ["Pending", "InProgress", "Delayed", "Cancelling"];
const FAILED_STATUSES: string[] = ["Failed", "TimedOut", "Cancelled"];

/** A snapshot, shortened for the log. Ids are sorted. */
export interface SnapshotSummary {
  groupFound: boolean;
  desiredActive: number | null;
  instances: number;
  inService: number;
  /** Registered (not draining) in at least one of our target groups. */
  registered: string[];
  /** The planner's active set (registered, or with an activation in flight). */
  active: string[];
  /** The planner's promotion candidates, best first. */
  warm: string[];
  /** Activation commands whose status is not final yet. */
  inFlight: { instanceId: string; commandId: string; status: string }[];
  factsObserved: boolean;
}

export interface Round {
  snapshot: SnapshotSummary;
  actions: Action[];
  notes: string[];
  outcomes: ActOutcome[];
}

export interface Totals {
  rounds: number;
  actions: number;
  failedActions: number;
  /** Activation commands sent. */
  activations: number;
  /** Activation commands that ended Failed, TimedOut or Cancelled. */
  activationFailures: number;
}

export interface Report {
  trigger: Trigger;
  /** The first sign of the deficit this invocation answers, if known (epoch ms). */
  signalAt?: number;
  notes: string[];
  rounds: Round[];
  totals: Totals;
  stoppedBecause: string;
  /** An AWS fault that ended the loop ("Name: message"); the handler rethrows it. */
  fault?: string;
  durationMs: number;
}

/** The numbers of the EMF line. Counts from the last snapshot are absent if nothing was seen. */
export interface InvocationMetrics {
  activeInstances?: number;
  warmStandbys?: number;
  activations: number;
  activationFailures: number;
  /** One per registration that completed for an action carrying deficitSince. */
  failoverSeconds: number[];
}

export function summarizeSnapshot(
  snapshot: Snapshot,
  settings: Settings,
  planner: Planner,
): SnapshotSummary {
  const registered = snapshot.registrations
    .filter((r) => settings.targetGroupArns.includes(r.targetGroupArn) && r.state !== "draining")
    .map((r) => r.instanceId);
  return {
    groupFound: snapshot.groupFound,
    desiredActive: snapshot.desiredActive,
    instances: snapshot.instances.length,
    inService: snapshot.instances.filter((i) => i.lifecycleState === "InService").length,
    registered: [...new Set(registered)].sort(),
    active: planner.activeInstanceIds(snapshot, settings),
    warm: planner.warmInstanceIds(snapshot, settings),
    inFlight: snapshot.activations
      .filter((a) => IN_FLIGHT_STATUSES.includes(a.status))
      .map((a) => ({ instanceId: a.instanceId, commandId: a.commandId, status: a.status }))
      .sort((a, b) => a.instanceId.localeCompare(b.instanceId)),
    factsObserved: snapshot.facts !== undefined,
  };
}

export function totalsOf(rounds: Round[]): Totals {
  const outcomes = rounds.flatMap((round) => round.outcomes);
  const activations = outcomes.filter((o) => o.action.kind === "activate");
  return {
    rounds: rounds.length,
    actions: outcomes.length,
    failedActions: outcomes.filter((o) => !o.ok).length,
    activations: activations.filter((o) => o.commandId !== undefined).length,
    activationFailures: activations.filter((o) => FAILED_STATUSES.includes(o.commandStatus ?? ""))
      .length,
  };
}

/** True when the outcome changed the world: it succeeded, or it sent an activation command. */
export function changedSomething(outcome: ActOutcome): boolean {
  return outcome.ok || (outcome.action.kind === "activate" && outcome.commandId !== undefined);
}

export function metricsOf(report: Report): InvocationMetrics {
  const last = report.rounds[report.rounds.length - 1];
  const metrics: InvocationMetrics = {
    activations: report.totals.activations,
    activationFailures: report.totals.activationFailures,
    failoverSeconds: failoverSecondsOf(report.rounds),
  };
  if (last) {
    metrics.activeInstances = last.snapshot.active.length;
    metrics.warmStandbys = last.snapshot.warm.length;
  }
  return metrics;
}

/** Seconds from the first sign of the deficit to the completed registration that answered it. */
function failoverSecondsOf(rounds: Round[]): number[] {
  return rounds
    .flatMap((round) => round.outcomes)
    .flatMap((outcome) => {
      const { action, registeredAt } = outcome;
      const deficitSince =
        action.kind === "activate" || action.kind === "register" ? action.deficitSince : undefined;
      if (!outcome.ok || registeredAt === undefined || deficitSince === undefined) return [];
      return [(registeredAt - deficitSince) / 1000];
    });
}
