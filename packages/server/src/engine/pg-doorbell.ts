import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** Engine instances run a cycle when it rings (a write made paging work due). */
export const ENGINE_CHANNEL = 'vigil_engine';
/** Every instance's live incident feed reads when it rings (docs/incident-board.md). */
export const INCIDENTS_CHANNEL = 'vigil_incidents';

export type DoorbellChannel = typeof ENGINE_CHANNEL | typeof INCIDENTS_CHANNEL;

/**
 * Rings across instances on PostgreSQL (ARCHITECTURE.md §3: PostgreSQL is the change feed): an
 * instance that wrote something others should see at once rings a channel; each instance listens
 * on one connection of its own, for every channel it cares about, and runs the handler when it
 * hears one. Without it, another instance would notice at its next tick or poll. The payload names
 * the ringing instance, which does not hear its own rings (it acted on them already).
 */
export function createPgDoorbell(options: {
  databaseUrl: string;
  /** Ring: send through any pool connection. */
  notify(channel: DoorbellChannel, payload: string): Promise<void>;
  onError?(error: Error): void;
}) {
  const me = randomUUID();
  const handlers = new Map<string, () => void>();
  let client: pg.Client | null = null;
  let running = false;
  let closed = false;
  const pending = new Set<DoorbellChannel>();

  async function connectForever(): Promise<void> {
    while (!closed) {
      const candidate = new pg.Client({ connectionString: options.databaseUrl });
      try {
        await candidate.connect();
        candidate.on('notification', (message) => {
          if (message.payload !== me) handlers.get(message.channel)?.();
        });
        for (const channel of handlers.keys()) await candidate.query(`LISTEN ${channel}`);
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
    /**
     * Listens on `channel`; resolves once its LISTEN is in place (or after 2 s of trying, the
     * connection retrying behind). Until then, the tick or poll of the caller covers it.
     */
    async listen(channel: DoorbellChannel, onRing: () => void): Promise<void> {
      handlers.set(channel, onRing);
      if (!running) {
        running = true;
        void connectForever();
      }
      for (let i = 0; i < 100 && !client && !closed; i++) await new Promise((r) => setTimeout(r, 20));
      // The connection may have come up before this channel was added; LISTEN twice is harmless.
      await client?.query(`LISTEN ${channel}`).catch((error) => options.onError?.(error as Error));
    },
    /** Rings a channel, at most once per 20 ms however many writes ask. */
    ring(channel: DoorbellChannel): void {
      if (pending.has(channel) || closed) return;
      pending.add(channel);
      setTimeout(() => {
        pending.delete(channel);
        if (!closed) options.notify(channel, me).catch((error) => options.onError?.(error as Error));
      }, 20);
    },
    async close(): Promise<void> {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}

export type PgDoorbell = ReturnType<typeof createPgDoorbell>;
