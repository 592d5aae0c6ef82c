import type { Clock, Integration, Secrets, UnitOfWork } from '@vigil/core';

/**
 * Finds the integration an ingest key belongs to, by the key's SHA-256. Answers are kept for a few
 * seconds so a busy sender costs no database read per event; a deleted integration stops
 * accepting on this instance at once (forget) and on other instances within the TTL.
 */
export function createIntegrationKeyLookup(
  deps: { uow: UnitOfWork; secrets: Secrets; clock: Clock },
  ttlMs = 5_000,
) {
  const cache = new Map<string, { integration: Integration | null; expiresMs: number }>();
  return {
    async find(key: string): Promise<Integration | null> {
      if (key.length === 0 || key.length > 200) return null;
      const hash = deps.secrets.hashToken(key);
      const nowMs = deps.clock.now().getTime();
      const hit = cache.get(hash);
      if (hit && hit.expiresMs > nowMs) return hit.integration;
      const integration = await deps.uow.read.integrations.findByKeyHash(hash);
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, { integration, expiresMs: nowMs + ttlMs });
      return integration;
    },
    forget(): void {
      cache.clear();
    },
  };
}

export type IntegrationKeyLookup = ReturnType<typeof createIntegrationKeyLookup>;
