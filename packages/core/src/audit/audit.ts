import type { Actor } from '../shared/actor.js';
import type { Instant } from '../shared/clock.js';

/** One append-only record of a change: who, when, what, before and after. */
export interface AuditEntry {
  id: string;
  at: Instant;
  actor: Actor;
  action: string;
  objectType: string;
  objectId: string;
  before: unknown;
  after: unknown;
  ip: string | null;
}
