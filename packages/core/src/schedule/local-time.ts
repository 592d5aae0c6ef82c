import type { Instant } from '../shared/clock.js';
import { invalidField } from '../shared/errors.js';
import { DAY_MS, EARLIEST_MS, HOUR_MS, LATEST_MS, MINUTE_MS, zoneRules } from './time-zone.js';

/** A local date-time without zone, to the minute: `"2026-03-08T09:00"` (seconds optional). */
export type LocalDateTime = string;
/** A local date: `"2026-12-25"`. */
export type LocalDate = string;
/** A local time of day: `"09:00"`. */
export type LocalTime = string;

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** An RFC 3339 instant with an explicit offset; `Date.parse` alone would read "no offset" as local time. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** A wall value (see time-zone.ts) for a valid date in range, or `undefined`. */
function wallOf(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day > (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (wall < EARLIEST_MS || wall > LATEST_MS) return undefined;
  return wall;
}

/**
 * Parsed local date-times and times, kept because schedules repeat the same few strings and the
 * on-call lookup for a thousand schedules would otherwise be mostly parsing. Bounded: cleared when
 * full. The two kinds cannot collide: a time has 5 characters, a date-time at least 16.
 */
const parsed = new Map<string, number>();
const MAX_PARSED = 20_000;

function remember(value: string, result: number | undefined): number | undefined {
  if (result === undefined) return undefined;
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(value, result);
  return result;
}

export function parseLocalDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const known = parsed.get(value);
  if (known !== undefined) return known;
  const m = LOCAL_DATE_TIME.exec(value);
  if (m === null) return undefined;
  return remember(value, wallOf(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6] === undefined ? 0 : +m[6]));
}

/** A local date as a day number (days since 1970-01-01), or `undefined`. */
export function parseLocalDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = LOCAL_DATE.exec(value);
  if (m === null) return undefined;
  const wall = wallOf(+m[1]!, +m[2]!, +m[3]!);
  return wall === undefined ? undefined : wall / DAY_MS;
}

/** A time of day as milliseconds after midnight, or `undefined`. */
export function parseLocalTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const known = parsed.get(value);
  if (known !== undefined) return known;
  const m = LOCAL_TIME.exec(value);
  if (m === null) return undefined;
  return remember(value, +m[1]! * HOUR_MS + +m[2]! * MINUTE_MS);
}

export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== 'string' || !INSTANT.test(value)) return undefined;
  const at = Date.parse(value);
  if (!Number.isFinite(at) || at < EARLIEST_MS || at > LATEST_MS) return undefined;
  return at;
}

/** Parses an instant or throws `VALIDATION_FAILED` naming `path`. */
export function instantField(value: unknown, path: string): number {
  const at = parseInstant(value);
  if (at === undefined) {
    throw invalidField(path, 'must be an RFC 3339 instant with an offset, between 1900 and 9999');
  }
  return at;
}

export function formatInstant(at: number): Instant {
  return new Date(at).toISOString();
}

/** ISO day of week of a wall value: 1 = Monday … 7 = Sunday. */
export function isoWeekday(wall: number): number {
  // 1970-01-01 was a Thursday (4).
  return ((((Math.floor(wall / DAY_MS) + 3) % 7) + 7) % 7) + 1;
}

function zoneField(timeZone: string, path: string) {
  const zone = zoneRules(timeZone);
  if (zone === undefined)
    throw invalidField(path, `${JSON.stringify(timeZone)} is not a known IANA time zone`);
  return zone;
}

/**
 * The instant of a local date-time in `timeZone`, by the wall-clock rules of docs/schedules.md
 * (ambiguous: the first occurrence; skipped: the first instant after the gap).
 */
export function localToInstant(local: LocalDateTime, timeZone: string): Instant {
  const zone = zoneField(timeZone, '/time_zone');
  const wall = parseLocalDateTime(local);
  if (wall === undefined) throw invalidField('/local', 'must be a local date-time "YYYY-MM-DDTHH:MM"');
  return formatInstant(zone.toInstant(wall));
}

/** What clocks in `timeZone` show at `at`, to the second: `"2026-03-08T03:00:00"`. */
export function instantToLocal(at: Instant, timeZone: string): string {
  const zone = zoneField(timeZone, '/time_zone');
  const wall = zone.toWall(instantField(at, '/at'));
  return new Date(wall - (((wall % 1000) + 1000) % 1000)).toISOString().slice(0, 19);
}
