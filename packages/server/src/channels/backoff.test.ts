import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF_MAX_MS, nextRetryDelayMs } from './backoff.js';

const almostOne = () => 1 - Number.EPSILON;

describe('retry backoff', () => {
  it('doubles the ceiling with each failed attempt, from 5 s up to 30 min', () => {
    const ceilings = [1, 2, 3, 4, 5, 9, 10, 11, 50].map((attempt) =>
      nextRetryDelayMs(attempt, { random: almostOne }),
    );
    expect(ceilings).toEqual([4999, 9999, 19999, 39999, 79999, 1279999, 1799999, 1799999, 1799999]);
    expect(nextRetryDelayMs(1, { random: () => 0 })).toBe(0);
    expect(nextRetryDelayMs(3, { random: () => 0.5 })).toBe(10_000);
  });

  it('takes other bases and caps, and survives absurd attempt numbers', () => {
    expect(nextRetryDelayMs(3, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(200);
    expect(nextRetryDelayMs(20, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(500);
    for (const attempt of [0, -3, 1e6, Number.POSITIVE_INFINITY, Number.NaN, 2.7])
      expect(Number.isFinite(nextRetryDelayMs(attempt, { random: () => 0.5 })), String(attempt)).toBe(true);
    expect(nextRetryDelayMs(0, { random: almostOne })).toBe(4999); // treated as the first failure
  });

  it('never comes back sooner than Retry-After asked', () => {
    expect(nextRetryDelayMs(1, { random: () => 0, retryAfterMs: 120_000 })).toBe(120_000);
    expect(nextRetryDelayMs(12, { random: almostOne, retryAfterMs: 3_600_000 })).toBe(3_600_000);
    expect(nextRetryDelayMs(12, { random: almostOne, retryAfterMs: 1000 })).toBe(1_799_999);
  });

  it('stays between the Retry-After floor and the ceiling for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
        (attempt, r, retryAfterMs) => {
          const delay = nextRetryDelayMs(attempt, { random: () => r, retryAfterMs });
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(retryAfterMs ?? 0);
          expect(delay).toBeLessThanOrEqual(Math.max(DEFAULT_BACKOFF_MAX_MS, retryAfterMs ?? 0));
          expect(delay).toBeLessThan(Math.max(5000 * 2 ** (attempt - 1), retryAfterMs ?? 0) + 1);
        },
      ),
    );
  });
});
