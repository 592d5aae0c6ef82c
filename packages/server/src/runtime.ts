import { type Clock, systemClock } from '@vigil/core';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { sql } from 'kysely';
import { buildApp, createServices } from './app.js';
import { type Config, noChannels } from './config.js';
import { createActionLinks } from './engine/action-links.js';
import { createChannelSet } from './engine/channel-set.js';
import { createOutboundSinks } from './engine/outbound-sinks.js';
import { createPaging, type Paging } from './engine/paging.js';
import { createPgDoorbell, ENGINE_CHANNEL, INCIDENTS_CHANNEL } from './engine/pg-doorbell.js';
import type { ChannelSet } from './engine/sender.js';
import { OffsetClock } from './engine/test-clock.js';
import { createIncidentFeed } from './http/incident-feed.js';
import { createMetrics } from './http/metrics.js';
import { newId } from './ids.js';
import { createSecretBox } from './security/secret-box.js';
import { nodeSecrets } from './security/tokens.js';
import { openStore } from './store/database.js';
import type { Store } from './store/dialect.js';
import { migrateToLatest } from './store/migrate.js';
import { createUnitOfWork } from './store/unit-of-work.js';

export interface Runtime {
  app: FastifyInstance;
  store: Store;
  /** The paging engine; its loop runs when the instance has the `engine` role. */
  paging: Paging;
  clock: Clock;
  /** A one-time setup link to print, when no user exists and no bootstrap token was given. */
  setupUrl: string | null;
  close(): Promise<void>;
}

/**
 * The composition root: opens the store, applies migrations (frozen, so safe on every start),
 * creates the first owner if asked, and builds the app. main.ts listens; tests inject.
 */
export async function startRuntime(
  config: Pick<
    Config,
    'dataDir' | 'databaseUrl' | 'publicUrl' | 'secretKey' | 'bootstrapToken' | 'testClock'
  > &
    Partial<Pick<Config, 'channels' | 'roles' | 'engineIntervalMs' | 'webDir'>>,
  options: {
    clock?: Clock;
    logger?: FastifyServerOptions['logger'];
    processMetrics?: boolean;
    /** Channels to page through instead of those the configuration names (tests). */
    channels?: ChannelSet;
    /** The live incident feed's safety-net poll (tests set it long to prove NOTIFY delivers). */
    incidentFeedPollMs?: number;
  } = {},
): Promise<Runtime> {
  let log: (error: Error) => void = (error) =>
    process.stderr.write(`vigil: database connection lost: ${error.message}\n`);
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onPoolError: (error) => log(error),
  });
  try {
    await migrateToLatest(store);
    const baseClock = options.clock ?? systemClock;
    const testClock = config.testClock ? new OffsetClock(baseClock) : null;
    const clock: Clock = testClock ?? baseClock;
    const box = createSecretBox(config.secretKey);
    const uow = createUnitOfWork(store, box);
    const setup = createServices({ uow, clock, secrets: nodeSecrets }).setup;
    let setupUrl: string | null = null;
    if (config.bootstrapToken) {
      await setup.bootstrap(config.bootstrapToken);
    } else if (await setup.needsSetup()) {
      setupUrl = `${config.publicUrl}/setup?token=${await setup.issueSetupToken()}`;
    }
    const metrics = createMetrics({ processMetrics: options.processMetrics ?? false });
    const channelConfig = config.channels ?? noChannels;
    const links = createActionLinks(config.secretKey, config.publicUrl);
    const logger: { current?: FastifyInstance['log'] } = {};
    // On PostgreSQL, a write on one instance wakes the engines and the incident feeds of all (LISTEN/NOTIFY).
    const doorbell =
      store.dialect.engine === 'postgres' && config.databaseUrl
        ? createPgDoorbell({
            databaseUrl: config.databaseUrl,
            notify: async (channel, payload) => {
              await sql`select pg_notify(${channel}, ${payload})`.execute(store.db);
            },
            onError: (error) => logger.current?.warn({ err: error }, 'doorbell: reconnecting'),
          })
        : null;
    const incidentFeed = createIncidentFeed({
      incidents: uow.read.incidents,
      users: uow.read.users,
      publicUrl: config.publicUrl,
      clock,
      announce: doorbell ? () => doorbell.ring(INCIDENTS_CHANNEL) : undefined,
      pollMs: options.incidentFeedPollMs,
      onError: (error) => logger.current?.warn({ err: error }, 'incident feed: read failed; retrying'),
    });
    const paging = createPaging({
      store,
      box,
      clock,
      links,
      channels: options.channels ?? createChannelSet(channelConfig, config.publicUrl),
      outbound: createOutboundSinks(channelConfig, { publicUrl: config.publicUrl, clock }),
      publicUrl: config.publicUrl,
      metrics,
      newId: () => newId(clock.now().getTime()),
      ...(config.engineIntervalMs ? { intervalMs: config.engineIntervalMs } : {}),
      log: {
        warn: (obj, msg) => logger.current?.warn(obj, msg),
        error: (obj, msg) => logger.current?.error(obj, msg),
      },
      onIncidentsChanged: () => incidentFeed.changed(),
    });
    const nudge = () => {
      paging.engine.nudge();
      doorbell?.ring(ENGINE_CHANNEL);
    };
    const app = await buildApp(
      {
        config: { ...config, channels: channelConfig },
        store,
        uow,
        clock,
        secrets: nodeSecrets,
        box,
        metrics,
        paging: { nudge, links, testClock },
        incidentFeed,
      },
      { logger: options.logger },
    );
    logger.current = app.log;
    log = (error) => app.log.warn({ err: error }, 'database connection lost; the pool will reconnect');
    await doorbell?.listen(INCIDENTS_CHANNEL, incidentFeed.ring);
    if (config.roles?.has('engine')) {
      await doorbell?.listen(ENGINE_CHANNEL, paging.engine.nudge);
      paging.engine.start();
    }
    return {
      app,
      store,
      paging,
      clock,
      setupUrl,
      async close() {
        await app.close();
        await paging.engine.stop();
        await doorbell?.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
