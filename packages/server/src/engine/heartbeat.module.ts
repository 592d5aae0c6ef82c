import { checkDueHeartbeat, type Repos, toInstant } from '@vigil/core';
import type { Kysely } from 'kysely';
import type { Store } from '../store/dialect.js';
import type { Database } from '../store/schema.js';

export interface HeartbeatModuleDeps {
  store: Store;
  /** Repositories over a transaction (store/unit-of-work.ts). */
  reposFor(db: Kysely<Database>): Repos;
  newId(): string;
  /** An alert was opened (an incident may have opened): the live board reads now. */
  onOpened?(): void;
  onError?(error: unknown, integrationId: string): void;
}

/**
 * The engine's heartbeat module (ARCHITECTURE.md §4): each heartbeat integration's row carries the
 * time by which the next ping must come (`ping_due_at`). Each due row is looked at in its own
 * transaction, claimed with FOR UPDATE SKIP LOCKED on PostgreSQL (one instance takes it; a ping
 * holding the row makes the engine skip it until the next cycle): the alert that opens the
 * incident and the row's `failing_since` commit together, so the alert opens once, whatever the
 * number of instances or cycles, and a crash in between does neither.
 */
export function createHeartbeatModule(deps: HeartbeatModuleDeps) {
  const { store } = deps;

  /** Due heartbeats, oldest first; returns how many opened an alert. */
  async function run(now: Date, limit = 100): Promise<number> {
    const at = toInstant(now);
    const due = await deps.reposFor(store.db).heartbeats.due(at, limit);
    let opened = 0;
    for (const integrationId of due) {
      try {
        if (await checkOne(integrationId, now)) opened++;
      } catch (error) {
        // One bad row (an incident that changed under the planner) must not hold back the others;
        // nothing of it was written, and the next cycle looks again.
        deps.onError?.(error, integrationId);
      }
    }
    if (opened > 0) deps.onOpened?.();
    return opened;
  }

  function checkOne(integrationId: string, now: Date): Promise<boolean> {
    const at = toInstant(now);
    return store.db.transaction().execute(async (trx) => {
      const repos = deps.reposFor(trx);
      const heartbeat = await repos.heartbeats.claimDue(integrationId, at);
      if (!heartbeat) return false;
      const integration = await repos.integrations.get(integrationId);
      if (integration?.type !== 'heartbeat') return false;
      const service = await repos.services.get(integration.serviceId);
      if (!service || service.status === 'disabled') return false;
      const outcome = await checkDueHeartbeat(repos, integration, heartbeat, at, deps.newId);
      return outcome !== null;
    });
  }

  return { run };
}

export type HeartbeatModule = ReturnType<typeof createHeartbeatModule>;
