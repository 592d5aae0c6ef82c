import { type Static, Type } from 'typebox';
import { Id, Instant, Nullable, StringEnum } from './common.js';

const strict = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const EscalationTarget = Type.Object(
  { type: StringEnum(['user', 'schedule', 'team'] as const), id: Id },
  strict,
);

export const EscalationStep = Type.Object(
  {
    delay_minutes: Type.Integer({
      minimum: 1,
      maximum: 1440,
      description: 'Minutes without an acknowledgement before the next step fires',
    }),
    targets: Type.Array(EscalationTarget, { minItems: 1, maxItems: 20 }),
  },
  strict,
);

export const EscalationPolicy = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  team_id: Nullable(Id),
  repeat: Type.Integer({ description: 'Times the steps run again after the last one (0–9)' }),
  steps: Type.Array(EscalationStep),
  version: Type.Integer(),
  created_at: Instant,
  updated_at: Instant,
});
export type EscalationPolicy = Static<typeof EscalationPolicy>;

export const PolicyPreview = Type.Object({
  at: Instant,
  steps: Type.Array(
    Type.Object({
      index: Type.Integer(),
      delay_minutes: Type.Integer(),
      targets: Type.Array(
        Type.Object({
          type: StringEnum(['user', 'schedule', 'team'] as const),
          id: Id,
          name: Type.String(),
          people: Type.Array(
            Type.Object({
              id: Id,
              name: Type.String(),
              reachable: Type.Boolean({ description: 'A high-urgency page would reach them now' }),
              reason: Nullable(Type.String({ description: 'Why not, when not reachable' })),
            }),
          ),
        }),
      ),
    }),
  ),
});
export type PolicyPreview = Static<typeof PolicyPreview>;

const policyFields = {
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  team_id: Type.Optional(Nullable(Id)),
  repeat: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
  steps: Type.Array(EscalationStep, { minItems: 1, maxItems: 20 }),
};
export const EscalationPolicyCreate = Type.Object(policyFields, strict);
export type EscalationPolicyCreate = Static<typeof EscalationPolicyCreate>;
export const EscalationPolicyUpdate = Type.Object(
  {
    ...policyFields,
    name: Type.Optional(Name),
    steps: Type.Optional(policyFields.steps),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'The version you edited; 409 if the policy has moved on since',
      }),
    ),
  },
  strict,
);
export type EscalationPolicyUpdate = Static<typeof EscalationPolicyUpdate>;

export const ContactType = StringEnum([
  'email',
  'sms',
  'voice',
  'slack',
  'teams',
  'push',
  'webhook',
] as const);

export const ContactMethod = Type.Object({
  id: Id,
  user_id: Id,
  type: ContactType,
  label: Type.String(),
  address: Type.String(),
  verified: Type.Boolean({ description: 'E-mail, SMS and voice are paged only once verified with a code' }),
  created_at: Instant,
});
export type ContactMethod = Static<typeof ContactMethod>;

export const ContactMethodCreated = Type.Object({
  ...ContactMethod.properties,
  secret: Type.Optional(
    Type.String({ description: 'Webhooks: the signing secret (Standard Webhooks), shown this once' }),
  ),
});

export const ContactMethodCreate = Type.Object(
  {
    type: ContactType,
    address: Type.String({ minLength: 1, maxLength: 4096 }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    secret: Type.Optional(Type.String({ minLength: 10, maxLength: 200 })),
  },
  strict,
);

export const ContactMethodUpdate = Type.Object(
  { label: Type.String({ minLength: 1, maxLength: 200 }) },
  strict,
);
export const VerifyBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }) }, strict);

export const NotificationRule = Type.Object({
  id: Id,
  user_id: Id,
  contact_method_id: Id,
  delay_minutes: Type.Integer(),
  urgency: StringEnum(['high', 'low', 'any'] as const),
  created_at: Instant,
});
export type NotificationRule = Static<typeof NotificationRule>;

export const NotificationRuleCreate = Type.Object(
  {
    contact_method_id: Id,
    delay_minutes: Type.Integer({ minimum: 0, maximum: 1440 }),
    urgency: Type.Optional(StringEnum(['high', 'low', 'any'] as const)),
  },
  strict,
);

export const NotificationState = StringEnum([
  'queued',
  'sending',
  'sent',
  'delivered',
  'failed',
  'suppressed',
] as const);

export const Notification = Type.Object({
  id: Id,
  incident_id: Nullable(Id),
  user_id: Id,
  contact_method_id: Id,
  channel: ContactType,
  kind: StringEnum(['page', 'update', 'test', 'verification', 'summary', 'notice'] as const),
  step: Nullable(Type.Integer()),
  state: NotificationState,
  reason: Type.String({ description: 'What happened, for a person' }),
  attempts: Type.Integer(),
  send_after: Instant,
  created_at: Instant,
  updated_at: Instant,
  sent_at: Nullable(Instant),
  delivered_at: Nullable(Instant),
});
export type Notification = Static<typeof Notification>;

export const EscalateBody = Type.Object(
  {
    step: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 19, description: 'Step to page (0-based); the next by default' }),
    ),
  },
  strict,
);

/**
 * One of the two: `advance_seconds` moves the clock on from where it is; `offset_seconds` sets how
 * far it is ahead of real time, and never moves it back (a test driving several instances sends
 * the same absolute offset to each, so a request repeated or delivered late changes nothing).
 */
export const TestClockBody = Type.Object(
  {
    advance_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000 })),
    offset_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000 })),
  },
  strict,
);
