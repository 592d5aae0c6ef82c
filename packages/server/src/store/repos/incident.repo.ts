import type {
  Actor,
  AlertRepo,
  AuditEntry,
  AuditRepo,
  Incident,
  IncidentFilter,
  IncidentRepo,
  IncidentStatus,
  TimelineEntry,
  TimelineEntryType,
  TimelineRepo,
} from '@vigil/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { IncidentQuery, StoreDialect } from '../dialect.js';
import type { Database, IncidentsTable } from '../schema.js';
import { decodeCursor, likePattern, parseJson, toJson, toPage } from './paging.js';
import { newEscalationRow } from './paging.repo.js';
import { alertFromRow, alertToRow, incidentFromRow, incidentToRow, timelineEntryToRow } from './rows.js';

/** With a text filter, resolved incidents are counted up to this many (docs/incident-board.md). */
export const RESOLVED_COUNT_CAP = 10_000;

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
      await db.insertInto('escalations').values(newEscalationRow(incident.id, incident.createdAt)).execute();
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
      // Any change may matter to paging (acknowledged, resolved, reassigned): the engine looks now.
      await db
        .updateTable('escalations')
        .set({ next_at: incident.updatedAt })
        .where('incident_id', '=', id)
        .execute();
      return true;
    },
    async get(id, forUpdate = false) {
      const query = db.selectFrom('incidents').selectAll().where('id', '=', id);
      return one(await (forUpdate ? dialect.forUpdate(query) : query).executeTakeFirst());
    },
    async getByNumber(number, forUpdate = false) {
      const query = db.selectFrom('incidents').selectAll().where('number', '=', number);
      return one(await (forUpdate ? dialect.forUpdate(query) : query).executeTakeFirst());
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
      const { query: from, key } = filter.q
        ? dialect.incidentsWithTitle(db, filter.q)
        : { query: db.selectFrom('incidents'), key: sql<number>`incidents.number` };
      let query = narrow(from, filter);
      const statuses = new Set(filter.status ?? []);
      if (statuses.size === 2 && !statuses.has('resolved')) {
        // "Open" spelled the way the partial indexes are, so the planner can use them.
        query = query.where('incidents.status', '!=', 'resolved');
      } else if (statuses.size > 0) {
        query = query.where('incidents.status', 'in', [...statuses]);
      }
      if (page.cursor) query = query.where(key, '<', decodeCursor(page.cursor, 'number'));
      const rows = await query
        .selectAll('incidents')
        .orderBy(key, 'desc')
        .limit(page.limit + 1)
        .execute();
      return toPage(
        await withAssignees(rows),
        page.limit,
        (incident) => incident.number,
        (incident) => incident,
      );
    },
    async countByStatus(filter) {
      // Open incidents are few (a bounded share of any installation): counted exactly, from the
      // status index, text or not. Without text, resolved is one range of an index too
      // (migration 0008). With text, resolved counts the matches the text index finds, up to
      // RESOLVED_COUNT_CAP: reading every match of a common word costs ~0.3 s at a million incidents.
      const text = filter.q
        ? sql<boolean>`incidents.title ${sql.raw(dialect.likeOperator)} ${likePattern(filter.q)} escape '\\'`
        : null;
      const count = (status: IncidentStatus) => {
        const query = narrow(db.selectFrom('incidents'), filter).where('incidents.status', '=', status);
        return (text ? query.where(text) : query).select((eb) => eb.fn.countAll<number>().as('n'));
      };
      const resolved = filter.q
        ? db
            .selectFrom(
              narrow(dialect.incidentsWithTitle(db, filter.q).query, filter)
                .where('incidents.status', '=', 'resolved')
                .select(sql<number>`1`.as('one'))
                .limit(RESOLVED_COUNT_CAP + 1)
                .as('matches'),
            )
            .select((eb) => eb.fn.countAll<number>().as('n'))
        : count('resolved');
      const row = await db
        .selectNoFrom([
          count('triggered').as('triggered'),
          count('acknowledged').as('acknowledged'),
          resolved.as('resolved'),
        ])
        .executeTakeFirstOrThrow();
      const resolvedCount = Number(row.resolved ?? 0);
      const capped = Boolean(filter.q) && resolvedCount > RESOLVED_COUNT_CAP;
      return {
        triggered: Number(row.triggered ?? 0),
        acknowledged: Number(row.acknowledged ?? 0),
        resolved: capped ? RESOLVED_COUNT_CAP : resolvedCount,
        resolvedCapped: capped,
      };
    },
    async changesSince(since, limit, after) {
      // An index-only range of incidents_updated (migration 0008).
      let query = db
        .selectFrom('incidents')
        .select(['id', 'version', 'updated_at'])
        .where('updated_at', '>=', since)
        .orderBy('updated_at')
        .orderBy('id')
        .limit(limit);
      if (after) {
        query = query.where((eb) =>
          eb(eb.refTuple('updated_at', 'id'), '>', eb.tuple(after.updatedAt, after.id)),
        );
      }
      const rows = await query.execute();
      return rows.map((row) => ({ id: row.id, version: Number(row.version), updatedAt: row.updated_at }));
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      return withAssignees(await db.selectFrom('incidents').selectAll().where('id', 'in', ids).execute());
    },
  };
}

/** The filters the list and the counts share (all but status and text). */
function narrow(query: IncidentQuery, filter: Omit<IncidentFilter, 'status' | 'q'>): IncidentQuery {
  let narrowed = query;
  if (filter.serviceId) narrowed = narrowed.where('incidents.service_id', '=', filter.serviceId);
  if (filter.teamId) {
    const teamId = filter.teamId;
    narrowed = narrowed.where('incidents.service_id', 'in', (eb) =>
      eb.selectFrom('services').select('services.id').where('services.team_id', '=', teamId),
    );
  }
  if (filter.priority?.length) narrowed = narrowed.where('incidents.priority', 'in', filter.priority);
  if (filter.since) narrowed = narrowed.where('incidents.created_at', '>=', filter.since);
  if (filter.until) narrowed = narrowed.where('incidents.created_at', '<', filter.until);
  return narrowed;
}

export function createAlertRepo(db: Kysely<Database>): AlertRepo {
  return {
    async resolveAllOfIncident(incidentId, at) {
      const result = await db
        .updateTable('alerts')
        .set({ status: 'resolved', resolved_at: at })
        .where('incident_id', '=', incidentId)
        .where('status', '=', 'firing')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
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
      const statuses = new Set(filter.status ?? []);
      if (statuses.size === 2 && !statuses.has('resolved')) {
        // "Open" spelled the way the partial indexes are, so the planner can use them.
        query = query.where('status', '!=', 'resolved');
      } else if (statuses.size > 0) {
        query = query.where('status', 'in', [...statuses]);
      }
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

const entryFromRow = (row: Selectable<Database['timeline_entries']>): TimelineEntry => ({
  id: row.id,
  incidentId: row.incident_id,
  at: row.at,
  type: row.type as TimelineEntryType,
  actor: actorOf(row),
  message: row.message,
  data: parseJson<Record<string, unknown>>(row.data),
});

export function createTimelineRepo(db: Kysely<Database>): TimelineRepo {
  return {
    async append(entries: TimelineEntry[]) {
      if (entries.length === 0) return;
      await db.insertInto('timeline_entries').values(entries.map(timelineEntryToRow)).execute();
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
      return toPage(await query.execute(), page.limit, (row) => row.id, entryFromRow);
    },
    async latestOfType(incidentId, type) {
      const row = await db
        .selectFrom('timeline_entries')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .where('type', '=', type)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row ? entryFromRow(row) : null;
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
