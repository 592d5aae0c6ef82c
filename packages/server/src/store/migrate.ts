import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Store } from './dialect.js';
import * as initial from './migrations/0001-initial.js';
import * as changeEvents from './migrations/0002-change-events.js';
import * as schedules from './migrations/0003-schedules.js';
import * as paging from './migrations/0004-paging.js';
import * as scheduleWatch from './migrations/0005-schedule-watch.js';
import * as quietHours from './migrations/0006-quiet-hours.js';
import * as sessions from './migrations/0007-sessions.js';
import * as incidentBoard from './migrations/0008-incident-board.js';
import * as outboundIntegrations from './migrations/0009-outbound-integrations.js';
import * as heartbeats from './migrations/0010-heartbeats.js';

type EngineMigration = { up(db: Kysely<any>, engine: 'sqlite' | 'postgres'): Promise<void> };

/** In order; names never change once released. */
const migrations: Record<string, EngineMigration> = {
  '0001-initial': initial,
  '0002-change-events': changeEvents,
  '0003-schedules': schedules,
  '0004-paging': paging,
  '0005-schedule-watch': scheduleWatch,
  '0006-quiet-hours': quietHours,
  '0007-sessions': sessions,
  '0008-incident-board': incidentBoard,
  '0009-outbound-integrations': outboundIntegrations,
  '0010-heartbeats': heartbeats,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly engine: 'sqlite' | 'postgres') {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(migrations).map(([name, migration]) => [
        name,
        { up: (db: Kysely<any>) => migration.up(db, this.engine) },
      ]),
    );
  }
}

const migratorFor = (store: Store) =>
  new Migrator({
    db: store.db,
    provider: new StaticProvider(store.dialect.engine),
    migrationTableName: 'vigil_migrations',
    migrationLockTableName: 'vigil_migrations_lock',
  });

/**
 * Applies every pending migration; returns the names applied. On PostgreSQL several instances may
 * start at once: Kysely's migrator takes an advisory lock. On SQLite the migrations run in one
 * BEGIN IMMEDIATE transaction (sqlite-worker-driver.ts), so a concurrent `vigil migrate` waits.
 */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const { error, results } = await migratorFor(store).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}

/** Whether every migration this code knows is applied (what /readyz reports). */
export async function migrationsAreCurrent(store: Store): Promise<boolean> {
  const list = await migratorFor(store).getMigrations();
  return list.every((migration) => migration.executedAt !== undefined);
}
