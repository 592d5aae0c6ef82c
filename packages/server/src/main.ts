#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, parseFlags } from './config.js';
import { limitHeapGrowth } from './heap-growth.js';
import { startRuntime } from './runtime.js';
import { isPostgresUrl, openStore } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

/** `vigil serve`: start, print where to go, and close gracefully on SIGINT/SIGTERM. */
export async function serve(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(env, parseFlags(argv));
  limitHeapGrowth(config.heapGrowthPercent);
  const started = Date.now();
  const runtime = await startRuntime(config, {
    logger: { level: config.logLevel },
    processMetrics: true,
  });
  await runtime.app.listen({ port: config.port, host: config.host });
  const engine = runtime.store.dialect.engine === 'postgres' ? 'PostgreSQL' : `SQLite in ${config.dataDir}`;
  const lines = [
    `Vigil is listening on ${config.publicUrl} (${engine}), ready in ${Date.now() - started} ms`,
  ];
  if (runtime.setupUrl) {
    lines.push(
      '',
      'No user exists yet. Open this one-time link to create the owner account:',
      `  ${runtime.setupUrl}`,
      '',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    runtime.app.log.info(`${signal} received: finishing requests in flight, then closing`);
    // app.close() stops accepting, lets in-flight requests finish, then the store closes.
    const timer = setTimeout(() => {
      runtime.app.log.error('Shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    // Keep-alive connections that finish their last request while we close would hold close()
    // open until the client hangs up; close each as soon as it falls idle.
    const sweeper = setInterval(() => runtime.app.server.closeIdleConnections(), 50);
    await runtime.close();
    clearInterval(sweeper);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** `vigil migrate`: apply pending migrations and exit. */
export async function migrate(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const flags = parseFlags(argv);
  const dataDir = flags['data-dir'] ?? env.VIGIL_DATA_DIR ?? './data';
  const databaseUrl = flags['database-url'] ?? env.DATABASE_URL;
  // The same check as serve's: a mistyped URL must not quietly migrate a SQLite file instead.
  if (databaseUrl && !isPostgresUrl(databaseUrl))
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  const store = await openStore({ databaseUrl, dataDir });
  try {
    return await migrateToLatest(store);
  } finally {
    await store.close();
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  serve(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `vigil: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(1);
  });
}
