import pg from 'pg';

const CHANNEL = 'vigil_engine';

/**
 * Nudges across instances on PostgreSQL (ARCHITECTURE.md §3: PostgreSQL is the change feed): an
 * instance that wrote something the engine should see at once rings; every engine instance listens
 * on a connection of its own and runs a cycle when it hears it. Without it, another instance would
 * notice at its next tick.
 */
export function createPgDoorbell(options: {
  databaseUrl: string;
  /** Ring: send through any pool connection. */
  notify(): Promise<void>;
  onError?(error: Error): void;
}) {
  let client: pg.Client | null = null;
  let closed = false;
  let pending = false;

  async function listen(onRing: () => void): Promise<void> {
    while (!closed) {
      const candidate = new pg.Client({ connectionString: options.databaseUrl });
      try {
        await candidate.connect();
        candidate.on('notification', () => onRing());
        await candidate.query(`LISTEN ${CHANNEL}`);
        client = candidate;
        // Wait until the connection ends, then reconnect (a PostgreSQL restart, a failover).
        await new Promise<void>((resolve) => {
          candidate.once('end', resolve);
          candidate.once('error', (error) => {
            options.onError?.(error);
            resolve();
          });
        });
      } catch (error) {
        options.onError?.(error as Error);
      }
      client = null;
      await candidate.end().catch(() => {});
      if (!closed) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  return {
    /** Starts listening (engine instances); resolves once the first LISTEN is in place. */
    async start(onRing: () => void): Promise<void> {
      void listen(onRing);
      for (let i = 0; i < 100 && !client && !closed; i++) await new Promise((r) => setTimeout(r, 20));
    },
    /** Rings, at most once per 20 ms however many writes ask. */
    ring(): void {
      if (pending || closed) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        options.notify().catch((error) => options.onError?.(error as Error));
      }, 20);
    },
    async close(): Promise<void> {
      closed = true;
      await client?.end().catch(() => {});
    },
    channel: CHANNEL,
  };
}

export type PgDoorbell = ReturnType<typeof createPgDoorbell>;
