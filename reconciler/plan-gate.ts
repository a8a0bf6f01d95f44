// The one ordering constraint that `act` must honour for the plan to keep rule 1 (see plan.ts).
import type { Action } from "./types";

/**
 * Fencing actions that take an instance out of the active set. `act` runs "activate" and
 * "register" only after every one of these, in the same plan, has succeeded: the plan sized its
 * promotions on the assumption that they did. ("markUnhealthy" changes nothing about who is
 * active, so it does not gate.)
 */
export function gatesPromotion(action: Action): boolean {
  return action.kind === "deregister" || action.kind === "cancelActivation";
}

/** Actions that may add an instance to the active set. */
export function raisesActive(action: Action): boolean {
  return action.kind === "activate" || action.kind === "register";
}
