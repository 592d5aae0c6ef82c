/**
 * Per-integration token buckets: `perMinute` events a minute on average, with bursts up to a
 * minute's worth. A request that does not fit is refused whole (429 with Retry-After) before
 * anything is written: never accepted and then dropped.
 */
export class RateLimiter {
  #buckets = new Map<string, { tokens: number; updatedMs: number }>();

  /** Takes `cost` tokens, or says how many seconds until they would be there. */
  take(
    key: string,
    perMinute: number,
    cost: number,
    nowMs: number,
  ): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const capacity = perMinute;
    const perMs = perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, updatedMs: nowMs };
    bucket.tokens = Math.min(capacity, bucket.tokens + (nowMs - bucket.updatedMs) * perMs);
    bucket.updatedMs = nowMs;
    this.#buckets.set(key, bucket);
    // A request larger than the whole bucket passes only when the bucket is full, so it is not refused forever.
    const need = Math.min(cost, capacity);
    if (bucket.tokens >= need) {
      bucket.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((need - bucket.tokens) / perMs / 1000)) };
  }
}
