import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where the throw-away PostgreSQL databases are made; CI and the README use the local server. */
export const adminPostgresUrl =
  process.env.VIGIL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type Engine = 'sqlite' | 'postgres';

/** Both engines always: `VIGIL_TEST_ENGINES=sqlite` narrows a local run, never CI's. */
export const engines: Engine[] = (process.env.VIGIL_TEST_ENGINES?.split(',') as Engine[] | undefined) ?? [
  'sqlite',
  'postgres',
];

export interface TestDatabase {
  engine: Engine;
  /** Set for PostgreSQL. */
  databaseUrl: string | undefined;
  /** A fresh directory (SQLite's file lives here; harmless for PostgreSQL). */
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given engine, dropped again by `drop()`. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-test-'));
  if (engine === 'sqlite') {
    return {
      engine,
      databaseUrl: undefined,
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `vigil_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminPostgresUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminPostgresUrl);
  url.pathname = `/${name}`;
  return {
    engine,
    databaseUrl: url.toString(),
    dataDir,
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: adminPostgresUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
