import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { postgresDialect, type Store, sqliteDialect } from './dialect.js';
import type { Database } from './schema.js';
import { SqliteWorkerDialect } from './sqlite-worker-driver.js';

export interface StoreOptions {
  /** `postgres://…` for PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Pool size on PostgreSQL. */
  poolSize?: number;
  /** Told about errors on idle PostgreSQL connections (logged by the server). */
  onPoolError?: (error: Error) => void;
}

const OID = { int8: 20, timestamp: 1114, timestamptz: 1184, json: 114, jsonb: 3802 } as const;

/**
 * The pg client parses results the way the SQLite side returns them, so repositories read one
 * shape: bigints as numbers (incident numbers and counts stay far below 2^53), instants as ISO
 * strings, JSON as text.
 */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case OID.int8:
        return (value: string) => Number(value);
      case OID.timestamptz:
      case OID.timestamp:
        return (value: string) =>
          new Date(value.includes('+') || value.endsWith('Z') ? value : `${value}Z`).toISOString();
      case OID.json:
      case OID.jsonb:
        return (value: string) => value;
      default:
        return pg.types.getTypeParser(oid, format ?? 'text');
    }
  },
};

export const isPostgresUrl = (url: string | undefined): url is string =>
  url !== undefined && /^postgres(ql)?:\/\//.test(url);

export async function openStore(options: StoreOptions): Promise<Store> {
  if (isPostgresUrl(options.databaseUrl)) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 20,
      types: pgTypes as never,
      // Instants are compared and stored in UTC whatever the server's default zone is. A transaction
      // left idle for 3 s is ended by the server: an instance paused mid-decision (SIGSTOP, a long
      // GC, a frozen VM) loses its row locks and cannot commit late; another instance decides. (At
      // 10 s, steps an instance had locked when it was paused fired 14 s late.)
      options: '-c TimeZone=UTC -c idle_in_transaction_session_timeout=3000',
    });
    // An idle connection the server drops (a PostgreSQL restart, a failover) must not crash Vigil;
    // the pool replaces it on the next query.
    pool.on('error', (error) => options.onPoolError?.(error));
    // The same for a connection in use: one the server ends in a transaction (an instance that was
    // paused past the idle limit, below) must fail that transaction, not crash the process when it
    // wakes. The pool drops such a connection when it is given back.
    pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: postgresDialect, close: () => db.destroy() };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const db = new Kysely<Database>({
    dialect: new SqliteWorkerDialect({ filename: join(options.dataDir, 'vigil.db') }),
  });
  return { db, dialect: sqliteDialect, close: () => db.destroy() };
}
