import type { Clients } from "./clients";
import { activeInstanceIds, needsFacts, plan, warmInstanceIds } from "./plan";
import type { Settings } from "./types";

/** The planner's pure functions, as observe, reconcile and the report use them. */
export interface Planner {
  plan: typeof plan;
  needsFacts: typeof needsFacts;
  activeInstanceIds: typeof activeInstanceIds;
  warmInstanceIds: typeof warmInstanceIds;
}

/**
 * Everything the reconciler touches outside itself. The handler builds the real ones; tests and
 * the offline sandbox inject mocked clients, a virtual clock (sleep advances now) and a line sink.
 */
export interface Deps {
  clients: Clients;
  settings: Settings;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Time left in this invocation (context.getRemainingTimeInMillis). */
  remainingMs(): number;
  /** Writes one raw line to stdout (no trailing newline in `line`). */
  write(line: string): void;
  /** Overrides of the real planner, for tests of the I/O around it. Production leaves it unset. */
  planner?: Partial<Planner>;
}

/** The real planner, with any test overrides from deps applied. */
export function plannerOf(deps: Deps): Planner {
  return {
    plan: deps.planner?.plan ?? plan,
    needsFacts: deps.planner?.needsFacts ?? needsFacts,
    activeInstanceIds: deps.planner?.activeInstanceIds ?? activeInstanceIds,
    warmInstanceIds: deps.planner?.warmInstanceIds ?? warmInstanceIds,
  };
}
