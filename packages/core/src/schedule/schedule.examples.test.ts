/**
 * The worked examples of docs/schedules.md, as written there (change both together), plus input
 * validation. The rules themselves are tested by properties in schedule.properties.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { VigilError } from '../shared/errors.js';
import { coverageGaps } from './coverage-gaps.js';
import { finalSchedule } from './final-schedule.js';
import { layerShifts } from './layer-shifts.js';
import { instantToLocal, localToInstant } from './local-time.js';
import { onCallAt } from './on-call-at.js';
import { onCallHours } from './on-call-hours.js';
import type { Rotation, Schedule } from './schedule.js';
import { validateSchedule } from './schedule-validation.js';

const NY = 'America/New_York';
const H = 3_600_000;

/** One layer's shifts as `user start end`, to compare with the tables in the docs. */
function rotationTable(timeZone: string, rotation: Rotation, users: string[], start: string, end: string) {
  return layerShifts({ timeZone, layers: [{ name: 'l', users, rotation }] }, 0, { start, end }).map(
    (s) => `${s.userId} ${s.start.slice(0, 16)} ${s.end.slice(0, 16)}`,
  );
}

describe('docs/schedules.md: wall-clock rules', () => {
  it('a 09:00 daily hand-off stays at 09:00 local across the spring change', () => {
    expect(
      rotationTable(
        NY,
        { type: 'daily', shiftLength: 1, handoffAt: '2024-03-08T09:00' },
        ['ana', 'ben'],
        '2024-03-09T00:00:00Z',
        '2024-03-12T00:00:00Z',
      ),
    ).toEqual([
      'ana 2024-03-09T00:00 2024-03-09T14:00',
      'ben 2024-03-09T14:00 2024-03-10T13:00', // 23 hours: the night clocks went forward
      'ana 2024-03-10T13:00 2024-03-11T13:00',
      'ben 2024-03-11T13:00 2024-03-12T00:00',
    ]);
  });

  it('a hand-off at a time that does not exist moves forward to the end of the gap', () => {
    expect(localToInstant('2024-03-10T02:30', NY)).toBe('2024-03-10T07:00:00.000Z'); // 03:00 EDT
    expect(
      rotationTable(
        NY,
        { type: 'daily', shiftLength: 1, handoffAt: '2024-03-09T02:30' },
        ['ana', 'ben'],
        '2024-03-09T00:00:00Z',
        '2024-03-12T00:00:00Z',
      ),
    ).toEqual([
      'ben 2024-03-09T00:00 2024-03-09T07:30',
      'ana 2024-03-09T07:30 2024-03-10T07:00',
      'ben 2024-03-10T07:00 2024-03-11T06:30',
      'ana 2024-03-11T06:30 2024-03-12T00:00',
    ]);
  });

  it('an ambiguous hand-off takes the first occurrence', () => {
    expect(localToInstant('2024-11-03T01:30', NY)).toBe('2024-11-03T05:30:00.000Z'); // 01:30 EDT
    expect(instantToLocal('2024-11-03T06:30:00Z', NY)).toBe('2024-11-03T01:30:00'); // the second one
    expect(
      rotationTable(
        NY,
        { type: 'daily', shiftLength: 1, handoffAt: '2024-11-02T01:30' },
        ['ana', 'ben'],
        '2024-11-02T00:00:00Z',
        '2024-11-05T00:00:00Z',
      ),
    ).toEqual([
      'ben 2024-11-02T00:00 2024-11-02T05:30',
      'ana 2024-11-02T05:30 2024-11-03T05:30',
      'ben 2024-11-03T05:30 2024-11-04T06:30', // 25 hours
      'ana 2024-11-04T06:30 2024-11-05T00:00',
    ]);
  });

  it('hourly rotations count wall-clock hours: a long shift in autumn, a skipped turn in spring', () => {
    const hourly = (handoffAt: string): Rotation => ({ type: 'hourly', shiftLength: 1, handoffAt });
    expect(
      rotationTable(
        NY,
        hourly('2024-11-03T00:00'),
        ['ana', 'ben', 'cy'],
        '2024-11-03T04:00:00Z',
        '2024-11-03T09:00:00Z',
      ),
    ).toEqual([
      'ana 2024-11-03T04:00 2024-11-03T05:00',
      'ben 2024-11-03T05:00 2024-11-03T07:00', // 01:00 EDT to 02:00 EST: two hours
      'cy 2024-11-03T07:00 2024-11-03T08:00',
      'ana 2024-11-03T08:00 2024-11-03T09:00',
    ]);
    expect(
      rotationTable(
        NY,
        hourly('2024-03-10T00:00'),
        ['ana', 'ben', 'cy'],
        '2024-03-10T05:00:00Z',
        '2024-03-10T09:00:00Z',
      ),
    ).toEqual([
      'ana 2024-03-10T05:00 2024-03-10T06:00',
      'ben 2024-03-10T06:00 2024-03-10T07:00',
      // cy's 02:00–03:00 does not exist: zero length, skipped; the order goes on with ana.
      'ana 2024-03-10T07:00 2024-03-10T08:00',
      'ben 2024-03-10T08:00 2024-03-10T09:00',
    ]);
  });

  it("Lord Howe's half-hour change", () => {
    expect(localToInstant('2024-10-06T02:00', 'Australia/Lord_Howe')).toBe('2024-10-05T15:30:00.000Z');
    expect(localToInstant('2024-04-07T01:45', 'Australia/Lord_Howe')).toBe('2024-04-06T14:45:00.000Z');
  });
});

describe('docs/schedules.md: layers, restrictions, holidays, overrides', () => {
  const schedule: Schedule = {
    name: 'Payments',
    timeZone: NY,
    layers: [
      {
        name: 'primary',
        users: ['ana', 'ben'],
        rotation: { type: 'weekly', shiftLength: 1, handoffAt: '2024-11-04T09:00' },
      },
      {
        name: 'office hours',
        users: ['cy', 'dee'],
        rotation: { type: 'daily', shiftLength: 1, handoffAt: '2024-11-04T09:00' },
        restrictions: [
          { type: 'weekly', startDay: 1, startTime: '09:00', endDay: 1, endTime: '17:00' },
          { type: 'weekly', startDay: 2, startTime: '09:00', endDay: 2, endTime: '17:00' },
        ],
        holidays: { mode: 'exclude', dates: ['2024-11-05'] },
      },
    ],
  };
  const overrides = [
    { userId: 'eve', start: '2024-11-04T15:00:00Z', end: '2024-11-04T18:00:00Z' },
    { userId: 'fay', start: '2024-11-04T17:00:00Z', end: '2024-11-04T19:00:00Z' },
  ];
  const range = { start: '2024-11-04T00:00:00Z', end: '2024-11-06T00:00:00Z' };

  it('renders the final schedule', () => {
    expect(finalSchedule(schedule, overrides, range)).toEqual([
      { userId: 'ben', start: '2024-11-04T00:00:00.000Z', end: '2024-11-04T14:00:00.000Z', layer: 0 },
      { userId: 'cy', start: '2024-11-04T14:00:00.000Z', end: '2024-11-04T15:00:00.000Z', layer: 1 },
      { userId: 'eve', start: '2024-11-04T15:00:00.000Z', end: '2024-11-04T17:00:00.000Z', layer: null },
      { userId: 'fay', start: '2024-11-04T17:00:00.000Z', end: '2024-11-04T19:00:00.000Z', layer: null },
      { userId: 'cy', start: '2024-11-04T19:00:00.000Z', end: '2024-11-04T22:00:00.000Z', layer: 1 },
      { userId: 'ana', start: '2024-11-04T22:00:00.000Z', end: '2024-11-06T00:00:00.000Z', layer: 0 },
    ]);
    expect(onCallAt(schedule, overrides, '2024-11-04T17:30:00Z')).toEqual({ userId: 'fay', layer: null });
    expect(onCallAt(schedule, [], '2024-11-05T15:00:00Z')).toEqual({ userId: 'ana', layer: 0 }); // holiday
  });

  it('finds the gaps of a restricted layer', () => {
    const office: Schedule = {
      timeZone: NY,
      layers: [
        {
          name: 'office',
          users: ['cy'],
          rotation: { type: 'weekly', shiftLength: 1, handoffAt: '2024-11-04T09:00' },
          restrictions: [{ type: 'daily', startTime: '09:00', endTime: '17:00' }],
        },
      ],
    };
    const day = { start: '2024-11-04T00:00:00Z', end: '2024-11-05T00:00:00Z' };
    expect(coverageGaps(finalSchedule(office, [], day), day)).toEqual([
      { start: '2024-11-04T00:00:00.000Z', end: '2024-11-04T14:00:00.000Z' },
      { start: '2024-11-04T22:00:00.000Z', end: '2024-11-05T00:00:00.000Z' },
    ]);
    expect(onCallAt(office, [], '2024-11-04T23:00:00Z')).toBeNull();
  });

  it('a restriction that crosses midnight, and one of equal ends (all day)', () => {
    const night: Schedule = {
      timeZone: 'Europe/Berlin',
      layers: [
        {
          name: 'nights',
          users: ['ana'],
          rotation: { type: 'daily', shiftLength: 1, handoffAt: '2024-01-01T00:00' },
          restrictions: [{ type: 'daily', startTime: '22:00', endTime: '06:00' }],
        },
      ],
    };
    const r = { start: '2024-03-30T00:00:00Z', end: '2024-04-01T00:00:00Z' };
    expect(finalSchedule(night, [], r).map((s) => [s.start, s.end])).toEqual([
      ['2024-03-30T00:00:00.000Z', '2024-03-30T05:00:00.000Z'],
      ['2024-03-30T21:00:00.000Z', '2024-03-31T04:00:00.000Z'], // 22:00 CET to 06:00 CEST: 7 hours
      ['2024-03-31T20:00:00.000Z', '2024-04-01T00:00:00.000Z'],
    ]);
    const allDay = {
      ...night.layers[0]!,
      restrictions: [{ type: 'daily' as const, startTime: '09:00', endTime: '09:00' }],
    };
    expect(finalSchedule({ ...night, layers: [allDay] }, [], r)).toHaveLength(1);
  });
});

describe('docs/schedules.md: hours', () => {
  it('splits a DST weekend into weekday, weekend and night hours', () => {
    const [ana] = onCallHours(
      [{ userId: 'ana', start: '2024-11-01T22:00:00Z', end: '2024-11-04T14:00:00Z', layer: 0 }],
      { timeZone: NY, range: { start: '2024-11-01T00:00:00Z', end: '2024-11-05T00:00:00Z' } },
    );
    expect(ana).toEqual({
      userId: 'ana',
      totalMs: 64 * H,
      weekdayMs: 15 * H, // Friday 18:00–24:00 and Monday 00:00–09:00
      weekendMs: 49 * H, // Saturday 24 h and Sunday 25 h
      holidayMs: 0,
      nightMs: 28 * H, // 9 + 10 (the long night) + 9
    });
  });

  it('counts a listed date as holiday, not weekend', () => {
    const [ana] = onCallHours(
      [{ userId: 'ana', start: '2024-12-24T05:00:00Z', end: '2024-12-26T05:00:00Z', layer: 0 }],
      {
        timeZone: NY,
        range: { start: '2024-12-01T00:00:00Z', end: '2025-01-01T00:00:00Z' },
        holidays: ['2024-12-25'],
      },
    );
    expect(ana).toMatchObject({ weekdayMs: 24 * H, holidayMs: 24 * H, weekendMs: 0 });
  });
});

describe('validation', () => {
  const good: Schedule = {
    timeZone: 'Europe/London',
    layers: [
      { name: 'l', users: ['a'], rotation: { type: 'daily', shiftLength: 1, handoffAt: '2024-01-01T09:00' } },
    ],
  };

  it('accepts a good schedule', () => {
    expect(validateSchedule(good)).toEqual([]);
  });

  it('names every bad field with its API path', () => {
    const bad = {
      timeZone: 'Mars/Olympus',
      layers: [
        {
          name: 'l',
          users: ['a', ''],
          rotation: { type: 'monthly', shiftLength: 0, handoffAt: '2024-02-30T09:00' },
          restrictions: [{ type: 'weekly', startDay: 8, startTime: '24:00', endDay: 1, endTime: '9:00' }],
          holidays: { mode: 'sometimes', dates: ['2024-13-01'] },
        },
      ],
    } as unknown as Schedule;
    expect(validateSchedule(bad).map((e) => e.path)).toEqual([
      '/time_zone',
      '/layers/0/users',
      '/layers/0/rotation/type',
      '/layers/0/rotation/shift_length',
      '/layers/0/rotation/handoff_at',
      '/layers/0/restrictions/0/start_time',
      '/layers/0/restrictions/0/end_time',
      '/layers/0/restrictions/0/start_day',
      '/layers/0/holidays/mode',
      '/layers/0/holidays/dates/0',
    ]);
    expect(validateSchedule(null as unknown as Schedule)).toEqual([
      { path: '', message: 'must be an object' },
    ]);
  });

  it('the calculators refuse bad input with VALIDATION_FAILED, never a crash', () => {
    const range = { start: '2024-01-01T00:00:00Z', end: '2024-01-02T00:00:00Z' };
    const refuses = (fn: () => unknown, path: string) => {
      try {
        fn();
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(VigilError);
        expect((error as VigilError).code).toBe('VALIDATION_FAILED');
        expect((error as VigilError).errors?.[0]?.path).toBe(path);
      }
    };
    refuses(() => finalSchedule({ ...good, timeZone: 'Nowhere' }, [], range), '/time_zone');
    refuses(() => finalSchedule(good, [], { start: '2024-01-01T00:00:00', end: range.end }), '/range/start');
    refuses(() => finalSchedule(good, [], { start: range.end, end: range.start }), '/range/end');
    refuses(
      () => finalSchedule(good, [], { start: '2020-01-01T00:00:00Z', end: '2024-01-01T00:00:00Z' }),
      '/range/end',
    );
    refuses(
      () => onCallAt(good, [{ userId: 'x', start: 'soon', end: range.end }], range.start),
      '/overrides/0/start',
    );
    refuses(() => onCallAt(good, [], '1899-12-31T00:00:00Z'), '/at');
    refuses(() => layerShifts(good, 1, range), '/layer');
    refuses(
      () => onCallHours([], { timeZone: 'UTC', range, night: { start: '25:00', end: '06:00' } }),
      '/night/start',
    );
    refuses(() => localToInstant('2024-01-01 09:00', 'UTC'), '/local');
  });

  it('an empty range or schedule gives nothing, and everything is a gap', () => {
    const at = '2024-01-01T00:00:00Z';
    expect(finalSchedule(good, [], { start: at, end: at })).toEqual([]);
    const empty: Schedule = { timeZone: 'UTC', layers: [] };
    const range = { start: at, end: '2024-01-02T00:00:00Z' };
    expect(finalSchedule(empty, [], range)).toEqual([]);
    expect(coverageGaps([], range)).toEqual([
      { start: '2024-01-01T00:00:00.000Z', end: '2024-01-02T00:00:00.000Z' },
    ]);
    expect(onCallAt(empty, [], at)).toBeNull();
  });
});
