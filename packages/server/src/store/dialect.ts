import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';

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
  /** Case-insensitive LIKE: `ilike` on PostgreSQL; SQLite's `like` is case-insensitive for ASCII. */
  readonly likeOperator: 'like' | 'ilike';
}

export const sqliteDialect: StoreDialect = {
  engine: 'sqlite',
  isUniqueViolation: (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  forUpdate: (query) => query,
  claim: (query) => query,
  likeOperator: 'like',
};

export const postgresDialect: StoreDialect = {
  engine: 'postgres',
  isUniqueViolation: (error) => (error as { code?: unknown } | null)?.code === '23505',
  forUpdate: (query) => query.forUpdate(),
  claim: (query) => query.forUpdate().skipLocked(),
  likeOperator: 'ilike',
};

export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  close(): Promise<void>;
}
