import { type Kysely, sql } from 'kysely';

/**
 * Frozen. Service-level outbound integrations (SIGNL4, New Relic events) and their outbox. The
 * address (a SIGNL4 URL holds the team secret) and the key are sealed with the SecretBox. A
 * delivery is one event of one incident for one integration; the unique key makes queueing an
 * event idempotent, so the engine may offer it again without it being sent twice. `seq` orders the
 * events of an incident (1 triggered, 2 acknowledged, 3 resolved): a later one waits for the
 * earlier ones, so a resolve never overtakes its trigger.
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  const instant = engine === 'postgres' ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable('outbound_integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // A service without history may be deleted; its integrations go with it.
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address_encrypted', 'text', (c) => c.notNull())
    .addColumn('secret_encrypted', 'text')
    .addColumn('region', 'text')
    .addColumn('account_id', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addColumn('deleted_at', instant)
    .execute();
  await db.schema
    .createIndex('outbound_integrations_service')
    .on('outbound_integrations')
    .columns(['service_id', 'id'])
    .execute();

  await db.schema
    .createTable('outbound_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('integration_id', 'text', (c) =>
      c.notNull().references('outbound_integrations.id').onDelete('cascade'),
    )
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', instant, (c) => c.notNull())
    .addColumn('claim_token', 'text')
    .addColumn('claimed_until', instant)
    .addColumn('provider_id', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addColumn('sent_at', instant)
    .execute();
  await db.schema
    .createIndex('outbound_deliveries_once')
    .unique()
    .on('outbound_deliveries')
    .columns(['integration_id', 'incident_id', 'event'])
    .execute();
  await db.schema
    .createIndex('outbound_deliveries_due')
    .on('outbound_deliveries')
    .columns(['state', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('outbound_deliveries_incident')
    .on('outbound_deliveries')
    .columns(['incident_id', 'id'])
    .execute();
}
