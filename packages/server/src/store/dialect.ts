import { type Expression, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { likePattern } from './repos/paging.js';
import type { Database } from './schema.js';

/** A query over incidents, to narrow, order and select from (repos/incident.repo.ts). */
// biome-ignore lint/complexity/noBannedTypes: Kysely's own type for "nothing selected yet".
export type IncidentQuery = SelectQueryBuilder<Database, 'incidents', {}>;

/**
 * Everything that differs between SQLite and PostgreSQL, in one place (ARCHITECTURE.md §3).
 * Repositories ask this object instead of testing the engine themselves.
 */
export interface StoreDialect {
  readonly engine: 'sqlite' | 'postgres';
  /** Is this error a unique-constraint violation (a duplicate name, key or number)? */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Locks the selected rows for the transaction. PostgreSQL: FOR UPDATE. SQLite: nothing, because
   * a write transaction (BEGIN IMMEDIATE) already excludes every other writer.
   */
  forUpdate<O>(query: SelectQueryBuilder<Database, any, O>): SelectQueryBuilder<Database, any, O>;
  /**
   * Claims rows for work several instances share: PostgreSQL FOR UPDATE SKIP LOCKED (a row another
   * instance holds is skipped, not waited for); SQLite: nothing, one process holds the writer.
   */
  claim<O>(query: SelectQueryBuilder<Database, any, O>): SelectQueryBuilder<Database, any, O>;
  /**
   * Called first in a transaction that claims shared work: PostgreSQL ends it if its instance goes
   * quiet in it for `ms` (paused, frozen), so the rows it locked go to another instance within about
   * one engine cycle rather than the pool-wide limit (database.ts). SQLite: nothing to share.
   */
  holdClaimsAtMost(trx: Kysely<Database>, ms: number): Promise<void>;
  /** Case-insensitive LIKE: `ilike` on PostgreSQL; SQLite's `like` is case-insensitive for ASCII. */
  readonly likeOperator: 'like' | 'ilike';
  /**
   * The incidents whose title contains `text`, case-insensitively (what `q` has always meant),
   * found without reading every incident (migration 0008), and the key to order and page them by,
   * newest first.
   */
  incidentsWithTitle(db: Kysely<Database>, text: string): { query: IncidentQuery; key: Expression<number> };
}

const incidentNumber = sql<number>`incidents.number`;

/**
 * SQLite: the FTS5 trigram table drives (CROSS JOIN fixes the join order in SQLite) and pages by
 * its rowid, the incident number: FTS5 reads its index newest first and the page stops the scan.
 * Left to itself the planner starts from an index on a filter (status, service) and runs the
 * full-text match once per row: 1.5 s at a million incidents instead of 3 ms. The `like` keeps
 * the exact meaning (FTS5 folds case beyond ASCII and knows no LIKE escapes). Trigrams need three
 * characters: shorter text is a plain `like`, reading incidents newest first.
 */
function sqliteIncidentsWithTitle(db: Kysely<Database>, text: string) {
  const like = sql<boolean>`incidents.title like ${likePattern(text)} escape '\\'`;
  if ([...text].length < 3) return { query: db.selectFrom('incidents').where(like), key: incidentNumber };
  const phrase = `"${text.replaceAll('"', '""')}"`;
  const query = db
    .selectFrom(sql`incidents_title_fts`.as('f'))
    .crossJoin('incidents')
    .where(sql<boolean>`f.rowid = incidents.number`)
    .where(sql<boolean>`f.incidents_title_fts match ${phrase}`)
    .where(like);
  return { query: query as unknown as IncidentQuery, key: sql<number>`f.rowid` };
}

export const sqliteDialect: StoreDialect = {
  engine: 'sqlite',
  isUniqueViolation: (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  forUpdate: (query) => query,
  claim: (query) => query,
  holdClaimsAtMost: async () => {},
  likeOperator: 'like',
  incidentsWithTitle: sqliteIncidentsWithTitle,
};

export const postgresDialect: StoreDialect = {
  engine: 'postgres',
  isUniqueViolation: (error) => (error as { code?: unknown } | null)?.code === '23505',
  forUpdate: (query) => query.forUpdate(),
  claim: (query) => query.forUpdate().skipLocked(),
  holdClaimsAtMost: async (trx, ms) => {
    await sql`select set_config('idle_in_transaction_session_timeout', ${String(Math.round(ms))}, true)`.execute(
      trx,
    );
  },
  likeOperator: 'ilike',
  // The pg_trgm GIN index serves `ilike '%…%'` as it is; the planner picks it for rare text and
  // the newest-first scan of incidents_number for common text.
  incidentsWithTitle: (db, text) => ({
    query: db
      .selectFrom('incidents')
      .where(sql<boolean>`incidents.title ilike ${likePattern(text)} escape '\\'`),
    key: incidentNumber,
  }),
};

export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  close(): Promise<void>;
}
