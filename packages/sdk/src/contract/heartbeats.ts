import { type Static, Type } from 'typebox';
import { Instant, Nullable, StringEnum } from './common.js';

/**
 * The `config` of a `heartbeat` integration (docs/ingest.md, "Heartbeats"). Both fields are
 * optional; the server checks them when the integration is saved (400 naming the field).
 */
export const HeartbeatConfig = Type.Object(
  {
    interval_seconds: Type.Optional(
      Type.Integer({
        minimum: 30,
        maximum: 604_800,
        default: 300,
        description: 'How often the job pings, at most: from 30 seconds to 7 days (default 300)',
      }),
    ),
    grace_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 604_800,
        default: 60,
        description: 'How late a ping may be before Vigil opens an alert (default 60)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type HeartbeatConfig = Static<typeof HeartbeatConfig>;

/**
 * A heartbeat integration's state, read-only, in its API representation (`heartbeat`; other types
 * have none): `waiting` until the first ping, `up` while pings come in time, `failing` while the
 * alert for missed pings is open.
 */
export const HeartbeatState = Type.Object(
  {
    state: StringEnum(['waiting', 'up', 'failing'] as const, {
      description:
        '`waiting`: no ping yet; `up`: pinging in time; `failing`: the alert for missed pings is open',
    }),
    last_ping_at: Nullable(Instant),
    ping_due_at: Nullable(
      Type.String({
        format: 'date-time',
        description: 'When Vigil opens an alert unless a ping comes first (last ping + interval + grace)',
      }),
    ),
    failing_since: Nullable(
      Type.String({
        format: 'date-time',
        description: 'When the alert for missed pings was opened; null unless failing',
      }),
    ),
  },
  { description: 'Read-only; only on `heartbeat` integrations (absent on other types)' },
);
export type HeartbeatState = Static<typeof HeartbeatState>;

/** The answer to a ping, once it is committed. */
export const HeartbeatPingAnswer = Type.Object({
  status: Type.Literal('ok'),
  last_ping_at: Instant,
  ping_due_at: Type.String({
    format: 'date-time',
    description: 'When Vigil opens an alert unless another ping comes first',
  }),
  recovered: Type.Boolean({ description: 'This ping resolved the alert for missed pings' }),
});
export type HeartbeatPingAnswer = Static<typeof HeartbeatPingAnswer>;

export const HeartbeatKeyParams = Type.Object({
  key: Type.String({ description: "The heartbeat integration's key" }),
});
