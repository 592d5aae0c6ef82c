import { type Kysely, sql } from 'kysely';

/**
 * Frozen. Paging: escalation policies, people's contact methods and notification rules, each
 * incident's escalation state (a row with a due time the engine reconciles), and the notification
 * outbox the sender drains.
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  const instant = engine === 'postgres' ? sql`timestamptz` : sql`text`;
  const json = engine === 'postgres' ? sql`jsonb` : sql`text`;
  await db.schema
    .createTable('escalation_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    .addColumn('repeat', 'integer', (c) => c.notNull())
    .addColumn('steps', json, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema.alterTable('services').addColumn('ack_timeout_minutes', 'integer').execute();
  await db.schema
    .createTable('contact_methods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('secret_encrypted', 'text')
    .addColumn('verified_at', instant)
    .addColumn('verification_code_hash', 'text')
    .addColumn('verification_expires_at', instant)
    .addColumn('verification_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('deleted_at', instant)
    .execute();
  await db.schema.createIndex('contact_methods_user').on('contact_methods').columns(['user_id']).execute();
  await db.schema
    .createIndex('contact_methods_address')
    .on('contact_methods')
    .columns(['type', 'address'])
    .execute();
  await db.schema
    .createTable('notification_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('contact_method_id', 'text', (c) => c.notNull().references('contact_methods.id'))
    .addColumn('delay_minutes', 'integer', (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notification_rules_user')
    .on('notification_rules')
    .columns(['user_id'])
    .execute();
  await db.schema
    .createTable('escalations')
    .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('policy', json)
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('loop', 'integer', (c) => c.notNull())
    .addColumn('step_at', instant)
    .addColumn('next_at', instant)
    .addColumn('notified', json, (c) => c.notNull())
    .addColumn('seen_status', 'text', (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('escalations_due').on('escalations').columns(['next_at']).execute();
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('contact_method_id', 'text', (c) => c.notNull().references('contact_methods.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('step', 'integer')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('send_after', instant, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('claim_token', 'text')
    .addColumn('claimed_until', instant)
    .addColumn('provider_id', 'text')
    .addColumn('previous_provider_id', 'text')
    .addColumn('reply_code', 'integer')
    .addColumn('payload', json)
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addColumn('sent_at', instant)
    .addColumn('delivered_at', instant)
    .execute();
  await db.schema
    .createIndex('notifications_due')
    .on('notifications')
    .columns(['state', 'send_after'])
    .execute();
  await db.schema
    .createIndex('notifications_incident')
    .on('notifications')
    .columns(['incident_id', 'id'])
    .execute();
  await db.schema
    .createIndex('notifications_provider')
    .on('notifications')
    .columns(['provider_id'])
    .execute();
  await db.schema
    .createIndex('notifications_reply')
    .on('notifications')
    .columns(['contact_method_id', 'reply_code'])
    .execute();
}
