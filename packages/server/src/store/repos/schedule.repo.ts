import type {
  Actor,
  CalendarFeedKind,
  CalendarFeedRepo,
  OverrideRecord,
  OverrideRepo,
  OverrideSource,
  ScheduleDefinition,
  ScheduleLayer,
  ScheduleRecord,
  ScheduleRepo,
  ScheduleVersionAction,
  ShiftRequest,
  ShiftRequestKind,
  ShiftRequestRepo,
  ShiftRequestStatus,
} from '@vigil/core';
import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../../security/secret-box.js';
import type { Database, ScheduleOverridesTable, SchedulesTable, ShiftRequestsTable } from '../schema.js';
import { decodeCursor, parseJson, toPage } from './paging.js';

const scheduleFromRow = (row: Selectable<SchedulesTable>): ScheduleRecord => ({
  id: row.id,
  name: row.name,
  description: row.description,
  teamId: row.team_id,
  timeZone: row.time_zone,
  layers: parseJson<ScheduleLayer[]>(row.layers),
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const scheduleRow = (s: ScheduleRecord) => ({
  name: s.name,
  description: s.description,
  team_id: s.teamId,
  time_zone: s.timeZone,
  layers: JSON.stringify(s.layers),
  version: s.version,
  updated_at: s.updatedAt,
});

export function createScheduleRepo(db: Kysely<Database>): ScheduleRepo {
  return {
    async insert(schedule) {
      await db
        .insertInto('schedules')
        .values({ id: schedule.id, ...scheduleRow(schedule), created_at: schedule.createdAt })
        .execute();
    },
    async update(schedule, expectedVersion) {
      const result = await db
        .updateTable('schedules')
        .set(scheduleRow(schedule))
        .where('id', '=', schedule.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async delete(id) {
      // Children go first: SQLite's foreign-key cascades hold, but saying it here keeps both engines alike.
      await db
        .deleteFrom('calendar_feeds')
        .where('kind', '=', 'schedule')
        .where('object_id', '=', id)
        .execute();
      await db.deleteFrom('shift_requests').where('schedule_id', '=', id).execute();
      await db.deleteFrom('schedule_overrides').where('schedule_id', '=', id).execute();
      await db.deleteFrom('schedule_versions').where('schedule_id', '=', id).execute();
      await db.deleteFrom('schedule_watch').where('schedule_id', '=', id).execute();
      await db.deleteFrom('schedules').where('id', '=', id).execute();
    },
    async get(id) {
      const row = await db.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? scheduleFromRow(row) : null;
    },
    async getByName(name) {
      const row = await db.selectFrom('schedules').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? scheduleFromRow(row) : null;
    },
    async list(page) {
      let query = db
        .selectFrom('schedules')
        .selectAll()
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, scheduleFromRow);
    },
    async all() {
      return (await db.selectFrom('schedules').selectAll().orderBy('name').execute()).map(scheduleFromRow);
    },
    async insertVersion(version) {
      await db
        .insertInto('schedule_versions')
        .values({
          schedule_id: version.scheduleId,
          version: version.version,
          definition: JSON.stringify(version.definition),
          action: version.action,
          restored_from: version.restoredFrom,
          actor: JSON.stringify(version.actor),
          created_at: version.createdAt,
        })
        .execute();
    },
    async getVersion(scheduleId, version) {
      const row = await db
        .selectFrom('schedule_versions')
        .selectAll()
        .where('schedule_id', '=', scheduleId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row ? versionFromRow(row) : null;
    },
    async listVersions(scheduleId, page) {
      let query = db
        .selectFrom('schedule_versions')
        .selectAll()
        .where('schedule_id', '=', scheduleId)
        .orderBy('version', 'desc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('version', '<', decodeCursor(page.cursor, 'number'));
      return toPage(await query.execute(), page.limit, (row) => row.version, versionFromRow);
    },
  };
}

const versionFromRow = (row: Selectable<Database['schedule_versions']>) => ({
  scheduleId: row.schedule_id,
  version: row.version,
  definition: parseJson<ScheduleDefinition>(row.definition),
  action: row.action as ScheduleVersionAction,
  restoredFrom: row.restored_from,
  actor: parseJson<Actor>(row.actor),
  createdAt: row.created_at,
});

const overrideFromRow = (row: Selectable<ScheduleOverridesTable>): OverrideRecord => ({
  id: row.id,
  scheduleId: row.schedule_id,
  userId: row.user_id,
  start: row.start_at,
  end: row.end_at,
  source: row.source as OverrideSource,
  requestId: row.request_id,
  createdBy: parseJson<Actor>(row.created_by),
  createdAt: row.created_at,
});

export function createOverrideRepo(db: Kysely<Database>): OverrideRepo {
  return {
    async insert(o) {
      await db
        .insertInto('schedule_overrides')
        .values({
          id: o.id,
          schedule_id: o.scheduleId,
          user_id: o.userId,
          start_at: o.start,
          end_at: o.end,
          source: o.source,
          request_id: o.requestId,
          created_by: JSON.stringify(o.createdBy),
          created_at: o.createdAt,
        })
        .execute();
    },
    async get(id) {
      const row = await db
        .selectFrom('schedule_overrides')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? overrideFromRow(row) : null;
    },
    async delete(id) {
      await db.deleteFrom('schedule_overrides').where('id', '=', id).execute();
    },
    async overlapping(scheduleIds, since, until) {
      if (scheduleIds.length === 0) return [];
      const rows = await db
        .selectFrom('schedule_overrides')
        .selectAll()
        .where('schedule_id', 'in', scheduleIds)
        .where('end_at', '>', since)
        .where('start_at', '<', until)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(overrideFromRow);
    },
  };
}

const requestFromRow = (row: Selectable<ShiftRequestsTable>): ShiftRequest => ({
  id: row.id,
  scheduleId: row.schedule_id,
  kind: row.kind as ShiftRequestKind,
  requesterId: row.requester_id,
  start: row.start_at,
  end: row.end_at,
  targetUserId: row.target_user_id,
  swapStart: row.swap_start_at,
  swapEnd: row.swap_end_at,
  message: row.message,
  status: row.status as ShiftRequestStatus,
  answeredBy: row.answered_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function createShiftRequestRepo(db: Kysely<Database>): ShiftRequestRepo {
  return {
    async insert(r) {
      await db
        .insertInto('shift_requests')
        .values({
          id: r.id,
          schedule_id: r.scheduleId,
          kind: r.kind,
          requester_id: r.requesterId,
          start_at: r.start,
          end_at: r.end,
          target_user_id: r.targetUserId,
          swap_start_at: r.swapStart,
          swap_end_at: r.swapEnd,
          message: r.message,
          status: r.status,
          answered_by: r.answeredBy,
          created_at: r.createdAt,
          updated_at: r.updatedAt,
        })
        .execute();
    },
    async answer(r) {
      // Only an open request can be answered: the first answer wins, a racing one updates nothing.
      const result = await db
        .updateTable('shift_requests')
        .set({ status: r.status, answered_by: r.answeredBy, updated_at: r.updatedAt })
        .where('id', '=', r.id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async get(id) {
      const row = await db.selectFrom('shift_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? requestFromRow(row) : null;
    },
    async list(filter, page) {
      let query = db
        .selectFrom('shift_requests')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(page.limit + 1);
      if (filter.scheduleId) query = query.where('schedule_id', '=', filter.scheduleId);
      if (filter.status) query = query.where('status', '=', filter.status);
      if (page.cursor) query = query.where('id', '<', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, requestFromRow);
    },
  };
}

export function createCalendarFeedRepo(db: Kysely<Database>, box: SecretBox): CalendarFeedRepo {
  const fromRow = (row: Selectable<Database['calendar_feeds']>) => ({
    id: row.id,
    kind: row.kind as CalendarFeedKind,
    objectId: row.object_id,
    token: box.open(row.token_encrypted),
    createdAt: row.created_at,
  });
  return {
    async put(feed, tokenHash) {
      await db
        .deleteFrom('calendar_feeds')
        .where('kind', '=', feed.kind)
        .where('object_id', '=', feed.objectId)
        .execute();
      await db
        .insertInto('calendar_feeds')
        .values({
          id: feed.id,
          kind: feed.kind,
          object_id: feed.objectId,
          token_hash: tokenHash,
          token_encrypted: box.seal(feed.token),
          created_at: feed.createdAt,
        })
        .execute();
    },
    async get(kind, objectId) {
      const row = await db
        .selectFrom('calendar_feeds')
        .selectAll()
        .where('kind', '=', kind)
        .where('object_id', '=', objectId)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async findByTokenHash(tokenHash) {
      const row = await db
        .selectFrom('calendar_feeds')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async delete(kind, objectId) {
      const result = await db
        .deleteFrom('calendar_feeds')
        .where('kind', '=', kind)
        .where('object_id', '=', objectId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
