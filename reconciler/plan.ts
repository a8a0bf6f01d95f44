// STUB: replaced by the planner (issue 3). Signatures are the contract.
import type { Plan, Settings, Snapshot } from "./types";

/** True when the plan must rank instances (a deficit or a surplus), so observe must fetch facts. */
export function needsFacts(_snapshot: Snapshot, _settings: Settings): boolean {
  return false;
}

/** Instances that count as active: registered (not draining) or with an activation in flight. */
export function activeInstanceIds(_snapshot: Snapshot, _settings: Settings): string[] {
  return [];
}

/** Instances that could be promoted now (warm standbys), best first. */
export function warmInstanceIds(_snapshot: Snapshot, _settings: Settings): string[] {
  return [];
}

/** Pure: from one observation to the actions that make it match the declared capacity. */
export function plan(_snapshot: Snapshot, _settings: Settings): Plan {
  return { actions: [], notes: ["stub planner"] };
}
