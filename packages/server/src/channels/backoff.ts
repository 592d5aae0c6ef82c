/**
 * When to try a failed delivery again: exponential backoff with "full jitter" (a uniformly random
 * delay between 0 and the exponential ceiling), which spreads retries of many messages that failed
 * together, e.g. when a receiver comes back after an outage, instead of retrying them in waves.
 * A receiver's Retry-After is a floor: we never come back sooner than it asked.
 *
 * Pure: `random` (0 ≤ x < 1, like Math.random) is injected so tests can pin it.
 */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random: () => number;
  /** From classifyHttpOutcome; already capped there, so it may exceed maxMs. */
  retryAfterMs?: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 5_000;
export const DEFAULT_BACKOFF_MAX_MS = 30 * 60 * 1000;

/** The delay before the next try, after `attempt` failed tries (1 after the first failure). */
export function nextRetryDelayMs(attempt: number, options: BackoffOptions): number {
  const { baseMs = DEFAULT_BACKOFF_BASE_MS, maxMs = DEFAULT_BACKOFF_MAX_MS, random, retryAfterMs } = options;
  // Clamp the exponent: 2 ** 1100 is Infinity, and Infinity * 0 (from random) is NaN.
  const failed = Number.isNaN(attempt) ? 1 : Math.max(Math.floor(attempt), 1);
  const exponent = Math.min(failed - 1, 52);
  const ceilingMs = Math.min(maxMs, baseMs * 2 ** exponent);
  const jitteredMs = Math.floor(random() * ceilingMs);
  return Math.max(jitteredMs, Math.ceil(retryAfterMs ?? 0));
}
