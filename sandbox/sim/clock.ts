// The simulator's notion of time. Every time-driven transition is a scheduled event that the
// simulator processes lazily up to `now()`, so the same model runs on either clock:
// - VirtualClock: in-process tests; time moves only when the test (or the injected sleep of the
//   code under test) advances it, so minutes of AWS behaviour take microseconds and are exact.
// - realClock: the out-of-process Lambda test, the sandbox and the bench, where the code under test
//   sleeps for real and only wall-clock time is shared between the processes.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** A fixed, readable start for virtual time: Monday 2025-01-06 09:00:00 UTC. */
export const VIRTUAL_EPOCH = Date.UTC(2025, 0, 6, 9, 0, 0);

export class VirtualClock implements Clock {
  private current: number;

  constructor(start: number = VIRTUAL_EPOCH) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward; the simulator catches up on its next call or inspection. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`VirtualClock.advance: bad duration ${ms}`);
    this.current += ms;
  }

  /** A drop-in for an injected `sleep(ms)`: advances virtual time instead of waiting. */
  readonly sleep = async (ms: number): Promise<void> => {
    this.advance(ms);
  };
}

export const realClock: Clock = { now: () => Date.now() };
