import type {
  Actor,
  Alert,
  AlertRepo,
  AlertStatus,
  AuditEntry,
  AuditRepo,
  Incident,
  IncidentRepo,
  IncidentStatus,
  Priority,
  Severity,
  TimelineEntry,
  TimelineEntryType,
  TimelineRepo,
  Urgency,
} from '@vigil/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import type { AlertsTable, Database, IncidentsTable } from '../schema.js';
import { decodeCursor, likePattern, parseJson, toJson, toPage } from './paging.js';

const incidentFromRow = (row: Selectable<IncidentsTable>, assigneeIds: string[]): Incident => ({
  id: row.id,
  number: Number(row.number),
  title: row.title,
  description: row.description,
  status: row.status as IncidentStatus,
  priority: row.priority as Priority | null,
  severity: row.severity as Severity,
  urgency: row.urgency as Urgency,
  serviceId: row.service_id,
  dedupKey: row.dedup_key,
  alertCount: row.alert_count,
  assigneeIds,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  acknowledgedAt: row.acknowledged_at,
  resolvedAt: row.resolved_at,
  version: row.version,
});

const incidentToRow = (incident: Incident): Selectable<IncidentsTable> => ({
  id: incident.id,
  number: incident.number,
  title: incident.title,
  description: incident.description,
  status: incident.status,
  priority: incident.priority,
  severity: incident.severity,
  urgency: incident.urgency,
  service_id: incident.serviceId,
  dedup_key: incident.dedupKey,
  alert_count: incident.alertCount,
  created_at: incident.createdAt,
  updated_at: incident.updatedAt,
  acknowledged_at: incident.acknowledgedAt,
  resolved_at: incident.resolvedAt,
  version: incident.version,
});

export function createIncidentRepo(db: Kysely<Database>, dialect: StoreDialect): IncidentRepo {
  /** Assignees of many incidents in one query, in the order they were given. */
  async function withAssignees(rows: Selectable<IncidentsTable>[]): Promise<Incident[]> {
    if (rows.length === 0) return [];
    const links = await db
      .selectFrom('incident_assignees')
      .select(['incident_id', 'user_id'])
      .where(
        'incident_id',
        'in',
        rows.map((row) => row.id),
      )
      .orderBy('incident_id')
      .orderBy('position')
      .execute();
    const byIncident = new Map<string, string[]>();
    for (const link of links) {
      const list = byIncident.get(link.incident_id) ?? [];
      list.push(link.user_id);
      byIncident.set(link.incident_id, list);
    }
    return rows.map((row) => incidentFromRow(row, byIncident.get(row.id) ?? []));
  }

  async function writeAssignees(incident: Incident) {
    await db.deleteFrom('incident_assignees').where('incident_id', '=', incident.id).execute();
    if (incident.assigneeIds.length === 0) return;
    await db
      .insertInto('incident_assignees')
      .values(
        incident.assigneeIds.map((userId, position) => ({
          incident_id: incident.id,
          user_id: userId,
          position,
        })),
      )
      .execute();
  }

  const one = async (row: Selectable<IncidentsTable> | undefined) =>
    row ? ((await withAssignees([row]))[0] ?? null) : null;

  return {
    async nextNumber() {
      // A row lock on PostgreSQL, the write lock on SQLite: numbers never repeat or skip under races.
      const row = await db
        .updateTable('counters')
        .set({ value: sql`value + 1` })
        .where('name', '=', 'incident_number')
        .returning('value')
        .executeTakeFirstOrThrow();
      return Number(row.value);
    },
    async insert(incident) {
      await db.insertInto('incidents').values(incidentToRow(incident)).execute();
      await writeAssignees(incident);
    },
    async update(incident, expectedVersion) {
      const { id, number: _number, created_at: _created, ...rest } = incidentToRow(incident);
      const result = await db
        .updateTable('incidents')
        .set(rest)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await writeAssignees(incident);
      return true;
    },
    async get(id) {
      return one(
        await dialect
          .forUpdate(db.selectFrom('incidents').selectAll().where('id', '=', id))
          .executeTakeFirst(),
      );
    },
    async getByNumber(number) {
      return one(
        await dialect
          .forUpdate(db.selectFrom('incidents').selectAll().where('number', '=', number))
          .executeTakeFirst(),
      );
    },
    async findOpenByDedupKey(serviceId, dedupKey) {
      const row = await db
        .selectFrom('incidents')
        .selectAll()
        .where('service_id', '=', serviceId)
        .where('dedup_key', '=', dedupKey)
        .where('status', '!=', 'resolved')
        .executeTakeFirst();
      return one(row);
    },
    async list(filter, page) {
      let query = db
        .selectFrom('incidents')
        .selectAll()
        .orderBy('number', 'desc')
        .limit(page.limit + 1);
      if (filter.status?.length) query = query.where('status', 'in', filter.status);
      if (filter.serviceId) query = query.where('service_id', '=', filter.serviceId);
      if (filter.priority?.length) query = query.where('priority', 'in', filter.priority);
      if (filter.since) query = query.where('created_at', '>=', filter.since);
      if (filter.until) query = query.where('created_at', '<', filter.until);
      if (filter.q)
        query = query.where(
          sql<boolean>`title ${sql.raw(dialect.likeOperator)} ${likePattern(filter.q)} escape '\\'`,
        );
      if (page.cursor) query = query.where('number', '<', decodeCursor(page.cursor, 'number'));
      const incidents = await withAssignees(await query.execute());
      return toPage(
        incidents,
        page.limit,
        (incident) => incident.number,
        (incident) => incident,
      );
    },
  };
}

const alertFromRow = (row: Selectable<AlertsTable>): Alert => ({
  id: row.id,
  integrationId: row.integration_id,
  serviceId: row.service_id,
  incidentId: row.incident_id,
  status: row.status as AlertStatus,
  dedupKey: row.dedup_key,
  summary: row.summary,
  source: row.source,
  severity: row.severity as Severity,
  labels: parseJson(row.labels),
  details: parseJson(row.details),
  count: row.count,
  firstSeenAt: row.first_seen_at,
  lastSeenAt: row.last_seen_at,
  resolvedAt: row.resolved_at,
});

const alertToRow = (alert: Alert): Selectable<AlertsTable> => ({
  id: alert.id,
  integration_id: alert.integrationId,
  service_id: alert.serviceId,
  incident_id: alert.incidentId,
  status: alert.status,
  dedup_key: alert.dedupKey,
  summary: alert.summary,
  source: alert.source,
  severity: alert.severity,
  labels: JSON.stringify(alert.labels),
  details: JSON.stringify(alert.details),
  count: alert.count,
  first_seen_at: alert.firstSeenAt,
  last_seen_at: alert.lastSeenAt,
  resolved_at: alert.resolvedAt,
});

export function createAlertRepo(db: Kysely<Database>): AlertRepo {
  return {
    async insert(alert) {
      await db.insertInto('alerts').values(alertToRow(alert)).execute();
    },
    async update(alert) {
      const { id, ...rest } = alertToRow(alert);
      await db.updateTable('alerts').set(rest).where('id', '=', id).execute();
    },
    async get(id) {
      const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? alertFromRow(row) : null;
    },
    async findOpen(integrationId, dedupKey) {
      const row = await db
        .selectFrom('alerts')
        .selectAll()
        .where('integration_id', '=', integrationId)
        .where('dedup_key', '=', dedupKey)
        .where('status', '=', 'firing')
        .executeTakeFirst();
      return row ? alertFromRow(row) : null;
    },
    async list(filter, page) {
      let query = db
        .selectFrom('alerts')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(page.limit + 1);
      if (filter.status?.length) query = query.where('status', 'in', filter.status);
      if (filter.serviceId) query = query.where('service_id', '=', filter.serviceId);
      if (filter.integrationId) query = query.where('integration_id', '=', filter.integrationId);
      if (filter.incidentId) query = query.where('incident_id', '=', filter.incidentId);
      if (filter.dedupKey) query = query.where('dedup_key', '=', filter.dedupKey);
      if (page.cursor) query = query.where('id', '<', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, alertFromRow);
    },
  };
}

const actorOf = (row: { actor_type: string; actor_id: string | null; actor_name: string }): Actor => ({
  type: row.actor_type as Actor['type'],
  id: row.actor_id,
  name: row.actor_name,
});

export function createTimelineRepo(db: Kysely<Database>): TimelineRepo {
  return {
    async append(entries: TimelineEntry[]) {
      if (entries.length === 0) return;
      await db
        .insertInto('timeline_entries')
        .values(
          entries.map((entry) => ({
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
    },
    async list(incidentId, page) {
      // Oldest first: a timeline reads as a story.
      let query = db
        .selectFrom('timeline_entries')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(
        await query.execute(),
        page.limit,
        (row) => row.id,
        (row) => ({
          id: row.id,
          incidentId: row.incident_id,
          at: row.at,
          type: row.type as TimelineEntryType,
          actor: actorOf(row),
          message: row.message,
          data: parseJson<Record<string, unknown>>(row.data),
        }),
      );
    },
  };
}

export function createAuditRepo(db: Kysely<Database>): AuditRepo {
  return {
    async append(entry: AuditEntry) {
      await db
        .insertInto('audit_entries')
        .values({
          id: entry.id,
          at: entry.at,
          actor_type: entry.actor.type,
          actor_id: entry.actor.id,
          actor_name: entry.actor.name,
          action: entry.action,
          object_type: entry.objectType,
          object_id: entry.objectId,
          before: toJson(entry.before),
          after: toJson(entry.after),
          ip: entry.ip,
        })
        .execute();
    },
    async list(filter, page) {
      let query = db
        .selectFrom('audit_entries')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(page.limit + 1);
      if (filter.objectType) query = query.where('object_type', '=', filter.objectType);
      if (filter.objectId) query = query.where('object_id', '=', filter.objectId);
      if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
      if (page.cursor) query = query.where('id', '<', decodeCursor(page.cursor, 'string'));
      return toPage(
        await query.execute(),
        page.limit,
        (row) => row.id,
        (row) => ({
          id: row.id,
          at: row.at,
          actor: actorOf(row),
          action: row.action,
          objectType: row.object_type,
          objectId: row.object_id,
          before: parseJson(row.before),
          after: parseJson(row.after),
          ip: row.ip,
        }),
      );
    },
  };
}
