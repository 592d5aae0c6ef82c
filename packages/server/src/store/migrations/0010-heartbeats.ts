import { type Kysely, sql } from 'kysely';

/**
 * Frozen. Heartbeat integrations' watch: one row per integration, made by its first ping. The
 * engine looks for rows whose `ping_due_at` has passed and that are not failing yet (the partial
 * state is small: a due row either fires or moves its due time on).
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  const instant = engine === 'postgres' ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable('heartbeats')
    // Integrations are deleted softly (the row stays); a service without history takes its
    // integrations with it, and their heartbeats go too.
    .addColumn('integration_id', 'text', (c) =>
      c.primaryKey().references('integrations.id').onDelete('cascade'),
    )
    .addColumn('last_ping_at', instant)
    .addColumn('ping_due_at', instant)
    .addColumn('failing_since', instant)
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('heartbeats_due').on('heartbeats').columns(['ping_due_at']).execute();
}
