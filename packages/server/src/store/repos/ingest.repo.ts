import {
  type Alert,
  type Incident,
  IngestConflict,
  type IngestPlan,
  type IngestRepo,
  type IngestState,
  openAlertKey,
} from '@vigil/core';
import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import type { Database } from '../schema.js';
import { createServiceRepo } from './catalog.repo.js';
import { alertFromRow, alertToRow, incidentFromRow, incidentToRow } from './rows.js';

/** Rows per multi-row statement: far below SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const CHUNK = 400;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

/**
 * The ingest batch's reads and writes as a constant handful of statements per batch, whatever its
 * size: one read of the open alerts it touches (and their incidents), then multi-row inserts and
 * one CASE update for all repeats. On SQLite each statement is a round trip to the worker thread and
 * on PostgreSQL one to the server, so the count of statements, not of rows, is what costs.
 */
export function createIngestRepo(db: Kysely<Database>, dialect: StoreDialect): IngestRepo {
  const services = createServiceRepo(db, dialect);

  return {
    async loadState(items): Promise<IngestState> {
      const integrationIds = [...new Set(items.map((item) => item.source.integrationId))];
      const dedupKeys = [...new Set(items.map((item) => item.event.dedupKey))];
      const wanted = new Set(
        items.map((item) => openAlertKey(item.source.integrationId, item.event.dedupKey)),
      );
      const alertRows = [];
      for (const keys of chunks(dedupKeys)) {
        alertRows.push(
          ...(await db
            .selectFrom('alerts')
            .selectAll()
            .where('status', '=', 'firing')
            .where('integration_id', 'in', integrationIds)
            .where('dedup_key', 'in', keys)
            .execute()),
        );
      }
      const alerts = alertRows
        .map(alertFromRow)
        .filter((alert) => wanted.has(openAlertKey(alert.integrationId, alert.dedupKey)));
      const needsIncidents = items.some((item) => item.event.action !== 'trigger');
      const incidentIds = needsIncidents
        ? [...new Set(alerts.map((alert) => alert.incidentId).filter((id): id is string => id !== null))]
        : [];
      const incidents = new Map<string, Incident>();
      const firingPerIncident = new Map<string, number>();
      for (const ids of chunks(incidentIds)) {
        const rows = await db.selectFrom('incidents').selectAll().where('id', 'in', ids).execute();
        for (const row of rows) incidents.set(row.id, incidentFromRow(row, []));
        const counts = await db
          .selectFrom('alerts')
          .select(['incident_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('status', '=', 'firing')
          .where('incident_id', 'in', ids)
          .groupBy('incident_id')
          .execute();
        for (const count of counts)
          if (count.incident_id) firingPerIncident.set(count.incident_id, Number(count.n));
      }
      const open = new Map<string, { alert: Alert; incident: Incident | null }>();
      for (const alert of alerts) {
        open.set(openAlertKey(alert.integrationId, alert.dedupKey), {
          alert,
          incident: alert.incidentId ? (incidents.get(alert.incidentId) ?? null) : null,
        });
      }
      const serviceIds = [...new Set(items.map((item) => item.source.serviceId))];
      const serviceList = await Promise.all(serviceIds.map((id) => services.get(id)));
      const serviceMap = new Map(
        serviceList.filter((service) => service !== null).map((service) => [service.id, service]),
      );
      return { open, services: serviceMap, firingPerIncident };
    },

    async apply(plan: IngestPlan) {
      if (plan.numbersNeeded > 0) {
        const row = await db
          .updateTable('counters')
          .set({ value: sql`value + ${plan.numbersNeeded}` })
          .where('name', '=', 'incident_number')
          .returning('value')
          .executeTakeFirstOrThrow();
        let next = Number(row.value) - plan.numbersNeeded + 1;
        for (const incident of plan.newIncidents) incident.number = next++;
      }
      for (const part of chunks(plan.newIncidents)) {
        await db.insertInto('incidents').values(part.map(incidentToRow)).execute();
      }
      for (const part of chunks(plan.newAlerts)) {
        try {
          await db.insertInto('alerts').values(part.map(alertToRow)).execute();
        } catch (error) {
          // Another instance opened an alert with the same key since loadState (PostgreSQL, many
          // instances): plan again, and this time the key is a repeat.
          if (dialect.isUniqueViolation(error))
            throw new IngestConflict('An alert with this dedup key was opened at the same time');
          throw error;
        }
      }
      for (const { incident, expectedVersion } of plan.changedIncidents) {
        const result = await db
          .updateTable('incidents')
          .set({
            status: incident.status,
            acknowledged_at: incident.acknowledgedAt,
            resolved_at: incident.resolvedAt,
            updated_at: incident.updatedAt,
            version: incident.version,
          })
          .where('id', '=', incident.id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0)
          throw new IngestConflict(`Incident ${incident.number} changed during ingest`);
      }
      for (const alert of plan.changedAlerts) {
        await db
          .updateTable('alerts')
          .set({ status: alert.status, resolved_at: alert.resolvedAt, last_seen_at: alert.lastSeenAt })
          .where('id', '=', alert.id)
          .execute();
      }
      const repeats = [...plan.repeats];
      for (const part of chunks(repeats)) {
        const cases = part.map(([id, extra]) => sql`when ${id} then cast(${extra} as integer)`);
        await sql`update alerts set count = count + case id ${sql.join(cases, sql` `)} else 0 end, last_seen_at = ${plan.at}
          where id in (${sql.join(part.map(([id]) => id))})`.execute(db);
      }
      for (const part of chunks(plan.timeline)) {
        await db
          .insertInto('timeline_entries')
          .values(
            part.map((entry) => ({
              id: entry.id,
              incident_id: entry.incidentId,
              at: entry.at,
              type: entry.type,
              actor_type: entry.actor.type,
              actor_id: entry.actor.id,
              actor_name: entry.actor.name,
              message: entry.message,
              data: JSON.stringify(entry.data),
            })),
          )
          .execute();
      }
    },
  };
}
