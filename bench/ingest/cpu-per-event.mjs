#!/usr/bin/env node
// CPU time per ingested event: a measure that a busy machine disturbs far less than events/s.
// Starts the built server (packages/server/dist, so build first: `npx tsc -b`) as a child process,
// posts a fixed number of events with a fixed number of requests in flight, and reports the server
// process's CPU time (utime + stime of all its threads, from /proc/<pid>/stat) per event, next to a
// bare Fastify route measured in the same run. For PostgreSQL the backends' CPU is shown apart.
//
//   node bench/ingest/cpu-per-event.mjs                        # all targets, 20,000 events each
//   EVENTS=40000 ONLY=fastify,sqlite-enqueue node bench/ingest/cpu-per-event.mjs
//   VIGIL_BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" ONLY=sqlite-enqueue node bench/ingest/cpu-per-event.mjs
//
// Settings: EVENTS (measured events per target, default 20000), CONCURRENCY (requests in flight,
// default 32), BATCH (alerts per webhook request, default 100), POOL (1000), NEW_FRACTION (0.1),
// REPEAT (measured passes per target, the median is shown; default 3), ONLY, SERVER_CPU (pin the
// server with taskset to this CPU; default none), SERVER_ENV (extra server settings, NAME=value,…),
// BENCH_POSTGRES_URL.
// The key mix is the one of run.mjs: 90% repeats over k-0 … k-(POOL-1), 10% new keys.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, psql as runPsql, stopChild } from '../lib.mjs';
import { enqueueBody, webhookBody } from './bodies.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const env = process.env;
const settings = {
  events: Number(env.EVENTS ?? 20_000),
  concurrency: Number(env.CONCURRENCY ?? 32),
  batch: Number(env.BATCH ?? 100),
  pool: Number(env.POOL ?? 1000),
  newFraction: Number(env.NEW_FRACTION ?? 0.1),
  repeat: Number(env.REPEAT ?? 3),
  only: env.ONLY ? env.ONLY.split(',') : null,
  serverCpu: env.SERVER_CPU ?? '',
  postgresUrl: (env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
};
const allTargets = [
  { name: 'fastify', kind: 'fastify', mode: 'enqueue', batch: 1 },
  { name: 'sqlite-enqueue', kind: 'vigil', engine: 'sqlite', mode: 'enqueue', batch: 1 },
  { name: 'sqlite-webhook', kind: 'vigil', engine: 'sqlite', mode: 'webhook', batch: settings.batch },
  { name: 'postgres-enqueue', kind: 'vigil', engine: 'postgres', mode: 'enqueue', batch: 1 },
  { name: 'postgres-webhook', kind: 'vigil', engine: 'postgres', mode: 'webhook', batch: settings.batch },
];
const targets = allTargets.filter((t) => !settings.only || settings.only.includes(t.name));
// BUILDS="before=/tmp/a/packages/server/dist/main.js,after=packages/server/dist/main.js": compare
// server builds in one run, their passes interleaved so that machine drift touches each alike.
const builds = (env.BUILDS ?? 'vigil=packages/server/dist/main.js').split(',').map((pair) => {
  const at = pair.indexOf('=');
  // "label=path|NAME=value;NAME=value": that build's server gets these settings too.
  const [file, extra = ''] = pair.slice(at + 1).split('|');
  const serverEnv = Object.fromEntries(
    extra
      .split(';')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  return { label: pair.slice(0, at), main: path.resolve(root, file), env: serverEnv };
});

const children = new Set();
const cleanups = [];
async function cleanup() {
  for (const child of children) child.kill('SIGTERM');
  for (const fn of cleanups.splice(0)) {
    try {
      await fn();
    } catch {}
  }
}
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => cleanup().finally(() => process.exit(130)));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuSeconds(pid, which = 'both') {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    return (which === 'system' ? system : user + system) / clockTicks;
  } catch {
    return Number.NaN;
  }
}
/** CPU seconds per thread (tid → seconds). */
function threadSeconds(pid) {
  const result = new Map();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) result.set(tid, cpuSeconds(`${pid}/task/${tid}`));
  } catch {}
  return result;
}
/** The main thread's and the busiest other thread's (the SQLite writer, on SQLite) share of a run. */
function threadSplit(pid, before, after) {
  const delta = [...after].map(([tid, s]) => [tid, s - (before.get(tid) ?? 0)]);
  const main = delta.find(([tid]) => tid === String(pid))?.[1] ?? Number.NaN;
  const others = delta.filter(([tid]) => tid !== String(pid)).map(([, s]) => s);
  return { main, busiest: others.length ? Math.max(...others) : 0 };
}
/** Bytes the process caused to be written to disk (/proc/<pid>/io write_bytes: WAL, checkpoints). */
function writtenBytes(pid) {
  try {
    return Number(/^write_bytes: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}
function postgresSeconds(database) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('postgres: ') && cmdline.includes(` ${database} `)) total += cpuSeconds(entry);
    } catch {}
  }
  return total;
}

const psql = (sql) => runPsql(settings.postgresUrl, sql);

function start(args, childEnv) {
  const command = settings.serverCpu ? 'taskset' : process.execPath;
  const full = settings.serverCpu ? ['-c', settings.serverCpu, process.execPath, ...args] : args;
  const child = spawn(command, full, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = () => tail;
  return child;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function post(port, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (response) => {
        const parts = [];
        response.on('data', (chunk) => parts.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, text: Buffer.concat(parts).toString() }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
async function waitReady(child, port, urlPath) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${child.output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}${urlPath}`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`not ready:\n${child.output()}`);
}
async function call(method, url, token, body) {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text);
}

let counter = 0;
async function startServer(target, build) {
  const port = await freePort();
  if (target.kind === 'fastify') {
    const child = start([path.join(here, 'fastify-baseline.mjs'), '--port', String(port)], process.env);
    await waitReady(child, port, '/');
    return {
      child,
      port,
      path: '/v2/enqueue',
      key: 'bench-routing-key-0123456789abcdef',
      stop: () => stopChild(child),
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-cpu-'));
  const token = randomBytes(20).toString('hex');
  const childEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VIGIL_') && name !== 'DATABASE_URL'),
  );
  Object.assign(childEnv, { VIGIL_DATA_DIR: dir, VIGIL_BOOTSTRAP_TOKEN: token, VIGIL_LOG_LEVEL: 'warn' });
  // SERVER_ENV="VIGIL_ROLES=api,…": extra settings for the server (e.g. without the engine, to see its share).
  for (const pair of (env.SERVER_ENV ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    childEnv[pair.slice(0, at)] = pair.slice(at + 1);
  }
  Object.assign(childEnv, build.env);
  let database = null;
  if (target.engine === 'postgres') {
    database = `vigil_cpu_${process.pid}_${++counter}`;
    psql(`create database ${database}`);
    childEnv.DATABASE_URL = `${settings.postgresUrl}/${database}`;
    childEnv.VIGIL_SECRET_KEY = randomBytes(32).toString('hex');
  }
  const flags = env.VIGIL_BENCH_NODE_FLAGS ? env.VIGIL_BENCH_NODE_FLAGS.split(' ') : [];
  const child = start([...flags, build.main, '--port', String(port)], childEnv);
  const stopAll = async () => {
    await stopChild(child);
    if (database) psql(`drop database if exists ${database} with (force)`);
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.push(stopAll);
  await waitReady(child, port, '/readyz');
  const base = `http://127.0.0.1:${port}`;
  const service = await call('POST', `${base}/api/v1/services`, token, { name: 'bench' });
  const integration = await call('POST', `${base}/api/v1/services/${service.id}/integrations`, token, {
    type: target.mode === 'enqueue' ? 'events_v2' : 'alertmanager',
    rate_limit_per_minute: 1_000_000,
  });
  const route = target.mode === 'enqueue' ? '/v2/enqueue' : new URL(integration.url).pathname;
  return { child, port, path: route, key: integration.key, database, stop: stopAll };
}

/** A small deterministic PRNG, so every run sends the same keys. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sends `requests` bodies with `concurrency` in flight; every answer must be 2xx. */
async function send(server, bodies, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const response = await post(server.port, server.path, body);
      if (response.status < 200 || response.status > 299)
        throw new Error(`${server.path}: ${response.status} ${response.text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function bodies(target, server, count, random, newBase) {
  let nextNew = newBase;
  const pick = () => (random() < settings.newFraction ? nextNew++ : Math.floor(random() * settings.pool));
  const out = [];
  for (let i = 0; i < count; i++) {
    if (target.mode === 'enqueue') out.push(enqueueBody(server.key, pick()));
    else out.push(webhookBody(Array.from({ length: target.batch }, pick)));
  }
  return out;
}

async function metrics(server) {
  try {
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    const value = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
    return {
      batches: value('vigil_ingest_batch_size_count'),
      events: value('vigil_ingest_batch_size_sum'),
      cycles: value('vigil_engine_cycle_seconds_count'),
    };
  } catch {
    return null;
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A fresh server with the pool filled and a warm-up of a quarter of the measured load behind it. */
async function prepare(target, build) {
  const server = await startServer(target, build);
  server.requests = Math.ceil(settings.events / target.batch);
  const fill = [];
  for (let first = 0; first < settings.pool; first += target.batch) {
    const ns = Array.from({ length: Math.min(target.batch, settings.pool - first) }, (_, i) => first + i);
    fill.push(target.mode === 'enqueue' ? enqueueBody(server.key, ns[0]) : webhookBody(ns));
  }
  await send(server, fill, 16);
  server.random = rng(42);
  await send(
    server,
    bodies(target, server, Math.ceil(server.requests / 4), server.random, 10_000_000),
    settings.concurrency,
  );
  return server;
}

async function pass(target, server, index) {
  const load = bodies(target, server, server.requests, server.random, 20_000_000 + index * 1_000_000);
  const pid = server.child.pid;
  const m0 = target.kind === 'vigil' ? await metrics(server) : null;
  const cpu0 = cpuSeconds(pid);
  const sys0 = cpuSeconds(pid, 'system');
  const threads0 = threadSeconds(pid);
  const written0 = writtenBytes(pid);
  const pg0 = server.database ? postgresSeconds(server.database) : 0;
  const t0 = performance.now();
  await send(server, load, settings.concurrency);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const system = cpuSeconds(pid, 'system') - sys0;
  const { main, busiest } = threadSplit(pid, threads0, threadSeconds(pid));
  const pg = server.database ? postgresSeconds(server.database) - pg0 : 0;
  const written = writtenBytes(pid) - written0;
  const m1 = target.kind === 'vigil' ? await metrics(server) : null;
  const events = server.requests * target.batch;
  return {
    usPerEvent: (cpu * 1e6) / events,
    mainUsPerEvent: (main * 1e6) / events,
    systemUsPerEvent: (system * 1e6) / events,
    otherUsPerEvent: (busiest * 1e6) / events,
    pgUsPerEvent: (pg * 1e6) / events,
    kbWrittenPerEvent: written / 1024 / events,
    eventsPerSec: events / wall,
    eventsPerCommit: m0 && m1 ? (m1.events - m0.events) / (m1.batches - m0.batches) : Number.NaN,
    engineCyclesPerEvent: m0 && m1 ? (m1.cycles - m0.cycles) / events : Number.NaN,
  };
}

function peakRssMb(pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Every build of one target side by side, passes interleaved (A B A B …). */
async function measure(target) {
  const variants = target.kind === 'fastify' ? [{ label: 'fastify' }] : builds;
  const servers = [];
  try {
    for (const build of variants) servers.push(await prepare(target, build));
    const results = servers.map((_, i) => ({
      target: variants.length > 1 ? `${target.name}/${variants[i].label}` : target.name,
      engine: target.engine,
      kind: target.kind,
      passes: [],
    }));
    for (let index = 0; index < settings.repeat; index++)
      for (const [i, server] of servers.entries()) results[i].passes.push(await pass(target, server, index));
    for (const [i, server] of servers.entries()) results[i].peakRssMb = peakRssMb(server.child.pid);
    return results;
  } finally {
    for (const server of servers) await server.stop();
  }
}

const fmt = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '–');
try {
  const results = [];
  for (const target of targets) {
    for (const result of await measure(target)) {
      results.push(result);
      const p = result.passes;
      const us = median(p.map((x) => x.usPerEvent));
      process.stdout.write(
        `${result.target.padEnd(24)} CPU µs/event ${fmt(us, 1).padStart(6)} (passes ${p.map((x) => fmt(x.usPerEvent, 1)).join(' ')})` +
          `  (system ${fmt(median(p.map((x) => x.systemUsPerEvent)), 1)})` +
          `  main ${fmt(median(p.map((x) => x.mainUsPerEvent)), 1)}` +
          `  busiest other thread ${fmt(median(p.map((x) => x.otherUsPerEvent)), 1)}` +
          (result.engine === 'postgres' ? `  +pg ${fmt(median(p.map((x) => x.pgUsPerEvent)), 1)}` : '') +
          `  events/s ${fmt(median(p.map((x) => x.eventsPerSec)))}` +
          (result.kind === 'vigil'
            ? `  events/commit ${fmt(median(p.map((x) => x.eventsPerCommit)), 1)}` +
              `  engine cycles/event ${fmt(median(p.map((x) => x.engineCyclesPerEvent)), 3)}` +
              `  disk KB/event ${fmt(median(p.map((x) => x.kbWrittenPerEvent)), 1)}`
            : '') +
          `  peak RSS ${fmt(result.peakRssMb)} MB` +
          '\n',
      );
    }
  }
  const base = results.find((r) => r.target === 'fastify');
  if (base) {
    const baseUs = median(base.passes.map((x) => x.usPerEvent));
    for (const r of results) {
      if (r === base) continue;
      const us = median(r.passes.map((x) => x.usPerEvent));
      process.stdout.write(`${r.target.padEnd(24)} ÷ fastify: ${fmt(us / baseUs, 2)}× the CPU per event\n`);
    }
  }
  if (env.JSON_OUT) process.stdout.write(`CPUJSON ${JSON.stringify({ settings, results })}\n`);
} finally {
  await cleanup();
}
