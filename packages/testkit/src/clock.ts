/** A clock tests move by hand: `advance` fast-forwards, nothing waits for real time. */
export class ManualClock {
  #now: number;
  constructor(start: Date | string = '2026-03-08T06:00:00Z') {
    this.#now = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): Date {
    this.#now += ms;
    return this.now();
  }
  set(at: Date | string): void {
    this.#now = new Date(at).getTime();
  }
}
