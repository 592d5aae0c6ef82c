import type { PasswordReset, PasswordResetRepo, Session, SessionRepo, SessionWithUser } from '@vigil/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from '../schema.js';
import { userFromRow } from './user.repo.js';

const sessionFromRow = (row: Selectable<SessionsTable>): Session => ({
  id: row.id,
  userId: row.user_id,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  ip: row.ip,
  userAgent: row.user_agent,
});

export function createSessionRepo(db: Kysely<Database>): SessionRepo {
  return {
    async insert(session, tokenHash) {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          user_id: session.userId,
          token_hash: tokenHash,
          created_at: session.createdAt,
          last_seen_at: session.lastSeenAt,
          expires_at: session.expiresAt,
          revoked_at: session.revokedAt,
          ip: session.ip,
          user_agent: session.userAgent,
        })
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? sessionFromRow(row) : null;
    },
    async findByTokenHash(tokenHash): Promise<SessionWithUser | null> {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return null;
      const user = await db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirst();
      return user ? { session: sessionFromRow(row), user: userFromRow(user) } : null;
    },
    async touch(id, lastSeenAt, expiresAt) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revoke(id, at) {
      await db
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeAllOfUser(userId, at, exceptId) {
      let query = db
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at);
      if (exceptId) query = query.where('id', '!=', exceptId);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export function createPasswordResetRepo(db: Kysely<Database>): PasswordResetRepo {
  return {
    async insert(reset, tokenHash) {
      await db
        .insertInto('password_resets')
        .values({
          token_hash: tokenHash,
          user_id: reset.userId,
          created_at: reset.createdAt,
          expires_at: reset.expiresAt,
          used_at: reset.usedAt,
        })
        .execute();
    },
    async findByTokenHash(tokenHash): Promise<PasswordReset | null> {
      const row = await db
        .selectFrom('password_resets')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row
        ? { userId: row.user_id, createdAt: row.created_at, expiresAt: row.expires_at, usedAt: row.used_at }
        : null;
    },
    async markUsed(tokenHash, at) {
      // Conditional on used_at being empty: of two redemptions racing, exactly one updates the row.
      const result = await db
        .updateTable('password_resets')
        .set({ used_at: at })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async invalidateAllOfUser(userId, at) {
      await db
        .updateTable('password_resets')
        .set({ used_at: at })
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute();
    },
    async countSince(userId, since) {
      const row = await db
        .selectFrom('password_resets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('created_at', '>=', since)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
