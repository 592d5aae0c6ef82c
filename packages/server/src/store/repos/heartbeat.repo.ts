import type { Heartbeat, HeartbeatRepo } from '@vigil/core';
import type { Kysely, Selectable } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import type { Database, HeartbeatsTable } from '../schema.js';

const fromRow = (row: Selectable<HeartbeatsTable>): Heartbeat => ({
  integrationId: row.integration_id,
  lastPingAt: row.last_ping_at,
  pingDueAt: row.ping_due_at,
  failingSince: row.failing_since,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Heartbeat integrations' last pings and due times (core/ingest/heartbeat.ts). */
export function createHeartbeatRepo(db: Kysely<Database>, dialect: StoreDialect): HeartbeatRepo {
  return {
    async lock(integrationId, at) {
      // Two first pings at once on PostgreSQL: one inserts, the other finds the row and waits for it.
      await db
        .insertInto('heartbeats')
        .values({
          integration_id: integrationId,
          last_ping_at: null,
          ping_due_at: null,
          failing_since: null,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.column('integration_id').doNothing())
        .execute();
      const row = await dialect
        .forUpdate(db.selectFrom('heartbeats').selectAll().where('integration_id', '=', integrationId))
        .executeTakeFirstOrThrow();
      return fromRow(row);
    },
    async claimDue(integrationId, at) {
      const row = await dialect
        .claim(
          db
            .selectFrom('heartbeats')
            .selectAll()
            .where('integration_id', '=', integrationId)
            .where('ping_due_at', '<=', at)
            .where('failing_since', 'is', null),
        )
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async save(heartbeat) {
      await db
        .updateTable('heartbeats')
        .set({
          last_ping_at: heartbeat.lastPingAt,
          ping_due_at: heartbeat.pingDueAt,
          failing_since: heartbeat.failingSince,
          updated_at: heartbeat.updatedAt,
        })
        .where('integration_id', '=', heartbeat.integrationId)
        .execute();
    },
    async get(integrationId) {
      const row = await db
        .selectFrom('heartbeats')
        .selectAll()
        .where('integration_id', '=', integrationId)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async listFor(integrationIds) {
      if (integrationIds.length === 0) return [];
      const rows = await db
        .selectFrom('heartbeats')
        .selectAll()
        .where('integration_id', 'in', [...integrationIds])
        .execute();
      return rows.map(fromRow);
    },
    async due(at, limit) {
      const rows = await db
        .selectFrom('heartbeats')
        .innerJoin('integrations', 'integrations.id', 'heartbeats.integration_id')
        .innerJoin('services', 'services.id', 'integrations.service_id')
        .select('heartbeats.integration_id')
        .where('heartbeats.ping_due_at', '<=', at)
        .where('heartbeats.failing_since', 'is', null)
        .where('integrations.deleted_at', 'is', null)
        .where('integrations.type', '=', 'heartbeat')
        .where('services.status', '!=', 'disabled')
        .orderBy('heartbeats.ping_due_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.integration_id);
    },
  };
}
