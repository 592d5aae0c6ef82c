/**
 * Property tests of the schedule calculators against an independent oracle: the same rules
 * (docs/schedules.md) computed with the Temporal polyfill instead of our zone tables. The polyfill
 * is a devDependency used only here; core never imports it.
 */
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { afterAll, describe, expect, it } from 'vitest';
import { coverageGaps } from './coverage-gaps.js';
import { finalSchedule } from './final-schedule.js';
import { layerShifts } from './layer-shifts.js';
import { localToInstant } from './local-time.js';
import { onCallAt } from './on-call-at.js';
import { onCallHours } from './on-call-hours.js';
import type { Restriction, Rotation, Schedule, ScheduleLayer, ScheduleOverride, Shift } from './schedule.js';
import { clearZoneCache, zoneRules } from './time-zone.js';

const ZONES = [
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
] as const;
const HANDOFF_TIMES = ['00:00', '01:30', '02:00', '02:30', '23:59'] as const;
const YEARS_FROM = Date.UTC(2024, 0, 1);
const YEARS_TO = Date.UTC(2031, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Total fast-check runs, printed at the end so the count in reports is the real one. A deeper
 * search: `FC_SCALE=10 npx vitest run packages/core/src/schedule`.
 */
let totalRuns = 0;
const scale = Number(process.env.FC_SCALE ?? 1) || 1;
const runs = (numRuns: number) => {
  totalRuns += Math.round(numRuns * scale);
  return { numRuns: Math.round(numRuns * scale) };
};
afterAll(() => {
  console.log(`schedule properties: ${totalRuns} fast-check runs`);
});

// ---------------------------------------------------------------------------------------------
// The oracle

const PDT = Temporal.PlainDateTime;
const iso = (ms: number) => new Date(ms).toISOString();
const ms = (instant: string) => Date.parse(instant);

/** The rules of docs/schedules.md with Temporal: first occurrence; a skipped time → the transition. */
function oracleInstant(wall: Temporal.PlainDateTime, zone: string): number {
  const earlier = wall.toZonedDateTime(zone, { disambiguation: 'earlier' });
  if (PDT.compare(earlier.toPlainDateTime(), wall) === 0) return earlier.epochMilliseconds;
  return earlier.getTimeZoneTransition('next')!.epochMilliseconds;
}

function oracleWall(at: number, zone: string): Temporal.PlainDateTime {
  return Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone).toPlainDateTime();
}

function oracleOffset(at: number, zone: string): number {
  return Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone).offsetNanoseconds / 1e6;
}

const UNIT = { hourly: 'hours', daily: 'days', weekly: 'weeks' } as const;
const UNIT_HOURS = { hourly: 1, daily: 24, weekly: 168 } as const;

function oracleHandoff(rotation: Rotation, zone: string, k: number): number {
  const wall = PDT.from(rotation.handoffAt).add({ [UNIT[rotation.type]]: k * rotation.shiftLength });
  return oracleInstant(wall, zone);
}

function oracleShiftIndex(rotation: Rotation, zone: string, at: number): number {
  const hours = PDT.from(rotation.handoffAt)
    .until(oracleWall(at, zone), { largestUnit: 'hours' })
    .total({ unit: 'hours' });
  let k = Math.floor(hours / (UNIT_HOURS[rotation.type] * rotation.shiftLength));
  while (oracleHandoff(rotation, zone, k + 1) <= at) k++;
  while (oracleHandoff(rotation, zone, k) > at) k--;
  return k;
}

const contains = (start: number, end: number, at: number) => start <= at && at < end;

function oracleInRestrictions(restrictions: readonly Restriction[], zone: string, at: number): boolean {
  if (restrictions.length === 0) return true;
  const date = oracleWall(at, zone).toPlainDate();
  for (const r of restrictions) {
    const startTime = Temporal.PlainTime.from(r.startTime);
    const endTime = Temporal.PlainTime.from(r.endTime);
    if (r.type === 'daily') {
      for (const d of [-1, 0, 1]) {
        const day = date.add({ days: d });
        const endDay = r.endTime <= r.startTime ? day.add({ days: 1 }) : day;
        const start = oracleInstant(day.toPlainDateTime(startTime), zone);
        const end = oracleInstant(endDay.toPlainDateTime(endTime), zone);
        if (contains(start, end, at)) return true;
      }
    } else {
      const monday = date.subtract({ days: date.dayOfWeek - 1 });
      for (const w of [-7, 0, 7]) {
        const week = monday.add({ days: w });
        const startWall = week.add({ days: r.startDay - 1 }).toPlainDateTime(startTime);
        let endWall = week.add({ days: r.endDay - 1 }).toPlainDateTime(endTime);
        if (PDT.compare(endWall, startWall) <= 0) endWall = endWall.add({ days: 7 });
        if (contains(oracleInstant(startWall, zone), oracleInstant(endWall, zone), at)) return true;
      }
    }
  }
  return false;
}

function oracleOnHoliday(dates: readonly string[], zone: string, at: number): boolean {
  const date = oracleWall(at, zone).toPlainDate();
  for (const d of [-1, 0, 1]) {
    const day = date.add({ days: d });
    if (!dates.includes(day.toString())) continue;
    const start = oracleInstant(day.toPlainDateTime(), zone);
    const end = oracleInstant(day.add({ days: 1 }).toPlainDateTime(), zone);
    if (contains(start, end, at)) return true;
  }
  return false;
}

function oracleLayerUser(layer: ScheduleLayer, zone: string, at: number): string | undefined {
  if (layer.users.length === 0) return undefined;
  if (!oracleInRestrictions(layer.restrictions ?? [], zone, at)) return undefined;
  if (layer.holidays !== undefined) {
    const onHoliday = oracleOnHoliday(layer.holidays.dates, zone, at);
    if (onHoliday !== (layer.holidays.mode === 'only')) return undefined;
  }
  const k = oracleShiftIndex(layer.rotation, zone, at);
  const n = layer.users.length;
  return layer.users[((k % n) + n) % n];
}

function oracleOnCall(schedule: Schedule, overrides: readonly ScheduleOverride[], at: number) {
  for (let j = overrides.length - 1; j >= 0; j--) {
    const o = overrides[j]!;
    if (contains(ms(o.start), ms(o.end), at)) return { userId: o.userId, layer: null };
  }
  for (let i = schedule.layers.length - 1; i >= 0; i--) {
    const userId = oracleLayerUser(schedule.layers[i]!, schedule.timeZone, at);
    if (userId !== undefined) return { userId, layer: i };
  }
  return null;
}

/** Every UTC-offset transition of a zone from 2024 to 2030, by the oracle. */
const transitionCache = new Map<string, number[]>();
function oracleTransitions(zone: string, from = YEARS_FROM, to = YEARS_TO): number[] {
  const key = `${zone} ${from} ${to}`;
  const known = transitionCache.get(key);
  if (known) return known;
  const out: number[] = [];
  let at: Temporal.ZonedDateTime | null =
    Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(zone);
  for (;;) {
    at = at.getTimeZoneTransition('next');
    if (at === null || at.epochMilliseconds >= to) break;
    out.push(at.epochMilliseconds);
  }
  transitionCache.set(key, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Generators

const zoneArb = fc.constantFrom(...ZONES);
const handoffTimeArb = fc.constantFrom(...HANDOFF_TIMES);
const dateArb = fc
  .integer({ min: 0, max: 7 * 365 })
  .map((d) => Temporal.PlainDate.from('2024-01-01').add({ days: d }).toString());
const rotationArb: fc.Arbitrary<Rotation> = fc
  .constantFrom('hourly' as const, 'daily' as const, 'weekly' as const)
  .chain((type) =>
    fc.record({
      type: fc.constant(type),
      shiftLength:
        type === 'hourly' ? fc.constantFrom(1, 2, 3, 5, 8, 12, 24) : fc.integer({ min: 1, max: 3 }),
      handoffAt: fc.tuple(dateArb, handoffTimeArb).map(([d, t]) => `${d}T${t}`),
    }),
  );
const usersArb = (min: number, max: number) =>
  fc.integer({ min, max }).map((n) => Array.from({ length: n }, (_, i) => `u${i + 1}`));

/** A range in 2024–2030 of up to `maxDays`: half of them straddle one of the zone's transitions. */
const rangeArb = (zone: string, maxDays: number) => {
  const transitions = oracleTransitions(zone);
  const length = fc.integer({ min: 1, max: maxDays * 24 * 4 }).map((q) => q * 15 * MINUTE);
  const anywhere = fc
    .integer({ min: YEARS_FROM / MINUTE, max: (YEARS_TO - 70 * DAY) / MINUTE })
    .map((m) => m * MINUTE);
  const nearTransition =
    transitions.length === 0
      ? anywhere
      : fc
          .tuple(fc.constantFrom(...transitions), fc.integer({ min: -3 * 24 * 60, max: 60 }))
          .map(([t, m]) => t + m * MINUTE);
  return fc
    .tuple(fc.oneof(anywhere, nearTransition), length)
    .map(([from, len]) => ({ from, to: from + len }));
};

const timeArb = fc.oneof(
  handoffTimeArb,
  fc.integer({ min: 0, max: 95 }).map((q) => {
    const m = q * 15;
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  }),
);
const restrictionArb: fc.Arbitrary<Restriction> = fc.oneof(
  fc.record({ type: fc.constant('daily' as const), startTime: timeArb, endTime: timeArb }),
  fc.record({
    type: fc.constant('weekly' as const),
    startDay: fc.integer({ min: 1, max: 7 }),
    startTime: timeArb,
    endDay: fc.integer({ min: 1, max: 7 }),
    endTime: timeArb,
  }),
);

const toMs = (s: Shift) => ({ start: ms(s.start), end: ms(s.end), userId: s.userId, layer: s.layer });

// ---------------------------------------------------------------------------------------------

describe('zone tables against the oracle', () => {
  it('give the UTC offset of any instant in 2024–2030, in every required zone', () => {
    fc.assert(
      fc.property(zoneArb, fc.integer({ min: YEARS_FROM, max: YEARS_TO - 1 }), (zone, at) => {
        expect(zoneRules(zone)!.offsetAt(at)).toBe(oracleOffset(at, zone));
      }),
      runs(2000),
    );
  });

  it('turn local date-times into instants by the rules (near transitions and anywhere)', () => {
    const wallArb = zoneArb.chain((zone) => {
      const transitions = oracleTransitions(zone);
      const anywhere = fc
        .integer({ min: YEARS_FROM / MINUTE, max: YEARS_TO / MINUTE - 1 })
        .map((m) => m * MINUTE + oracleOffset(m * MINUTE, zone));
      const near =
        transitions.length === 0
          ? anywhere
          : fc
              .tuple(fc.constantFrom(...transitions), fc.integer({ min: -150, max: 150 }))
              .map(([t, m]) => t + oracleOffset(t, zone) + m * MINUTE);
      return fc.tuple(fc.constant(zone), fc.oneof(near, near, anywhere));
    });
    fc.assert(
      fc.property(wallArb, ([zone, wall]) => {
        const local = new Date(wall).toISOString().slice(0, 16);
        expect(localToInstant(local, zone)).toBe(iso(oracleInstant(PDT.from(local), zone)));
      }),
      runs(3000),
    );
  });

  it('find every transition of every zone this runtime knows, 2024–2030, and convert around it', () => {
    // Beyond the ten zones of the issue: all of them, at the instants where the offset changes.
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      const rules = zoneRules(zone)!;
      for (const t of oracleTransitions(zone)) {
        expect([zone, t, rules.offsetAt(t - 1)]).toEqual([zone, t, oracleOffset(t - 1, zone)]);
        expect([zone, t, rules.offsetAt(t)]).toEqual([zone, t, oracleOffset(t, zone)]);
        // Local times in and around the gap or the repeated stretch the transition makes.
        const before = oracleOffset(t - 1, zone);
        const after = oracleOffset(t, zone);
        for (const wall of [
          t + before - 30 * MINUTE,
          t + before,
          (2 * t + before + after) / 2,
          t + after,
          t + after + 30 * MINUTE,
        ]) {
          const local = new Date(Math.floor(wall / MINUTE) * MINUTE).toISOString().slice(0, 16);
          expect([zone, local, localToInstant(local, zone)]).toEqual([
            zone,
            local,
            iso(oracleInstant(PDT.from(local), zone)),
          ]);
        }
      }
    }
  });

  it('agree with the oracle across all zones and 1970–2037', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: Date.UTC(2038, 0, 1) / MINUTE }),
        (zone, minute) => {
          const at = minute * MINUTE;
          expect(zoneRules(zone)!.offsetAt(at)).toBe(oracleOffset(at, zone));
          const local = oracleWall(at, zone).toString().slice(0, 16);
          expect(localToInstant(local, zone)).toBe(iso(oracleInstant(PDT.from(local), zone)));
        },
      ),
      runs(1000),
    );
  });
});

describe('one layer: exactly one person at every instant', () => {
  const layerCase = fc
    .tuple(zoneArb, rotationArb, usersArb(1, 7))
    .chain(([zone, rotation, users]) =>
      fc.tuple(
        fc.constant(zone),
        fc.constant(rotation),
        fc.constant(users),
        rangeArb(zone, rotation.type === 'hourly' ? 4 : rotation.type === 'daily' ? 20 : 60),
      ),
    );

  it('covers the range with consecutive shifts that hand off at the stated wall-clock time', () => {
    fc.assert(
      fc.property(layerCase, ([zone, rotation, users, { from, to }]) => {
        const schedule: Schedule = { timeZone: zone, layers: [{ name: 'l', users, rotation }] };
        const shifts = layerShifts(schedule, 0, { start: iso(from), end: iso(to) }).map(toMs);
        // No gap, no overlap, nothing empty, nothing outside.
        expect(shifts[0]!.start).toBe(from);
        expect(shifts[shifts.length - 1]!.end).toBe(to);
        for (let i = 0; i < shifts.length; i++) {
          expect(shifts[i]!.start).toBeLessThan(shifts[i]!.end);
          if (i > 0) expect(shifts[i]!.start).toBe(shifts[i - 1]!.end);
        }
        const anchor = PDT.from(rotation.handoffAt);
        for (const shift of shifts) {
          const k = oracleShiftIndex(rotation, zone, shift.start);
          expect(shift.userId).toBe(users[((k % users.length) + users.length) % users.length]);
          if (shift.end < to) {
            // The hand-off is where the oracle puts hand-off k + 1 …
            expect(shift.end).toBe(oracleHandoff(rotation, zone, k + 1));
            // … which is the stated local time, unless that time was skipped on that day.
            const stated = anchor.add({ [UNIT[rotation.type]]: (k + 1) * rotation.shiftLength });
            const shown = oracleWall(shift.end, zone);
            if (PDT.compare(shown, stated) !== 0) {
              const earlier = stated.toZonedDateTime(zone, { disambiguation: 'earlier' });
              expect(PDT.compare(earlier.toPlainDateTime(), stated)).not.toBe(0); // skipped …
              expect(PDT.compare(shown, stated)).toBe(1); // … so moved forward
            }
          }
        }
      }),
      runs(800),
    );
  });

  it('answers onCallAt with the oracle at any instant', () => {
    fc.assert(
      fc.property(layerCase, fc.double({ min: 0, max: 1, noNaN: true }), ([zone, rotation, users, r], f) => {
        const at = Math.min(r.to - 1, Math.floor(r.from + f * (r.to - r.from)));
        const schedule: Schedule = { timeZone: zone, layers: [{ name: 'l', users, rotation }] };
        const k = oracleShiftIndex(rotation, zone, at);
        expect(onCallAt(schedule, [], iso(at))).toEqual({
          userId: users[((k % users.length) + users.length) % users.length],
          layer: 0,
        });
      }),
      runs(1000),
    );
  });
});

describe('layers, restrictions, holidays and overrides together', () => {
  const layerArb = fc.record({
    name: fc.constant('layer'),
    users: fc.oneof(usersArb(1, 7), usersArb(0, 0)),
    rotation: rotationArb,
    restrictions: fc.array(restrictionArb, { maxLength: 2 }),
  });
  const combinedCase = fc
    .tuple(zoneArb, fc.array(layerArb, { minLength: 1, maxLength: 3 }))
    .chain(([zone, layers]) =>
      fc.tuple(fc.constant(zone), fc.constant(layers), rangeArb(zone, 8)).chain(([zone, layers, range]) => {
        const span = range.to - range.from;
        const instant = fc
          .integer({ min: -DAY / MINUTE, max: (span + DAY) / MINUTE })
          .map((m) => range.from + m * MINUTE);
        const firstDay = oracleWall(range.from, zone).toPlainDate();
        const holidayArb = fc.option(
          fc.record({
            mode: fc.constantFrom('only' as const, 'exclude' as const),
            dates: fc.array(
              fc.integer({ min: -1, max: 9 }).map((d) => firstDay.add({ days: d }).toString()),
              { maxLength: 4 },
            ),
          }),
          { nil: undefined },
        );
        const overrideArb = fc
          .tuple(instant, fc.integer({ min: -60, max: 48 * 60 }), fc.constantFrom('o1', 'o2', 'u1'))
          .map(([start, minutes, userId]) => ({
            userId,
            start: iso(start),
            end: iso(start + minutes * MINUTE),
          }));
        return fc.record({
          zone: fc.constant(zone),
          layers: fc.constant(layers),
          holidays: fc.array(holidayArb, { minLength: layers.length, maxLength: layers.length }),
          overrides: fc.array(overrideArb, { maxLength: 5 }),
          range: fc.constant(range),
          samples: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 12 }),
        });
      }),
    )
    .map(({ zone, layers, holidays, overrides, range, samples }) => {
      const schedule: Schedule = {
        timeZone: zone,
        layers: layers.map((l, i) => (holidays[i] === undefined ? l : { ...l, holidays: holidays[i] })),
      };
      return { schedule, overrides, range, samples };
    });

  it('renders the final schedule the oracle expects, with gaps and hours that add up', () => {
    fc.assert(
      fc.property(combinedCase, ({ schedule, overrides, range: { from, to }, samples }) => {
        const range = { start: iso(from), end: iso(to) };
        const final = finalSchedule(schedule, overrides, range).map(toMs);

        // Sorted, disjoint, inside the range, merged where nothing changes.
        for (let i = 0; i < final.length; i++) {
          const s = final[i]!;
          expect(s.start).toBeGreaterThanOrEqual(from);
          expect(s.end).toBeLessThanOrEqual(to);
          expect(s.start).toBeLessThan(s.end);
          const prev = final[i - 1];
          if (prev === undefined) continue;
          expect(s.start).toBeGreaterThanOrEqual(prev.end);
          if (s.start === prev.end) expect([s.userId, s.layer]).not.toEqual([prev.userId, prev.layer]);
        }

        // Who is on call, at every boundary, just before it and at sampled instants.
        const instants = new Set<number>();
        for (const s of final.slice(0, 40))
          for (const t of [s.start, s.start - 1, s.end - 1]) instants.add(t);
        for (const f of samples) instants.add(Math.floor(from + f * (to - from)));
        for (const at of instants) {
          if (at < from || at >= to) continue;
          const expected = oracleOnCall(schedule, overrides, at);
          const found = final.find((s) => s.start <= at && at < s.end);
          const actual = found === undefined ? null : { userId: found.userId, layer: found.layer };
          expect({ at: iso(at), actual }).toEqual({ at: iso(at), actual: expected });
          expect({ at: iso(at), actual: onCallAt(schedule, overrides, iso(at)) }).toEqual({
            at: iso(at),
            actual: expected,
          });
        }

        // Gaps are exactly what the shifts leave uncovered.
        const gaps = coverageGaps(finalSchedule(schedule, overrides, range), range).map((g) => ({
          start: ms(g.start),
          end: ms(g.end),
          userId: '',
          layer: null,
        }));
        const tiles = [...final, ...gaps].sort((a, b) => a.start - b.start);
        if (from < to) {
          expect(tiles[0]!.start).toBe(from);
          expect(tiles[tiles.length - 1]!.end).toBe(to);
          for (let i = 1; i < tiles.length; i++) expect(tiles[i]!.start).toBe(tiles[i - 1]!.end);
        }

        // Hours: the buckets partition each user's time on call.
        const hours = onCallHours(finalSchedule(schedule, overrides, range), {
          timeZone: schedule.timeZone,
          range,
        });
        for (const h of hours) {
          const onCall = final
            .filter((s) => s.userId === h.userId)
            .reduce((sum, s) => sum + s.end - s.start, 0);
          expect(h.totalMs).toBe(onCall);
          expect(h.weekdayMs + h.weekendMs + h.holidayMs).toBe(h.totalMs);
          expect(h.nightMs).toBeLessThanOrEqual(h.totalMs);
        }
      }),
      runs(500),
    );
  });
});

describe('ranges', () => {
  it('rendering a range in two parts gives the same shifts as rendering it whole', () => {
    const splitCase = fc
      .tuple(
        zoneArb,
        fc.array(
          fc.record({
            name: fc.constant('l'),
            users: usersArb(1, 7),
            rotation: rotationArb,
            restrictions: fc.array(restrictionArb, { maxLength: 2 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
      )
      .chain(([zone, layers]) =>
        fc.tuple(
          fc.constant(zone),
          fc.constant(layers),
          rangeArb(zone, 40),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
      );
    fc.assert(
      fc.property(splitCase, ([zone, layers, { from, to }, f]) => {
        const schedule: Schedule = { timeZone: zone, layers };
        const cut = Math.floor(from + f * (to - from));
        const whole = finalSchedule(schedule, [], { start: iso(from), end: iso(to) }).map(toMs);
        const parts = [
          ...finalSchedule(schedule, [], { start: iso(from), end: iso(cut) }).map(toMs),
          ...finalSchedule(schedule, [], { start: iso(cut), end: iso(to) }).map(toMs),
        ];
        // Join the two pieces that the cut split.
        const joined: typeof parts = [];
        for (const p of parts) {
          const last = joined[joined.length - 1];
          if (last && last.end === p.start && last.userId === p.userId && last.layer === p.layer)
            last.end = p.end;
          else joined.push({ ...p });
        }
        expect(joined).toEqual(whole);
      }),
      runs(500),
    );
  });
});

describe('on-call hours against the oracle', () => {
  const hoursCase = zoneArb.chain((zone) =>
    fc.record({
      zone: fc.constant(zone),
      range: rangeArb(zone, 10),
      shiftHours: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 12 }),
      holidayOffsets: fc.array(fc.integer({ min: -1, max: 11 }), { maxLength: 3 }),
      night: fc.option(fc.record({ start: timeArb, end: timeArb }), { nil: undefined }),
    }),
  );

  it('splits time into weekday, weekend, holiday and night by local days', () => {
    fc.assert(
      fc.property(hoursCase, ({ zone, range: { from, to }, shiftHours, holidayOffsets, night }) => {
        // Back-to-back shifts of two users from the start of the range.
        const shifts: Shift[] = [];
        let at = from;
        shiftHours.forEach((h, i) => {
          if (at >= to) return;
          const end = Math.min(to, at + h * HOUR);
          shifts.push({ userId: i % 2 === 0 ? 'a' : 'b', start: iso(at), end: iso(end), layer: 0 });
          at = end;
        });
        const firstDay = oracleWall(from, zone).toPlainDate();
        const holidays = holidayOffsets.map((d) => firstDay.add({ days: d }).toString());
        const actual = onCallHours(shifts, {
          timeZone: zone,
          range: { start: iso(from), end: iso(to) },
          holidays,
          ...(night === undefined ? {} : { night }),
        });

        // The oracle: walk the local days with Temporal.
        const nightStart = Temporal.PlainTime.from(night?.start ?? '22:00');
        const nightEnd = Temporal.PlainTime.from(night?.end ?? '07:00');
        const expected = new Map<
          string,
          { total: number; weekday: number; weekend: number; holiday: number; night: number }
        >();
        const overlap = (a: number, b: number, c: number, d: number) =>
          Math.max(0, Math.min(b, d) - Math.max(a, c));
        const lastDay = oracleWall(to, zone).toPlainDate().add({ days: 1 });
        for (const s of shifts.map(toMs)) {
          const e = expected.get(s.userId) ?? { total: 0, weekday: 0, weekend: 0, holiday: 0, night: 0 };
          expected.set(s.userId, e);
          e.total += s.end - s.start;
          for (
            let day = firstDay.subtract({ days: 1 });
            Temporal.PlainDate.compare(day, lastDay) <= 0;
            day = day.add({ days: 1 })
          ) {
            const dayStart = oracleInstant(day.toPlainDateTime(), zone);
            const dayEnd = oracleInstant(day.add({ days: 1 }).toPlainDateTime(), zone);
            const part = overlap(s.start, s.end, dayStart, dayEnd);
            if (holidays.includes(day.toString())) e.holiday += part;
            else if (day.dayOfWeek >= 6) e.weekend += part;
            else e.weekday += part;
            const nightEndDay =
              Temporal.PlainTime.compare(nightEnd, nightStart) <= 0 ? day.add({ days: 1 }) : day;
            const n0 = oracleInstant(day.toPlainDateTime(nightStart), zone);
            const n1 = oracleInstant(nightEndDay.toPlainDateTime(nightEnd), zone);
            e.night += overlap(s.start, s.end, n0, n1);
          }
        }
        expect(actual).toEqual(
          [...expected.entries()].map(([userId, e]) => ({
            userId,
            totalMs: e.total,
            weekdayMs: e.weekday,
            weekendMs: e.weekend,
            holidayMs: e.holiday,
            nightMs: e.night,
          })),
        );
      }),
      runs(500),
    );
  });
});

describe("the process's own time zone", () => {
  it('changes nothing', () => {
    const schedules = fc.sample(
      fc.tuple(
        zoneArb,
        fc.array(
          fc.record({
            name: fc.constant('l'),
            users: usersArb(1, 7),
            rotation: rotationArb,
            restrictions: fc.array(restrictionArb, { maxLength: 1 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      ),
      { numRuns: 30, seed: 7 },
    );
    totalRuns += 30;
    const render = () =>
      schedules.map(([zone, layers]) => {
        const schedule: Schedule = { timeZone: zone, layers };
        const transitions = oracleTransitions(zone);
        const around = transitions[3] ?? Date.UTC(2026, 5, 1);
        const range = { start: iso(around - 3 * DAY), end: iso(around + 3 * DAY) };
        const final = finalSchedule(schedule, [], range);
        return {
          final,
          hours: onCallHours(final, { timeZone: zone, range }),
          at: onCallAt(schedule, [], iso(around)),
        };
      });
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      clearZoneCache();
      const baseline = render();
      for (const tz of ['Pacific/Chatham', 'America/St_Johns', 'Asia/Kathmandu', 'Australia/Lord_Howe']) {
        process.env.TZ = tz;
        // The change took hold: Date's local methods now see this zone.
        expect(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset()).toBe(
          -oracleOffset(Date.UTC(2026, 0, 1), tz) / MINUTE,
        );
        clearZoneCache();
        expect(render()).toEqual(baseline);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
      clearZoneCache();
    }
  });
});
