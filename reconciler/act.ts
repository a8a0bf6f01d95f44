// act: carries out a plan. Fencing first (deregister, cancelActivation, markUnhealthy, in
// parallel); then THE GATE: "register" and "activate" run (in parallel) only if every fencing
// action succeeded. The planner's capacity guarantee (never more than the declared capacity
// active) relies on it: a promotion fills a slot that a deregister or cancel freed, so if the slot
// was not freed the promotion must not happen. markUnhealthy gates too, although it frees no slot:
// a fenced instance may keep running with the singleton's exclusive locks until the group replaces
// it, and a successor must not start before that replacement is under way. A closed gate is not
// final: the next round or invocation plans again and retries. Every action's error ends in its
// Outcome; act never throws.
import { activate, type ActOutcome, type ActivationResult } from "./activate";
import type { Deps } from "./deps";
import { describeError } from "./errors";
import { cancelActivation, deregisterTargets, markUnhealthy, registerTargets } from "./mutations";
import { gatesPromotion, raisesActive } from "./plan-gate";
import type { Action, Plan } from "./types";

export type { ActOutcome } from "./activate";

export const GATE_CLOSED = "skipped: a fencing action failed";

/** Runs the plan's actions; outcomes come back in the plan's order. */
export async function act(deps: Deps, plan: Plan): Promise<ActOutcome[]> {
  const outcomes: ActOutcome[] = new Array(plan.actions.length);
  const fencing = indicesOf(plan, gatesPromotion);
  const promotions = indicesOf(plan, raisesActive);

  await Promise.all(
    fencing.map(async (i) => {
      outcomes[i] = await runAction(deps, plan.actions[i]);
    }),
  );
  const gateOpen = fencing.every((i) => outcomes[i].ok);
  await Promise.all(
    promotions.map(async (i) => {
      const action = plan.actions[i];
      outcomes[i] = gateOpen
        ? await runAction(deps, action)
        : { action, ok: false, durationMs: 0, error: GATE_CLOSED };
    }),
  );
  return outcomes;
}

function indicesOf(plan: Plan, keep: (action: Action) => boolean): number[] {
  return plan.actions.flatMap((action, i) => (keep(action) ? [i] : []));
}

/** One action, timed with deps.now(), its error captured. */
async function runAction(deps: Deps, action: Action): Promise<ActOutcome> {
  const startedAt = deps.now();
  let result: ActivationResult;
  try {
    result = await perform(deps, action);
  } catch (error) {
    result = { ok: false, error: describeError(error) };
  }
  return { action, ...result, durationMs: deps.now() - startedAt };
}

async function perform(deps: Deps, action: Action): Promise<ActivationResult> {
  switch (action.kind) {
    case "deregister":
      await deregisterTargets(deps, action.instanceId, action.targetGroupArns);
      return { ok: true };
    case "cancelActivation":
      await cancelActivation(deps, action.commandId, action.instanceId);
      return { ok: true };
    case "markUnhealthy":
      await markUnhealthy(deps, action.instanceId);
      return { ok: true };
    case "register":
      await registerTargets(deps, action.instanceId, action.targetGroupArns);
      return { ok: true, registeredAt: deps.now() };
    case "activate":
      return activate(deps, action);
  }
}
