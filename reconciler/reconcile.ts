// The loop: observe -> plan -> act, up to MAX_ROUNDS times in one invocation. A second round is
// what turns a failed activation (fenced by act) into the promotion of the next candidate without
// waiting for another event; the loop stops as soon as there is nothing to do, nothing changed,
// or the invocation is running out of time.
import { act, type ActOutcome } from "./act";
import { plannerOf, type Deps } from "./deps";
import { describeError } from "./errors";
import { isForAnotherGroup, signalAtOf, type Trigger } from "./event";
import { observe } from "./observe";
import { changedSomething, summarizeSnapshot, totalsOf, type Report, type Round } from "./summary";

export const MAX_ROUNDS = 3;
/** Another round is only started with this much left: observe, fencing and a useful wait. */
export const ROUND_MIN_REMAINING_MS = 20_000;

export interface ReconcileResult {
  report: Report;
  /** The AWS fault that ended the loop, as thrown (the handler rethrows it); absent if none. */
  fault?: unknown;
}

/** Makes the group match its declared capacity; never throws (a fault is returned). */
export async function reconcile(deps: Deps, trigger: Trigger): Promise<ReconcileResult> {
  const startedAt = deps.now();
  const { settings } = deps;
  const planner = plannerOf(deps);
  const notes: string[] = [];
  if (isForAnotherGroup(trigger, settings.groupName)) {
    notes.push(`event for group ${trigger.groupName}, not ours: reconciled ${settings.groupName}`);
  }
  const firstSignal = signalAtOf(trigger, settings.groupName, startedAt);
  let signalAt = firstSignal;
  const rounds: Round[] = [];
  let stoppedBecause: string;
  let fault: unknown;
  let faulted = false;
  try {
    for (;;) {
      const snapshot = await observe(deps, signalAt);
      const plan = planner.plan(snapshot, settings);
      const round: Round = {
        snapshot: summarizeSnapshot(snapshot, settings, planner),
        actions: plan.actions,
        notes: plan.notes,
        outcomes: [],
      };
      rounds.push(round);
      if (plan.actions.length === 0) {
        stoppedBecause = "nothing to do";
        break;
      }
      round.outcomes = await act(deps, plan);
      if (!round.outcomes.some(changedSomething)) {
        stoppedBecause = "no action changed anything";
        break;
      }
      if (rounds.length >= MAX_ROUNDS) {
        stoppedBecause = `${MAX_ROUNDS} rounds done`;
        break;
      }
      if (deps.remainingMs() < ROUND_MIN_REMAINING_MS) {
        stoppedBecause = "too little time left for another round";
        break;
      }
      signalAt = earliestDeficit(signalAt, round.outcomes);
    }
  } catch (error) {
    fault = error;
    faulted = true;
    stoppedBecause = "fault";
  }
  const report: Report = {
    trigger,
    notes,
    rounds,
    totals: totalsOf(rounds),
    stoppedBecause,
    durationMs: 0,
  };
  if (firstSignal !== undefined) report.signalAt = firstSignal;
  if (faulted) report.fault = describeError(fault);
  report.durationMs = deps.now() - startedAt;
  return faulted ? { report, fault } : { report };
}

/**
 * A failed activation leaves the deficit it answered open: the next candidate answers the same
 * deficit, so its failover clock starts when that one's did, not at the next round.
 */
function earliestDeficit(signalAt: number | undefined, outcomes: ActOutcome[]): number | undefined {
  let earliest = signalAt;
  for (const { action, ok } of outcomes) {
    if (action.kind !== "activate" || ok) continue;
    earliest =
      earliest === undefined ? action.deficitSince : Math.min(earliest, action.deficitSince);
  }
  return earliest;
}
