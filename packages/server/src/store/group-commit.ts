/**
 * Group commit (ARCHITECTURE.md §3): items submitted while a batch is being written wait and go
 * together into the next one, so one transaction — one fsync — serves many callers, and each
 * caller's promise settles only when the transaction holding its item has committed (or failed).
 *
 * If a batch fails, its items are retried one by one, so one poisoned event cannot fail the
 * events that happened to share its transaction.
 */
interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<I, O> {
  #queue: Waiting<I, O>[] = [];
  #running = false;
  #idle: (() => void)[] = [];

  /**
   * @param maxWeight a batch holds items until their weights add up to this (at least one item);
   *   the weight of an item is 1 unless `weight` says otherwise (ingest weighs a request by its events).
   */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxWeight = 500,
    private readonly onBatch?: (size: number, ms: number) => void,
    private readonly weight: (item: I) => number = () => 1,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#running) {
        this.#running = true;
        // Let the requests that arrived in this turn of the event loop join the first batch.
        setImmediate(() => void this.#drain());
      }
    });
  }

  /** How many items wait for the next batch (a metric). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves when everything submitted so far is written (used by graceful shutdown). */
  async drained(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      let take = 0;
      for (let total = 0; take < this.#queue.length; take++) {
        total += this.weight(this.#queue[take]!.item);
        if (total > this.maxWeight && take > 0) break;
      }
      const batch = this.#queue.splice(0, take);
      const started = performance.now();
      try {
        const results = await this.write(batch.map((entry) => entry.item));
        for (const [index, entry] of batch.entries()) entry.resolve(results[index] as O);
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        else await this.#oneByOne(batch);
      }
      this.onBatch?.(
        batch.reduce((sum, entry) => sum + this.weight(entry.item), 0),
        performance.now() - started,
      );
    }
    this.#running = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #oneByOne(batch: Waiting<I, O>[]): Promise<void> {
    for (const entry of batch) {
      try {
        const [result] = await this.write([entry.item]);
        entry.resolve(result as O);
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
