import { type Kysely, sql } from 'kysely';

/**
 * Frozen. What the engine's schedule module has already told people about each schedule: hand-offs
 * up to `handoffs_until`, and the gaps it last warned of (so a warning is not repeated every run).
 */
export async function up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> {
  const instant = engine === 'postgres' ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable('schedule_watch')
    .addColumn('schedule_id', 'text', (c) => c.primaryKey().references('schedules.id').onDelete('cascade'))
    .addColumn('handoffs_until', instant, (c) => c.notNull())
    .addColumn('gaps_checked_at', instant)
    .addColumn('gaps_warned', 'text')
    .addColumn('gaps_warned_at', instant)
    .execute();
}
