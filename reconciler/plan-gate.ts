// The one ordering constraint that `act` must honour for the plan to keep its capacity guarantee
// (see plan.ts, "The gate").
import type { Action } from "./types";

/**
 * Fencing actions take an instance out of service: out of the target groups ("deregister"), its
 * script stopped ("cancelActivation"), and replaced by the group ("markUnhealthy"). Every one of
 * them gates: `act` runs "activate" and "register" only after all fencing actions of the same plan
 * succeeded. Deregister and cancel free the slot that a promotion fills (the plan sized its
 * promotions on the assumption that they did). markUnhealthy frees no slot, but it is what stops
 * a fenced instance that keeps running (its application may still hold the singleton's exclusive
 * locks): the successor must not start before its predecessor is on its way out.
 */
export function gatesPromotion(action: Action): boolean {
  return phaseOf(action) === "fencing";
}

/** Actions that may add an instance to the active set; they run behind the gate. */
export function raisesActive(action: Action): boolean {
  return phaseOf(action) === "promotion";
}

/** Every action belongs to exactly one phase (the switch is exhaustive over Action's kinds). */
function phaseOf(action: Action): "fencing" | "promotion" {
  switch (action.kind) {
    case "deregister":
    case "cancelActivation":
    case "markUnhealthy":
      return "fencing";
    case "activate":
    case "register":
      return "promotion";
  }
}
