import type { Clock } from '@vigil/core';

/**
 * The clock black-box tests move (VIGIL_TEST_CLOCK=1, `POST /api/v1/test/clock`): real time plus
 * an offset that only grows, so time never runs backwards for the engine.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;
  constructor(private readonly base: Clock) {}
  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }
  advance(ms: number): Date {
    this.offsetMs += ms;
    return this.now();
  }
  /** Puts the clock `ms` ahead of real time, unless it is further ahead already. */
  offsetAtLeast(ms: number): Date {
    this.offsetMs = Math.max(this.offsetMs, ms);
    return this.now();
  }
  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }
}
