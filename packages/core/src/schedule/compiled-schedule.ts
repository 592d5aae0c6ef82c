import { VigilError } from '../shared/errors.js';
import { parseLocalDate, parseLocalDateTime, parseLocalTime } from './local-time.js';
import type { Schedule } from './schedule.js';
import { validateSchedule } from './schedule-validation.js';
import { DAY_MS, HOUR_MS, WEEK_MS, type ZoneRules, zoneRules } from './time-zone.js';

/**
 * A recurring window of wall-clock time: the j-th is `[baseWall + j × periodWall,
 * baseWall + j × periodWall + lengthWall)`, for every integer j.
 */
export interface RecurringWindow {
  readonly periodWall: number;
  readonly baseWall: number;
  readonly lengthWall: number;
}

export interface CompiledLayer {
  readonly users: readonly string[];
  /** Wall value of hand-off 0; hand-off k is at `anchorWall + k × stepWall`. */
  readonly anchorWall: number;
  readonly stepWall: number;
  /** Empty: no restriction. */
  readonly windows: readonly RecurringWindow[];
  readonly holidayMode: 'only' | 'exclude' | null;
  /** Local days (days since 1970-01-01), sorted, without repeats. */
  readonly holidayDays: readonly number[];
}

export interface CompiledSchedule {
  readonly zone: ZoneRules;
  readonly layers: readonly CompiledLayer[];
}

/** Wall value of Monday 1970-01-05 00:00, the origin of weekly windows. */
const MONDAY_WALL = 4 * DAY_MS;

const UNIT_MS = { hourly: HOUR_MS, daily: DAY_MS, weekly: WEEK_MS } as const;

/** Sorted local day numbers of a list of dates (already validated). */
export function holidayDayNumbers(dates: readonly string[]): number[] {
  const days = [...new Set(dates.map((d) => parseLocalDate(d)!))];
  return days.sort((a, b) => a - b);
}

/** A window from `startMs` to `endMs` within a period; an end at or before the start wraps. */
export function recurringWindow(periodWall: number, startMs: number, endMs: number, originWall = 0) {
  const length = (((endMs - startMs) % periodWall) + periodWall) % periodWall;
  return { periodWall, baseWall: originWall + startMs, lengthWall: length === 0 ? periodWall : length };
}

/** Validates (throwing `VALIDATION_FAILED` with every field error) and parses a schedule. */
export function compileSchedule(schedule: Schedule): CompiledSchedule {
  const errors = validateSchedule(schedule);
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new VigilError('VALIDATION_FAILED', `${first.path}: ${first.message}`, errors);
  }
  const zone = zoneRules(schedule.timeZone)!;
  const layers = schedule.layers.map((layer): CompiledLayer => {
    const windows = (layer.restrictions ?? []).map((r) => {
      const start = parseLocalTime(r.startTime)!;
      const end = parseLocalTime(r.endTime)!;
      if (r.type === 'daily') return recurringWindow(DAY_MS, start, end);
      return recurringWindow(
        WEEK_MS,
        (r.startDay - 1) * DAY_MS + start,
        (r.endDay - 1) * DAY_MS + end,
        MONDAY_WALL,
      );
    });
    return {
      users: layer.users,
      anchorWall: parseLocalDateTime(layer.rotation.handoffAt)!,
      stepWall: layer.rotation.shiftLength * UNIT_MS[layer.rotation.type],
      windows,
      holidayMode: layer.holidays?.mode ?? null,
      holidayDays: layer.holidays === undefined ? [] : holidayDayNumbers(layer.holidays.dates),
    };
  });
  return { zone, layers };
}
