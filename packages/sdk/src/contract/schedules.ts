import { type Static, Type } from 'typebox';
import { Actor, AnyObject, Id, Instant, Nullable, StringEnum } from './common.js';

const strict = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: 200 });

// Shapes only; the calendar rules (real dates, hand-off times, zones) are checked by core and
// reported with the same field paths.
const LocalTime = Type.String({ pattern: '^\\d{2}:\\d{2}$', description: 'Local time of day, "HH:MM"' });
const LocalDateTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$',
  description: 'Local date-time in the schedule’s zone, "YYYY-MM-DDTHH:MM"',
});
const LocalDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Local date "YYYY-MM-DD"' });
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone, e.g. "Europe/Berlin"',
});

export const Rotation = Type.Object(
  {
    type: StringEnum(['hourly', 'daily', 'weekly'] as const),
    shift_length: Type.Integer({ minimum: 1, maximum: 1000 }),
    handoff_at: LocalDateTime,
  },
  strict,
);

export const Restriction = Type.Object(
  {
    type: StringEnum(['daily', 'weekly'] as const),
    start_day: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday' }),
    ),
    start_time: LocalTime,
    end_day: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 })),
    end_time: LocalTime,
  },
  strict,
);

export const Holidays = Type.Object(
  {
    mode: StringEnum(['only', 'exclude'] as const, {
      description: 'only: the layer covers just these dates; exclude: all but these dates',
    }),
    dates: Type.Array(LocalDate, { maxItems: 2000 }),
  },
  strict,
);

export const ScheduleLayer = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    users: Type.Array(Id, { maxItems: 200, description: 'User ids in rotation order' }),
    rotation: Rotation,
    restrictions: Type.Optional(Type.Array(Restriction, { maxItems: 100 })),
    holidays: Type.Optional(Holidays),
  },
  strict,
);
export type ScheduleLayer = Static<typeof ScheduleLayer>;

const Layers = Type.Array(ScheduleLayer, { maxItems: 50, description: 'Lowest first; a later layer wins' });

export const Schedule = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  team_id: Nullable(Id),
  time_zone: Type.String(),
  layers: Type.Array(ScheduleLayer),
  version: Type.Integer({ description: 'Number of the current version' }),
  created_at: Instant,
  updated_at: Instant,
});
export type Schedule = Static<typeof Schedule>;

export const ScheduleCreate = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    team_id: Type.Optional(Nullable(Id)),
    time_zone: TimeZone,
    layers: Layers,
  },
  strict,
);
export type ScheduleCreate = Static<typeof ScheduleCreate>;

export const ScheduleUpdate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    team_id: Type.Optional(Nullable(Id)),
    time_zone: Type.Optional(TimeZone),
    layers: Type.Optional(Layers),
    version: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Refuse (409) unless the schedule is still at this version' }),
    ),
  },
  strict,
);
export type ScheduleUpdate = Static<typeof ScheduleUpdate>;

export const DryRunQuery = Type.Object(
  { dry_run: Type.Optional(Type.Boolean({ description: 'Show what would change without saving' })) },
  strict,
);

export const Shift = Type.Object({
  user_id: Id,
  user_name: Type.String(),
  start: Instant,
  end: Instant,
  layer: Nullable(Type.String({ description: 'Name of the layer; null for an override' })),
  layer_index: Nullable(Type.Integer()),
});
export type Shift = Static<typeof Shift>;

export const SchedulePreview = Type.Object({
  dry_run: Type.Literal(true),
  schedule: Schedule,
  since: Instant,
  until: Instant,
  removed: Type.Array(Shift, { description: 'Shifts of the next 30 days that the change removes' }),
  added: Type.Array(Shift, { description: 'Shifts of the next 30 days that the change adds' }),
});
export type SchedulePreview = Static<typeof SchedulePreview>;

export const RangeQuery = Type.Object(
  {
    since: Type.Optional(Instant),
    until: Type.Optional(Instant),
  },
  strict,
);

export const AtQuery = Type.Object({ at: Type.Optional(Instant) }, strict);

export const OnCallUser = Type.Object({
  id: Id,
  name: Type.String(),
  layer: Nullable(Type.String()),
  until: Nullable(Instant),
});

export const OnCall = Type.Object({ at: Instant, users: Type.Array(OnCallUser) });
export type OnCall = Static<typeof OnCall>;

export const OnCalls = Type.Object({
  at: Instant,
  users: Type.Array(
    Type.Object({
      id: Id,
      name: Type.String(),
      layer: Nullable(Type.String()),
      schedule_id: Id,
      schedule_name: Type.String(),
    }),
  ),
});
export type OnCalls = Static<typeof OnCalls>;

export const Gaps = Type.Object({ data: Type.Array(Type.Object({ start: Instant, end: Instant })) });

export const Override = Type.Object({
  id: Id,
  schedule_id: Id,
  user_id: Id,
  start: Instant,
  end: Instant,
  source: StringEnum(['manual', 'cover', 'swap'] as const),
  request_id: Nullable(Id),
  created_by: Actor,
  created_at: Instant,
});
export type Override = Static<typeof Override>;

export const OverrideCreate = Type.Object({ user_id: Id, start: Instant, end: Instant }, strict);

export const ScheduleVersion = Type.Object({
  version: Type.Integer(),
  action: StringEnum(['create', 'update', 'restore'] as const),
  restored_from: Nullable(Type.Integer()),
  actor: Actor,
  created_at: Instant,
  definition: Type.Object({
    name: Type.String(),
    description: Type.String(),
    team_id: Nullable(Id),
    time_zone: Type.String(),
    layers: Type.Array(ScheduleLayer),
  }),
});
export type ScheduleVersion = Static<typeof ScheduleVersion>;

export const VersionParams = Type.Object({ id: Id, version: Type.Integer({ minimum: 1 }) });

export const ShiftRequest = Type.Object({
  id: Id,
  schedule_id: Id,
  kind: StringEnum(['cover', 'swap'] as const),
  requester_id: Id,
  start: Instant,
  end: Instant,
  target_user_id: Nullable(Id),
  swap_start: Nullable(Instant),
  swap_end: Nullable(Instant),
  message: Type.String(),
  status: StringEnum(['open', 'accepted', 'declined', 'cancelled'] as const),
  answered_by: Nullable(Id),
  created_at: Instant,
  updated_at: Instant,
});
export type ShiftRequest = Static<typeof ShiftRequest>;

const Message = Type.String({ maxLength: 2000 });

export const CoverRequestCreate = Type.Object(
  {
    start: Instant,
    end: Instant,
    message: Type.Optional(Message),
    target_user_id: Type.Optional(Nullable(Id)),
    requester_id: Type.Optional(Id),
  },
  strict,
);

export const SwapRequestCreate = Type.Object(
  {
    target_user_id: Id,
    start: Instant,
    end: Instant,
    swap_start: Instant,
    swap_end: Instant,
    message: Type.Optional(Message),
    requester_id: Type.Optional(Id),
  },
  strict,
);

export const ShiftRequestListQuery = Type.Object(
  {
    schedule_id: Type.Optional(Id),
    status: Type.Optional(StringEnum(['open', 'accepted', 'declined', 'cancelled'] as const)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);

export const ShiftRequestAnswer = Type.Object({ request: ShiftRequest, overrides: Type.Array(Override) });

export const CalendarFeedLink = Type.Object({
  url: Type.String({ description: 'Secret URL to subscribe to; anyone with it can read the feed' }),
  webcal_url: Type.String(),
  created_at: Instant,
});

export const PagerDutyImport = Type.Object(
  {
    schedule: AnyObject,
    user_map: Type.Optional(
      Type.Record(Type.String(), Id, {
        description: 'PagerDuty user id → Vigil user id; e-mail is tried otherwise',
      }),
    ),
    layer_order: Type.Optional(
      StringEnum(['bottom_first', 'top_first'] as const, {
        description: 'Order of schedule_layers: lowest first (as created, the default) or highest first',
      }),
    ),
    name: Type.Optional(Name),
  },
  strict,
);

export const PagerDutyImported = Type.Object({ schedule: Schedule, warnings: Type.Array(Type.String()) });
