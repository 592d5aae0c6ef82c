/**
 * Failed sign-ins counted per key (an e-mail address, an IP address) over a sliding window. While a
 * key has `limit` failures within the window, every attempt on it is refused before the password is
 * checked, right or wrong, until the oldest failure leaves the window.
 *
 * In memory, per instance: with several instances behind a balancer each counts alone, so the limit
 * is per instance (docs/sign-in.md). The map is bounded; the oldest keys go first.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly maxKeys = 100_000,
  ) {}

  /** Seconds until the key may try again, or 0 when it may now. */
  retryAfterSeconds(key: string, nowMs: number): number {
    const recent = this.#recent(key, nowMs);
    if (recent.length < this.limit) return 0;
    const oldest = recent[recent.length - this.limit]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - nowMs) / 1000));
  }

  fail(key: string, nowMs: number): void {
    const recent = this.#recent(key, nowMs);
    recent.push(nowMs);
    // Only the last `limit` failures matter; keep no more.
    if (recent.length > this.limit) recent.splice(0, recent.length - this.limit);
    this.#failures.delete(key); // re-insert: the map's order is least recently failed first
    this.#failures.set(key, recent);
    while (this.#failures.size > this.maxKeys) {
      const first = this.#failures.keys().next().value;
      if (first === undefined) break;
      this.#failures.delete(first);
    }
  }

  /** A successful sign-in forgets the key's failures. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string, nowMs: number): number[] {
    const all = this.#failures.get(key);
    if (!all) return [];
    const recent = all.filter((at) => at > nowMs - this.windowMs);
    if (recent.length === 0) this.#failures.delete(key);
    else if (recent.length !== all.length) this.#failures.set(key, recent);
    return recent;
  }
}

/** Ten wrong passwords for one address in 15 minutes lock that address out until the oldest ages out. */
export const LOGIN_FAILURES_PER_EMAIL = 10;
/** One address (an office behind NAT, a VPN) gets more room than one account: 30 in 15 minutes. */
export const LOGIN_FAILURES_PER_IP = 30;
export const LOGIN_WINDOW_MS = 15 * 60_000;
