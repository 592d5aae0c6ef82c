/**
 * What every fake records, and how scenario tests read it: `waitFor` something to arrive, `take` what
 * they expected, and end with `assertNothingElse()` so an unexpected page, mail or post fails the test
 * instead of going unnoticed.
 */
export interface WaitOptions {
  /** How long to wait before failing; 5 s by default. */
  timeoutMs?: number;
}

export class Recorder<T> {
  /** Everything received, in order, taken or not: the history for assertions about counts and order. */
  readonly all: T[] = [];
  /** Received but not yet taken. */
  #untaken: T[] = [];
  #waiters = new Set<() => void>();
  readonly #what: string;
  readonly #describe: (item: T) => string;

  /**
   * @param what names the items in error messages ("SMTP mails", "Twilio messages").
   * @param describe a one-line summary of an item for error messages.
   */
  constructor(what: string, describe: (item: T) => string = (item) => truncate(JSON.stringify(item))) {
    this.#what = what;
    this.#describe = describe;
  }

  /** Called by the fake when something arrives. */
  record(item: T): void {
    this.all.push(item);
    this.#untaken.push(item);
    for (const wake of [...this.#waiters]) wake();
  }

  /** Items received but not yet taken. */
  get untaken(): readonly T[] {
    return this.#untaken;
  }

  /**
   * Resolves with the first untaken item that matches, now or when it arrives; does not take it.
   * Rejects after `timeoutMs` with a list of what did arrive, which is what one wants to read when a
   * scenario fails.
   */
  waitFor(predicate: (item: T) => boolean = () => true, options: WaitOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 5_000;
    const found = this.#untaken.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const wake = () => {
        const match = this.#untaken.find(predicate);
        if (match === undefined) return;
        this.#waiters.delete(wake);
        clearTimeout(timer);
        resolve(match);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`no matching ${this.#what} within ${timeoutMs} ms; ${this.#listing()}`));
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }

  /** Removes and returns the first untaken item that matches; throws, listing what there is, if none. */
  take(predicate: (item: T) => boolean = () => true): T {
    const index = this.#untaken.findIndex(predicate);
    if (index < 0) throw new Error(`no matching ${this.#what} to take; ${this.#listing()}`);
    return this.#untaken.splice(index, 1)[0]!;
  }

  /** `waitFor` then `take`: the usual step of a scenario. */
  async waitAndTake(predicate: (item: T) => boolean = () => true, options: WaitOptions = {}): Promise<T> {
    const item = await this.waitFor(predicate, options);
    this.#untaken.splice(this.#untaken.indexOf(item), 1);
    return item;
  }

  /** Throws, listing them, if anything arrived that the test did not take. */
  assertNothingElse(): void {
    if (this.#untaken.length > 0) {
      throw new Error(
        `${this.#untaken.length} unexpected ${this.#what}:\n${this.#untaken.map((item) => `  - ${this.#describe(item)}`).join('\n')}`,
      );
    }
  }

  /** Forgets everything, taken or not. */
  clear(): void {
    this.all.length = 0;
    this.#untaken = [];
  }

  #listing(): string {
    const taken = this.all.length - this.#untaken.length;
    if (this.#untaken.length === 0) return `received none untaken (${taken} already taken)`;
    return `received (untaken; ${taken} already taken):\n${this.#untaken.map((item) => `  - ${this.#describe(item)}`).join('\n')}`;
  }
}

export function truncate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
