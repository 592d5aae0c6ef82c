/** Time is an argument (STYLE.md §8): services take a Clock, calculators take `now`. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Instants cross every boundary as RFC 3339 UTC strings with milliseconds, so they sort as text. */
export type Instant = string;

export const toInstant = (date: Date): Instant => date.toISOString();
