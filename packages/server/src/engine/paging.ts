import type { Clock } from '@vigil/core';
import type { Kysely } from 'kysely';
import type { Metrics } from '../http/metrics.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Store } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import { reposFor } from '../store/unit-of-work.js';
import type { ActionLinks } from './action-links.js';
import { createEngine } from './engine.js';
import { createEscalationModule } from './escalation.module.js';
import { createHeartbeatModule } from './heartbeat.module.js';
import { createOutboundSender } from './outbound-sender.js';
import type { OutboundSinks } from './outbound-sinks.js';
import { createScheduleModule } from './schedule.module.js';
import { type ChannelSet, createSender } from './sender.js';

export interface PagingDeps {
  store: Store;
  box: SecretBox;
  clock: Clock;
  links: ActionLinks;
  channels: ChannelSet;
  /** SIGNL4 and New Relic (engine/outbound-sinks.ts). */
  outbound: OutboundSinks;
  publicUrl: string;
  metrics: Metrics;
  newId(): string;
  intervalMs?: number;
  log?: { warn(obj: unknown, msg: string): void; error(obj: unknown, msg: string): void };
  /** Escalations were reconciled (incidents may have new assignees or be triggered again). */
  onIncidentsChanged?(): void;
}

/** The engine with its modules, wired to the store, the channels and the metrics. */
export function createPaging(deps: PagingDeps) {
  const repos = (db: Kysely<Database>) => reposFor(db, deps.store, deps.box);
  const escalation = createEscalationModule({
    store: deps.store,
    reposFor: repos,
    newId: deps.newId,
    publicUrl: deps.publicUrl,
    onUnreachable: (incident, message) => {
      deps.metrics.unreachable.inc();
      deps.log?.warn({ incident: incident.number }, message);
    },
  });
  const sender = createSender({
    store: deps.store,
    box: deps.box,
    reposFor: repos,
    clock: deps.clock,
    channels: deps.channels,
    links: deps.links,
    publicUrl: deps.publicUrl,
    newId: deps.newId,
    onResult: (channel, outcome) => deps.metrics.notificationsSent.inc({ channel, outcome }),
    onError: (error) => deps.log?.error({ err: error }, 'sending a notification failed'),
    // A backlog drains as fast as the providers answer, not one batch per tick or per cycle.
    onSlotFree: () => engine.refill(),
  });
  const outbound = createOutboundSender({
    store: deps.store,
    reposFor: repos,
    clock: deps.clock,
    sinks: deps.outbound,
    publicUrl: deps.publicUrl,
    onError: (error) => deps.log?.error({ err: error }, 'sending to an outbound integration failed'),
    onSlotFree: () => engine.nudge(),
  });
  const schedules = createScheduleModule({
    store: deps.store,
    reposFor: repos,
    newId: deps.newId,
    clock: deps.clock,
    publicUrl: deps.publicUrl,
  });
  const heartbeats = createHeartbeatModule({
    store: deps.store,
    reposFor: repos,
    newId: deps.newId,
    onOpened: () => deps.onIncidentsChanged?.(),
    onError: (error, integrationId) =>
      deps.log?.error({ err: error, integration: integrationId }, 'checking a heartbeat failed'),
  });
  const engine = createEngine({
    ...(deps.intervalMs ? { intervalMs: deps.intervalMs } : {}),
    clock: deps.clock,
    // The live incident feed reads after a batch was reconciled (committed), not at its next poll.
    escalation: {
      ...escalation,
      run: async (now, limit) => {
        const done = await escalation.run(now, limit);
        if (done > 0) deps.onIncidentsChanged?.();
        return done;
      },
    },
    sender,
    outbound,
    schedules,
    heartbeats,
    onCycle: (seconds) => deps.metrics.engineCycleSeconds.observe(seconds),
    onError: (error) => deps.log?.error({ err: error }, 'engine cycle failed; the next one retries'),
  });
  return { engine, escalation, sender, outbound, schedules, heartbeats };
}

export type Paging = ReturnType<typeof createPaging>;
