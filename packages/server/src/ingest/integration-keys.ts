import type { Clock, Integration, Secrets, Service, UnitOfWork } from '@vigil/core';

export interface KeyOwner {
  integration: Integration;
  /** The integration's service as it was when looked up (its status decides whether it takes alerts). */
  service: Service | null;
}

/**
 * Finds the integration an ingest key belongs to, by the key's SHA-256, with its service. Answers
 * are kept for a few seconds so a busy sender costs no database read per event; a deleted
 * integration or changed service takes effect on this instance at once (forget) and on other
 * instances within the TTL.
 */
export function createIntegrationKeyLookup(
  deps: { uow: UnitOfWork; secrets: Secrets; clock: Clock },
  ttlMs = 5_000,
) {
  // By the key as sent: a busy sender's key is hashed once per TTL, not on every event. (The keys
  // live only in this process's memory, as they do in each request it reads them from.)
  const cache = new Map<string, { owner: KeyOwner | null; expiresMs: number }>();
  return {
    async find(key: string): Promise<KeyOwner | null> {
      if (key.length === 0 || key.length > 200) return null;
      const nowMs = deps.clock.now().getTime();
      const hit = cache.get(key);
      if (hit && hit.expiresMs > nowMs) return hit.owner;
      const hash = deps.secrets.hashToken(key);
      const integration = await deps.uow.read.integrations.findByKeyHash(hash);
      const owner = integration
        ? { integration, service: await deps.uow.read.services.get(integration.serviceId) }
        : null;
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { owner, expiresMs: nowMs + ttlMs });
      return owner;
    },
    forget(): void {
      cache.clear();
    },
  };
}

export type IntegrationKeyLookup = ReturnType<typeof createIntegrationKeyLookup>;
