import { invalidField } from '../shared/errors.js';
import { holidayDayNumbers, recurringWindow } from './compiled-schedule.js';
import { recurringSpans } from './layer-pieces.js';
import {
  instantField,
  isoWeekday,
  type LocalDate,
  type LocalTime,
  parseLocalDate,
  parseLocalTime,
} from './local-time.js';
import type { Shift, TimeRange } from './schedule.js';
import type { Span } from './spans.js';
import { rangeField } from './time-range.js';
import { DAY_MS, zoneRules } from './time-zone.js';

export interface OnCallHoursOptions {
  /** The zone whose local days, nights and dates count (usually the schedule's). */
  timeZone: string;
  range: TimeRange;
  /** Local dates counted as holidays. */
  holidays?: readonly LocalDate[];
  /** The night window, every day; default 22:00 to 07:00 (an end at or before the start is the next day). */
  night?: { start: LocalTime; end: LocalTime };
  /** ISO days of the weekend (Monday = 1); default Saturday and Sunday, `[6, 7]`. */
  weekendDays?: readonly number[];
}

/**
 * Time on call per user, in milliseconds. `weekdayMs + weekendMs + holidayMs = totalMs`: each
 * local day is a holiday (listed date), else a weekend day, else a weekday. `nightMs` cuts across
 * them: the part of `totalMs` inside the night window.
 */
export interface UserHours {
  userId: string;
  totalMs: number;
  weekdayMs: number;
  weekendMs: number;
  holidayMs: number;
  nightMs: number;
}

const WEEKDAY = 0;
const WEEKEND = 1;
const HOLIDAY = 2;

/** Where `at` falls: the first span whose end is after it. */
function firstEndingAfter(spans: readonly Span[], at: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.end <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * On-call time per user within `range`, split into the buckets of `UserHours` for pay and load
 * reports. Give it disjoint shifts (the output of `finalSchedule`): overlapping shifts of one
 * user would be counted twice. Users come back sorted by id.
 */
export function onCallHours(shifts: readonly Shift[], options: OnCallHoursOptions): UserHours[] {
  const zone = zoneRules(options.timeZone);
  if (zone === undefined)
    throw invalidField('/time_zone', 'must be an IANA time zone such as "Europe/Berlin"');
  const { from, to } = rangeField(options.range);
  const holidayList = options.holidays ?? [];
  holidayList.forEach((d, i) => {
    if (parseLocalDate(d) === undefined) throw invalidField(`/holidays/${i}`, 'must be a date "YYYY-MM-DD"');
  });
  const holidays = new Set(holidayDayNumbers(holidayList));
  const nightStart = parseLocalTime(options.night?.start ?? '22:00');
  const nightEnd = parseLocalTime(options.night?.end ?? '07:00');
  if (nightStart === undefined) throw invalidField('/night/start', 'must be a time "HH:MM"');
  if (nightEnd === undefined) throw invalidField('/night/end', 'must be a time "HH:MM"');
  const weekend = options.weekendDays ?? [6, 7];
  if (!Array.isArray(weekend) || !weekend.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
    throw invalidField('/weekend_days', 'must be a list of days from 1 (Monday) to 7 (Sunday)');
  }

  // The local days that can overlap the range, each with its bucket.
  const days: (Span & { bucket: number })[] = [];
  const firstDay = Math.floor(zone.toWall(from) / DAY_MS) - 1;
  const lastDay = Math.floor(zone.toWall(to) / DAY_MS) + 1;
  let dayStart = zone.toInstant(firstDay * DAY_MS);
  for (let day = firstDay; day <= lastDay; day++) {
    const dayEnd = zone.toInstant((day + 1) * DAY_MS);
    const bucket = holidays.has(day)
      ? HOLIDAY
      : weekend.includes(isoWeekday(day * DAY_MS))
        ? WEEKEND
        : WEEKDAY;
    if (dayEnd > dayStart) days.push({ start: dayStart, end: dayEnd, bucket });
    dayStart = dayEnd;
  }
  const nights = recurringSpans(zone, [recurringWindow(DAY_MS, nightStart, nightEnd)], from, to);

  const totals = new Map<string, UserHours>();
  shifts.forEach((shift, i) => {
    const start = Math.max(instantField(shift.start, `/shifts/${i}/start`), from);
    const end = Math.min(instantField(shift.end, `/shifts/${i}/end`), to);
    if (start >= end) return;
    let hours = totals.get(shift.userId);
    if (hours === undefined) {
      hours = { userId: shift.userId, totalMs: 0, weekdayMs: 0, weekendMs: 0, holidayMs: 0, nightMs: 0 };
      totals.set(shift.userId, hours);
    }
    hours.totalMs += end - start;
    for (let d = firstEndingAfter(days, start); d < days.length && days[d]!.start < end; d++) {
      const day = days[d]!;
      const ms = Math.min(end, day.end) - Math.max(start, day.start);
      if (day.bucket === HOLIDAY) hours.holidayMs += ms;
      else if (day.bucket === WEEKEND) hours.weekendMs += ms;
      else hours.weekdayMs += ms;
    }
    for (let n = firstEndingAfter(nights, start); n < nights.length && nights[n]!.start < end; n++) {
      const night = nights[n]!;
      hours.nightMs += Math.min(end, night.end) - Math.max(start, night.start);
    }
  });
  return [...totals.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}
