import { randomUUID } from 'node:crypto';
import type { Clock, Incident, OutboundEvent, OutboundKind, Repos } from '@vigil/core';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { nextRetryDelayMs } from '../channels/backoff.js';
import type { IncidentSummary, SendResult } from '../channels/channel.js';
import type { IntegrationSink } from '../channels/sink.js';
import type { Store } from '../store/dialect.js';
import type { Database, OutboundDeliveriesTable } from '../store/schema.js';
import { incidentUrl } from '../urls.js';
import { CLAIM_SAFE_MS, markSending } from './claims.js';
import { targetOf } from './outbound-sinks.js';

const MAX_ATTEMPTS = 8;
/** Deliveries in flight per integration: a SIGNL4 team that hangs fills its own slots, nobody else's. */
const SLOTS_PER_INTEGRATION = 4;

type DeliveryRow = Selectable<OutboundDeliveriesTable>;

export interface OutboundSenderDeps {
  store: Store;
  reposFor(db: Kysely<Database>): Repos;
  clock: Clock;
  sinks: { sinkFor(kind: OutboundKind): IntegrationSink | undefined };
  publicUrl: string;
  random?: () => number;
  onResult?(kind: string, outcome: SendResult['outcome'] | 'suppressed'): void;
  onError?(error: unknown): void;
  /** A send finished: the engine should look for more now (the next event of that incident). */
  onSlotFree?(): void;
}

/**
 * Drains the outbound outbox (`outbound_deliveries`), beside the notification sender and with its
 * rules (ARCHITECTURE.md §4): claims due rows (FOR UPDATE SKIP LOCKED on PostgreSQL) with a token
 * and a deadline, sends outside any transaction, writes the outcome only if the claim is still its
 * own. Temporary failures come back with backoff, full jitter and Retry-After; a sender that dies
 * mid-send leaves its claim to expire and the event is sent again with the same id (at least once).
 *
 * It is a separate module with its own slots so that a provider that is down or slow (SIGNL4, New
 * Relic) never holds a page to a person: the notification sender does not wait for it, and the
 * engine starts these sends after the pages. The events of one incident go to one integration in
 * order: a delivery waits while an earlier one (by `seq`) of the same incident is queued or in
 * flight, so a resolve never overtakes its trigger, even through retries.
 */
export function createOutboundSender(deps: OutboundSenderDeps) {
  const { store } = deps;
  const inFlight = new Map<string, number>();
  const running = new Set<Promise<void>>();

  /** Due (queued and its time has come, or claimed by a sender that died) and not behind an earlier event. */
  const ready = (at: string) => (eb: ExpressionBuilder<Database, 'outbound_deliveries'>) =>
    eb.and([
      eb.or([
        eb.and([eb('state', '=', 'queued'), eb('next_attempt_at', '<=', at)]),
        eb.and([eb('state', '=', 'sending'), eb('claimed_until', '<', at)]),
      ]),
      eb.not(
        eb.exists(
          eb
            .selectFrom('outbound_deliveries as earlier')
            .select('earlier.id')
            .whereRef('earlier.integration_id', '=', 'outbound_deliveries.integration_id')
            .whereRef('earlier.incident_id', '=', 'outbound_deliveries.incident_id')
            .whereRef('earlier.seq', '<', 'outbound_deliveries.seq')
            .where('earlier.state', 'in', ['queued', 'sending']),
        ),
      ),
    ]);

  async function run(now: Date): Promise<number> {
    const at = now.toISOString();
    const integrations = await store.db
      .selectFrom('outbound_deliveries')
      .select('integration_id')
      .distinct()
      .where(ready(at))
      .execute();
    let started = 0;
    for (const { integration_id: integrationId } of integrations) {
      const free = SLOTS_PER_INTEGRATION - (inFlight.get(integrationId) ?? 0);
      if (free <= 0) continue;
      const { rows, token } = await claim(integrationId, free, now);
      for (const row of rows) {
        started++;
        inFlight.set(integrationId, (inFlight.get(integrationId) ?? 0) + 1);
        const work = deliver(row, token, performance.now())
          .catch((error) => deps.onError?.(error))
          .finally(() => {
            inFlight.set(integrationId, (inFlight.get(integrationId) ?? 1) - 1);
            running.delete(work);
            deps.onSlotFree?.();
          });
        running.add(work);
      }
    }
    return started;
  }

  async function claim(integrationId: string, limit: number, now: Date) {
    const at = now.toISOString();
    const token = randomUUID();
    const rows = await store.db.transaction().execute(async (trx) => {
      const found = await store.dialect
        .claim(
          trx
            .selectFrom('outbound_deliveries')
            .selectAll()
            .where('integration_id', '=', integrationId)
            .where(ready(at))
            .orderBy('next_attempt_at')
            .limit(limit),
        )
        .execute();
      if (found.length === 0) return [];
      await markSending(
        trx,
        'outbound_deliveries',
        found.map((row) => row.id),
        token,
        now,
      );
      return found.map((row) => ({ ...row, attempts: row.attempts + 1 }));
    });
    return { rows, token };
  }

  /** Writes the outcome, if the claim is still ours (a paused sender's late result is dropped). */
  async function finish(row: DeliveryRow, token: string, patch: Partial<OutboundDeliveriesTable>) {
    await store.db
      .updateTable('outbound_deliveries')
      .set({ ...patch, claim_token: null, claimed_until: null, updated_at: deps.clock.now().toISOString() })
      .where('id', '=', row.id)
      .where('claim_token', '=', token)
      .execute();
  }

  async function stillMine(id: string, token: string): Promise<boolean> {
    const current = await store.db
      .selectFrom('outbound_deliveries')
      .select(['claim_token', 'claimed_until'])
      .where('id', '=', id)
      .executeTakeFirst();
    return current?.claim_token === token && (current.claimed_until ?? '') > deps.clock.now().toISOString();
  }

  async function deliver(row: DeliveryRow, token: string, claimedAt: number) {
    const repos = deps.reposFor(store.db);
    const integration = await repos.outbound.get(row.integration_id);
    const incident = await repos.incidents.get(row.incident_id);
    const kind = integration?.kind ?? 'unknown';
    const sink = integration ? deps.sinks.sinkFor(integration.kind) : undefined;
    if (!integration?.enabled || !incident || !sink) {
      const reason = !integration
        ? 'the integration was deleted before this was sent'
        : !integration.enabled
          ? 'the integration was disabled before this was sent'
          : !incident
            ? 'the incident is gone'
            : `no sender for ${integration.kind}`;
      await finish(row, token, { state: 'suppressed', reason });
      deps.onResult?.(kind, 'suppressed');
      return;
    }
    const summary = await summarise(repos, incident, row.event as OutboundEvent);
    // A sender that was paused must not send what another instance has claimed since.
    if (performance.now() - claimedAt > CLAIM_SAFE_MS || !(await stillMine(row.id, token))) return;
    const result = await sink.send({ id: row.id, target: targetOf(integration), incident: summary });
    deps.onResult?.(kind, result.outcome);
    await record(row, token, result);
  }

  async function record(row: DeliveryRow, token: string, result: SendResult) {
    const now = deps.clock.now();
    if (result.outcome === 'sent' || result.outcome === 'delivered') {
      await finish(row, token, {
        state: 'sent',
        reason: result.reason,
        provider_id: result.providerId ?? null,
        sent_at: now.toISOString(),
      });
      return;
    }
    if (result.outcome === 'temporary' && row.attempts < MAX_ATTEMPTS) {
      const delay = nextRetryDelayMs(row.attempts, {
        random: deps.random ?? Math.random,
        ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
      });
      await finish(row, token, {
        state: 'queued',
        next_attempt_at: new Date(now.getTime() + delay).toISOString(),
        reason: `${result.reason}; retrying in ${Math.ceil(delay / 1000)} s (attempt ${row.attempts} of ${MAX_ATTEMPTS})`,
      });
      return;
    }
    const reason =
      result.outcome === 'temporary'
        ? `${result.reason}; gave up after ${row.attempts} attempts`
        : result.reason;
    await finish(row, token, { state: 'failed', reason });
  }

  /**
   * The incident as the event saw it: the status is the event's, not today's, so a trigger sent
   * late (after retries) is still a trigger and the resolve that follows it still a resolve.
   */
  async function summarise(repos: Repos, incident: Incident, event: OutboundEvent): Promise<IncidentSummary> {
    const service = await repos.services.get(incident.serviceId);
    const changedBy =
      event === 'triggered'
        ? null
        : ((await repos.timeline.latestOfType(incident.id, event))?.actor.name ?? null);
    return {
      id: incident.id,
      number: incident.number,
      title: incident.title,
      status: event,
      urgency: incident.urgency,
      priority: incident.priority,
      severity: incident.severity,
      serviceName: service?.name ?? 'unknown service',
      htmlUrl: incidentUrl(deps.publicUrl, incident.number),
      createdAt: incident.createdAt,
      changedBy,
    };
  }

  return {
    run,
    /** Waits for the sends in flight (shutdown, tests). */
    async drain(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

export type OutboundSender = ReturnType<typeof createOutboundSender>;
