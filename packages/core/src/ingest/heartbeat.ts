import type { Integration } from '../directory/directory.js';
import type { Repos } from '../ports.js';
import { type Instant, toInstant } from '../shared/clock.js';
import { invalidField } from '../shared/errors.js';
import type { IdFactory } from '../shared/ids.js';
import type { UseCaseDeps } from '../shared/use-case.js';
import type { AlertEvent, IngestOutcome, IngestSource } from './alert-event.js';
import { planIngest } from './ingest-plan.js';

/**
 * Heartbeats (a dead-man's switch): a job pings its integration's URL at least every
 * `interval_seconds`; when no ping has come for `interval_seconds + grace_seconds`, the engine opens
 * an alert on the service, and the next ping resolves it. Watching starts with the first ping, so
 * a heartbeat that was created but never wired up pages nobody.
 */
export const HEARTBEAT_DEFAULTS = { intervalSeconds: 300, graceSeconds: 60 } as const;
export const HEARTBEAT_LIMITS = {
  minIntervalSeconds: 30,
  maxIntervalSeconds: 7 * 24 * 3600,
  maxGraceSeconds: 7 * 24 * 3600,
} as const;

const heartbeatFields = ['interval_seconds', 'grace_seconds'] as const;

export interface HeartbeatSettings {
  intervalSeconds: number;
  graceSeconds: number;
}

/** The settings in an integration's `config`, with the defaults for what it leaves out. */
export function heartbeatSettings(config: Record<string, unknown>): HeartbeatSettings {
  const read = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
  return {
    intervalSeconds: Math.max(
      HEARTBEAT_LIMITS.minIntervalSeconds,
      read(config.interval_seconds, HEARTBEAT_DEFAULTS.intervalSeconds),
    ),
    graceSeconds: read(config.grace_seconds, HEARTBEAT_DEFAULTS.graceSeconds),
  };
}

/** Checks a heartbeat integration's `config` when it is saved (400 with the field's path). */
export function checkHeartbeatConfig(config: Record<string, unknown>): void {
  const whole = (path: string, value: unknown, min: number, max: number) => {
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw invalidField(path, `must be a whole number of seconds from ${min} to ${max}`);
  };
  for (const key of Object.keys(config)) {
    if (!(heartbeatFields as readonly string[]).includes(key))
      throw invalidField(`/config/${key}`, `is not a known field (${heartbeatFields.join(', ')})`);
  }
  whole(
    '/config/interval_seconds',
    config.interval_seconds,
    HEARTBEAT_LIMITS.minIntervalSeconds,
    HEARTBEAT_LIMITS.maxIntervalSeconds,
  );
  whole('/config/grace_seconds', config.grace_seconds, 0, HEARTBEAT_LIMITS.maxGraceSeconds);
}

/** A heartbeat integration's watch, one row per integration (created by its first ping). */
export interface Heartbeat {
  integrationId: string;
  lastPingAt: Instant | null;
  /** When the engine opens an alert unless a ping comes first (last ping + interval + grace). */
  pingDueAt: Instant | null;
  /** Set while the alert for missed pings is open (from when it was opened); cleared by a ping. */
  failingSince: Instant | null;
  createdAt: Instant;
  updatedAt: Instant;
}

export interface HeartbeatRepo {
  /** The integration's heartbeat, created if missing, locked for the transaction (PostgreSQL FOR UPDATE). */
  lock(integrationId: string, at: Instant): Promise<Heartbeat>;
  /**
   * The heartbeat if it is due at `at` and not failing, claimed for the transaction; null when it
   * is not (any more), or another instance holds it (PostgreSQL FOR UPDATE SKIP LOCKED).
   */
  claimDue(integrationId: string, at: Instant): Promise<Heartbeat | null>;
  save(heartbeat: Heartbeat): Promise<void>;
  get(integrationId: string): Promise<Heartbeat | null>;
  /** The heartbeats of these integrations that have a row (one query; none for an empty list). */
  listFor(integrationIds: readonly string[]): Promise<Heartbeat[]>;
  /** Integrations whose heartbeat is due and not failing, on live integrations of services that take alerts. */
  due(at: Instant, limit: number): Promise<string[]>;
}

/** The dedup key of the alert a heartbeat opens: one open alert per heartbeat at most. */
export const heartbeatDedupKey = (integrationId: string) => `heartbeat:${integrationId}`;

const addSeconds = (at: Instant, seconds: number) => toInstant(new Date(Date.parse(at) + seconds * 1000));
const minutesBetween = (from: Instant, to: Instant) =>
  Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 60_000));
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "5 minutes", "90 seconds", "2 hours": how a period reads in a summary. */
export function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0 && seconds >= 3600) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0 && seconds >= 60) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

const sourceOf = (integration: Integration): IngestSource => ({
  integrationId: integration.id,
  integrationName: integration.name,
  integrationType: integration.type,
  serviceId: integration.serviceId,
});

export interface HeartbeatPing {
  lastPingAt: Instant;
  pingDueAt: Instant;
  /** The ping ended a failure: the alert for missed pings was resolved. */
  recovered: boolean;
}

/**
 * Records a ping inside a transaction: the next due time moves on and, if the heartbeat was
 * failing, its alert resolves through the same planner ingest uses (and so the incident, when the
 * service resolves incidents automatically), with timeline entries that say why.
 */
export async function recordHeartbeatPing(
  repos: Repos,
  integration: Integration,
  now: Instant,
  newId: IdFactory,
): Promise<HeartbeatPing> {
  const before = await repos.heartbeats.lock(integration.id, now);
  const { intervalSeconds, graceSeconds } = heartbeatSettings(integration.config);
  const pingDueAt = addSeconds(now, intervalSeconds + graceSeconds);
  const recovered = before.failingSince !== null;
  if (recovered) {
    const silentFor = plural(minutesBetween(before.lastPingAt ?? now, now), 'minute');
    const event: AlertEvent = {
      action: 'resolve',
      dedupKey: heartbeatDedupKey(integration.id),
      summary: `Heartbeat from ${integration.name} received again`,
      source: 'heartbeat',
      severity: 'critical',
      labels: {},
      details: {},
    };
    const items = [{ source: sourceOf(integration), event }];
    const plan = planIngest(items, await repos.ingest.loadState(items), now, newId);
    const why = `a heartbeat arrived again after ${silentFor} without one`;
    for (const entry of plan.timeline) {
      entry.data = { ...entry.data, last_ping_at: before.lastPingAt, failing_since: before.failingSince };
      entry.message =
        entry.type === 'resolved'
          ? `Resolved by ${integration.name}: ${why}`
          : `${integration.name}: ${why}. ${entry.message}`;
    }
    await repos.ingest.apply(plan);
  }
  await repos.heartbeats.save({
    ...before,
    lastPingAt: now,
    pingDueAt,
    failingSince: null,
    updatedAt: now,
  });
  return { lastPingAt: now, pingDueAt, recovered };
}

/**
 * Looks at a heartbeat the engine claimed as due, inside its transaction. The period is read again
 * from the integration's current settings (a longer interval saved since the last ping counts).
 * Still due: opens the alert (dedup key `heartbeat:<integration id>`, severity critical) through
 * the ingest planner, so it opens an incident that pages through the service's escalation policy,
 * and marks the heartbeat failing in the same transaction, so it opens once.
 */
export async function checkDueHeartbeat(
  repos: Repos,
  integration: Integration,
  heartbeat: Heartbeat,
  now: Instant,
  newId: IdFactory,
): Promise<IngestOutcome | null> {
  const { intervalSeconds, graceSeconds } = heartbeatSettings(integration.config);
  if (heartbeat.lastPingAt === null) return null;
  const dueAt = addSeconds(heartbeat.lastPingAt, intervalSeconds + graceSeconds);
  if (dueAt > now) {
    await repos.heartbeats.save({ ...heartbeat, pingDueAt: dueAt, updatedAt: now });
    return null;
  }
  const minutes = minutesBetween(heartbeat.lastPingAt, now);
  const event: AlertEvent = {
    action: 'trigger',
    dedupKey: heartbeatDedupKey(integration.id),
    summary: `No heartbeat from ${integration.name} for ${plural(minutes, 'minute')}`,
    source: 'heartbeat',
    severity: 'critical',
    labels: {},
    details: {
      last_ping_at: heartbeat.lastPingAt,
      due_at: dueAt,
      interval_seconds: intervalSeconds,
      grace_seconds: graceSeconds,
    },
  };
  const items = [{ source: sourceOf(integration), event }];
  const plan = planIngest(items, await repos.ingest.loadState(items), now, newId);
  const expected = `expected every ${describeSeconds(intervalSeconds)}${
    graceSeconds > 0 ? ` with ${describeSeconds(graceSeconds)} of grace` : ''
  }`;
  for (const entry of plan.timeline) {
    entry.data = { ...entry.data, ...event.details };
    if (entry.type === 'triggered')
      entry.message = `Triggered by ${integration.name}: no heartbeat since ${heartbeat.lastPingAt} (${expected})`;
  }
  await repos.ingest.apply(plan);
  await repos.heartbeats.save({ ...heartbeat, pingDueAt: dueAt, failingSince: now, updatedAt: now });
  return plan.outcomes[0] ?? null;
}

/** The ping use case: one transaction per ping, answered once it commits. */
export function createHeartbeatService(deps: Pick<UseCaseDeps, 'uow' | 'clock' | 'newId'>) {
  const { uow, clock, newId } = deps;
  return {
    ping(integration: Integration): Promise<HeartbeatPing> {
      return uow.transaction((repos) =>
        recordHeartbeatPing(repos, integration, toInstant(clock.now()), newId),
      );
    },
    get(integrationId: string): Promise<Heartbeat | null> {
      return uow.read.heartbeats.get(integrationId);
    },
  };
}

export type HeartbeatService = ReturnType<typeof createHeartbeatService>;
