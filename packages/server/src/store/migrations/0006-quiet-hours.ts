import type { Kysely } from 'kysely';

/** Frozen. A person's quiet hours (`{"start":"22:00","end":"07:00"}` in their zone), for low urgency. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('quiet_hours', 'text').execute();
}
