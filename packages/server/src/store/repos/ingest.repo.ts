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
 * What this process last knew about open alerts, by `openAlertKey`: hints, never the truth. A
 * trigger is planned from them without reading the database:
 * - a hinted key is a repeat, and the repeat's UPDATE proves it (`where … status = 'firing'
 *   returning id, incident_id`): if the alert was resolved, reopened or moved meanwhile (an API call
 *   here, another instance on PostgreSQL), the batch throws IngestConflict and is planned again;
 * - a key without a hint is taken to be new, and the unique index on open alerts
 *   (`alerts_open_dedup`) proves that: if an alert with that key is open after all (opened before a
 *   restart, by another instance, or its hint was dropped), the insert fails, the batch throws
 *   IngestConflict and is planned again.
 * Either way the keys concerned are marked `mustRead`, so the retry reads their rows as the batch
 * always did before; acknowledge and resolve events always read theirs (they need the incident).
 */
interface OpenAlertHints {
  alerts: Map<string, Alert>;
  /** alert ID → its key, to find a hint the database disproved. */
  keyOf: Map<string, string>;
  mustRead: Set<string>;
}

const MAX_HINTS = 50_000;

/**
 * One set of hints per database: keyed by the Kysely adapter, which a Kysely instance creates once
 * and shares with all of its transactions (each transaction gets a new repository object).
 */
const hintsByDatabase = new WeakMap<object, OpenAlertHints>();
function hintsFor(db: Kysely<Database>): OpenAlertHints {
  const key = db.getExecutor().adapter;
  let hints = hintsByDatabase.get(key);
  if (!hints) {
    hints = { alerts: new Map(), keyOf: new Map(), mustRead: new Set() };
    hintsByDatabase.set(key, hints);
  }
  return hints;
}

function rememberHint(hints: OpenAlertHints, key: string, alert: Alert) {
  if (hints.alerts.size >= MAX_HINTS) {
    hints.alerts.clear();
    hints.keyOf.clear();
  }
  forgetHint(hints, key);
  // Payloads are never rewritten from a hint; do not keep them.
  hints.alerts.set(key, { ...alert, labels: {}, details: {} });
  hints.keyOf.set(alert.id, key);
}

function forgetHint(hints: OpenAlertHints, key: string) {
  const old = hints.alerts.get(key);
  if (!old) return;
  hints.alerts.delete(key);
  hints.keyOf.delete(old.id);
}

/**
 * The ingest batch's reads and writes as a constant handful of statements per batch, whatever its
 * size: one read of the open alerts it touches (and their incidents), then multi-row inserts and
 * one CASE update for all repeats. On SQLite each statement is a round trip to the worker thread and
 * on PostgreSQL one to the server, so the count of statements, not of rows, is what costs. A batch
 * of triggers usually needs no read at all (see OpenAlertHints).
 */
export function createIngestRepo(db: Kysely<Database>, dialect: StoreDialect): IngestRepo {
  const hints = hintsFor(db);
  return {
    async loadState(items): Promise<IngestState> {
      const readKeys = new Set<string>();
      const hinted = new Map<string, Alert>();
      for (const item of items) {
        const key = openAlertKey(item.source.integrationId, item.event.dedupKey);
        if (item.event.action !== 'trigger' || hints.mustRead.has(key)) {
          readKeys.add(key);
          hinted.delete(key);
          continue;
        }
        if (readKeys.has(key) || hinted.has(key)) continue;
        const hint = hints.alerts.get(key);
        // A copy: the planner updates the alert it is given.
        if (hint) hinted.set(key, { ...hint });
      }
      const open = new Map<string, { alert: Alert; incident: Incident | null }>();
      for (const [key, alert] of hinted) open.set(key, { alert, incident: null });
      // Services are read for acknowledge and resolve (auto_resolve); a new incident's urgency is
      // taken from its service by the INSERT itself (see apply).
      if (readKeys.size === 0) return { open, services: new Map(), firingPerIncident: new Map() };
      const reading = items.filter((item) =>
        readKeys.has(openAlertKey(item.source.integrationId, item.event.dedupKey)),
      );
      const integrationIds = [...new Set(reading.map((item) => item.source.integrationId))];
      const dedupKeys = [...new Set(reading.map((item) => item.event.dedupKey))];
      const serviceIds = [...new Set(items.map((item) => item.source.serviceId))];
      const wanted = readKeys;
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
      const needsIncidents = reading.some((item) => item.event.action !== 'trigger');
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
      for (const key of readKeys) {
        forgetHint(hints, key);
        hints.mustRead.delete(key);
      }
      for (const alert of alerts) {
        const key = openAlertKey(alert.integrationId, alert.dedupKey);
        rememberHint(hints, key, alert);
        open.set(key, {
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
                // The service's default urgency as it is now, else the one planned from the severity.
                urgency: sql<string>`coalesce((select default_urgency from services where id = ${incident.serviceId}), ${incident.urgency})`,
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
      // Repeats count only on alerts still open, and say which: that proves the hints (see above).
      // One statement of a fixed text for any number of repeats (see countRepeats).
      const repeatWrites: number[] = [];
      if (plan.repeats.size > 0) {
        repeatWrites.push(writes.length);
        writes.push(countRepeats(dialect, [...plan.repeats], plan.at).compile(db));
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
        if (dialect.isUniqueViolation(error)) {
          // An alert this batch took for new was open after all: read those keys next time.
          for (const alert of plan.newAlerts) {
            const key = openAlertKey(alert.integrationId, alert.dedupKey);
            forgetHint(hints, key);
            hints.mustRead.add(key);
          }
          throw new IngestConflict('An alert with this dedup key was opened at the same time');
        }
        throw error;
      }
      incidentWrites.forEach((_, index) => {
        if (Number(results[index]?.numAffectedRows ?? 0) === 0) {
          throw new IngestConflict(
            `Incident ${plan.changedIncidents[index]!.incident.id} changed during ingest`,
          );
        }
      });
      const counted = new Map<string, string | null>();
      for (const index of repeatWrites) {
        for (const row of results[incidentWrites.length + index]!.rows as {
          id: string;
          incident_id: string | null;
        }[])
          counted.set(row.id, row.incident_id);
      }
      let stale: string | null = null;
      for (const outcome of plan.outcomes) {
        const id = outcome.alertId!;
        if (outcome.result !== 'deduplicated' || !plan.repeats.has(id)) continue;
        if (counted.has(id) && counted.get(id) === outcome.incidentId) continue;
        // Resolved (or moved) since we last looked, here or on another instance: read it next time.
        stale = id;
        const key = hints.keyOf.get(id);
        if (key) {
          forgetHint(hints, key);
          hints.mustRead.add(key);
        }
      }
      if (stale !== null) throw new IngestConflict(`Alert ${stale} changed during ingest`);
      // Remember what this batch opened and forget what it resolved. (If the transaction does not
      // commit after all, the next batch's writes disprove these hints as described above.)
      for (const alert of plan.newAlerts) {
        const key = openAlertKey(alert.integrationId, alert.dedupKey);
        if (alert.status === 'firing') rememberHint(hints, key, alert);
        else forgetHint(hints, key);
      }
      for (const alert of plan.changedAlerts)
        forgetHint(hints, openAlertKey(alert.integrationId, alert.dedupKey));
    },
  };
}

/**
 * Adds each repeat's count to its alert, if the alert is still firing, and returns the alerts it
 * counted. The ids and counts travel as one parameter (a JSON array on SQLite, two arrays on
 * PostgreSQL), so the statement's text is the same for 1 repeat or 1,000: prepared once, cached,
 * and nothing built per row (a CASE per repeat cost a new statement, and its parse, per batch size).
 */
function countRepeats(dialect: StoreDialect, repeats: [string, number][], at: string) {
  if (dialect.engine === 'postgres') {
    // `= any(…)` as well as the join, so the planner finds the rows by primary key rather than
    // joining a scan of every alert with the list.
    const ids = repeats.map(([id]) => id);
    return sql`update alerts set count = alerts.count + r.n, last_seen_at = ${at}
      from unnest(${ids}::text[], ${repeats.map(([, n]) => n)}::int[]) as r(id, n)
      where alerts.id = any(${ids}::text[]) and alerts.id = r.id and alerts.status = 'firing'
      returning alerts.id, alerts.incident_id`;
  }
  return sql`update alerts set count = alerts.count + r.n, last_seen_at = ${at}
    from (select value ->> 0 as id, value ->> 1 as n from json_each(${JSON.stringify(repeats)})) as r
    where alerts.id = r.id and alerts.status = 'firing' returning alerts.id, alerts.incident_id`;
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
