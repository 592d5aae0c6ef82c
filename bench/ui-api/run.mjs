#!/usr/bin/env node
// The incident board's API at a million incidents (bench/ui-api/README.md): seeds the store
// straight (seed.mjs), starts the built server as a real child process, and times the board's
// requests (first page unfiltered and filtered, next page, counts) against a baseline request in
// the same run, interleaved so machine drift hits both sides of each ratio; then times how soon an
// incident posted to /v2/enqueue reaches an open stream. Run with `npm run bench:ui-api`.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, psql as runPsql, stopChild } from '../lib.mjs';
import { seedPostgres, seedSqlite } from './seed.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

// ---------------------------------------------------------------------------------------------
// Settings: environment variables, or the same names as flags (`--incidents 100000`); a flag wins.

const flagEnv = {};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new Error(`bench: unknown argument ${argv[i]} (use --name=value; see README.md)`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`bench: --${match[1]} needs a value`);
    flagEnv[match[1].toUpperCase().replaceAll('-', '_')] = value;
  }
}
const env = { ...process.env, ...flagEnv };
const intOf = (name, fallback) => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`bench: ${name} must be a whole number, not ${value}`);
  return n;
};

const settings = {
  incidents: intOf('INCIDENTS', 1_000_000),
  engines: (env.ENGINES ?? 'sqlite,postgres').split(',').filter(Boolean),
  /** Timed requests per measurement (each measurement once per iteration, interleaved). */
  requests: intOf('REQUESTS', 50),
  warmup: intOf('WARMUP', 5),
  /** Incidents posted to /v2/enqueue while a stream is open, one at a time. */
  streamSamples: intOf('STREAM_SAMPLES', 20),
  /** Keep the seeded data in bench/tmp (and reuse it next time with the same INCIDENTS). */
  keep: env.KEEP === '1',
  timeLimitS: intOf('TIME_LIMIT', 1800),
  postgresUrl: (env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
};
for (const engine of settings.engines)
  if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`bench: unknown engine ${engine}`);

const GOAL_MS = 300; // the board's first page, p99
const STREAM_GOAL_MS = 1000;
const serverEntry = path.join(root, 'packages/server/dist/main.js');
const tmp = path.join(root, 'bench/tmp/ui-api');

// ---------------------------------------------------------------------------------------------
// Cleanup

const children = new Set();
const cleanups = new Set();
let cleaning = null;

const psql = (sql, database = 'postgres') => runPsql(settings.postgresUrl, sql, { database });

function cleanup() {
  cleaning ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child, 5_000)));
    for (const clean of cleanups) clean();
    cleanups.clear();
    agent.destroy();
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping everything\n`);
    cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  process.stderr.write(`\nbench: TIME_LIMIT (${settings.timeLimitS} s) reached, stopping everything\n`);
  setTimeout(() => process.exit(2), 30_000).unref();
  cleanup().finally(() => process.exit(2));
}, settings.timeLimitS * 1000);
watchdog.unref();

// ---------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const log = (text) => process.stderr.write(`bench: ${text}\n`);

/** One request over a kept-alive connection: status, body text and the time it took (ms). */
function request(port, method, route, { token, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const started = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: route,
        method,
        agent,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
        timeout: 30_000,
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${route}: timeout`)));
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}

async function api(port, token, method, route, body) {
  const response = await request(port, method, route, { token, body });
  if (response.status >= 300)
    throw new Error(`${method} ${route}: ${response.status} ${response.text.slice(0, 300)}`);
  return response.text ? JSON.parse(response.text) : null;
}

const percentile = (sorted, q) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const commas = (n) => n.toLocaleString('en-US');

function commandLine(command, args) {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 })
      .toString()
      .trim();
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------------------------------------
// The server

async function startVigil(engine, store) {
  const port = await freePort();
  const childEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VIGIL_') && name !== 'DATABASE_URL'),
  );
  Object.assign(childEnv, {
    PORT: String(port),
    HOST: '127.0.0.1',
    VIGIL_DATA_DIR: store.dir,
    VIGIL_BOOTSTRAP_TOKEN: store.token,
    VIGIL_SECRET_KEY: store.secretKey,
    VIGIL_LOG_LEVEL: 'warn',
  });
  if (engine === 'postgres') childEnv.DATABASE_URL = `${settings.postgresUrl}/${store.database}`;
  const child = spawn(process.execPath, [serverEntry], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const tail = [];
  const keep = (chunk) => {
    tail.push(chunk.toString());
    if (tail.length > 60) tail.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const deadline = Date.now() + 300_000; // the first start at a million incidents may migrate
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}):\n${tail.join('')}`);
    const ready = await request(port, 'GET', '/readyz').catch(() => null);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`not ready after 300 s:\n${tail.join('')}`);
    await sleep(200);
  }
  return { child, port, stop: () => stopChild(child), output: () => tail.join('') };
}

// ---------------------------------------------------------------------------------------------
// One engine: the catalogue through the API, the incidents straight into the store, then timing.

async function prepare(engine) {
  mkdirSync(tmp, { recursive: true });
  const name = `${engine}-${settings.incidents}`;
  const dir = path.join(tmp, name);
  const database = `vigil_bench_ui_${settings.incidents}`;
  const marker = path.join(dir, 'seeded.json');
  const store = { dir, database, token: '', secretKey: '' };
  if (settings.keep && existsSync(marker)) {
    Object.assign(store, JSON.parse(readFileSync(marker, 'utf8')));
    log(`${engine}: reusing the seeded data in ${path.relative(root, dir)}`);
    return { store, seedSeconds: null, catalogue: store.catalogue };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (engine === 'postgres') {
    psql(`drop database if exists ${database} with (force)`);
    psql(`create database ${database}`);
  }
  if (!settings.keep) {
    cleanups.add(() => {
      rmSync(dir, { recursive: true, force: true });
      if (engine === 'postgres') {
        try {
          psql(`drop database if exists ${database} with (force)`);
        } catch (error) {
          log(`could not drop ${database}: ${error.stderr ?? error}`);
        }
      }
    });
  }
  store.token = randomBytes(24).toString('hex');
  store.secretKey = randomBytes(32).toString('hex');

  // Teams, services, people and an integration through the API, as an installation would have them.
  const first = await startVigil(engine, store);
  const call = (method, route, body) => api(first.port, store.token, method, route, body);
  const teams = [];
  for (let t = 0; t < 10; t++) teams.push((await call('POST', '/api/v1/teams', { name: `Team ${t}` })).id);
  const services = [];
  for (let s = 0; s < 50; s++)
    services.push(
      (await call('POST', '/api/v1/services', { name: `Service ${s}`, team_id: teams[s % 10] })).id,
    );
  const users = [];
  for (let u = 0; u < 20; u++) {
    const user = await call('POST', '/api/v1/users', {
      name: `Responder ${u}`,
      email: `responder${u}@bench.test`,
      role: 'responder',
    });
    users.push(user.id);
  }
  const integration = await call('POST', `/api/v1/services/${services[0]}/integrations`, {
    type: 'events_v2',
  });
  await first.stop();

  log(`${engine}: seeding ${commas(settings.incidents)} incidents`);
  const started = performance.now();
  const options = { count: settings.incidents, services, users, now: Date.now() - 60_000 };
  if (engine === 'sqlite') seedSqlite(path.join(dir, 'vigil.db'), options);
  else await seedPostgres(`${settings.postgresUrl}/${database}`, options);
  const seedSeconds = (performance.now() - started) / 1000;
  log(`${engine}: seeded in ${fmt(seedSeconds)} s`);
  const catalogue = { teams, services, users, routingKey: integration.key };
  if (settings.keep) writeFileSync(marker, JSON.stringify({ ...store, catalogue }));
  return { store, seedSeconds, catalogue };
}

function storeSize(engine, store) {
  if (engine === 'postgres') return Number(psql(`select pg_database_size('${store.database}')`));
  let total = 0;
  for (const file of ['vigil.db', 'vigil.db-wal']) {
    const full = path.join(store.dir, file);
    if (existsSync(full)) total += statSync(full).size;
  }
  return total;
}

/** Opens GET /api/v1/incidents/stream and calls `onEvent(name, data, at)` for each event. */
function openStream(port, token, onEvent) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/incidents/stream',
        headers: { authorization: `Bearer ${token}` },
      },
      (response) => {
        if (response.statusCode !== 200) return reject(new Error(`stream: ${response.statusCode}`));
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event) onEvent(event, data ? JSON.parse(data) : null, performance.now());
            end = buffer.indexOf('\n\n');
          }
        });
        resolve(() => req.destroy());
      },
    );
    req.on('error', (error) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
  });
}

async function measureEngine(engine) {
  const { store, seedSeconds, catalogue } = await prepare(engine);
  const server = await startVigil(engine, store);
  try {
    const { port } = server;
    const token = store.token;
    const get = (route) => api(port, token, 'GET', route);
    const busiest = catalogue.services[0];
    const quietest = catalogue.services[catalogue.services.length - 1];
    const team = catalogue.teams[3];
    const firstPage = await get('/api/v1/incidents?limit=50');
    const newest = firstPage.data[0].number;

    // Every measurement: a route and what its answer must look like.
    const page =
      (expectFull = true) =>
      (body) =>
        !expectFull || (Array.isArray(body.data) && body.data.length === 50) ? null : 'not a full page';
    const any = () => null;
    const measurements = [
      {
        name: 'baseline: GET /api/v1/incidents/{number}',
        route: `/api/v1/incidents/${newest}`,
        check: any,
        baseline: true,
      },
      {
        name: 'reference: GET /healthz (no auth, no database)',
        route: '/healthz',
        check: any,
        reference: true,
      },
      { name: 'first page, no filter', route: '/api/v1/incidents?limit=50', check: page(), board: true },
      {
        name: 'next page (cursor)',
        route: `/api/v1/incidents?limit=50&cursor=${firstPage.next_cursor}`,
        check: page(),
      },
      {
        name: 'status=triggered',
        route: '/api/v1/incidents?limit=50&status=triggered',
        check: page(),
        board: true,
      },
      {
        name: 'status=triggered,acknowledged (open)',
        route: '/api/v1/incidents?limit=50&status=triggered,acknowledged',
        check: page(),
        board: true,
      },
      {
        name: 'service (the busiest)',
        route: `/api/v1/incidents?limit=50&service_id=${busiest}`,
        check: page(),
        board: true,
      },
      {
        name: 'service (the quietest), open',
        route: `/api/v1/incidents?limit=50&service_id=${quietest}&status=triggered,acknowledged`,
        check: page(false),
        board: true,
      },
      {
        name: 'team (5 services)',
        route: `/api/v1/incidents?limit=50&team_id=${team}`,
        check: page(),
        board: true,
      },
      { name: 'priority=P1', route: '/api/v1/incidents?limit=50&priority=P1', check: page(), board: true },
      {
        name: 'text, rare (q=node-0137, 0.1%)',
        route: '/api/v1/incidents?limit=50&q=node-0137',
        check: page(settings.incidents >= 100_000),
        board: true,
      },
      {
        name: 'text, common (q=checkout, 5%)',
        route: '/api/v1/incidents?limit=50&q=checkout',
        check: page(),
        board: true,
      },
      {
        name: 'text, no match (q=no-such-text)',
        route: '/api/v1/incidents?limit=50&q=no-such-text',
        check: any,
        board: true,
      },
      {
        name: 'text + open + team',
        route: `/api/v1/incidents?limit=50&q=latency&status=triggered,acknowledged&team_id=${team}`,
        check: page(false),
        board: true,
      },
      { name: 'counts, no filter', route: '/api/v1/incidents/counts', check: any, counts: true },
      {
        name: 'counts, service (the busiest)',
        route: `/api/v1/incidents/counts?service_id=${busiest}`,
        check: any,
        counts: true,
      },
      { name: 'counts, team', route: `/api/v1/incidents/counts?team_id=${team}`, check: any, counts: true },
      {
        name: 'counts, priority=P1,P2',
        route: '/api/v1/incidents/counts?priority=P1,P2',
        check: any,
        counts: true,
      },
      {
        name: 'counts, text (q=checkout, 5%)',
        route: '/api/v1/incidents/counts?q=checkout',
        check: any,
        counts: true,
      },
      {
        name: 'counts, text (q=node-0137, 0.1%)',
        route: '/api/v1/incidents/counts?q=node-0137',
        check: any,
        counts: true,
      },
    ];
    for (const m of measurements) {
      m.samples = [];
      const body = await get(m.route).catch((error) => ({ error: String(error) }));
      if (body?.error) throw new Error(`${m.name}: ${body.error}`);
      m.example = m.counts ? body : undefined;
      const problem = m.check(body);
      if (problem) throw new Error(`${m.name}: ${problem}`);
    }
    log(
      `${engine}: timing ${measurements.length} requests × ${settings.requests} (after ${settings.warmup} warm-up rounds)`,
    );
    for (let round = 0; round < settings.warmup + settings.requests; round++) {
      for (const m of measurements) {
        const response = await request(port, 'GET', m.route, { token });
        if (response.status !== 200)
          throw new Error(`${m.name}: ${response.status} ${response.text.slice(0, 200)}`);
        if (round >= settings.warmup) m.samples.push(response.ms);
      }
    }
    const baseline = measurements.find((m) => m.baseline);
    const summarise = (samples) => {
      const sorted = [...samples].sort((a, b) => a - b);
      return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] };
    };
    const baseP50 = summarise(baseline.samples).p50;
    const rows = measurements.map((m) => {
      const s = summarise(m.samples);
      return {
        name: m.name,
        route: m.route,
        ...s,
        ratio: s.p50 / baseP50,
        board: Boolean(m.board || m.counts),
        met: m.board || m.counts ? s.p99 <= GOAL_MS : null,
        example: m.example,
      };
    });

    // The stream: incidents posted to /v2/enqueue one at a time; the time from each 202 to its event.
    const arrivals = new Map();
    const close = await openStream(port, token, (event, data, at) => {
      if (event === 'incident' && data?.title?.startsWith('Bench stream ') && !arrivals.has(data.title))
        arrivals.set(data.title, at);
    });
    await sleep(500);
    const stream = [];
    for (let i = 0; i < settings.streamSamples; i++) {
      const key = `Bench stream ${Date.now()}-${i}`;
      const response = await request(port, 'POST', '/v2/enqueue', {
        body: {
          routing_key: catalogue.routingKey,
          event_action: 'trigger',
          dedup_key: key,
          payload: { summary: key, source: 'bench', severity: 'critical' },
        },
      });
      if (response.status !== 202) throw new Error(`/v2/enqueue: ${response.status} ${response.text}`);
      const accepted = performance.now();
      while (!arrivals.has(key) && performance.now() - accepted < 5_000) await sleep(2);
      stream.push(arrivals.has(key) ? arrivals.get(key) - accepted : Number.POSITIVE_INFINITY);
      await sleep(200);
    }
    close();
    const streamSummary = summarise(stream);

    return {
      engine,
      incidents: settings.incidents,
      seedSeconds,
      sizeBytes: storeSize(engine, store),
      baseP50,
      rows,
      stream: { samples: stream, ...streamSummary, met: streamSummary.max <= STREAM_GOAL_MS },
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function report(results, started) {
  const dirty = commandLine('git', ['-C', root, 'status', '--porcelain'])
    ? ' (with uncommitted changes)'
    : '';
  const out = [
    '# Incident board API benchmark',
    '',
    `- Date: ${new Date(started).toISOString()}; Vigil commit ${commandLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD'])}${dirty}`,
    `- Machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; ` +
      `PostgreSQL ${settings.engines.includes('postgres') ? psql('show server_version') : '–'}; load average at the start ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    `- Settings: INCIDENTS=${settings.incidents} REQUESTS=${settings.requests} WARMUP=${settings.warmup} STREAM_SAMPLES=${settings.streamSamples}`,
    '',
    'Each row is one GET, sent once per round over a kept-alive connection, all rows interleaved, ' +
      `${settings.requests} timed rounds after ${settings.warmup} warm-up rounds; times are from this process (send to last byte). ` +
      'Ratio: the row’s p50 ÷ the baseline’s p50 in the same run. Goal: p99 ≤ 300 ms for every board request (list and counts).',
  ];
  for (const r of results) {
    out.push(
      '',
      `## ${r.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: ${commas(r.incidents)} incidents`,
      '',
      `Seeded in ${r.seedSeconds === null ? '(reused)' : `${fmt(r.seedSeconds, 0)} s`}; store ${fmt(r.sizeBytes / 2 ** 20, 0)} MiB.`,
      '',
      '| request | p50 ms | p99 ms | max ms | p50 ÷ baseline | p99 ≤ 300 ms |',
      '|---|---|---|---|---|---|',
      ...r.rows.map(
        (row) =>
          `| ${row.name} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${fmt(row.max)} | ${fmt(row.ratio, 2)} | ${
            row.met === null ? '–' : row.met ? 'yes' : '**no**'
          } |`,
      ),
      '',
      `Stream: ${r.stream.samples.length} incidents posted to \`/v2/enqueue\` one at a time with a stream open; from the 202 to the ` +
        `\`incident\` event: p50 ${fmt(r.stream.p50)} ms, p99 ${fmt(r.stream.p99)} ms, max ${fmt(r.stream.max)} ms ` +
        `(goal ≤ 1 s: ${r.stream.met ? 'yes' : '**no**'}).`,
      '',
      `Counts: ${r.rows
        .filter((row) => row.example)
        .map((row) => `${row.name.replace('counts, ', '')} ${JSON.stringify(row.example)}`)
        .join('; ')}.`,
    );
  }
  return out.join('\n');
}

async function main() {
  if (!existsSync(serverEntry))
    throw new Error(`bench: ${serverEntry} is missing; run \`npm run build\` (npm run bench:ui-api does)`);
  if (settings.engines.includes('postgres')) psql('select 1');
  const started = Date.now();
  const results = [];
  for (const engine of settings.engines) results.push(await measureEngine(engine));
  const markdown = report(results, started);
  process.stdout.write(`${markdown}\n`);
  const dir = path.join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  writeFileSync(
    path.join(dir, `ui-api-${stamp}.md`),
    `${markdown}\n\n\`\`\`json\n${JSON.stringify({ settings, results }, null, 2)}\n\`\`\`\n`,
  );
}

main()
  .catch((error) => {
    process.stderr.write(`bench: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
