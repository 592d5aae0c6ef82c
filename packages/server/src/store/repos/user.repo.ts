import type { ApiKey, ApiKeyRepo, ApiKeyWithOwner, Role, UserRecord, UserRepo } from '@vigil/core';
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database, UsersTable } from '../schema.js';
import { decodeCursor, toPage } from './paging.js';

export const userFromRow = (row: Selectable<UsersTable>): UserRecord => ({
  id: row.id,
  name: row.name,
  email: row.email,
  role: row.role as Role,
  timeZone: row.time_zone,
  quietHours: row.quiet_hours ? JSON.parse(row.quiet_hours) : null,
  hasPassword: row.password_hash !== null,
  passwordHash: row.password_hash,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deactivatedAt: row.deactivated_at,
});

const userToRow = (user: UserRecord): Selectable<UsersTable> => ({
  id: user.id,
  name: user.name,
  email: user.email,
  role: user.role,
  time_zone: user.timeZone,
  quiet_hours: user.quietHours ? JSON.stringify(user.quietHours) : null,
  password_hash: user.passwordHash,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
  deactivated_at: user.deactivatedAt,
});

export function createUserRepo(db: Kysely<Database>): UserRepo {
  return {
    async insert(user) {
      await db.insertInto('users').values(userToRow(user)).execute();
    },
    async update(user) {
      const { id, ...rest } = userToRow(user);
      await db.updateTable('users').set(rest).where('id', '=', id).execute();
    },
    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? userFromRow(row) : null;
    },
    async getByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      return row ? userFromRow(row) : null;
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
      return rows.map(userFromRow);
    },
    async list(page, includeDeactivated) {
      let query = db
        .selectFrom('users')
        .selectAll()
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (!includeDeactivated) query = query.where('deactivated_at', 'is', null);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, userFromRow);
    },
    async countActive() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('deactivated_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async countActiveWithRole(role) {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('deactivated_at', 'is', null)
        .where('role', '=', role)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

const apiKeyFromRow = (row: Selectable<ApiKeysTable>): ApiKey => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  role: row.role as Role,
  tokenPrefix: row.token_prefix,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export function createApiKeyRepo(db: Kysely<Database>): ApiKeyRepo {
  return {
    async insert(key, tokenHash) {
      await db
        .insertInto('api_keys')
        .values({
          id: key.id,
          user_id: key.userId,
          name: key.name,
          role: key.role,
          token_hash: tokenHash,
          token_prefix: key.tokenPrefix,
          created_at: key.createdAt,
          expires_at: key.expiresAt,
          last_used_at: key.lastUsedAt,
          revoked_at: key.revokedAt,
        })
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? apiKeyFromRow(row) : null;
    },
    async findByTokenHash(tokenHash): Promise<ApiKeyWithOwner | null> {
      const key = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!key) return null;
      const user = await db.selectFrom('users').selectAll().where('id', '=', key.user_id).executeTakeFirst();
      return user ? { key: apiKeyFromRow(key), user: userFromRow(user) } : null;
    },
    async list(userId, page) {
      let query = db
        .selectFrom('api_keys')
        .selectAll()
        .where('revoked_at', 'is', null)
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (userId) query = query.where('user_id', '=', userId);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, apiKeyFromRow);
    },
    async revoke(id, at) {
      await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).execute();
    },
    async revokeAllOfUser(userId, at) {
      await db
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async touch(id, at) {
      await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}
