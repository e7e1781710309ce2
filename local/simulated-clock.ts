/**
 * The drill's clock (epoch ms). A simulated clock lets a 60 s sustain period or a minute of Aurora
 * promotion cost no real time: the scenario script and the modelled step durations move it. The
 * sandbox uses the real clock, which `advance` does not move.
 */
export interface DrillClock {
  now(): number;
  /** Let `ms` of simulated time pass (a modelled API call, a Wait state); no-op on the real clock. */
  advance(ms: number): void;
}

/** A clock that only moves when told to. */
export class SimulatedClock implements DrillClock {
  private current: number;

  constructor(start: number) {
    if (!Number.isSafeInteger(start)) throw new Error(`SimulatedClock: start must be epoch milliseconds, got ${start}`);
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`SimulatedClock: cannot move back in time (advance by ${ms} ms)`);
    this.current += Math.round(ms);
  }

  /** Move to `at`; moving backwards is an error in the script that asked for it. */
  advanceTo(at: number): void {
    if (at < this.current) {
      throw new Error(`SimulatedClock: ${new Date(at).toISOString()} is before now (${new Date(this.current).toISOString()}); scripts move forward only`);
    }
    this.current = at;
  }
}

/** The wall clock, for the sandbox. */
export const REAL_CLOCK: DrillClock = { now: () => Date.now(), advance: () => undefined };
