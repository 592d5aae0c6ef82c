import { type Static, Type } from 'typebox';
import { Actor, AnyJson, AnyObject, Id, Instant, Nullable, PageQuery, Role, StringEnum } from './common.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 10_000 });
const strict = { additionalProperties: false } as const;

const HourMinute = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM' });
export const QuietHours = Type.Object(
  { start: HourMinute, end: HourMinute },
  {
    additionalProperties: false,
    description: 'Low-urgency pages wait until the end (local time of the user)',
  },
);

// ── users ──────────────────────────────────────────────────────────────────────────────────────
export const User = Type.Object({
  id: Id,
  name: Type.String(),
  email: Type.String(),
  role: Role,
  time_zone: Type.String({ description: 'IANA time zone, e.g. Europe/Berlin' }),
  quiet_hours: Nullable(QuietHours),
  has_password: Type.Boolean(),
  created_at: Instant,
  updated_at: Instant,
});
export type User = Static<typeof User>;

export const UserCreate = Type.Object(
  {
    name: Name,
    email: Type.String({ format: 'email', maxLength: 320 }),
    role: Role,
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    password: Type.Optional(
      Type.String({ minLength: 12, maxLength: 1024, description: 'For web sign-in; ≥ 12 characters' }),
    ),
  },
  strict,
);
export type UserCreate = Static<typeof UserCreate>;

export const UserUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    role: Type.Optional(Role),
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    quiet_hours: Type.Optional(Nullable(QuietHours)),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
  },
  strict,
);
export type UserUpdate = Static<typeof UserUpdate>;

// ── api keys ───────────────────────────────────────────────────────────────────────────────────
export const ApiKey = Type.Object({
  id: Id,
  user_id: Id,
  name: Type.String(),
  role: Role,
  token_prefix: Type.String({ description: 'The first characters of the token, to recognise it' }),
  created_at: Instant,
  expires_at: Nullable(Instant),
  last_used_at: Nullable(Instant),
});
export type ApiKey = Static<typeof ApiKey>;

export const ApiKeyCreate = Type.Object(
  {
    name: Name,
    role: Type.Optional(Role),
    expires_at: Type.Optional(Nullable(Instant)),
    user_id: Type.Optional(Id),
  },
  strict,
);
export type ApiKeyCreate = Static<typeof ApiKeyCreate>;

export const ApiKeyCreated = Type.Object({
  ...ApiKey.properties,
  token: Type.String({ description: 'Shown once; Vigil keeps only its SHA-256' }),
});
export type ApiKeyCreated = Static<typeof ApiKeyCreated>;

// ── teams ──────────────────────────────────────────────────────────────────────────────────────
export const Team = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  created_at: Instant,
  updated_at: Instant,
});
export type Team = Static<typeof Team>;
export const TeamCreate = Type.Object({ name: Name, description: Type.Optional(Description) }, strict);
export type TeamCreate = Static<typeof TeamCreate>;
export const TeamUpdate = Type.Object(
  { name: Type.Optional(Name), description: Type.Optional(Description) },
  strict,
);
export type TeamUpdate = Static<typeof TeamUpdate>;

export const TeamMemberRole = StringEnum(['manager', 'responder', 'observer'] as const);
export const TeamMember = Type.Object({ user_id: Id, role: TeamMemberRole });
export type TeamMember = Static<typeof TeamMember>;
export const TeamMemberPut = Type.Object({ role: TeamMemberRole }, strict);

// ── services ───────────────────────────────────────────────────────────────────────────────────
export const Urgency = StringEnum(['high', 'low'] as const);
export const Severity = StringEnum(['critical', 'error', 'warning', 'info'] as const);
export const Priority = StringEnum(['P1', 'P2', 'P3', 'P4'] as const);
export const ServiceStatus = StringEnum(['active', 'disabled'] as const);

export const Service = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  team_id: Nullable(Id),
  escalation_policy_id: Nullable(Id),
  status: ServiceStatus,
  default_urgency: Nullable(Urgency),
  auto_resolve: Type.Boolean({ description: 'Resolve the incident when all its alerts have resolved' }),
  ack_timeout_minutes: Nullable(
    Type.Integer({ description: 'An acknowledged incident triggers again after this long; null: never' }),
  ),
  created_at: Instant,
  updated_at: Instant,
});
export type Service = Static<typeof Service>;

const serviceFields = {
  name: Name,
  description: Type.Optional(Description),
  team_id: Type.Optional(Nullable(Id)),
  status: Type.Optional(ServiceStatus),
  default_urgency: Type.Optional(Nullable(Urgency)),
  auto_resolve: Type.Optional(Type.Boolean()),
  escalation_policy_id: Type.Optional(Nullable(Id)),
  ack_timeout_minutes: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1440 }))),
};
export const ServiceCreate = Type.Object(serviceFields, strict);
export type ServiceCreate = Static<typeof ServiceCreate>;
export const ServiceUpdate = Type.Object({ ...serviceFields, name: Type.Optional(Name) }, strict);
export type ServiceUpdate = Static<typeof ServiceUpdate>;

// ── integrations ───────────────────────────────────────────────────────────────────────────────
export const IntegrationType = StringEnum([
  'events_v2',
  'opsgenie',
  'alertmanager',
  'grafana',
  'newrelic',
  'generic',
  'email',
  'heartbeat',
] as const);

export const Integration = Type.Object({
  id: Id,
  service_id: Id,
  type: IntegrationType,
  name: Type.String(),
  key: Type.String({ description: 'The integration key the monitoring tool sends' }),
  url: Type.String({ description: 'Where the monitoring tool sends its alerts' }),
  rate_limit_per_minute: Nullable(Type.Integer()),
  config: AnyObject,
  created_at: Instant,
  updated_at: Instant,
});
export type Integration = Static<typeof Integration>;

const RateLimit = Nullable(
  Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    description:
      'Events a minute; null = the installation default (VIGIL_INGEST_RATE_LIMIT_PER_MINUTE, 120,000)',
  }),
);
export const IntegrationCreate = Type.Object(
  {
    type: IntegrationType,
    name: Type.Optional(Name),
    rate_limit_per_minute: Type.Optional(RateLimit),
    config: Type.Optional(AnyObject),
  },
  strict,
);
export type IntegrationCreate = Static<typeof IntegrationCreate>;
export const IntegrationUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    rate_limit_per_minute: Type.Optional(RateLimit),
    config: Type.Optional(AnyObject),
  },
  strict,
);
export type IntegrationUpdate = Static<typeof IntegrationUpdate>;

// ── incidents ──────────────────────────────────────────────────────────────────────────────────
export const IncidentStatus = StringEnum(['triggered', 'acknowledged', 'resolved'] as const);

export const Incident = Type.Object({
  id: Id,
  number: Type.Integer({ description: 'Per installation, from 1' }),
  title: Type.String(),
  description: Type.String(),
  status: IncidentStatus,
  priority: Nullable(Priority),
  severity: Severity,
  urgency: Urgency,
  service_id: Id,
  dedup_key: Nullable(Type.String()),
  alert_count: Type.Integer(),
  assignees: Type.Array(Type.Object({ id: Id, name: Type.String() })),
  created_at: Instant,
  updated_at: Instant,
  acknowledged_at: Nullable(Instant),
  resolved_at: Nullable(Instant),
  html_url: Type.String(),
});
export type Incident = Static<typeof Incident>;

export const IncidentCreate = Type.Object(
  {
    service_id: Id,
    title: Type.String({ minLength: 1, maxLength: 1024 }),
    description: Type.Optional(Type.String({ maxLength: 65_536 })),
    priority: Type.Optional(Nullable(Priority)),
    severity: Type.Optional(Severity),
    urgency: Type.Optional(Urgency),
    assignee_ids: Type.Optional(Type.Array(Id, { maxItems: 50 })),
    dedup_key: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255 }))),
  },
  strict,
);
export type IncidentCreate = Static<typeof IncidentCreate>;

export const IncidentUpdate = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    description: Type.Optional(Type.String({ maxLength: 65_536 })),
    priority: Type.Optional(Nullable(Priority)),
    severity: Type.Optional(Severity),
    urgency: Type.Optional(Urgency),
  },
  strict,
);
export type IncidentUpdate = Static<typeof IncidentUpdate>;

export const IncidentListQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(
      Type.String({
        pattern: '^(triggered|acknowledged|resolved)(,(triggered|acknowledged|resolved))*$',
        description: 'Comma list',
      }),
    ),
    service_id: Type.Optional(Id),
    priority: Type.Optional(
      Type.String({ pattern: '^P[1-4](,P[1-4])*$', description: 'Comma list, e.g. P1,P2' }),
    ),
    since: Type.Optional(Instant),
    until: Type.Optional(Instant),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Text in the title' })),
  },
  strict,
);
export type IncidentListQuery = Static<typeof IncidentListQuery>;

export const IncidentRef = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'Incident ID or number' }),
});
export const AcknowledgeBody = Type.Object({}, strict);
export const ResolveBody = Type.Object(
  { resolution: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })) },
  strict,
);
export const ReassignBody = Type.Object(
  { assignee_ids: Type.Array(Id, { minItems: 1, maxItems: 50 }) },
  strict,
);
export type ReassignBody = Static<typeof ReassignBody>;
export const NoteBody = Type.Object({ body: Type.String({ minLength: 1, maxLength: 65_536 }) }, strict);
export type NoteBody = Static<typeof NoteBody>;

export const TimelineEntry = Type.Object({
  id: Id,
  at: Instant,
  type: Type.String(),
  actor: Actor,
  message: Type.String(),
  data: AnyObject,
});
export type TimelineEntry = Static<typeof TimelineEntry>;

// ── alerts ─────────────────────────────────────────────────────────────────────────────────────
export const AlertStatus = StringEnum(['firing', 'resolved'] as const);
export const Alert = Type.Object({
  id: Id,
  status: AlertStatus,
  dedup_key: Type.String(),
  summary: Type.String(),
  source: Type.String(),
  severity: Severity,
  labels: AnyObject,
  details: AnyObject,
  incident_id: Nullable(Id),
  integration_id: Id,
  service_id: Id,
  count: Type.Integer(),
  first_seen_at: Instant,
  last_seen_at: Instant,
  resolved_at: Nullable(Instant),
});
export type Alert = Static<typeof Alert>;

export const AlertListQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(Type.String({ pattern: '^(firing|resolved)(,(firing|resolved))*$' })),
    service_id: Type.Optional(Id),
    integration_id: Type.Optional(Id),
    incident_id: Type.Optional(Id),
    dedup_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  strict,
);
export type AlertListQuery = Static<typeof AlertListQuery>;

// ── audit log ──────────────────────────────────────────────────────────────────────────────────
export const AuditEntry = Type.Object({
  id: Id,
  at: Instant,
  actor: Actor,
  action: Type.String(),
  object_type: Type.String(),
  object_id: Type.String(),
  before: AnyJson,
  after: AnyJson,
  ip: Nullable(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditListQuery = Type.Object(
  {
    ...PageQuery.properties,
    object_type: Type.Optional(Type.String({ maxLength: 64 })),
    object_id: Type.Optional(Id),
    actor_id: Type.Optional(Id),
  },
  strict,
);
export type AuditListQuery = Static<typeof AuditListQuery>;

// ── setup ──────────────────────────────────────────────────────────────────────────────────────
export const SetupBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200 }),
    name: Name,
    email: Type.String({ format: 'email', maxLength: 320 }),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
  },
  strict,
);
export type SetupBody = Static<typeof SetupBody>;
export const SetupResult = Type.Object({ user: User, api_key: ApiKeyCreated });
export type SetupResult = Static<typeof SetupResult>;

// ── change events ──────────────────────────────────────────────────────────────────────────────
export const ChangeEvent = Type.Object({
  id: Id,
  integration_id: Id,
  service_id: Id,
  summary: Type.String(),
  source: Nullable(Type.String()),
  happened_at: Instant,
  received_at: Instant,
  custom_details: AnyObject,
  links: Type.Array(Type.Object({ href: Type.String(), text: Type.Optional(Type.String()) })),
});
export type ChangeEvent = Static<typeof ChangeEvent>;

export const ChangeEventListQuery = Type.Object(
  { ...PageQuery.properties, service_id: Type.Optional(Id) },
  strict,
);
export type ChangeEventListQuery = Static<typeof ChangeEventListQuery>;
