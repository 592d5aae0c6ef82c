import type { Instant } from '../shared/clock.js';
import type { LocalDate, LocalDateTime, LocalTime } from './local-time.js';

/**
 * An on-call schedule (docs/schedules.md has the rules and examples). The API's `snake_case`
 * fields (`time_zone`, `shift_length`, `handoff_at`, `start_day`, …) are these in camelCase.
 */
export interface Schedule {
  name?: string;
  /** IANA zone in which hand-offs, restrictions and holidays are read. */
  timeZone: string;
  /** Lowest first: a later layer wins wherever it has someone. */
  layers: readonly ScheduleLayer[];
}

export interface ScheduleLayer {
  name: string;
  /** User ids in rotation order; a user may appear more than once. Empty: the layer has nobody. */
  users: readonly string[];
  rotation: Rotation;
  /** Windows of local time the layer covers (their union); none: all the time. */
  restrictions?: readonly Restriction[];
  /** A holiday calendar used as a restriction (`only`) or an exclusion (`exclude`). */
  holidays?: HolidayCalendar;
}

export type RotationType = 'hourly' | 'daily' | 'weekly';

export interface Rotation {
  type: RotationType;
  /** Whole hours, days or weeks per shift, 1–1000. */
  shiftLength: number;
  /**
   * A local date-time at which `users[0]` takes over; the rotation runs from there both ways,
   * with a hand-off every `shiftLength` wall-clock hours, days or weeks.
   */
  handoffAt: LocalDateTime;
}

export type Restriction = DailyRestriction | WeeklyRestriction;

/** Every day from `startTime` to `endTime`; an end at or before the start crosses midnight. */
export interface DailyRestriction {
  type: 'daily';
  startTime: LocalTime;
  endTime: LocalTime;
}

/** From `startDay startTime` to `endDay endTime` each week (days 1–7, Monday = 1). */
export interface WeeklyRestriction {
  type: 'weekly';
  startDay: number;
  startTime: LocalTime;
  endDay: number;
  endTime: LocalTime;
}

export interface HolidayCalendar {
  /** `only`: the layer covers just these dates; `exclude`: the layer covers all but these dates. */
  mode: 'only' | 'exclude';
  /** Local dates in the schedule's zone, each a whole local day. */
  dates: readonly LocalDate[];
}

/** Someone who takes the schedule over for a while; wins over every layer. */
export interface ScheduleOverride {
  userId: string;
  start: Instant;
  end: Instant;
}

/** A half-open range of instants, `[start, end)`. */
export interface TimeRange {
  start: Instant;
  end: Instant;
}

/** A stretch of a rendered schedule: who is on call and from which layer (`null`: an override). */
export interface Shift {
  userId: string;
  start: Instant;
  end: Instant;
  /** Index in `schedule.layers`, or `null` when an override put the user there. */
  layer: number | null;
}

export interface OnCall {
  userId: string;
  /** Index in `schedule.layers`, or `null` for an override. */
  layer: number | null;
}

/** Ranges longer than this are refused (`VALIDATION_FAILED`): two years and a day or two. */
export const MAX_RANGE_DAYS = 732;
