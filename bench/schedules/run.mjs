#!/usr/bin/env node
// Schedule calculators benchmark (bench/schedules/README.md): the final schedule for one year of a
// 4-layer schedule with 500 overrides, and who is on call now for 1,000 schedules. Pure CPU, one
// process, no I/O in the measured code. Run with `npm run bench:schedules` (it builds first).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const core = await import(path.join(root, 'packages/core/dist/index.js'));
const { finalSchedule, onCallAt, coverageGaps, onCallHours } = core;

const env = process.env;
const settings = {
  runs: Number.parseInt(env.RUNS ?? '200', 10),
  warmup: Number.parseInt(env.WARMUP ?? '30', 10),
  seed: Number.parseInt(env.SEED ?? '42', 10),
};

// A small deterministic generator, so every run measures the same schedules.
let state = settings.seed >>> 0 || 1;
const random = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

const zones = [
  'America/New_York',
  'America/St_Johns',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'Pacific/Apia',
  'Africa/Casablanca',
];
const users = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
const weekdays = [1, 2, 3, 4, 5].map((day) => ({
  type: 'weekly',
  startDay: day,
  startTime: '09:00',
  endDay: day,
  endTime: '17:00',
}));
const holidays2026 = [
  '2026-01-01',
  '2026-01-19',
  '2026-02-16',
  '2026-05-25',
  '2026-07-03',
  '2026-09-07',
  '2026-11-26',
  '2026-11-27',
  '2026-12-24',
  '2026-12-25',
];

/** The 4-layer schedule of the goal: round the clock, business hours, weekends, holidays. */
const fourLayers = (timeZone) => ({
  name: 'Platform',
  timeZone,
  layers: [
    {
      name: 'primary',
      users: users('p', 6),
      rotation: { type: 'weekly', shiftLength: 1, handoffAt: '2025-12-29T09:00' },
    },
    {
      name: 'business hours',
      users: users('b', 7),
      rotation: { type: 'daily', shiftLength: 1, handoffAt: '2026-01-05T09:00' },
      restrictions: weekdays,
      holidays: { mode: 'exclude', dates: holidays2026 },
    },
    {
      name: 'weekend',
      users: users('w', 4),
      rotation: { type: 'hourly', shiftLength: 12, handoffAt: '2026-01-03T08:00' },
      restrictions: [{ type: 'weekly', startDay: 6, startTime: '00:00', endDay: 1, endTime: '00:00' }],
    },
    {
      name: 'holidays',
      users: users('h', 3),
      rotation: { type: 'daily', shiftLength: 1, handoffAt: '2026-01-01T00:00' },
      holidays: { mode: 'only', dates: holidays2026 },
    },
  ],
});

const yearStart = Date.parse('2026-01-01T00:00:00Z');
const yearEnd = Date.parse('2027-01-01T00:00:00Z');
const overrides = (count, from, to) =>
  Array.from({ length: count }, () => {
    const start = from + Math.floor((random() * (to - from)) / 60_000) * 60_000;
    return {
      userId: pick(['o1', 'o2', 'o3', 'p1', 'b2']),
      start: new Date(start).toISOString(),
      end: new Date(start + int(1, 48) * 3_600_000).toISOString(),
    };
  });

/** One random schedule of the 1,000: 1–4 layers, any rotation, some restrictions, 0–5 overrides. */
const randomSchedule = (now) => {
  const layerCount = int(1, 4);
  const layers = Array.from({ length: layerCount }, (_, i) => {
    const type = pick(['hourly', 'daily', 'weekly']);
    const restrictions =
      random() < 0.4
        ? [
            random() < 0.5
              ? {
                  type: 'daily',
                  startTime: pick(['08:00', '09:00', '22:00']),
                  endTime: pick(['17:00', '06:00']),
                }
              : {
                  type: 'weekly',
                  startDay: int(1, 7),
                  startTime: '09:00',
                  endDay: int(1, 7),
                  endTime: '18:00',
                },
          ]
        : [];
    return {
      name: `layer ${i}`,
      users: users(`u${i}-`, int(1, 7)),
      rotation: {
        type,
        shiftLength: type === 'hourly' ? pick([1, 8, 12]) : int(1, 2),
        handoffAt: `${int(2024, 2026)}-0${int(1, 9)}-1${int(0, 9)}T${pick(['00:00', '01:30', '02:00', '02:30', '09:00', '23:59'])}`,
      },
      restrictions,
    };
  });
  return {
    schedule: { name: 's', timeZone: pick(zones), layers },
    overrides: overrides(int(0, 5), now - 7 * 86_400_000, now + 7 * 86_400_000),
  };
};

const time = (fn) => {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
};
const stats = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted[sorted.length - 1] };
};
const fmt = (ms) => ms.toFixed(2);

// A machine yardstick, measured in the same run: 10,000 Intl.DateTimeFormat#format calls (the
// primitive the calculators fall back on when a zone's table is cold). Ratios to it carry over
// between machines better than milliseconds do.
const yardstick = () => {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Berlin',
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  let n = 0;
  for (let i = 0; i < 10_000; i++) n += f.format(yearStart + i * 3_600_000).length;
  return n;
};

const rows = [];
const measure = (name, goalMs, fn) => {
  const cold = time(fn);
  for (let i = 0; i < settings.warmup; i++) fn();
  const samples = [];
  for (let i = 0; i < settings.runs; i++) samples.push(time(fn).ms);
  const s = stats(samples);
  rows.push({ name, goalMs, coldMs: cold.ms, ...s, size: cold.result });
  return s;
};

// The cold figure of each row is its first call in this process: the zone tables it needs are
// built then (the yardstick uses its own formatter and warms nothing).
const yard = measure('yardstick: 10,000 Intl format calls', null, () => yardstick());

const big = fourLayers('America/New_York');
const bigOverrides = overrides(500, yearStart, yearEnd);
const year = { start: new Date(yearStart).toISOString(), end: new Date(yearEnd).toISOString() };
measure(
  'final schedule, 1 year, 4 layers, 500 overrides (America/New_York)',
  20,
  () => finalSchedule(big, bigOverrides, year).length,
);
const bigBerlin = fourLayers('Europe/Berlin');
measure(
  'final schedule, same in Europe/Berlin',
  20,
  () => finalSchedule(bigBerlin, bigOverrides, year).length,
);
const shifts = finalSchedule(big, bigOverrides, year);
measure('coverage gaps of that year', null, () => coverageGaps(shifts, year).length);
measure(
  'on-call hours of that year (holidays, nights)',
  null,
  () => onCallHours(shifts, { timeZone: 'America/New_York', range: year, holidays: holidays2026 }).length,
);

const now = Date.parse('2026-11-01T06:30:00Z'); // the night Europe's and America's clocks differ
const thousand = Array.from({ length: 1000 }, () => randomSchedule(now));
const nowIso = new Date(now).toISOString();
measure('who is on call now, 1,000 schedules (10 zones)', 20, () => {
  let found = 0;
  for (const { schedule, overrides: o } of thousand) if (onCallAt(schedule, o, nowIso) !== null) found++;
  return found;
});

const lines = [];
lines.push(`# Schedule calculators benchmark — ${new Date().toISOString()}`);
lines.push('');
lines.push(
  `Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ` +
    `${settings.runs} timed runs after ${settings.warmup} warm-up runs; seed ${settings.seed}.`,
);
lines.push('');
lines.push(
  '| measurement | result size | cold ms | median ms | p95 ms | max ms | median ÷ yardstick | goal | met |',
);
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const met = r.goalMs === null ? '–' : r.median <= r.goalMs ? 'yes' : '**no**';
  lines.push(
    `| ${r.name} | ${r.size} | ${fmt(r.coldMs)} | ${fmt(r.median)} | ${fmt(r.p95)} | ${fmt(r.max)} | ${(r.median / yard.median).toFixed(2)} | ${r.goalMs === null ? '–' : `≤ ${r.goalMs} ms`} | ${met} |`,
  );
}
lines.push('');
lines.push('Result size: shifts, gaps, users, or schedules with someone on call.');
const markdown = lines.join('\n');
process.stdout.write(`${markdown}\n`);
const resultsDir = path.join(root, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(path.join(resultsDir, `schedules-${stamp}.md`), `${markdown}\n`);
