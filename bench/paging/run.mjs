#!/usr/bin/env node
// Paging latency benchmark (bench/paging/README.md), issue 4: the time from the 202 of an ingest
// call to the fake provider receiving the first message, p50/p99, at 1 and at 100 incidents per
// second, on SQLite and PostgreSQL, by webhook and by SMS. The built server runs as a real child
// process; the fakes (Standard Webhooks sink, Twilio-like API) run in this process, so both ends of
// every measurement are read from one clock. Run with `npm run bench:paging` (it builds first).
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
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, psql as runPsql, stopChild } from '../lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

// ---------------------------------------------------------------------------------------------
// Settings: environment variables, or the same names as flags (`--phases 1x30,100x1000`,
// `--engines=sqlite`); a flag wins over the environment.

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
const listOf = (name, fallback) =>
  (env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The built server; SERVER_ENTRY points elsewhere to compare another build (e.g. one under bench/tmp/). */
const serverEntry = path.resolve(root, env.SERVER_ENTRY ?? 'packages/server/dist/main.js');

const settings = {
  /** `<incidents per second>x<count>`, run in this order against one server per engine. */
  phases: listOf('PHASES', '1x30,100x1000').map((text) => {
    const match = /^(\d+(?:\.\d+)?)x(\d+)$/.exec(text);
    if (!match || Number(match[1]) <= 0 || Number(match[2]) < 1)
      throw new Error(`bench: PHASES entry ${text} is not <rate>x<count>, e.g. 100x1000`);
    return { rate: Number(match[1]), count: Number(match[2]) };
  }),
  engines: listOf('ENGINES', 'sqlite,postgres'),
  channels: listOf('CHANNELS', 'webhook,sms'),
  /** `schedule`: each person is on call in a one-person schedule the step targets; `user`: named. */
  target: env.TARGET ?? 'schedule',
  warmup: intOf('WARMUP', 5),
  missAfterMs: intOf('MISS_AFTER_MS', 10_000),
  /** How long after the last 202 of a phase to keep waiting for late pages (counted, but as misses). */
  drainMs: intOf('DRAIN_MS', 20_000),
  timeLimitS: intOf('TIME_LIMIT', 600),
  /** Incidents per phase whose notification rows are read back through the API afterwards (0: none). */
  breakdown: intOf('BREAKDOWN', 100),
  serverCpu: env.SERVER_CPU ?? '',
  /** Extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=bench/tmp/prof`. */
  serverNodeArgs: (env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
  postgresUrl: (env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
};
for (const engine of settings.engines)
  if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`bench: unknown engine ${engine}`);
for (const channel of settings.channels)
  if (channel !== 'webhook' && channel !== 'sms') throw new Error(`bench: unknown channel ${channel}`);
if (settings.channels.length === 0 || settings.engines.length === 0)
  throw new Error('bench: ENGINES and CHANNELS must name at least one');
if (settings.target !== 'schedule' && settings.target !== 'user')
  throw new Error('bench: TARGET is schedule or user');

const GOAL_P99_MS = 250; // p99 at 100 incidents/s on SQLite
const GOAL_MAX_MS = 1000; // never above 1 s
const TWILIO = {
  accountSid: 'AC00000000000000000000000000bench',
  authToken: 'bench-twilio-auth-token',
  from: '+15550000000',
};
const SMS_PHONE = '+15550000101';

// ---------------------------------------------------------------------------------------------
// Cleanup: the server, its data directory or database, and the fakes are removed at the end, on an
// error, on SIGINT/SIGTERM, and when TIME_LIMIT runs out.

const children = new Set();
const tempDirs = new Set();
const databases = new Set();
const closers = new Set();
let cleaning = null;

const psql = (sql) => runPsql(settings.postgresUrl, sql, { timeout: 30_000 });

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
    await Promise.allSettled([...closers].map((close) => close()));
    closers.clear();
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

// The bench stops itself: past TIME_LIMIT it cleans up and exits, whatever it was waiting for.
const watchdog = setTimeout(() => {
  process.stderr.write(`\nbench: TIME_LIMIT (${settings.timeLimitS} s) reached, stopping everything\n`);
  const hard = setTimeout(() => process.exit(2), 30_000);
  hard.unref();
  cleanup().finally(() => process.exit(2));
}, settings.timeLimitS * 1000);
watchdog.unref();

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

async function call(base, method, route, { token, body } = {}) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/**
 * POSTs a body over a kept-alive connection; resolves with the status and the moment the response
 * head arrived (performance.now()), which is when the 202 is "received".
 */
function post(port, route, body) {
  return new Promise((resolve) => {
    const payload = Buffer.from(body);
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: route,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
        timeout: 15_000,
      },
      (response) => {
        const at = performance.now();
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, at }));
        response.on('error', (error) => resolve({ status: 0, at, error: String(error) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ status: 0, at: performance.now(), error: String(error) }));
    request.end(payload);
  });
}

/** Nearest-rank percentile of an ascending array (p99 of 30 samples is therefore the maximum). */
const percentile = (sorted, q) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const fmt = (v, digits = 1) =>
  v === Number.POSITIVE_INFINITY ? 'never' : Number.isFinite(v) ? v.toFixed(digits) : '–';

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in seconds, or NaN when it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** Busy and total jiffies over all CPUs, from /proc/stat (the machine, other processes included). */
function machineTimes() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** CPU seconds of the PostgreSQL backends serving `database` (matched on their process title). */
function postgresSeconds(database) {
  let seconds = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('postgres: ') && cmdline.includes(` ${database} `)) {
        const s = cpuSeconds(entry);
        if (Number.isFinite(s)) seconds += s;
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return seconds;
}

function statusKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// Vigil's /metrics (public): the engine cycle histogram, sender outcomes, event-loop delay.

async function scrape(base) {
  try {
    const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const series = new Map();
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || line === '') continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
      if (match) series.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
    }
    return series;
  } catch {
    return null;
  }
}

/** The engine cycles between two scrapes: how many, mean, and the bucket bounds of p50/p99. */
function cycleStats(before, after) {
  if (!before || !after) return null;
  const name = 'vigil_engine_cycle_seconds';
  const delta = (key) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const count = delta(`${name}_count`);
  const sum = delta(`${name}_sum`);
  const buckets = [];
  for (const key of after.keys()) {
    const match = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`).exec(key);
    if (match)
      buckets.push({ le: match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]), n: delta(key) });
  }
  buckets.sort((a, b) => a.le - b.le);
  const bound = (q) => buckets.find((b) => b.n >= q * count)?.le ?? Number.NaN;
  return {
    count,
    meanMs: count > 0 ? (1000 * sum) / count : Number.NaN,
    totalSeconds: sum,
    p50LeMs: count > 0 ? 1000 * bound(0.5) : Number.NaN,
    p99LeMs: count > 0 ? 1000 * bound(0.99) : Number.NaN,
  };
}

function notificationCounts(before, after) {
  if (!before || !after) return null;
  const out = {};
  for (const [key, value] of after) {
    const match = /^vigil_notifications_total\{(.*)\}$/.exec(key);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const n = value - (before.get(key) ?? 0);
    if (n) out[`${labels.channel}:${labels.outcome}`] = n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fakes, in this process. Their recorders are wrapped so every arrival is timestamped with
// performance.now(), the clock the 202s are read from.

const testkit = await import('@vigil/testkit');

/** Titles are `page <key>`; the key is found in the SMS text and in the webhook's JSON. */
const KEY = /\bpage (p-[a-z]+-\d+-\d+)\b/;

function startListener() {
  const byKey = new Map();
  const stray = { webhook: 0, sms: 0 };
  const arrived = (channel, key, at, extra) => {
    const page = key && byKey.get(key);
    if (!page) {
      stray[channel]++;
      return;
    }
    const seen = page.received[channel];
    if (seen) seen.duplicates++;
    else page.received[channel] = { at, duplicates: 0, ...extra };
  };
  return {
    byKey,
    stray,
    arrived,
  };
}

async function startFakes(listener) {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const [sink, twilio] = await Promise.all([
    testkit.startWebhookSink({ secret }),
    testkit.startTwilioFake({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken }),
  ]);
  closers.add(sink.close);
  closers.add(twilio.close);
  const recordDelivery = sink.deliveries.record.bind(sink.deliveries);
  sink.deliveries.record = (delivery) => {
    const at = performance.now();
    const title = delivery.json?.data?.incident?.title;
    listener.arrived('webhook', KEY.exec(typeof title === 'string' ? title : '')?.[1], at, {
      verified: delivery.verified,
    });
    recordDelivery(delivery);
  };
  const recordMessage = twilio.messages.record.bind(twilio.messages);
  twilio.messages.record = (message) => {
    const at = performance.now();
    listener.arrived('sms', KEY.exec(message.body)?.[1], at, {});
    recordMessage(message);
  };
  return { sink, twilio, secret };
}

// ---------------------------------------------------------------------------------------------
// One engine: a fresh server, the people and policy, the warm-up, then each phase.

let databaseCounter = 0;

async function startVigil(engine, fakes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-paging-'));
  tempDirs.add(dir);
  const token = randomBytes(24).toString('hex'); // 48 characters
  const port = await freePort();
  const childEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VIGIL_') && name !== 'DATABASE_URL'),
  );
  Object.assign(childEnv, {
    PORT: String(port),
    HOST: '127.0.0.1',
    VIGIL_DATA_DIR: dir,
    VIGIL_BOOTSTRAP_TOKEN: token,
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_OUTBOUND_ALLOW: '127.0.0.1/32',
    VIGIL_TWILIO_ACCOUNT_SID: TWILIO.accountSid,
    VIGIL_TWILIO_AUTH_TOKEN: TWILIO.authToken,
    VIGIL_TWILIO_FROM: TWILIO.from,
    VIGIL_TWILIO_BASE_URL: fakes.twilio.url,
  });
  let database = null;
  if (engine === 'postgres') {
    database = `vigil_bench_paging_${process.pid}_${++databaseCounter}`;
    psql(`create database ${database}`);
    databases.add(database);
    childEnv.DATABASE_URL = `${settings.postgresUrl}/${database}`;
    childEnv.VIGIL_SECRET_KEY = randomBytes(32).toString('hex');
  }
  const nodeArgs = [...settings.serverNodeArgs, serverEntry];
  const [command, args] = settings.serverCpu
    ? ['taskset', ['-c', settings.serverCpu, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(command, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const tail = [];
  const keep = (chunk) => {
    tail.push(chunk.toString());
    if (tail.length > 60) tail.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const output = () => tail.join('').trim();

  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    if (database) dropDatabase(database);
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the server exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
      try {
        const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${base}/readyz: not ready after 60 s:\n${output()}`);
      await sleep(100);
    }
    return { child, port, base, token, database, output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** People, schedules, the policy, the service and its Events v2 integration, through the API. */
async function setUp(server, fakes) {
  const api = (method, route, body) => call(server.base, method, route, { token: server.token, body });
  const people = [];
  if (settings.channels.includes('webhook')) {
    const user = await api('POST', '/api/v1/users', {
      name: 'Webhook Wendy',
      email: 'wendy@example.com',
      role: 'responder',
    });
    await api('POST', `/api/v1/users/${user.id}/contact-methods`, {
      type: 'webhook',
      address: `${fakes.sink.url}/hooks/vigil`,
      secret: fakes.secret,
    });
    people.push(user);
  }
  if (settings.channels.includes('sms')) {
    const user = await api('POST', '/api/v1/users', {
      name: 'Sms Sam',
      email: 'sam@example.com',
      role: 'responder',
    });
    const method = await api('POST', `/api/v1/users/${user.id}/contact-methods`, {
      type: 'sms',
      address: SMS_PHONE,
    });
    // The POST nudged the engine: the code is on its way to the fake.
    const message = await fakes.twilio.messages.waitAndTake(
      (m) => m.to === SMS_PHONE && /verification code/.test(m.body),
      { timeoutMs: 15_000 },
    );
    const code = /\b(\d{6})\b/.exec(message.body)?.[1];
    if (!code) throw new Error(`no 6-digit code in the verification SMS: ${message.body}`);
    const verified = await api('POST', `/api/v1/users/${user.id}/contact-methods/${method.id}/verify`, {
      code,
    });
    if (!verified.verified) throw new Error('the SMS contact method did not verify');
    people.push(user);
  }
  const targets = [];
  for (const user of people) {
    if (settings.target === 'user') {
      targets.push({ type: 'user', id: user.id });
      continue;
    }
    const schedule = await api('POST', '/api/v1/schedules', {
      name: `${user.name} on call`,
      time_zone: 'UTC',
      layers: [
        {
          name: 'always',
          users: [user.id],
          rotation: { type: 'weekly', shift_length: 1, handoff_at: '2025-01-06T09:00' },
        },
      ],
    });
    targets.push({ type: 'schedule', id: schedule.id });
  }
  const policy = await api('POST', '/api/v1/escalation-policies', {
    name: 'Bench',
    steps: [{ delay_minutes: 10, targets }],
  });
  const service = await api('POST', '/api/v1/services', { name: 'bench', escalation_policy_id: policy.id });
  const integration = await api('POST', `/api/v1/services/${service.id}/integrations`, {
    type: 'events_v2',
    rate_limit_per_minute: 1_000_000,
  });
  return { routingKey: integration.key };
}

/**
 * Sends `count` triggers at `rate` per second, open loop (each at its scheduled time, whether or not
 * the previous one was answered), then waits until every page reached every channel or its
 * MISS_AFTER_MS ran out.
 */
async function runPhase(server, routingKey, listener, label, rate, count) {
  const pages = [];
  const intervalMs = 1000 / rate;
  const sends = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const key = `${label}-${String(i).padStart(5, '0')}`;
    const page = { key, sentAt: performance.now(), ackAt: Number.NaN, status: 0, received: {} };
    pages.push(page);
    listener.byKey.set(key, page);
    const body = JSON.stringify({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: key,
      payload: { summary: `page ${key}`, source: 'bench', severity: 'critical' },
    });
    sends.push(
      post(server.port, '/v2/enqueue', body).then((result) => {
        page.status = result.status;
        page.ackAt = result.at;
        if (result.error) page.error = result.error;
      }),
    );
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(sends);
  const accepted = pages.filter((p) => p.status === 202);
  const lastAck = Math.max(started, ...accepted.map((p) => p.ackAt));
  const complete = () => accepted.every((p) => settings.channels.every((c) => p.received[c]));
  const deadline = lastAck + Math.max(settings.missAfterMs, settings.drainMs);
  while (!complete() && performance.now() < deadline) await sleep(20);
  // Late duplicates or stragglers: a short grace so they are counted rather than leak into the next phase.
  await sleep(200);
  return {
    pages,
    sendSeconds,
    offeredRate: count > 1 ? (count - 1) / Math.max(sendSeconds, 1e-9) : Number.NaN,
  };
}

function summarise(pages, channel) {
  const accepted = pages.filter((p) => p.status === 202);
  // Every accepted page counts; one that never came is +Infinity, so the percentiles stay honest.
  const latencies = [];
  let duplicates = 0;
  let unverified = 0;
  for (const p of accepted) {
    const r = p.received[channel];
    if (r) {
      duplicates += r.duplicates;
      if (r.verified === false) unverified++;
    }
    latencies.push(r ? r.at - p.ackAt : Number.POSITIVE_INFINITY);
  }
  latencies.sort((a, b) => a - b);
  const arrived = accepted.filter((p) => p.received[channel]);
  const firstAck = Math.min(...accepted.map((p) => p.ackAt));
  const lastArrival = Math.max(...arrived.map((p) => p.received[channel].at));
  const never = latencies.filter((l) => l === Number.POSITIVE_INFINITY).length;
  const late = latencies.filter((l) => Number.isFinite(l) && l > settings.missAfterMs).length;
  return {
    sent: pages.length,
    accepted: accepted.length,
    rejected: pages.length - accepted.length,
    received: arrived.length,
    /** Not within MISS_AFTER_MS of the 202: late (came before DRAIN_MS ran out) or never. */
    misses: late + never,
    late,
    never,
    duplicates,
    unverified,
    /** Pages per second from the first 202 to the last arrival: the rate the channel kept up. */
    deliveredPerSecond: arrived.length > 1 ? (1000 * arrived.length) / (lastArrival - firstAck) : Number.NaN,
    p50: percentile(latencies, 0.5),
    p90: percentile(latencies, 0.9),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
    min: latencies[0] ?? Number.NaN,
    over1s: latencies.filter((l) => l > GOAL_MAX_MS).length,
    over250ms: latencies.filter((l) => l > GOAL_P99_MS).length,
  };
}

function ingestSummary(pages) {
  const accepted = pages.filter((p) => p.status === 202).map((p) => p.ackAt - p.sentAt);
  accepted.sort((a, b) => a - b);
  const statuses = {};
  for (const p of pages) statuses[p.status] = (statuses[p.status] ?? 0) + 1;
  return {
    p50: percentile(accepted, 0.5),
    p99: percentile(accepted, 0.99),
    max: accepted.at(-1) ?? Number.NaN,
    statuses,
    errors: [...new Set(pages.filter((p) => p.error).map((p) => p.error))].slice(0, 5),
  };
}

/**
 * Where the time went, from the server's own rows (millisecond timestamps, the server's clock): for
 * up to BREAKDOWN incidents of the phase, evenly spread, the incident's created_at (ingest), the
 * page's created_at (the start of the engine cycle that escalated it), and its sent_at (the
 * provider answered). Read after the phase, so it does not load the measurement.
 */
async function breakdown(server, firstNumber, count) {
  if (settings.breakdown === 0) return null;
  const api = (route) => call(server.base, 'GET', route, { token: server.token });
  const step = Math.max(1, count / settings.breakdown);
  const numbers = new Set();
  for (let x = 0; x < count; x += step) numbers.add(firstNumber + Math.floor(x));
  const toCycle = [];
  const toSent = {};
  for (const number of numbers) {
    const incident = await api(`/api/v1/incidents/${number}`);
    const created = Date.parse(incident.created_at);
    const { data } = await api(`/api/v1/incidents/${number}/notifications?limit=100`);
    const pages = data.filter((n) => n.kind === 'page');
    if (pages.length === 0) continue;
    toCycle.push(Math.min(...pages.map((n) => Date.parse(n.created_at))) - created);
    for (const n of pages) {
      if (!n.sent_at) continue;
      toSent[n.channel] ??= [];
      toSent[n.channel].push(Date.parse(n.sent_at) - Date.parse(n.created_at));
    }
  }
  const stats = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      n: sorted.length,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? Number.NaN,
    };
  };
  return {
    incidents: numbers.size,
    ingestToEscalationCycle: stats(toCycle),
    escalationCycleToSent: Object.fromEntries(Object.entries(toSent).map(([c, v]) => [c, stats(v)])),
  };
}

async function measureEngine(engine, fakes, listener) {
  // What the previous engine's server sent stays out of this one's way.
  fakes.twilio.messages.clear();
  fakes.sink.deliveries.clear();
  const server = await startVigil(engine, fakes);
  try {
    const { routingKey } = await setUp(server, fakes);
    if (settings.warmup > 0) {
      process.stderr.write(`${engine}: warm-up, ${settings.warmup} pages … `);
      const warm = await runPhase(server, routingKey, listener, `p-${engine}-0`, 5, settings.warmup);
      process.stderr.write(
        `${settings.channels.map((c) => `${c} ${fmt(summarise(warm.pages, c).max, 0)} ms max`).join(', ')}\n`,
      );
    }
    const phases = [];
    let incidentsSoFar = settings.warmup;
    for (const [index, phase] of settings.phases.entries()) {
      process.stderr.write(`${engine}: ${phase.count} incidents at ${phase.rate}/s … `);
      const metricsBefore = await scrape(server.base);
      const cpuBefore = cpuSeconds(server.child.pid);
      const machineBefore = machineTimes();
      const pgBefore = server.database ? postgresSeconds(server.database) : Number.NaN;
      const wallStart = performance.now();
      let peakRssKb = statusKb(server.child.pid, 'VmRSS');
      const poll = setInterval(() => {
        const rss = statusKb(server.child.pid, 'VmRSS');
        if (rss > peakRssKb) peakRssKb = rss;
      }, 100);
      let run;
      try {
        run = await runPhase(
          server,
          routingKey,
          listener,
          `p-${engine}-${index + 1}`,
          phase.rate,
          phase.count,
        );
      } finally {
        clearInterval(poll);
      }
      const wall = (performance.now() - wallStart) / 1000;
      const machineAfter = machineTimes();
      const metricsAfter = await scrape(server.base);
      const channels = Object.fromEntries(settings.channels.map((c) => [c, summarise(run.pages, c)]));
      // Per trigger in the order sent (null: not accepted, or no page before the wait ended).
      const latenciesMs = Object.fromEntries(
        settings.channels.map((c) => [
          c,
          run.pages.map((p) =>
            p.received[c] && p.status === 202 ? Math.round((p.received[c].at - p.ackAt) * 100) / 100 : null,
          ),
        ]),
      );
      // Incident numbers follow the order of commits, close to the order sent: the sample is by number.
      const rows = await breakdown(server, incidentsSoFar + 1, phase.count).catch((error) => ({
        error: String(error),
      }));
      incidentsSoFar += phase.count;
      const result = {
        rate: phase.rate,
        count: phase.count,
        offeredRate: run.offeredRate,
        sendSeconds: run.sendSeconds,
        wallSeconds: wall,
        ingest: ingestSummary(run.pages),
        channels,
        serverCpuPercent: (100 * (cpuSeconds(server.child.pid) - cpuBefore)) / wall,
        postgresCpuPercent: server.database
          ? (100 * (postgresSeconds(server.database) - pgBefore)) / wall
          : null,
        machineBusyPercent:
          (100 * (machineAfter.busy - machineBefore.busy)) /
          Math.max(1, machineAfter.total - machineBefore.total),
        peakRssMb: peakRssKb / 1024,
        engineCycles: cycleStats(metricsBefore, metricsAfter),
        breakdown: rows,
        notifications: notificationCounts(metricsBefore, metricsAfter),
        eventLoopLagMs: metricsAfter
          ? {
              p99: 1000 * (metricsAfter.get('vigil_nodejs_eventloop_lag_p99_seconds') ?? Number.NaN),
              max: 1000 * (metricsAfter.get('vigil_nodejs_eventloop_lag_max_seconds') ?? Number.NaN),
            }
          : null,
        latenciesMs,
      };
      phases.push(result);
      process.stderr.write(
        `${settings.channels
          .map(
            (c) =>
              `${c} p50 ${fmt(channels[c].p50, 0)} / p99 ${fmt(channels[c].p99, 0)} / max ${fmt(channels[c].max, 0)} ms, ${channels[c].misses} missed`,
          )
          .join('; ')}\n`,
      );
    }
    const hwmMb = statusKb(server.child.pid, 'VmHWM') / 1024;
    return { engine, phases, hwmMb, serverTail: server.output().split('\n').slice(-20) };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function commandLine(command, args) {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 })
      .toString()
      .trim();
  } catch {
    return '?';
  }
}

/** A histogram bucket's upper bound; the last one (+Inf) is shown as "above the largest bound". */
const bucket = (ms) => (ms === Number.POSITIVE_INFINITY ? '> 2500' : fmt(ms, 0));

function report(results, started) {
  const out = [];
  const dirty = commandLine('git', ['-C', root, 'status', '--porcelain'])
    ? ' (with uncommitted changes)'
    : '';
  out.push(
    '# Paging latency benchmark',
    '',
    `- Date: ${new Date(started).toISOString()}; ` +
      (env.SERVER_ENTRY
        ? `server ${path.relative(root, serverEntry)} (SERVER_ENTRY; the working tree is at ${commandLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD'])}${dirty})`
        : `Vigil commit ${commandLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD'])}${dirty}`),
    `- Machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; ` +
      `PostgreSQL ${settings.engines.includes('postgres') ? psql('show server_version') : '–'}; load average at the start ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    `- Settings: PHASES=${settings.phases.map((p) => `${p.rate}x${p.count}`).join(',')} CHANNELS=${settings.channels.join(',')} ` +
      `TARGET=${settings.target} WARMUP=${settings.warmup} MISS_AFTER_MS=${settings.missAfterMs} DRAIN_MS=${settings.drainMs} BREAKDOWN=${settings.breakdown}` +
      (settings.serverCpu ? ` SERVER_CPU=${settings.serverCpu}` : ' (server not pinned)') +
      (env.SERVER_ENTRY ? ` SERVER_ENTRY=${path.relative(root, serverEntry)}` : '') +
      (settings.serverNodeArgs.length ? ` SERVER_NODE_ARGS="${settings.serverNodeArgs.join(' ')}"` : ''),
    '',
    'Latency: from the 202 of `POST /v2/enqueue` to the fake receiving the page (webhook: the Standard ' +
      'Webhooks sink; SMS: the Twilio-like API), both read from this process’s clock. Each incident pages ' +
      `every channel listed. Nearest-rank percentiles over every accepted trigger (p99 of 30 is the maximum). ` +
      `A miss: no page within ${settings.missAfterMs / 1000} s of the 202; late ones (before ${settings.drainMs / 1000} s after ` +
      'the last 202) still count in the percentiles, ones that never came count as infinitely late. ' +
      '“delivered /s”: pages that arrived ÷ the time from the first 202 to the last arrival.',
    '',
    '| engine | rate /s | channel | pages | p50 ms | p90 ms | p99 ms | max ms | > 1 s | missed (late / never) | dup | delivered /s | goal | met |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  const verdicts = [];
  for (const r of results) {
    for (const phase of r.phases) {
      for (const [channel, s] of Object.entries(phase.channels)) {
        const goals = [];
        let met = true;
        if (r.engine === 'sqlite' && phase.rate === 100) {
          goals.push(`p99 ≤ ${GOAL_P99_MS} ms`);
          met &&= s.p99 <= GOAL_P99_MS;
        }
        goals.push('max ≤ 1 s, none missed');
        met &&= s.max <= GOAL_MAX_MS && s.misses === 0;
        verdicts.push(met);
        out.push(
          `| ${r.engine} | ${phase.rate} | ${channel} | ${s.accepted} | ${fmt(s.p50)} | ${fmt(s.p90)} | ${fmt(s.p99)} | ${fmt(s.max)} ` +
            `| ${s.over1s} | ${s.misses}${s.misses ? ` (${s.late} / ${s.never})` : ''} | ${s.duplicates} | ${fmt(s.deliveredPerSecond, 0)} | ${goals.join('; ')} | ${met ? 'yes' : '**no**'} |`,
        );
      }
    }
  }
  out.push(
    '',
    '## Server side, per phase',
    '',
    'Ingest: send → 202 of the trigger. CPU: the server process (all threads), 100% = one core; the ' +
      'machine column is all CPUs of the machine (anything else running included). Engine cycles: from ' +
      '`vigil_engine_cycle_seconds` between the start and end of the phase (bucket bounds for p50/p99). ' +
      'Event-loop delay: prom-client’s monitor over the phase.',
    '',
    '| engine | rate /s | offered /s | ingest p50 / p99 / max ms | non-202 | server CPU % | PostgreSQL CPU % | machine busy % | engine cycles | cycle mean ms | cycle p50 / p99 ≤ ms | event loop p99 / max ms | peak RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    for (const phase of r.phases) {
      const c = phase.engineCycles;
      const non202 = Object.entries(phase.ingest.statuses)
        .filter(([status]) => status !== '202')
        .reduce((a, [, n]) => a + n, 0);
      out.push(
        `| ${r.engine} | ${phase.rate} | ${fmt(phase.offeredRate, 1)} | ${fmt(phase.ingest.p50)} / ${fmt(phase.ingest.p99)} / ${fmt(phase.ingest.max)} ` +
          `| ${non202} | ${fmt(phase.serverCpuPercent, 0)} | ${phase.postgresCpuPercent === null ? '–' : fmt(phase.postgresCpuPercent, 0)} ` +
          `| ${fmt(phase.machineBusyPercent, 0)} | ${c ? c.count : '–'} | ${c ? fmt(c.meanMs, 1) : '–'} ` +
          `| ${c ? `${bucket(c.p50LeMs)} / ${bucket(c.p99LeMs)}` : '–'} ` +
          `| ${phase.eventLoopLagMs ? `${fmt(phase.eventLoopLagMs.p99)} / ${fmt(phase.eventLoopLagMs.max)}` : '–'} | ${fmt(phase.peakRssMb, 0)} |`,
      );
    }
  }
  out.push(
    '',
    `Peak RSS of the server process over its life (VmHWM): ${results.map((r) => `${r.engine} ${fmt(r.hwmMb, 0)} MB`).join(', ')}.`,
  );
  if (settings.breakdown > 0) {
    out.push(
      '',
      '## Where the time goes (the server’s own timestamps, ms resolution)',
      '',
      `For up to ${settings.breakdown} incidents per phase, read back through the API afterwards: ` +
        '**ingest → cycle** is from the incident’s `created_at` to its page’s `created_at`, which is the start ' +
        'of the engine cycle (batch) that escalated it; **cycle → sent** is from there to the page’s `sent_at`, ' +
        'when the provider had answered: the reconcile of the rest of that batch, the wait for a sender slot, and the send.',
      '',
      '| engine | rate /s | incidents | ingest → cycle p50 / p99 / max ms | cycle → sent p50 / p99 / max ms, per channel |',
      '|---|---|---|---|---|',
    );
    for (const r of results) {
      for (const phase of r.phases) {
        const b = phase.breakdown;
        if (!b || b.error) {
          out.push(`| ${r.engine} | ${phase.rate} | – | ${b?.error ?? '–'} | – |`);
          continue;
        }
        const three = (x) => `${fmt(x.p50, 0)} / ${fmt(x.p99, 0)} / ${fmt(x.max, 0)}`;
        out.push(
          `| ${r.engine} | ${phase.rate} | ${b.incidents} | ${three(b.ingestToEscalationCycle)} ` +
            `| ${Object.entries(b.escalationCycleToSent)
              .map(([c, x]) => `${c} ${three(x)}`)
              .join('; ')} |`,
        );
      }
    }
  }
  const problems = [];
  for (const r of results) {
    for (const phase of r.phases) {
      for (const [status, n] of Object.entries(phase.ingest.statuses))
        if (status !== '202')
          problems.push(
            `${r.engine} at ${phase.rate}/s: ${n} triggers answered ${status === '0' ? 'with a socket error' : status}`,
          );
      for (const [channel, s] of Object.entries(phase.channels)) {
        if (s.misses)
          problems.push(
            `${r.engine} at ${phase.rate}/s: ${s.misses} ${channel} pages not within ${settings.missAfterMs / 1000} s ` +
              `(${s.late} late, ${s.never} not at all within ${Math.max(settings.missAfterMs, settings.drainMs) / 1000} s of the last 202)`,
          );
        if (s.duplicates)
          problems.push(`${r.engine} at ${phase.rate}/s: ${s.duplicates} duplicate ${channel} pages`);
        if (s.unverified)
          problems.push(
            `${r.engine} at ${phase.rate}/s: ${s.unverified} webhook deliveries failed the signature check`,
          );
      }
      const failed = Object.entries(phase.notifications ?? {}).filter(([k]) => !/:(sent|delivered)$/.test(k));
      if (failed.length)
        problems.push(
          `${r.engine} at ${phase.rate}/s: sender outcomes ${JSON.stringify(Object.fromEntries(failed))}`,
        );
    }
  }
  out.push(
    '',
    '## Problems',
    '',
    ...(problems.length
      ? problems.map((p) => `- ${p}`)
      : ['- none: every trigger got its 202 and every page arrived once']),
    '',
  );
  return { markdown: out.join('\n'), allMet: verdicts.every(Boolean) };
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  if (!existsSync(serverEntry))
    throw new Error(`bench: ${serverEntry} is missing; run \`npm run build\` (npm run bench:paging does)`);
  if (settings.engines.includes('postgres')) psql('select 1');
  if (settings.serverCpu) execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  const started = Date.now();
  const listener = startListener();
  const fakes = await startFakes(listener);
  const results = [];
  for (const engine of settings.engines) results.push(await measureEngine(engine, fakes, listener));
  const { markdown } = report(results, started);
  process.stdout.write(`${markdown}\n`);
  const resultsDir = path.join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  const file = path.join(resultsDir, `paging-${stamp}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date(started).toISOString(),
        machine: {
          cpu: os.cpus()[0]?.model,
          cpus: os.cpus().length,
          memGiB: os.totalmem() / 2 ** 30,
          node: process.version,
        },
        settings,
        goals: { sqliteP99At100PerSecondMs: GOAL_P99_MS, maxMs: GOAL_MAX_MS },
        results,
        strayMessages: listener.stray,
        markdown,
      },
      null,
      2,
    )}\n`,
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
}
process.exit(exitCode);
