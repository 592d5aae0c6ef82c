import { createHash } from 'node:crypto';
import { VigilError } from '@vigil/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.js';
import { createIdempotencyStore } from '../store/idempotency.store.js';

/** How long a key's answer is replayed (specs/api.md). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
const ABANDONED_CLAIM_MS = 60_000;
/** Answers older than the window are deleted at most this often, by whichever request comes. */
const SWEEP_INTERVAL_MS = 10 * 60_000;

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Creates opt in: a replayed Idempotency-Key returns the first response instead of acting again. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotencyClaim: { principal: string; key: string } | null;
  }
}

/**
 * `Idempotency-Key` on creates: the first request claims the key (a row), its 2xx answer is stored
 * and replayed for 24 hours; the same key with a different body is refused (422), and while the
 * first is still running a retry gets 409 rather than a second create. A failed first attempt
 * releases the key so the client can retry.
 */
export function installIdempotency(app: FastifyInstance, deps: AppDeps) {
  const keys = createIdempotencyStore(deps.store);
  let lastSweepMs = 0;
  app.decorateRequest('idempotencyClaim', null);

  const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
      throw new VigilError('VALIDATION_FAILED', 'Idempotency-Key must be 1–255 visible ASCII characters', [
        { path: 'header:idempotency-key', message: 'must be 1–255 visible ASCII characters' },
      ]);
    }
    // Per API key; a browser session's replays are its user's (`user:` never collides with a key id).
    const caller = request.principal;
    const principal = caller?.key?.id ?? (caller ? `user:${caller.user.id}` : `ip:${request.ip}`);
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
      .digest('hex');
    const now = deps.clock.now();
    if (now.getTime() - lastSweepMs > SWEEP_INTERVAL_MS) {
      lastSweepMs = now.getTime();
      await keys.sweep(new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS).toISOString());
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await keys.claim(principal, key, requestHash, now.toISOString())) {
        request.idempotencyClaim = { principal, key };
        return;
      }
      const existing = await keys.get(principal, key);
      if (!existing) continue; // released in between: claim again
      const age = now.getTime() - Date.parse(existing.createdAt);
      // A claim never completed for a minute belongs to a request that died with its process.
      const abandoned = existing.statusCode === null && age > ABANDONED_CLAIM_MS;
      if (age > IDEMPOTENCY_WINDOW_MS || abandoned) {
        await keys.release(principal, key);
        continue;
      }
      if (existing.requestHash !== requestHash) throw new VigilError('IDEMPOTENCY_KEY_REUSED');
      if (existing.statusCode === null || existing.responseBody === null)
        throw new VigilError('IDEMPOTENCY_KEY_IN_USE');
      return reply
        .code(existing.statusCode)
        .header('idempotent-replayed', 'true')
        .type('application/json; charset=utf-8')
        .send(existing.responseBody);
    }
    throw new VigilError('IDEMPOTENCY_KEY_IN_USE');
  };

  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = null;
    if (reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string') {
      await keys.complete(claim.principal, claim.key, reply.statusCode, payload);
    } else {
      await keys.release(claim.principal, claim.key);
    }
    return payload;
  };

  // Only creates opt in, so every other route skips these two hooks entirely.
  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotent) return;
    const list = <T>(value: T | T[] | undefined): T[] =>
      value === undefined ? [] : Array.isArray(value) ? value : [value];
    route.preHandler = [...list(route.preHandler), preHandler] as typeof route.preHandler;
    route.onSend = [...list(route.onSend), onSend] as typeof route.onSend;
  });
}
