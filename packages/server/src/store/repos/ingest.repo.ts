import {
  type Alert,
  type Incident,
  IngestConflict,
  type IngestPlan,
  type IngestRepo,
  type IngestState,
  openAlertKey,
} from '@vigil/core';
import {
  type Compilable,
  type CompiledQuery,
  type Kysely,
  type QueryResult,
  type Selectable,
  sql,
} from 'kysely';
import { runBatch } from '../batch.js';
import type { StoreDialect } from '../dialect.js';
import type { AlertsTable, Database, IncidentsTable, ServicesTable } from '../schema.js';
import { serviceFromRow } from './catalog.repo.js';
import { newEscalationRow } from './paging.repo.js';
import { alertFromRow, alertToRow, incidentFromRow, incidentToRow, timelineEntryToRow } from './rows.js';

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
  return {
    async loadState(items): Promise<IngestState> {
      const integrationIds = [...new Set(items.map((item) => item.source.integrationId))];
      const dedupKeys = [...new Set(items.map((item) => item.event.dedupKey))];
      const serviceIds = [...new Set(items.map((item) => item.source.serviceId))];
      const wanted = new Set(
        items.map((item) => openAlertKey(item.source.integrationId, item.event.dedupKey)),
      );
      // One round trip: the open alerts the batch names (without their payloads, which the planner
      // never rewrites) and the services' settings.
      const alertQueries = chunks(dedupKeys).map((keys) =>
        db
          .selectFrom('alerts')
          .select(SLIM_ALERT_COLUMNS)
          .where('status', '=', 'firing')
          .where('integration_id', 'in', integrationIds)
          .where('dedup_key', 'in', keys),
      );
      const results = await runBatch(db, [
        ...alertQueries,
        db.selectFrom('services').selectAll().where('id', 'in', serviceIds),
      ]);
      const serviceRows = results.pop()!.rows as Selectable<ServicesTable>[];
      const alerts = results
        .flatMap((result) => result.rows as SlimAlertRow[])
        .map(slimAlertFromRow)
        .filter((alert) => wanted.has(openAlertKey(alert.integrationId, alert.dedupKey)));

      const incidents = new Map<string, Incident>();
      const firingPerIncident = new Map<string, number>();
      const needsIncidents = items.some((item) => item.event.action !== 'trigger');
      const incidentIds = needsIncidents
        ? [...new Set(alerts.map((alert) => alert.incidentId).filter((id): id is string => id !== null))]
        : [];
      for (const ids of chunks(incidentIds)) {
        const [incidentRows, counts] = await runBatch(db, [
          db.selectFrom('incidents').selectAll().where('id', 'in', ids),
          db
            .selectFrom('alerts')
            .select(['incident_id', (eb) => eb.fn.countAll<number>().as('n')])
            .where('status', '=', 'firing')
            .where('incident_id', 'in', ids)
            .groupBy('incident_id'),
        ]);
        for (const row of incidentRows!.rows as Selectable<IncidentsTable>[])
          incidents.set(row.id, incidentFromRow(row, []));
        for (const count of counts!.rows as { incident_id: string | null; n: number }[]) {
          if (count.incident_id) firingPerIncident.set(count.incident_id, Number(count.n));
        }
      }
      const open = new Map<string, { alert: Alert; incident: Incident | null }>();
      for (const alert of alerts) {
        open.set(openAlertKey(alert.integrationId, alert.dedupKey), {
          alert,
          incident: alert.incidentId ? (incidents.get(alert.incidentId) ?? null) : null,
        });
      }
      const services = new Map(serviceRows.map((row) => [row.id, serviceFromRow(row)]));
      return { open, services, firingPerIncident };
    },

    async apply(plan: IngestPlan) {
      const writes: (Compilable | CompiledQuery)[] = [];
      if (plan.numbersNeeded > 0) {
        // Numbers are reserved and used in the same round trip: each new incident takes its number
        // from the counter as the UPDATE left it, counting back from the last one reserved.
        writes.push(
          db
            .updateTable('counters')
            .set({ value: sql`value + ${plan.numbersNeeded}` })
            .where('name', '=', 'incident_number'),
        );
        const last = sql<number>`(select value from counters where name = 'incident_number')`;
        for (const part of chunks(
          plan.newIncidents.map((incident, index) => ({ incident, back: plan.numbersNeeded - 1 - index })),
        )) {
          writes.push(
            db.insertInto('incidents').values(
              part.map(({ incident, back }) => ({
                ...incidentToRow(incident),
                number: sql<number>`${last} - ${back}`,
              })),
            ),
          );
        }
      }
      for (const part of chunks(plan.newIncidents))
        writes.push(db.insertInto('escalations').values(part.map((i) => newEscalationRow(i.id, plan.at))));
      if (plan.changedIncidents.length > 0) {
        // Acknowledged or resolved by an event: the engine looks at once (updates, no more steps).
        writes.push(
          db
            .updateTable('escalations')
            .set({ next_at: plan.at })
            .where(
              'incident_id',
              'in',
              plan.changedIncidents.map((c) => c.incident.id),
            ),
        );
      }
      for (const part of chunks(plan.newAlerts))
        writes.push(db.insertInto('alerts').values(part.map(alertToRow)));
      for (const alert of plan.changedAlerts) {
        writes.push(
          db
            .updateTable('alerts')
            .set({ status: alert.status, resolved_at: alert.resolvedAt, last_seen_at: alert.lastSeenAt })
            .where('id', '=', alert.id),
        );
      }
      for (const part of chunks([...plan.repeats])) {
        const cases = part.map(([id, extra]) => sql`when ${id} then cast(${extra} as integer)`);
        writes.push(
          sql`update alerts set count = count + case id ${sql.join(cases, sql` `)} else 0 end, last_seen_at = ${plan.at}
          where id in (${sql.join(part.map(([id]) => id))})`.compile(db),
        );
      }
      for (const part of chunks(plan.timeline))
        writes.push(db.insertInto('timeline_entries').values(part.map(timelineEntryToRow)));
      const incidentWrites = plan.changedIncidents.map(({ incident, expectedVersion }) =>
        db
          .updateTable('incidents')
          .set({
            status: incident.status,
            acknowledged_at: incident.acknowledgedAt,
            resolved_at: incident.resolvedAt,
            updated_at: incident.updatedAt,
            version: incident.version,
          })
          .where('id', '=', incident.id)
          .where('version', '=', expectedVersion),
      );
      let results: QueryResult<unknown>[];
      try {
        results = await runBatch(db, [...incidentWrites, ...writes]);
      } catch (error) {
        // Another instance opened an alert with the same key since loadState (PostgreSQL, many
        // instances): plan again, and this time the key is a repeat.
        if (dialect.isUniqueViolation(error))
          throw new IngestConflict('An alert with this dedup key was opened at the same time');
        throw error;
      }
      incidentWrites.forEach((_, index) => {
        if (Number(results[index]?.numAffectedRows ?? 0) === 0) {
          throw new IngestConflict(
            `Incident ${plan.changedIncidents[index]!.incident.id} changed during ingest`,
          );
        }
      });
    },
  };
}

const SLIM_ALERT_COLUMNS = [
  'id',
  'integration_id',
  'service_id',
  'incident_id',
  'status',
  'dedup_key',
  'summary',
  'source',
  'severity',
  'count',
  'first_seen_at',
  'last_seen_at',
  'resolved_at',
] as const;

type SlimAlertRow = Pick<Selectable<AlertsTable>, (typeof SLIM_ALERT_COLUMNS)[number]>;

const slimAlertFromRow = (row: SlimAlertRow): Alert => alertFromRow({ ...row, labels: '{}', details: '{}' });
