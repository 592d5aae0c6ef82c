// Seeds a Vigil database with many incidents straight into the store (bench/ui-api/README.md):
// multi-row INSERTs in big transactions on SQLite, `insert … select from unnest(…)` on PostgreSQL.
// The data is generated from a fixed seed, so both engines hold the same incidents.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A small deterministic generator (mulberry32): the same incidents on every run and engine. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID-shaped ID (48-bit time, 80 random bits), as ids.ts makes them. */
function ulid(ms, rand) {
  let out = '';
  let value = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  for (let i = 0; i < 16; i++) out += ALPHABET[Math.floor(rand() * 32)];
  return out;
}

export const SYMPTOMS = [
  'High latency',
  'Error rate above 5%',
  'Disk usage above 90%',
  'Memory pressure',
  'CPU throttling',
  'Pod crash looping',
  'Certificate expires soon',
  'Replication lag',
  'Queue backlog growing',
  'Health check failing',
  'Connection pool exhausted',
  'TLS handshake errors',
  'Out of memory kills',
  'Slow queries',
  'Deadlocks detected',
  'Packet loss',
  'DNS resolution failures',
  '5xx responses',
  'Job failed',
  'Backup missing',
  'Heartbeat missed',
  'Cache hit ratio low',
  'Rate limit exceeded',
  'Node not ready',
];
export const COMPONENTS = [
  'api-gateway',
  'checkout',
  'payments',
  'search',
  'auth',
  'inventory',
  'orders',
  'shipping',
  'notifications',
  'billing',
  'catalog',
  'recommendations',
  'profiles',
  'sessions',
  'reports',
  'ledger',
  'fraud',
  'pricing',
  'media',
  'email',
];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-south-1', 'ap-northeast-1'];
const PRIORITIES = [
  [0.02, 'P1'],
  [0.1, 'P2'],
  [0.4, 'P3'],
  [0.6, 'P4'],
  [1, null],
];
const SEVERITIES = ['critical', 'error', 'error', 'warning', 'warning', 'info'];

export const COLUMNS = [
  'id',
  'number',
  'title',
  'description',
  'status',
  'priority',
  'severity',
  'urgency',
  'service_id',
  'dedup_key',
  'alert_count',
  'created_at',
  'updated_at',
  'acknowledged_at',
  'resolved_at',
  'version',
];
const PG_TYPES = [
  'text',
  'bigint',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'integer',
  'timestamptz',
  'timestamptz',
  'timestamptz',
  'timestamptz',
  'integer',
];

/**
 * The incidents, oldest first (number 1 is the oldest), as rows of COLUMNS plus the assignee.
 * About 2% are open: 30% of the newest 50,000 and 0.5% of the older ones (forgotten acknowledged
 * incidents linger); services are picked with a skew (some are noisy), two years of history.
 */
export function* incidents({ count, services, users, now }) {
  const rand = random(20261123);
  const weights = services.map((_, i) => 1 / (i + 1) ** 0.8);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = [];
  let acc = 0;
  for (const weight of weights) {
    acc += weight / total;
    cumulative.push(acc);
  }
  const spanMs = 730 * 86_400_000;
  const start = now - spanMs;
  for (let n = 1; n <= count; n++) {
    const createdMs = Math.floor(start + ((n - 0.5 + rand() * 0.5) * spanMs) / count);
    const recent = n > count - 50_000;
    const open = rand() < (recent ? 0.3 : 0.005);
    const status = open ? (rand() < 0.5 ? 'triggered' : 'acknowledged') : 'resolved';
    const r = rand();
    const service = services[cumulative.findIndex((c) => r <= c)] ?? services[services.length - 1];
    const p = rand();
    const priority = PRIORITIES.find(([limit]) => p <= limit)[1];
    const severity = SEVERITIES[Math.floor(rand() * SEVERITIES.length)];
    const title = `${SYMPTOMS[Math.floor(rand() * SYMPTOMS.length)]} on ${
      COMPONENTS[Math.floor(rand() * COMPONENTS.length)]
    } (${REGIONS[Math.floor(rand() * REGIONS.length)]}/node-${String(Math.floor(rand() * 1000)).padStart(4, '0')})`;
    const acknowledged = status === 'acknowledged' || (status === 'resolved' && rand() < 0.8);
    const ackMs = acknowledged ? createdMs + 30_000 + Math.floor(rand() * 900_000) : null;
    const resolvedMs =
      status === 'resolved' ? (ackMs ?? createdMs) + 60_000 + Math.floor(rand() * 2 * 86_400_000) : null;
    const iso = (ms) => (ms === null ? null : new Date(Math.min(ms, now)).toISOString());
    const version = 1 + (acknowledged ? 1 : 0) + (resolvedMs !== null ? 1 : 0);
    yield {
      row: [
        ulid(createdMs, rand),
        n,
        title,
        '',
        status,
        priority,
        severity,
        severity === 'critical' || severity === 'error' ? 'high' : 'low',
        service,
        `bench-${n}`,
        1 + Math.floor(rand() * 4),
        iso(createdMs),
        iso(resolvedMs ?? ackMs ?? createdMs),
        iso(ackMs),
        iso(resolvedMs),
        version,
      ],
      assignee: users[Math.floor(rand() * users.length)],
    };
  }
}

function* batches(source, size) {
  let batch = [];
  for (const item of source) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** SQLite: the server is stopped; one connection, 500-row INSERTs, 50,000 rows per transaction. */
export function seedSqlite(file, options) {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const ROWS = 500;
  const insertSql = (rows) =>
    `insert into incidents (${COLUMNS.join(', ')}) values ${Array.from(
      { length: rows },
      () => `(${COLUMNS.map(() => '?').join(', ')})`,
    ).join(', ')}`;
  const assigneeSql = (rows) =>
    `insert into incident_assignees (incident_id, user_id, position) values ${Array.from(
      { length: rows },
      () => '(?, ?, 0)',
    ).join(', ')}`;
  const full = db.prepare(insertSql(ROWS));
  const fullAssignees = db.prepare(assigneeSql(ROWS));
  const write = db.transaction((chunk) => {
    for (const part of batches(chunk, ROWS)) {
      const statement = part.length === ROWS ? full : db.prepare(insertSql(part.length));
      statement.run(part.flatMap((item) => item.row));
      const assignees = part.length === ROWS ? fullAssignees : db.prepare(assigneeSql(part.length));
      assignees.run(part.flatMap((item) => [item.row[0], item.assignee]));
    }
  });
  for (const chunk of batches(incidents(options), 50_000)) write(chunk);
  db.prepare(`update counters set value = ? where name = 'incident_number'`).run(options.count);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** PostgreSQL: 20,000 rows per `insert … select from unnest(…)`, then VACUUM ANALYZE (autovacuum would). */
export async function seedPostgres(url, options) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const unnest = PG_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
    const insert = `insert into incidents (${COLUMNS.join(', ')}) select * from unnest(${unnest})`;
    for (const chunk of batches(incidents(options), 20_000)) {
      const columns = COLUMNS.map((_, i) => chunk.map((item) => item.row[i]));
      await client.query('begin');
      await client.query(insert, columns);
      await client.query(
        'insert into incident_assignees (incident_id, user_id, position) select i, u, 0 from unnest($1::text[], $2::text[]) as a(i, u)',
        [chunk.map((item) => item.row[0]), chunk.map((item) => item.assignee)],
      );
      await client.query('commit');
    }
    await client.query(`update counters set value = $1 where name = 'incident_number'`, [options.count]);
    await client.query('vacuum analyze incidents');
    await client.query('vacuum analyze incident_assignees');
  } finally {
    await client.end();
  }
}
