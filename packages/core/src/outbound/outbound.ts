import type { Incident, IncidentStatus } from '../incident/incident.js';
import type { Instant } from '../shared/clock.js';

/**
 * Service-level outbound integrations: other systems told about each incident of a service (a
 * SIGNL4 team, a New Relic account), not people. Unlike contact methods they are configured on the
 * service, and the engine queues one delivery per integration and incident event in the transaction
 * that sees the incident change (docs/paging.md, "Telling other systems").
 */

export const outboundKinds = ['signl4', 'newrelic-events'] as const;
export type OutboundKind = (typeof outboundKinds)[number];

/** The incident events an integration hears of: the states an incident reaches. */
export const outboundEvents = ['triggered', 'acknowledged', 'resolved'] as const;
export type OutboundEvent = (typeof outboundEvents)[number];

export const newRelicRegions = ['us', 'eu'] as const;
export type NewRelicRegion = (typeof newRelicRegions)[number];

/**
 * Which events each kind is sent. SIGNL4 takes only `new` and `resolved` (any other X-S4-Status
 * discards the event), so an acknowledgement is not queued for it; New Relic records every change.
 */
export const eventsOfKind: Record<OutboundKind, readonly OutboundEvent[]> = {
  signl4: ['triggered', 'resolved'],
  'newrelic-events': ['triggered', 'acknowledged', 'resolved'],
};

export interface OutboundIntegration {
  id: string;
  serviceId: string;
  kind: OutboundKind;
  name: string;
  /**
   * SIGNL4: the team's webhook URL or the bare team secret (either way a secret). New Relic: the
   * Event API collector URL, derived from `region` and `accountId` unless given. Stored encrypted.
   */
  address: string;
  /** New Relic: the license or insert key (`Api-Key`). Stored encrypted. */
  secret: string | null;
  region: NewRelicRegion | null;
  accountId: string | null;
  enabled: boolean;
  createdAt: Instant;
  updatedAt: Instant;
}

export const outboundDeliveryStates = ['queued', 'sending', 'sent', 'failed', 'suppressed'] as const;
export type OutboundDeliveryState = (typeof outboundDeliveryStates)[number];

/** One event for one integration: a row of the outbound outbox. */
export interface OutboundDelivery {
  id: string;
  integrationId: string;
  incidentId: string;
  event: OutboundEvent;
  state: OutboundDeliveryState;
  /** What happened, for a person ("SIGNL4 answered HTTP 503; retrying in 12 s (attempt 1 of 8)"). */
  reason: string;
  attempts: number;
  nextAttemptAt: Instant;
  /** The provider's id of the event (SIGNL4 `eventId`, New Relic `uuid`), when it gave one. */
  providerId: string | null;
  createdAt: Instant;
  updatedAt: Instant;
  sentAt: Instant | null;
}

/** Events of one incident are sent in this order per integration (a resolve never overtakes its trigger). */
export const eventOrder: Record<OutboundEvent, number> = { triggered: 1, acknowledged: 2, resolved: 3 };

/**
 * The events an incident has reached since the engine last looked at it (`seen`: the status it
 * saw then; null: never looked). Pure. Several states can pass between two looks (an alert that
 * triggers and resolves in one batch, an acknowledgement followed at once by a resolve), so the
 * states in between are read from the incident: `acknowledgedAt` survives a resolve and is cleared
 * when the incident triggers again. Events already queued are dropped by the outbox's unique key,
 * so each integration hears of each state at most once per incident.
 */
export function outboundEventsReached(
  incident: Pick<Incident, 'status' | 'acknowledgedAt'>,
  seen: IncidentStatus | null,
): OutboundEvent[] {
  if (seen === incident.status) return [];
  const acknowledged = incident.acknowledgedAt !== null;
  if (seen === null) {
    return [
      'triggered',
      ...(acknowledged ? (['acknowledged'] as const) : []),
      ...(incident.status === 'resolved' ? (['resolved'] as const) : []),
    ];
  }
  switch (incident.status) {
    case 'triggered':
      return ['triggered'];
    case 'acknowledged':
      return ['acknowledged'];
    case 'resolved':
      return seen === 'triggered' && acknowledged ? ['acknowledged', 'resolved'] : ['resolved'];
  }
}

/** The Event API collector of a New Relic account (wire-formats.md §5.2). */
export function newRelicCollectorUrl(region: NewRelicRegion, accountId: string): string {
  const host = region === 'eu' ? 'insights-collector.eu01.nr-data.net' : 'insights-collector.newrelic.com';
  return `https://${host}/v1/accounts/${encodeURIComponent(accountId)}/events`;
}

/**
 * What the API and the audit log show instead of a secret: enough to recognise it, never enough to
 * use it. A URL keeps its origin and the last four characters; anything else only those four.
 */
export function secretHint(secret: string): string {
  const tail = secret.length >= 12 ? secret.slice(-4) : '';
  try {
    const url = new URL(secret);
    if (url.protocol === 'https:' || url.protocol === 'http:') return `${url.origin}/…${tail}`;
  } catch {
    // Not a URL: a bare secret.
  }
  return `…${tail}`;
}

/**
 * The address as shown: a New Relic collector URL derived from the account holds no secret and is
 * shown whole; anything typed in (a SIGNL4 webhook URL, a custom collector) only as a hint.
 */
export function addressHint(
  integration: Pick<OutboundIntegration, 'kind' | 'address' | 'region' | 'accountId'>,
) {
  const derived =
    integration.kind === 'newrelic-events' && integration.accountId
      ? newRelicCollectorUrl(integration.region ?? 'us', integration.accountId)
      : null;
  return integration.address === derived ? derived : secretHint(integration.address);
}
