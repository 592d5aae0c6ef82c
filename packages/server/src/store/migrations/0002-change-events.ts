import { type Kysely, sql } from 'kysely';

/**
 * Frozen. PagerDuty-style change events (deploys, config changes), shown on services and incidents;
 * and integrations that are deleted softly, because their alerts keep pointing at them.
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  const instant = engine === 'postgres' ? sql`timestamptz` : sql`text`;
  const json = engine === 'postgres' ? sql`jsonb` : sql`text`;
  await db.schema
    .createTable('change_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) => c.notNull().references('integrations.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('happened_at', instant, (c) => c.notNull())
    .addColumn('received_at', instant, (c) => c.notNull())
    .addColumn('custom_details', json, (c) => c.notNull())
    .addColumn('links', json, (c) => c.notNull())
    .execute();
  await db.schema.alterTable('integrations').addColumn('deleted_at', instant).execute();
  await db.schema
    .createIndex('change_events_service')
    .on('change_events')
    .columns(['service_id', 'id'])
    .execute();
}
