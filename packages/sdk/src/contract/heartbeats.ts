import { type Static, Type } from 'typebox';
import { Instant } from './common.js';

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
