import type { SettingsRepo } from '@vigil/core';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export function createSettingsRepo(db: Kysely<Database>): SettingsRepo {
  return {
    async get(key) {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value ?? null;
    },
    async put(key, value, at) {
      await db
        .insertInto('settings')
        .values({ key, value, updated_at: at })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
        .execute();
    },
    async delete(key) {
      await db.deleteFrom('settings').where('key', '=', key).execute();
    },
  };
}
