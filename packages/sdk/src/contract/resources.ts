import { type Static, Type } from 'typebox';
import { Actor, AnyJson, AnyObject, Id, Instant, Nullable, PageQuery, Role, StringEnum } from './common.js';
import { HeartbeatState } from './heartbeats.js';

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
    current_password: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: 'Needed with `password` when you change your own and already have one',
      }),
    ),
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
  heartbeat: Type.Optional(HeartbeatState),
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
/** What each type reads from `config` (docs/ingest.md); checked when saved, 400 naming the field. */
const IntegrationConfig = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  additionalProperties: true,
  description:
    'Per type: generic `mapping`; grafana `signing_secret`, `timestamp_header`; heartbeat `interval_seconds` (30–604800, default 300) and `grace_seconds` (0–604800, default 60), see HeartbeatConfig',
});
export const IntegrationCreate = Type.Object(
  {
    type: IntegrationType,
    name: Type.Optional(Name),
    rate_limit_per_minute: Type.Optional(RateLimit),
    config: Type.Optional(IntegrationConfig),
  },
  strict,
);
export type IntegrationCreate = Static<typeof IntegrationCreate>;
export const IntegrationUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    rate_limit_per_minute: Type.Optional(RateLimit),
    config: Type.Optional(IntegrationConfig),
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
  version: Type.Integer({
    description: 'Goes up by one with every change: of two copies of an incident, keep the higher',
  }),
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
    team_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Incidents of the services this team owns' }),
    ),
    priority: Type.Optional(
      Type.String({ pattern: '^P[1-4](,P[1-4])*$', description: 'Comma list, e.g. P1,P2' }),
    ),
    since: Type.Optional(Instant),
    until: Type.Optional(Instant),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Text in the title (case-insensitive; indexed from three characters)',
      }),
    ),
  },
  strict,
);
export type IncidentListQuery = Static<typeof IncidentListQuery>;

/** The incident board's counts: the list's filters but status (and the time range). */
export const IncidentCountsQuery = Type.Object(
  {
    service_id: IncidentListQuery.properties.service_id,
    team_id: IncidentListQuery.properties.team_id,
    priority: IncidentListQuery.properties.priority,
    q: IncidentListQuery.properties.q,
  },
  strict,
);
export type IncidentCountsQuery = Static<typeof IncidentCountsQuery>;
export const IncidentCounts = Type.Object({
  triggered: Type.Integer(),
  acknowledged: Type.Integer(),
  resolved: Type.Integer(),
  resolved_capped: Type.Boolean({
    description:
      'With `q` only: more than 10,000 resolved incidents match, and `resolved` is 10,000 (show “10,000+”)',
  }),
});
export type IncidentCounts = Static<typeof IncidentCounts>;

export const IncidentStreamQuery = Type.Object(
  {
    last_event_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 300,
        description: 'Resume after this event (as the Last-Event-ID header does; the header wins)',
      }),
    ),
  },
  strict,
);
export type IncidentStreamQuery = Static<typeof IncidentStreamQuery>;

export const BulkIncidentAction = Type.Object(
  {
    action: StringEnum(['acknowledge', 'resolve'] as const),
    incident_ids: Type.Array(Type.String({ minLength: 1, maxLength: 64, description: 'ID or number' }), {
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
    }),
  },
  strict,
);
export type BulkIncidentAction = Static<typeof BulkIncidentAction>;
export const BulkIncidentResult = Type.Object({
  id: Type.String({ description: 'As sent' }),
  ok: Type.Boolean(),
  incident: Type.Optional(Incident),
  error: Type.Optional(
    Type.Object({
      code: Type.String(),
      status: Type.Integer(),
      detail: Type.String(),
    }),
  ),
});
export type BulkIncidentResult = Static<typeof BulkIncidentResult>;
export const BulkIncidentResults = Type.Object({
  results: Type.Array(BulkIncidentResult, { description: 'One per incident_ids entry, in order' }),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
});
export type BulkIncidentResults = Static<typeof BulkIncidentResults>;

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
