import { type Static, Type } from 'typebox';
import { Id, Instant, Nullable, StringEnum } from './common.js';

/** Service-level outbound integrations: SIGNL4 and New Relic events (docs/paging.md). */

const strict = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const OutboundKind = StringEnum(['signl4', 'newrelic-events'] as const, {
  description: 'signl4: a SIGNL4 team webhook; newrelic-events: custom events in a New Relic account',
});
export type OutboundKind = Static<typeof OutboundKind>;

export const OutboundEvent = StringEnum(['triggered', 'acknowledged', 'resolved'] as const);
export type OutboundEvent = Static<typeof OutboundEvent>;

export const NewRelicRegion = StringEnum(['us', 'eu'] as const, {
  description: 'Which New Relic data centre the account is in',
});

const addressText =
  'signl4: the team webhook URL (https://connect.signl4.com/webhook/{team secret}) or the bare team secret. newrelic-events: a collector URL, only to override the one derived from account_id and region';
const Address = Type.String({ minLength: 1, maxLength: 2048, description: addressText });
const ApiKey = Type.String({
  minLength: 8,
  maxLength: 512,
  description: 'newrelic-events: a license (ingest) or insert key, sent as Api-Key; never shown again',
});
const AccountId = Type.String({ pattern: '^[0-9]{1,20}$', description: 'newrelic-events: the account ID' });

export const OutboundIntegration = Type.Object({
  id: Id,
  service_id: Id,
  kind: OutboundKind,
  name: Type.String(),
  enabled: Type.Boolean(),
  events: Type.Array(OutboundEvent, { description: 'The incident events this integration is sent' }),
  address_hint: Type.String({
    description:
      'The address as far as it may be shown: a derived New Relic collector URL whole, anything typed in as its origin and last 4 characters',
  }),
  api_key_hint: Nullable(Type.String({ description: 'The last 4 characters of the New Relic key' })),
  account_id: Nullable(Type.String()),
  region: Nullable(NewRelicRegion),
  created_at: Instant,
  updated_at: Instant,
});
export type OutboundIntegration = Static<typeof OutboundIntegration>;

export const OutboundIntegrationCreate = Type.Object(
  {
    kind: OutboundKind,
    name: Type.Optional(Name),
    enabled: Type.Optional(Type.Boolean()),
    address: Type.Optional(Address),
    api_key: Type.Optional(ApiKey),
    account_id: Type.Optional(AccountId),
    region: Type.Optional(NewRelicRegion),
  },
  strict,
);
export type OutboundIntegrationCreate = Static<typeof OutboundIntegrationCreate>;

export const OutboundIntegrationUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    enabled: Type.Optional(Type.Boolean()),
    address: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          maxLength: 2048,
          description: `${addressText}; null (newrelic-events): back to the derived one`,
        }),
      ),
    ),
    api_key: Type.Optional(ApiKey),
    account_id: Type.Optional(AccountId),
    region: Type.Optional(NewRelicRegion),
  },
  strict,
);
export type OutboundIntegrationUpdate = Static<typeof OutboundIntegrationUpdate>;

export const OutboundTestResult = Type.Object({
  outcome: StringEnum(['delivered', 'temporary', 'permanent'] as const, {
    description: 'delivered: the provider took it; temporary: try again later; permanent: fix the settings',
  }),
  reason: Type.String({ description: 'What the provider answered, for a person' }),
});
export type OutboundTestResult = Static<typeof OutboundTestResult>;

export const OutboundDelivery = Type.Object({
  id: Id,
  integration_id: Id,
  incident_id: Id,
  event: OutboundEvent,
  state: StringEnum(['queued', 'sending', 'sent', 'failed', 'suppressed'] as const),
  reason: Type.String({ description: 'What happened, for a person' }),
  attempts: Type.Integer(),
  next_attempt_at: Instant,
  provider_id: Nullable(Type.String({ description: 'SIGNL4 eventId, New Relic uuid' })),
  created_at: Instant,
  updated_at: Instant,
  sent_at: Nullable(Instant),
});
export type OutboundDelivery = Static<typeof OutboundDelivery>;
