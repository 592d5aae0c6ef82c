import { type Kysely, sql } from 'kysely';

/**
 * Frozen. On-call schedules with their versions, overrides, cover and swap requests, and the
 * secret calendar-feed URLs. A schedule's layers are one JSON document: they are always read and
 * written whole, and a version is a copy of it.
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  const instant = engine === 'postgres' ? sql`timestamptz` : sql`text`;
  const json = engine === 'postgres' ? sql`jsonb` : sql`text`;
  await db.schema
    .createTable('schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('layers', json, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('schedule_versions')
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', json, (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('restored_from', 'integer')
    .addColumn('actor', json, (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_versions_pk', ['schedule_id', 'version'])
    .execute();
  await db.schema
    .createTable('schedule_overrides')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('start_at', instant, (c) => c.notNull())
    .addColumn('end_at', instant, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('created_by', json, (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('schedule_overrides_range')
    .on('schedule_overrides')
    .columns(['schedule_id', 'end_at'])
    .execute();
  await db.schema
    .createTable('shift_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('start_at', instant, (c) => c.notNull())
    .addColumn('end_at', instant, (c) => c.notNull())
    .addColumn('target_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('swap_start_at', instant)
    .addColumn('swap_end_at', instant)
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('answered_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('shift_requests_schedule')
    .on('shift_requests')
    .columns(['schedule_id', 'id'])
    .execute();
  await db.schema
    .createTable('calendar_feeds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_encrypted', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addUniqueConstraint('calendar_feeds_object', ['kind', 'object_id'])
    .execute();
}
