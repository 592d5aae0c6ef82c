import type { Repos, UnitOfWork } from '../ports.js';
import type { RequestContext } from './actor.js';
import type { Clock } from './clock.js';
import type { IdFactory } from './ids.js';

/** Crypto a use case needs, injected so core stays free of Node APIs. */
export interface Secrets {
  /** A new API key token: random ≥128 bits with a recognisable prefix. */
  newApiToken(): string;
  /** A new integration key (what monitoring tools send). */
  newIntegrationKey(): string;
  /** A URL-safe secret for links that carry their own authority (calendar feeds). */
  newUrlToken(): string;
  /** A random code of `digits` decimal digits (contact-method verification). */
  newNumericCode(digits: number): string;
  /** SHA-256 hex of a token: what is stored and looked up. */
  hashToken(token: string): string;
  /** A self-describing hash of a password (algorithm and parameters inside the string). */
  hashPassword(password: string): Promise<string>;
  /**
   * Whether `password` matches `hash`, compared in constant time. With `hash` null (no such user, or
   * one without a password) it still does the same work and answers false, so timing tells nothing.
   */
  verifyPassword(password: string, hash: string | null): Promise<boolean>;
}

/** What every use case receives. Each picks what it uses. */
export interface UseCaseDeps {
  uow: UnitOfWork;
  clock: Clock;
  newId: IdFactory;
  secrets: Secrets;
}

export interface AuditRecord {
  action: string;
  objectType: string;
  objectId: string;
  before?: unknown;
  after?: unknown;
}

/** Appends the audit entry for a change, in the transaction that makes the change. */
export async function recordAudit(
  repos: Repos,
  deps: Pick<UseCaseDeps, 'newId'>,
  ctx: RequestContext,
  at: string,
  record: AuditRecord,
): Promise<void> {
  await repos.audit.append({
    id: deps.newId(),
    at,
    actor: ctx.actor,
    action: record.action,
    objectType: record.objectType,
    objectId: record.objectId,
    before: record.before ?? null,
    after: record.after ?? null,
    ip: ctx.ip,
  });
}
