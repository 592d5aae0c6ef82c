#!/usr/bin/env node
// Ingest benchmark (bench/ingest/README.md): a bare Fastify route, Prometheus Alertmanager and Vigil
// (SQLite and PostgreSQL) under the same alert load, in interleaved rounds on one machine, with the
// server pinned to one core and wrk to the other. Run with `npm run bench:ingest` (it builds first).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, psql as runPsql, stopChild } from '../lib.mjs';
import { amAlert, enqueueBody, webhookBody } from './bodies.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const luaScript = path.join(here, 'load.lua');

// ---------------------------------------------------------------------------------------------
// Settings (all from the environment; see README.md)

const env = process.env;
const intOf = (value, fallback) =>
  value === undefined || value === '' ? fallback : Number.parseInt(value, 10);
const numOf = (value, fallback) => (value === undefined || value === '' ? fallback : Number(value));

const settings = {
  rounds: intOf(env.ROUNDS, 3),
  duration: intOf(env.DURATION, 10),
  warmup: intOf(env.WARMUP, 3),
  connections: intOf(env.CONNECTIONS, 32),
  pool: intOf(env.POOL, 1000),
  newFraction: numOf(env.NEW_FRACTION, 0.1),
  batch: intOf(env.BATCH, 100),
  halfRate: env.HALF_RATE !== '0',
  latencyTarget: numOf(env.LAT_TARGET, 0.5),
  latencyConnections: intOf(env.LAT_CONNECTIONS, 32),
  latencyCalibration: intOf(env.LAT_CALIBRATION, 2),
  engines: (env.ENGINES ?? 'sqlite,postgres').split(',').map((s) => s.trim()),
  only: env.ONLY ? env.ONLY.split(',').map((s) => s.trim()) : null,
  postgresUrl: (env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
  loadCpu: env.LOAD_CPU ?? '0',
  serverCpu: env.SERVER_CPU ?? '1',
};

for (const [name, value] of Object.entries(settings)) {
  if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0))
    throw new Error(`bench: bad setting ${name}=${value}`);
}
if (settings.rounds < 1 || settings.duration < 1 || settings.connections < 1 || settings.pool < 1)
  throw new Error('bench: ROUNDS, DURATION, CONNECTIONS and POOL must be at least 1');

/** What each round measures, in this order. `name` is what ONLY= selects. */
const allTargets = [
  { name: 'fastify', label: 'Bare Fastify, POST parse-only', kind: 'fastify', mode: 'enqueue', batch: 1 },
  { name: 'am-1', label: 'Alertmanager /api/v2/alerts', kind: 'am', mode: 'am', batch: 1 },
  { name: 'am-batch', label: 'Alertmanager /api/v2/alerts', kind: 'am', mode: 'am', batch: settings.batch },
  {
    name: 'sqlite-enqueue',
    label: 'Vigil SQLite /v2/enqueue',
    kind: 'vigil',
    engine: 'sqlite',
    mode: 'enqueue',
    batch: 1,
  },
  {
    name: 'sqlite-webhook',
    label: 'Vigil SQLite AM webhook',
    kind: 'vigil',
    engine: 'sqlite',
    mode: 'webhook',
    batch: settings.batch,
  },
  {
    name: 'postgres-enqueue',
    label: 'Vigil PostgreSQL /v2/enqueue',
    kind: 'vigil',
    engine: 'postgres',
    mode: 'enqueue',
    batch: 1,
  },
  {
    name: 'postgres-webhook',
    label: 'Vigil PostgreSQL AM webhook',
    kind: 'vigil',
    engine: 'postgres',
    mode: 'webhook',
    batch: settings.batch,
  },
];
const targets = allTargets.filter(
  (t) =>
    (!t.engine || settings.engines.includes(t.engine)) && (!settings.only || settings.only.includes(t.name)),
);
if (targets.length === 0) throw new Error('bench: ONLY/ENGINES select no target');

// ---------------------------------------------------------------------------------------------
// Cleanup: every child, temporary directory and database is registered here and removed at the end,
// on an error, and on SIGINT/SIGTERM.

const children = new Set();
const tempDirs = new Set();
const databases = new Set();
let cleaning = null;

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const psql = (sql) => runPsql(settings.postgresUrl, sql);

function dropDatabase(name) {
  try {
    psql(`drop database if exists ${name} with (force)`);
    databases.delete(name);
  } catch (error) {
    process.stderr.write(`bench: could not drop database ${name}: ${error.stderr ?? error}\n`);
  }
}

function cleanup() {
  cleaning ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child, 5_000)));
    for (const name of [...databases]) dropDatabase(name);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping everything\n`);
    cleanup().finally(() => process.exit(130));
  });
}

function tempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `command` pinned to the server core; keeps the last lines of its output for error messages. */
function startPinned(command, args, options = {}) {
  const child = track(
    spawn('taskset', ['-c', settings.serverCpu, command, ...args], {
      cwd: root,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const tail = [];
  const keep = (chunk) => {
    tail.push(chunk.toString());
    if (tail.length > 40) tail.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = () => tail.join('').trim();
  return child;
}

async function waitReady(child, url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${url}: the server exited (${child.exitCode ?? child.signalCode}):\n${child.output()}`,
      );
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url}: not ready after ${timeoutMs / 1000} s:\n${child.output()}`);
}

async function call(method, url, { token, body } = {}) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---------------------------------------------------------------------------------------------
// Bodies (bodies.mjs, the same as load.lua builds), to fill the key pool before each measured run

function bodyFor(target, server, ns) {
  if (target.mode === 'enqueue') return enqueueBody(server.key, ns[0]);
  if (target.mode === 'am') return JSON.stringify(ns.map(amAlert));
  return webhookBody(ns);
}

/** Posts every pool key once (k-0 … k-(POOL-1)), 16 requests in flight; every answer must be 2xx. */
async function fillPool(target, server) {
  const requests = [];
  for (let first = 0; first < settings.pool; first += target.batch) {
    const ns = [];
    for (let n = first; n < Math.min(first + target.batch, settings.pool); n++) ns.push(n);
    requests.push(ns);
  }
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const ns = requests[next++];
      const response = await fetch(`http://127.0.0.1:${server.port}${server.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodyFor(target, server, ns),
      });
      const text = await response.text();
      if (response.status < 200 || response.status > 299)
        throw new Error(`${target.name}: filling the pool got ${response.status} ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------
// The servers

async function startFastify() {
  const port = await freePort();
  const child = startPinned(process.execPath, [
    path.join(here, 'fastify-baseline.mjs'),
    '--port',
    String(port),
  ]);
  await waitReady(child, `http://127.0.0.1:${port}/`);
  return {
    child,
    port,
    path: '/v2/enqueue',
    key: 'bench-routing-key-0123456789abcdef',
    stop: () => stopChild(child),
  };
}

/** A webhook receiver for Alertmanager's notifications, in this process (it gets a handful at most). */
let sink = null;
async function ensureSink() {
  if (sink) return sink;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      sink.received++;
      response.writeHead(200).end('ok');
    });
  });
  const port = await new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(server.address().port)),
  );
  server.unref();
  sink = { server, port, received: 0 };
  return sink;
}

async function startAlertmanager() {
  const { port: sinkPort } = await ensureSink();
  const dir = tempDir('vigil-bench-am-');
  const config = path.join(dir, 'am.yml');
  writeFileSync(
    config,
    [
      'route:',
      '  receiver: sink',
      '  group_by: [alertname]',
      '  group_wait: 30s',
      '  group_interval: 5m',
      'receivers:',
      '  - name: sink',
      '    webhook_configs:',
      `      - url: 'http://127.0.0.1:${sinkPort}/hook'`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child = startPinned('prometheus-alertmanager', [
    `--config.file=${config}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  await waitReady(child, `http://127.0.0.1:${port}/-/ready`);
  return {
    child,
    port,
    path: '/api/v2/alerts',
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

let databaseCounter = 0;
async function startVigil(target) {
  const dir = tempDir('vigil-bench-data-');
  const token = randomBytes(20).toString('hex'); // 40 characters
  const port = await freePort();
  const childEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VIGIL_') && name !== 'DATABASE_URL'),
  );
  Object.assign(childEnv, { VIGIL_DATA_DIR: dir, VIGIL_BOOTSTRAP_TOKEN: token, VIGIL_LOG_LEVEL: 'warn' });
  // SERVER_ENV="VIGIL_HEAP_GROWTH_PERCENT=0,…": extra settings for Vigil's servers, to compare settings.
  for (const pair of (env.SERVER_ENV ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    childEnv[pair.slice(0, at)] = pair.slice(at + 1);
  }
  let database = null;
  if (target.engine === 'postgres') {
    database = `vigil_bench_${process.pid}_${++databaseCounter}`;
    psql(`create database ${database}`);
    databases.add(database);
    childEnv.DATABASE_URL = `${settings.postgresUrl}/${database}`;
    childEnv.VIGIL_SECRET_KEY = randomBytes(32).toString('hex');
  }
  // VIGIL_BENCH_NODE_FLAGS: extra node flags for the servers under test, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeFlags = env.VIGIL_BENCH_NODE_FLAGS ? env.VIGIL_BENCH_NODE_FLAGS.split(' ') : [];
  const child = startPinned(
    process.execPath,
    [...nodeFlags, 'packages/server/dist/main.js', '--port', String(port)],
    {
      env: childEnv,
    },
  );
  const stop = async () => {
    await stopChild(child);
    if (database) dropDatabase(database);
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  };
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitReady(child, `${base}/readyz`);
    const service = await call('POST', `${base}/api/v1/services`, { token, body: { name: 'bench' } });
    const integrationsUrl = `${base}/api/v1/services/${service.id}/integrations`;
    const type = target.mode === 'enqueue' ? 'events_v2' : 'alertmanager';
    const integration = await call('POST', integrationsUrl, {
      token,
      body: { type, rate_limit_per_minute: 1_000_000 },
    });
    const route = target.mode === 'enqueue' ? '/v2/enqueue' : new URL(integration.url).pathname;
    return { child, port, path: route, key: integration.key, database, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function startServer(target) {
  if (target.kind === 'fastify') return startFastify();
  if (target.kind === 'am') return startAlertmanager();
  return startVigil(target);
}

// ---------------------------------------------------------------------------------------------
// Load (wrk) and what we watch while it runs

/** One wrk run against `server`; resolves to its parsed summary. */
function runWrk(target, server, { duration, connections, delayMs = 0 }) {
  // New keys never repeat within a server's life: each run against it gets its own range.
  server.runs = (server.runs ?? 0) + 1;
  const newKeyBase = server.runs * 10_000_000;
  const wrkEnv = {
    ...process.env,
    WRK_MODE: target.mode,
    WRK_PATH: server.path,
    WRK_KEY: server.key ?? '',
    WRK_BATCH: String(target.batch),
    WRK_POOL: String(settings.pool),
    WRK_NEWFRAC: String(settings.newFraction),
    WRK_NEWBASE: String(newKeyBase),
    WRK_DELAY_MS: String(delayMs),
  };
  const args = [
    '-c',
    settings.loadCpu,
    'wrk',
    '-t1',
    `-c${connections}`,
    `-d${duration}s`,
    '--latency',
    '-s',
    luaScript,
    `http://127.0.0.1:${server.port}`,
  ];
  return new Promise((resolve, reject) => {
    const child = track(spawn('taskset', args, { env: wrkEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk exited with ${code}:\n${out}\n${err}`));
      const summary = JSON.parse(line.slice('WRKJSON '.length));
      const seconds = summary.duration_us / 1e6;
      const socketErrors =
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout;
      resolve({
        ...summary,
        connections,
        delayMs,
        reqPerSec: summary.requests / seconds,
        eventsPerSec: (summary.requests * target.batch) / seconds,
        non2xx: summary.errors.status,
        socketErrors,
      });
    });
  });
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds, or NaN when it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** Busy and total jiffies per CPU from /proc/stat. */
function cpuTimes() {
  const result = {};
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+) (.*)$/.exec(line);
    if (!match) continue;
    const v = match[2].trim().split(/\s+/).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    result[match[1]] = { busy: total - idle, total };
  }
  return result;
}

/** CPU seconds of the PostgreSQL backends serving `database` (matched on their process title). */
function postgresBackendSeconds(database) {
  const perPid = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('postgres: ') && cmdline.includes(` ${database} `))
        perPid.set(entry, cpuSeconds(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return perPid;
}

/** CPU seconds per thread of a process (tid → seconds). */
function threadSeconds(pid) {
  const result = new Map();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const seconds = cpuSeconds(`${pid}/task/${tid}`);
      if (Number.isFinite(seconds)) result.set(tid, seconds);
    }
  } catch {
    // gone
  }
  return result;
}

/** Splits a process's CPU % over a run into its main thread, its busiest other thread, and the rest. */
function threadSplit(pid, before, after, wall) {
  const deltas = [...after].map(([tid, seconds]) => [tid, (100 * (seconds - (before.get(tid) ?? 0))) / wall]);
  const main = deltas.find(([tid]) => tid === String(pid))?.[1] ?? Number.NaN;
  const others = deltas.filter(([tid]) => tid !== String(pid)).map(([, percent]) => percent);
  const busiest = others.length ? Math.max(...others) : 0;
  const rest = others.reduce((a, b) => a + b, 0) - busiest;
  return { main, busiest, rest };
}

function statusField(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Vigil's own counters (GET /metrics is public): group-commit batches and event-loop delay. */
async function vigilMetrics(server) {
  try {
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    const value = (name) => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$`, 'm').exec(text);
      return match ? Number(match[1]) : Number.NaN;
    };
    return {
      batches: value('vigil_ingest_batch_size_count'),
      events: value('vigil_ingest_batch_size_sum'),
      batchSeconds: value('vigil_ingest_batch_seconds_sum'),
      loopP99: value('vigil_nodejs_eventloop_lag_p99_seconds'),
      loopMax: value('vigil_nodejs_eventloop_lag_max_seconds'),
    };
  } catch {
    return null;
  }
}

/** Runs wrk while sampling the server's RSS every 100 ms and its CPU use (and PostgreSQL's). */
async function observedRun(target, server, options) {
  const pid = server.child.pid;
  const metricsBefore = target.kind === 'vigil' ? await vigilMetrics(server) : null;
  const cpuBefore = cpuSeconds(pid);
  const threadsBefore = threadSeconds(pid);
  const coresBefore = cpuTimes();
  const pgBefore = server.database ? postgresBackendSeconds(server.database) : null;
  let peakRss = statusField(pid, 'VmRSS');
  const poll = setInterval(() => {
    const rss = statusField(pid, 'VmRSS');
    if (rss > peakRss) peakRss = rss;
  }, 100);
  const started = performance.now();
  let result;
  try {
    result = await runWrk(target, server, options);
  } finally {
    clearInterval(poll);
  }
  const wall = (performance.now() - started) / 1000;
  const threads = threadSplit(pid, threadsBefore, threadSeconds(pid), wall);
  const coresAfter = cpuTimes();
  const cores = {};
  for (const [id, after] of Object.entries(coresAfter)) {
    const before = coresBefore[id];
    if (before) cores[id] = (100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total);
  }
  let postgresCpu = Number.NaN;
  if (pgBefore) {
    let seconds = 0;
    for (const [backend, after] of postgresBackendSeconds(server.database))
      seconds += after - (pgBefore.get(backend) ?? 0);
    postgresCpu = (100 * seconds) / wall;
  }
  const metricsAfter = target.kind === 'vigil' ? await vigilMetrics(server) : null;
  let commits = null;
  if (metricsBefore && metricsAfter) {
    const batches = metricsAfter.batches - metricsBefore.batches;
    commits = {
      batches,
      eventsPerCommit: (metricsAfter.events - metricsBefore.events) / batches,
      msPerCommit: (1000 * (metricsAfter.batchSeconds - metricsBefore.batchSeconds)) / batches,
      loopP99Ms: metricsAfter.loopP99 * 1000,
      loopMaxMs: metricsAfter.loopMax * 1000,
    };
  }
  return {
    ...result,
    peakRss,
    serverCpu: (100 * (cpuSeconds(pid) - cpuBefore)) / wall,
    threads,
    loadCore: cores[settings.loadCpu],
    serverCore: cores[settings.serverCpu],
    postgresCpu,
    commits,
  };
}

/** One measurement: a fresh server, the pool filled, a warm-up, the saturating run, the half-rate run. */
async function measure(target) {
  const server = await startServer(target);
  try {
    const fillSeconds = await fillPool(target, server);
    if (settings.warmup > 0)
      await runWrk(target, server, { duration: settings.warmup, connections: settings.connections });
    const max = await observedRun(target, server, {
      duration: settings.duration,
      connections: settings.connections,
    });
    let half = null;
    if (settings.halfRate && max.reqPerSec > 0) {
      // Each connection waits an exponential think time between requests, sized so that all of
      // them together offer LAT_TARGET × the rate just measured. A short calibration run measures
      // how long a cycle takes beyond the think time (the response itself), which is then taken off.
      const wanted = settings.latencyTarget * max.reqPerSec;
      const connections = settings.latencyConnections;
      const cycleMs = (connections / wanted) * 1000;
      let delayMs = Math.max(1, cycleMs);
      if (settings.latencyCalibration > 0) {
        const probe = await runWrk(target, server, {
          duration: settings.latencyCalibration,
          connections,
          delayMs,
        });
        const responseMs = Math.max(0, (connections / probe.reqPerSec) * 1000 - delayMs);
        delayMs = Math.max(1, cycleMs - responseMs);
      }
      half = await observedRun(target, server, { duration: settings.duration, connections, delayMs });
      half.wantedReqPerSec = wanted;
      half.fractionOfMax = half.reqPerSec / max.reqPerSec;
    }
    const hwm = statusField(server.child.pid, 'VmHWM');
    return { target: target.name, fillSeconds, max, half, hwm };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const fmtInt = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const ms = (us) => us / 1000;
const mb = (bytes) => bytes / 1024 / 1024;
const targetLabel = (t) =>
  `${t.label}, ${t.batch} ${t.mode === 'enqueue' ? 'event' : 'alert'}${t.batch > 1 ? 's' : ''}/req`;

/** A command's output (stdout, else stderr), even when it exits non-zero (as `wrk -v` does). */
function commandLine(command, args) {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      .toString()
      .trimEnd();
  } catch (error) {
    const text = `${error.stdout ?? ''}${error.stderr ?? ''}`.trimEnd();
    return text || `(${command} ${args.join(' ')} failed: ${String(error.message).split('\n')[0]})`;
  }
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

function machineSection() {
  const dirty = commandLine('git', ['-C', root, 'status', '--porcelain'])
    ? ' (with uncommitted changes)'
    : '';
  const lines = [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${os.cpus()[0]?.model ?? '?'}, nproc ${commandLine('nproc', [])}, kernel ${os.release()}`,
    '- Memory (`free -g`):',
    '',
    '```',
    commandLine('free', ['-g']),
    '```',
    '',
    `- Node ${process.version}; Fastify ${packageVersion('fastify')}; better-sqlite3 ${packageVersion('better-sqlite3')}; ` +
      `${commandLine('wrk', ['-v']).split('\n')[0].split(' Copyright')[0]}; ` +
      `${commandLine('prometheus-alertmanager', ['--version']).split('\n')[0]}; ` +
      `PostgreSQL ${commandLine('psql', [`${settings.postgresUrl}/postgres`, '-qAtc', 'show server_version'])}`,
    `- Vigil commit ${commandLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD'])}${dirty}`,
    `- Settings: ROUNDS=${settings.rounds} DURATION=${settings.duration}s WARMUP=${settings.warmup}s ` +
      `CONNECTIONS=${settings.connections} POOL=${settings.pool} NEW_FRACTION=${settings.newFraction} ` +
      `BATCH=${settings.batch} LAT_TARGET=${settings.latencyTarget} LAT_CONNECTIONS=${settings.latencyConnections}; ` +
      `servers pinned to CPU ${settings.serverCpu}, wrk (-t1) to CPU ${settings.loadCpu}`,
  ];
  return lines.join('\n');
}

function report(results) {
  const byTarget = new Map(targets.map((t) => [t.name, results.filter((r) => r.target === t.name)]));
  const out = [];
  out.push('# Ingest benchmark', '', machineSection(), '');

  out.push(
    '## Throughput at saturation',
    '',
    `wrk -t1 -c${settings.connections}, closed loop, ${settings.duration} s per measurement after the ` +
      `${settings.pool}-key pool was posted once and a ${settings.warmup} s warm-up; ` +
      `${Math.round(settings.newFraction * 100)}% of alerts carry a new key. ` +
      'events/s: the median over rounds, then each round. Latency: median over rounds. ' +
      'Peak RSS: the highest VmHWM of the (fresh) server process over the rounds.',
    '',
    '| Target | events/s (median) | per round | req/s | p50 ms | p99 ms | max ms | peak RSS MB | non-2xx | socket errors |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const t of targets) {
    const rs = byTarget.get(t.name);
    if (rs.length === 0) continue;
    const m = rs.map((r) => r.max);
    out.push(
      `| ${targetLabel(t)} | ${fmtInt(median(m.map((x) => x.eventsPerSec)))} | ${m.map((x) => fmtInt(x.eventsPerSec)).join(' / ')} ` +
        `| ${fmtInt(median(m.map((x) => x.reqPerSec)))} | ${fmt(median(m.map((x) => ms(x.p50_us))))} ` +
        `| ${fmt(median(m.map((x) => ms(x.p99_us))))} | ${fmt(Math.max(...m.map((x) => ms(x.max_us))))} ` +
        `| ${fmt(Math.max(...rs.map((r) => mb(r.hwm))), 0)} | ${m.reduce((a, x) => a + x.non2xx, 0)} ` +
        `| ${m.reduce((a, x) => a + x.socketErrors, 0)} |`,
    );
  }
  out.push('');

  // Ratios within each round, then the median per ratio.
  const perRound = (name, pick) => {
    const values = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const r = results.find((x) => x.target === name && x.round === round);
      values.push(r ? pick(r) : Number.NaN);
    }
    return values;
  };
  const ratioRows = [];
  const ratio = (label, numerator, denominator, goal) => {
    if (!byTarget.get(numerator)?.length || !byTarget.get(denominator)?.length) return;
    const a = perRound(numerator, (r) => r.max.eventsPerSec);
    const b = perRound(denominator, (r) => r.max.eventsPerSec);
    const values = a.map((x, i) => x / b[i]);
    const m = median(values);
    ratioRows.push(
      `| ${label} | ${values.map((v) => fmt(v, 2)).join(' / ')} | **${fmt(m, 2)}** | ` +
        `${goal === undefined ? '–' : `≥ ${fmt(goal, 1)}`} | ${goal === undefined ? '–' : m >= goal ? 'yes' : '**no**'} |`,
    );
  };
  ratio('Alertmanager batch 1 ÷ bare Fastify (reference; research: 0.50–0.64)', 'am-1', 'fastify');
  for (const engine of ['sqlite', 'postgres']) {
    const name = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    ratio(`${name} /v2/enqueue ÷ bare Fastify`, `${engine}-enqueue`, 'fastify', 0.5);
    ratio(`${name} /v2/enqueue ÷ Alertmanager batch 1`, `${engine}-enqueue`, 'am-1', 1.0);
    ratio(
      `${name} AM webhook ×${settings.batch} ÷ Alertmanager batch ${settings.batch} (alerts/s)`,
      `${engine}-webhook`,
      'am-batch',
      1.0,
    );
  }
  if (ratioRows.length) {
    out.push(
      '## Ratios (within each round, then the median)',
      '',
      '| Ratio | per round | median | goal | met |',
      '|---|---|---|---|---|',
      ...ratioRows,
      '',
    );
  }

  if (settings.halfRate) {
    out.push(
      `## Latency at about ${Math.round(settings.latencyTarget * 100)}% of the measured maximum`,
      '',
      '**A closed-loop approximation, not a constant-rate test** (wrk2 is not available): ' +
        `wrk runs ${settings.latencyConnections} connections, and each waits an exponentially distributed think ` +
        `time between requests, sized to offer ${settings.latencyTarget} × the rate that target reached in the ` +
        'same round. A connection still waits for its answer before it sends again, so a server stall ' +
        'lowers the offered load instead of queueing requests (coordinated omission): these p99s are a ' +
        'lower bound. Latency is measured from the send, without the think time. Goal: p99 ≤ 25 ms for ' +
        "Vigil's /v2/enqueue (the other rows are for comparison).",
      '',
      '| Target | wanted req/s | achieved req/s | × max | p50 ms | p99 ms | max ms | peak RSS MB | non-2xx | socket errors | p99 ≤ 25 ms |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const t of targets) {
      const hs = byTarget
        .get(t.name)
        .map((r) => r.half)
        .filter(Boolean);
      if (hs.length === 0) continue;
      const p99 = median(hs.map((h) => ms(h.p99_us)));
      const verdict = t.kind === 'vigil' && t.mode === 'enqueue' ? (p99 <= 25 ? 'yes' : '**no**') : '–';
      out.push(
        `| ${targetLabel(t)} | ${fmtInt(median(hs.map((h) => h.wantedReqPerSec)))} | ${fmtInt(median(hs.map((h) => h.reqPerSec)))} ` +
          `| ${fmt(median(hs.map((h) => h.fractionOfMax)), 2)} | ${fmt(median(hs.map((h) => ms(h.p50_us))))} ` +
          `| ${fmt(p99)} (${hs.map((h) => fmt(ms(h.p99_us))).join(' / ')}) | ${fmt(Math.max(...hs.map((h) => ms(h.max_us))))} ` +
          `| ${fmt(Math.max(...hs.map((h) => mb(h.peakRss))), 0)} | ${hs.reduce((a, h) => a + h.non2xx, 0)} ` +
          `| ${hs.reduce((a, h) => a + h.socketErrors, 0)} | ${verdict} |`,
      );
    }
    out.push('');
  }

  const vigilRows = targets.filter((t) => t.kind === 'vigil' && byTarget.get(t.name).length);
  const memoryVerdicts = vigilRows.map((t) => {
    const peak = Math.max(...byTarget.get(t.name).map((r) => mb(r.hwm)));
    return `${targetLabel(t)}: ${fmt(peak, 0)} MB (${peak <= 250 ? 'meets' : '**misses**'} RSS ≤ 250 MB)`;
  });
  if (memoryVerdicts.length) out.push('## Memory', '', ...memoryVerdicts.map((line) => `- ${line}`), '');

  out.push(
    '## Where the time goes (saturating runs, medians over rounds)',
    '',
    'Server CPU: user + system time of the server process (all its threads) per wall second, so 100% is one ' +
      'full core; then split into its main thread, its busiest other thread (for Vigil on SQLite, the SQLite ' +
      'worker) and all other threads (V8 GC helpers, libuv pool; for Alertmanager, Go threads). Core busy: /proc/stat for the server and the load cores, which includes other processes ' +
      '(and, on PostgreSQL, the unpinned database). PostgreSQL backends: CPU of the backends serving the ' +
      "bench database. Commits: Vigil's group-commit batches from its /metrics. Event-loop delay: Vigil's " +
      'own monitor (10 ms resolution).',
    '',
    '| Target | server CPU % | main / busiest other / rest threads % | server core busy % | load core busy % | PostgreSQL backends CPU % | events/commit | ms/commit | event-loop p99 / max ms |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const t of targets) {
    const m = byTarget.get(t.name).map((r) => r.max);
    if (m.length === 0) continue;
    const c = m.map((x) => x.commits).filter(Boolean);
    out.push(
      `| ${targetLabel(t)} | ${fmt(median(m.map((x) => x.serverCpu)), 0)} ` +
        `| ${['main', 'busiest', 'rest'].map((k) => fmt(median(m.map((x) => x.threads[k])), 0)).join(' / ')} ` +
        `| ${fmt(median(m.map((x) => x.serverCore)), 0)} ` +
        `| ${fmt(median(m.map((x) => x.loadCore)), 0)} | ${t.engine === 'postgres' ? fmt(median(m.map((x) => x.postgresCpu)), 0) : '–'} ` +
        `| ${c.length ? fmt(median(c.map((x) => x.eventsPerCommit))) : '–'} | ${c.length ? fmt(median(c.map((x) => x.msPerCommit)), 2) : '–'} ` +
        `| ${c.length ? `${fmt(median(c.map((x) => x.loopP99Ms)))} / ${fmt(Math.max(...c.map((x) => x.loopMaxMs)))}` : '–'} |`,
    );
  }
  out.push('');

  const problems = [];
  for (const r of results) {
    for (const [phase, run] of [
      ['saturating', r.max],
      ['half-rate', r.half],
    ]) {
      if (!run) continue;
      if (run.non2xx)
        problems.push(`round ${r.round}, ${r.target} (${phase}): ${run.non2xx} non-2xx responses`);
      if (run.socketErrors)
        problems.push(
          `round ${r.round}, ${r.target} (${phase}): socket errors ${JSON.stringify({ ...run.errors, status: undefined })}`,
        );
    }
  }
  out.push(
    '## Problems',
    '',
    ...(problems.length
      ? problems.map((p) => `- ${p}`)
      : ['- none: every response was 2xx, no socket errors or timeouts']),
    '',
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function preflight() {
  for (const [command, args] of [
    ['taskset', ['-V']],
    ['wrk', ['-v']],
  ]) {
    try {
      execFileSync(command, args, { stdio: 'ignore' });
    } catch (error) {
      // wrk -v exits with 1 after printing its version.
      if (error.code === 'ENOENT') throw new Error(`bench: ${command} is not installed`);
    }
  }
  if (targets.some((t) => t.kind === 'am'))
    execFileSync('prometheus-alertmanager', ['--version'], { stdio: 'ignore' });
  if (targets.some((t) => t.engine === 'postgres')) psql('select 1');
  if (targets.some((t) => t.kind === 'vigil') && !existsSync(path.join(root, 'packages/server/dist/main.js')))
    throw new Error(
      'bench: packages/server/dist/main.js is missing; run `npm run build` (npm run bench:ingest does)',
    );
  const cpus = os.cpus().length;
  for (const cpu of [settings.loadCpu, settings.serverCpu])
    if (Number(cpu) >= cpus) throw new Error(`bench: CPU ${cpu} does not exist (nproc ${cpus})`);
}

async function main() {
  await preflight();
  const results = [];
  const started = Date.now();
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of targets) {
      process.stderr.write(`round ${round}/${settings.rounds}: ${target.name} … `);
      const result = await measure(target);
      result.round = round;
      results.push(result);
      process.stderr.write(
        `${fmtInt(result.max.eventsPerSec)} events/s, p99 ${fmt(ms(result.max.p99_us))} ms` +
          (result.half
            ? `; at ${fmt(result.half.fractionOfMax, 2)}× p99 ${fmt(ms(result.half.p99_us))} ms`
            : '') +
          `; RSS ${fmt(mb(result.hwm), 0)} MB` +
          (result.max.non2xx + result.max.socketErrors
            ? `; ${result.max.non2xx} non-2xx, ${result.max.socketErrors} socket errors`
            : '') +
          '\n',
      );
    }
  }
  const markdown = report(results);
  process.stdout.write(`${markdown}\n`);
  const resultsDir = path.join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(resultsDir, `ingest-${stamp}.md`);
  writeFileSync(
    file,
    `${markdown}\n<details><summary>Raw results (JSON)</summary>\n\n\`\`\`json\n${JSON.stringify({ settings, results, alertmanagerNotifications: sink?.received ?? 0 }, null, 2)}\n\`\`\`\n\n</details>\n`,
  );
  process.stderr.write(
    `\nwritten to ${path.relative(root, file)} in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  process.stderr.write(`\nbench: ${error?.stack ?? error}\n`);
  exitCode = 1;
} finally {
  await cleanup();
  sink?.server.close();
}
process.exit(exitCode);
