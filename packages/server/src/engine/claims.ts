import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/**
 * How long a sender's claim on a message lasts: longer than any provider timeout, so only a dead
 * (or frozen) sender loses one, and then another sender may take the message.
 */
export const CLAIM_MS = 60_000;
/** A sender stops before the provider call when its claim is this old (it may have been paused). */
export const CLAIM_SAFE_MS = 40_000;

/**
 * Marks claimed rows as being sent under `token` (pages and outbound deliveries share these columns):
 * a claim is (id, token), so the outcome of a sender whose claim expired is told apart and dropped.
 */
export async function markSending(
  trx: Kysely<Database>,
  table: 'notifications' | 'outbound_deliveries',
  ids: string[],
  token: string,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  // One table's type for both: the columns set here have the same names and types in each.
  await trx
    .updateTable(table as 'notifications')
    .set((eb) => ({
      state: 'sending',
      claim_token: token,
      claimed_until: new Date(now.getTime() + CLAIM_MS).toISOString(),
      attempts: eb('attempts', '+', 1),
      reason: 'sending',
      updated_at: at,
    }))
    .where('id', 'in', ids)
    .execute();
}
