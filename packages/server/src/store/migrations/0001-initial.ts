import { type Kysely, sql } from 'kysely';

/**
 * Frozen in time: this file never imports application code and never changes once released.
 * A later change to the schema is a new migration.
 *
 * Instants are `timestamptz` on PostgreSQL and ISO-8601 UTC text on SQLite (which sorts
 * correctly as text because the store always writes the same fixed format). JSON is `jsonb` and
 * text. Flags are integers 0/1 on both, so the repositories read one type.
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  const instant = engine === 'postgres' ? sql`timestamptz` : sql`text`;
  const json = engine === 'postgres' ? sql`jsonb` : sql`text`;

  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('counters').values({ name: 'incident_number', value: 0 }).execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addColumn('deactivated_at', instant)
    .execute();
  await db.schema.createIndex('users_email').unique().on('users').column('email').execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('expires_at', instant)
    .addColumn('last_used_at', instant)
    .addColumn('revoked_at', instant)
    .execute();
  await db.schema.createIndex('api_keys_token_hash').unique().on('api_keys').column('token_hash').execute();
  await db.schema.createIndex('api_keys_user').on('api_keys').columns(['user_id', 'id']).execute();

  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('teams_name').unique().on('teams').column('name').execute();

  await db.schema
    .createTable('team_members')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    .addColumn('escalation_policy_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('default_urgency', 'text')
    .addColumn('auto_resolve', 'integer', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('services_name').unique().on('services').column('name').execute();
  await db.schema.createIndex('services_team').on('services').columns(['team_id', 'id']).execute();

  await db.schema
    .createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('key_encrypted', 'text', (c) => c.notNull())
    .addColumn('rate_limit_per_minute', 'integer')
    .addColumn('config', json, (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('integrations_key_hash')
    .unique()
    .on('integrations')
    .column('key_hash')
    .execute();
  await db.schema
    .createIndex('integrations_service')
    .on('integrations')
    .columns(['service_id', 'id'])
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('dedup_key', 'text')
    .addColumn('alert_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addColumn('acknowledged_at', instant)
    .addColumn('resolved_at', instant)
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  // Lists are newest first by number, with keyset cursors (../shared/research/performance.md §4.3, §5.5).
  await db.schema.createIndex('incidents_number').unique().on('incidents').column('number').execute();
  await db.schema
    .createIndex('incidents_status_number')
    .on('incidents')
    .columns(['status', 'number'])
    .execute();
  await db.schema
    .createIndex('incidents_service_number')
    .on('incidents')
    .columns(['service_id', 'number'])
    .execute();
  await db.schema.createIndex('incidents_created').on('incidents').columns(['created_at']).execute();
  // Open incidents of one service: a partial index keeps this fast at a million rows (§4.3).
  await db.schema
    .createIndex('incidents_open_service')
    .on('incidents')
    .columns(['service_id', 'number'])
    .where(sql.ref('status'), '!=', 'resolved')
    .execute();
  await db.schema
    .createIndex('incidents_open_dedup')
    .on('incidents')
    .columns(['service_id', 'dedup_key'])
    .where(sql.ref('status'), '!=', 'resolved')
    .execute();

  await db.schema
    .createTable('incident_assignees')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_assignees_pk', ['incident_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('incident_assignees_user')
    .on('incident_assignees')
    .columns(['user_id'])
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('labels', json, (c) => c.notNull())
    .addColumn('details', json, (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', instant, (c) => c.notNull())
    .addColumn('last_seen_at', instant, (c) => c.notNull())
    .addColumn('resolved_at', instant)
    .execute();
  // At most one firing alert per dedup key and integration: PagerDuty's dedup semantics, enforced.
  await db.schema
    .createIndex('alerts_open_dedup')
    .unique()
    .on('alerts')
    .columns(['integration_id', 'dedup_key'])
    .where(sql.ref('status'), '=', 'firing')
    .execute();
  await db.schema.createIndex('alerts_incident').on('alerts').columns(['incident_id', 'id']).execute();
  await db.schema.createIndex('alerts_service').on('alerts').columns(['service_id', 'id']).execute();

  await db.schema
    .createTable('timeline_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('at', instant, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('data', json, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('timeline_incident')
    .on('timeline_entries')
    .columns(['incident_id', 'id'])
    .execute();

  await db.schema
    .createTable('audit_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', instant, (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('before', json)
    .addColumn('after', json)
    .addColumn('ip', 'text')
    .execute();
  await db.schema
    .createIndex('audit_object')
    .on('audit_entries')
    .columns(['object_type', 'object_id', 'id'])
    .execute();
  await db.schema.createIndex('audit_actor').on('audit_entries').columns(['actor_id', 'id']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_created')
    .on('idempotency_keys')
    .column('created_at')
    .execute();
}
