import type { Store } from './dialect.js';

export interface IdempotencyRecord {
  requestHash: string;
  statusCode: number | null;
  responseBody: string | null;
  createdAt: string;
}

/** Rows behind the Idempotency-Key header: a claim first, then the response that answered it. */
export function createIdempotencyStore(store: Store) {
  const { db, dialect } = store;
  return {
    /** Claims the key; false if a row exists already (then `get` says whose and what). */
    async claim(principal: string, key: string, requestHash: string, at: string): Promise<boolean> {
      try {
        await db
          .insertInto('idempotency_keys')
          .values({
            principal,
            key,
            request_hash: requestHash,
            status_code: null,
            response_body: null,
            created_at: at,
          })
          .execute();
        return true;
      } catch (error) {
        if (dialect.isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async get(principal: string, key: string): Promise<IdempotencyRecord | null> {
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('principal', '=', principal)
        .where('key', '=', key)
        .executeTakeFirst();
      return row
        ? {
            requestHash: row.request_hash,
            statusCode: row.status_code,
            responseBody: row.response_body,
            createdAt: row.created_at,
          }
        : null;
    },
    async complete(principal: string, key: string, statusCode: number, responseBody: string): Promise<void> {
      await db
        .updateTable('idempotency_keys')
        .set({ status_code: statusCode, response_body: responseBody })
        .where('principal', '=', principal)
        .where('key', '=', key)
        .execute();
    },
    /** Deletes answers created before `before` (their replay window is over). */
    async sweep(before: string): Promise<void> {
      await db.deleteFrom('idempotency_keys').where('created_at', '<', before).execute();
    },
    async release(principal: string, key: string): Promise<void> {
      await db
        .deleteFrom('idempotency_keys')
        .where('principal', '=', principal)
        .where('key', '=', key)
        .execute();
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
