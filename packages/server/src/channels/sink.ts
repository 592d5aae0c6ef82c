import type { IncidentSummary, SendResult } from './channel.js';

/**
 * Service-level outbound integrations (SIGNL4, New Relic events, …): they tell another system about an
 * incident's life, not a person, so they are not contact methods and take no rendered message. Same
 * outcome rules as channels: `send` never throws for provider trouble.
 */

export type IntegrationKind = 'signl4' | 'newrelic-events';

export interface IntegrationDelivery {
  /** Stable across retries of the same event (the outbox row). */
  id: string;
  /** Where and with what credential: the URL (which may itself be the secret) and a key, if any. */
  target: { address: string; secret?: string };
  /** The incident as it is now; its status decides the event (triggered, acknowledged, resolved). */
  incident: IncidentSummary;
}

export interface IntegrationSink {
  readonly kind: IntegrationKind;
  send(delivery: IntegrationDelivery): Promise<SendResult>;
  /** Whether an address is well formed (checked when the integration is saved). */
  checkAddress(address: string): string | null;
}
