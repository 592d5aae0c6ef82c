import type { ChangeEventRepo } from '@vigil/core';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { decodeCursor, parseJson, toPage } from './paging.js';

export function createChangeEventRepo(db: Kysely<Database>): ChangeEventRepo {
  return {
    async insert(change) {
      await db
        .insertInto('change_events')
        .values({
          id: change.id,
          integration_id: change.integrationId,
          service_id: change.serviceId,
          summary: change.summary,
          source: change.source,
          happened_at: change.happenedAt,
          received_at: change.receivedAt,
          custom_details: JSON.stringify(change.customDetails),
          links: JSON.stringify(change.links),
        })
        .execute();
    },
    async list(filter, page) {
      let query = db
        .selectFrom('change_events')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(page.limit + 1);
      if (filter.serviceId) query = query.where('service_id', '=', filter.serviceId);
      if (page.cursor) query = query.where('id', '<', decodeCursor(page.cursor, 'string'));
      return toPage(
        await query.execute(),
        page.limit,
        (row) => row.id,
        (row) => ({
          id: row.id,
          integrationId: row.integration_id,
          serviceId: row.service_id,
          summary: row.summary,
          source: row.source,
          happenedAt: row.happened_at,
          receivedAt: row.received_at,
          customDetails: parseJson<Record<string, unknown>>(row.custom_details),
          links: parseJson<{ href: string; text?: string }[]>(row.links),
        }),
      );
    },
  };
}
