import { type Clock, systemClock } from '@vigil/core';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp, createServices } from './app.js';
import type { Config } from './config.js';
import { createMetrics } from './http/metrics.js';
import { createSecretBox } from './security/secret-box.js';
import { nodeSecrets } from './security/tokens.js';
import { openStore } from './store/database.js';
import type { Store } from './store/dialect.js';
import { migrateToLatest } from './store/migrate.js';
import { createUnitOfWork } from './store/unit-of-work.js';

export interface Runtime {
  app: FastifyInstance;
  store: Store;
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
  >,
  options: { clock?: Clock; logger?: FastifyServerOptions['logger']; processMetrics?: boolean } = {},
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
    const clock = options.clock ?? systemClock;
    const box = createSecretBox(config.secretKey);
    const uow = createUnitOfWork(store, box);
    const setup = createServices({ uow, clock, secrets: nodeSecrets }).setup;
    let setupUrl: string | null = null;
    if (config.bootstrapToken) {
      await setup.bootstrap(config.bootstrapToken);
    } else if (await setup.needsSetup()) {
      setupUrl = `${config.publicUrl}/setup?token=${await setup.issueSetupToken()}`;
    }
    const app = await buildApp(
      {
        config,
        store,
        uow,
        clock,
        secrets: nodeSecrets,
        box,
        metrics: createMetrics({ processMetrics: options.processMetrics ?? false }),
      },
      { logger: options.logger },
    );
    log = (error) => app.log.warn({ err: error }, 'database connection lost; the pool will reconnect');
    return {
      app,
      store,
      setupUrl,
      async close() {
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
