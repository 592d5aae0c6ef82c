import type { FieldError } from '../shared/errors.js';
import { instantToLocal, parseInstant } from './local-time.js';
import type { Restriction, ScheduleLayer } from './schedule.js';
import type { ScheduleDefinition } from './schedule-record.js';
import { isTimeZone } from './time-zone.js';

/** A user as a PagerDuty schedule JSON names it: `{user: {id, summary, email}}`, `{id}` or `"PXXXX"`. */
export interface PagerDutyUserRef {
  id: string;
  summary?: string;
  email?: string;
}

export interface PagerDutyImportOptions {
  /** Whether `schedule_layers` lists the lowest layer first (as created) or the top one first. */
  layerOrder: 'bottom_first' | 'top_first';
  /** Layers that ended before this instant are left out. */
  now: number;
  /** The Vigil user id for a PagerDuty user, or undefined when none matches. */
  resolveUser(ref: PagerDutyUserRef): string | undefined;
}

export interface PagerDutyImport {
  definition: ScheduleDefinition;
  /** What did not carry over exactly, in words for the person importing. */
  warnings: string[];
  errors: FieldError[];
}

const WEEK_S = 604_800;
const DAY_S = 86_400;
const HOUR_S = 3_600;
const MINUTES_PER_WEEK = 7 * 1440;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** `"09:30:00"` → minutes after midnight; seconds must be zero. */
function timeOfDay(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m || +m[1]! > 23 || +m[2]! > 59 || (m[3] !== undefined && +m[3] !== 0)) return undefined;
  return +m[1]! * 60 + +m[2]!;
}

function userRef(value: unknown): PagerDutyUserRef | undefined {
  if (typeof value === 'string' && value !== '') return { id: value };
  if (!isObject(value)) return undefined;
  const inner = isObject(value.user) ? value.user : value;
  if (typeof inner.id !== 'string' || inner.id === '') return undefined;
  return {
    id: inner.id,
    ...(typeof inner.summary === 'string' ? { summary: inner.summary } : {}),
    ...(typeof inner.email === 'string' ? { email: inner.email } : {}),
  };
}

/**
 * PagerDuty rotations count elapsed seconds from `rotation_virtual_start`; Vigil's count wall-clock
 * hours, days or weeks from a local hand-off time (so they keep their hour across DST). A turn
 * length of whole weeks, days or hours converts; anything else is refused.
 */
function rotationOf(layer: Record<string, unknown>, timeZone: string, at: string, errors: FieldError[]) {
  const length = layer.rotation_turn_length_seconds;
  const start = parseInstant(layer.rotation_virtual_start);
  if (start === undefined) {
    errors.push({
      path: `${at}/rotation_virtual_start`,
      message: 'must be an RFC 3339 instant with an offset',
    });
    return undefined;
  }
  if (typeof length !== 'number' || !Number.isInteger(length) || length <= 0) {
    errors.push({ path: `${at}/rotation_turn_length_seconds`, message: 'must be a positive whole number' });
    return undefined;
  }
  const [type, unit] =
    length % WEEK_S === 0
      ? (['weekly', WEEK_S] as const)
      : length % DAY_S === 0
        ? (['daily', DAY_S] as const)
        : length % HOUR_S === 0
          ? (['hourly', HOUR_S] as const)
          : [undefined, 0];
  if (type === undefined) {
    errors.push({
      path: `${at}/rotation_turn_length_seconds`,
      message: `${length} s is not a whole number of hours, days or weeks; Vigil rotations follow the wall clock in those units`,
    });
    return undefined;
  }
  const handoffAt = instantToLocal(new Date(start).toISOString(), timeZone).slice(0, 16);
  return { type, shiftLength: length / unit, handoffAt };
}

/** PagerDuty restrictions (a start and a duration) as Vigil windows (a start and an end). */
function restrictionsOf(value: unknown, at: string, errors: FieldError[]): Restriction[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    errors.push({ path: `${at}/restrictions`, message: 'must be a list' });
    return undefined;
  }
  const out: Restriction[] = [];
  for (const [j, r] of value.entries()) {
    const path = `${at}/restrictions/${j}`;
    const start = isObject(r) ? timeOfDay(r.start_time_of_day) : undefined;
    const duration = isObject(r) ? r.duration_seconds : undefined;
    if (!isObject(r) || start === undefined) {
      errors.push({ path: `${path}/start_time_of_day`, message: 'must be "HH:MM:SS" with zero seconds' });
      continue;
    }
    if (typeof duration !== 'number' || !Number.isInteger(duration) || duration <= 0 || duration % 60 !== 0) {
      errors.push({
        path: `${path}/duration_seconds`,
        message: 'must be a positive whole number of minutes',
      });
      continue;
    }
    const minutes = duration / 60;
    if (r.type === 'daily_restriction') {
      // A whole day or more covers every instant: the layer is not restricted at all.
      if (minutes >= 1440) return undefined;
      out.push({ type: 'daily', startTime: hhmm(start), endTime: hhmm((start + minutes) % 1440) });
    } else if (r.type === 'weekly_restriction') {
      const day = r.start_day_of_week;
      if (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 7) {
        errors.push({ path: `${path}/start_day_of_week`, message: 'must be 1 (Monday) to 7 (Sunday)' });
        continue;
      }
      if (minutes >= MINUTES_PER_WEEK) return undefined;
      const end = ((day - 1) * 1440 + start + minutes) % MINUTES_PER_WEEK;
      out.push({
        type: 'weekly',
        startDay: day,
        startTime: hhmm(start),
        endDay: Math.floor(end / 1440) + 1,
        endTime: hhmm(end % 1440),
      });
    } else {
      errors.push({ path: `${path}/type`, message: 'must be daily_restriction or weekly_restriction' });
    }
  }
  return out.length > 0 ? out : undefined;
}

/** Every user a PagerDuty schedule JSON names, so the caller can look them up before converting. */
export function pagerDutyUsers(input: unknown): PagerDutyUserRef[] {
  const pd = isObject(input) && isObject(input.schedule) ? input.schedule : input;
  if (!isObject(pd) || !Array.isArray(pd.schedule_layers)) return [];
  return pd.schedule_layers.flatMap((layer: unknown) =>
    isObject(layer) && Array.isArray(layer.users)
      ? layer.users.map(userRef).filter((ref): ref is PagerDutyUserRef => ref !== undefined)
      : [],
  );
}

/**
 * Converts a PagerDuty schedule (the body of `GET /schedules/{id}` or the object inside it) to a
 * Vigil definition. Pure: users are matched by the caller's `resolveUser`.
 */
export function importPagerDutySchedule(input: unknown, options: PagerDutyImportOptions): PagerDutyImport {
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  const wrapped = isObject(input) && isObject(input.schedule);
  const pd = wrapped ? (input.schedule as Record<string, unknown>) : input;
  const root = wrapped ? '/schedule' : '';
  const empty: ScheduleDefinition = { name: '', description: '', teamId: null, timeZone: 'UTC', layers: [] };
  if (!isObject(pd))
    return { definition: empty, warnings, errors: [{ path: root, message: 'must be an object' }] };

  const timeZone = typeof pd.time_zone === 'string' ? pd.time_zone : '';
  if (!isTimeZone(timeZone)) {
    errors.push({ path: `${root}/time_zone`, message: 'must be an IANA time zone such as "Europe/Berlin"' });
    return { definition: empty, warnings, errors };
  }
  const name = typeof pd.name === 'string' && pd.name.trim() !== '' ? pd.name.trim() : 'Imported schedule';
  const description = typeof pd.description === 'string' ? pd.description : '';
  if (!Array.isArray(pd.schedule_layers) || pd.schedule_layers.length === 0) {
    errors.push({ path: `${root}/schedule_layers`, message: 'must be a non-empty list' });
    return { definition: { ...empty, name, timeZone }, warnings, errors };
  }

  const layers: ScheduleLayer[] = [];
  const unmatched = new Map<string, string>();
  for (const [i, layer] of pd.schedule_layers.entries()) {
    const at = `${root}/schedule_layers/${i}`;
    if (!isObject(layer)) {
      errors.push({ path: at, message: 'must be an object' });
      continue;
    }
    const layerName = typeof layer.name === 'string' && layer.name !== '' ? layer.name : `Layer ${i + 1}`;
    const end = parseInstant(layer.end);
    if (end !== undefined && end <= options.now) {
      warnings.push(`Layer "${layerName}" ended at ${layer.end}; it was left out.`);
      continue;
    }
    if (end !== undefined) {
      warnings.push(
        `Layer "${layerName}" ends at ${layer.end} in PagerDuty; Vigil layers do not end, so it was imported without an end.`,
      );
    }
    const start = parseInstant(layer.start);
    if (start !== undefined && start > options.now) {
      warnings.push(
        `Layer "${layerName}" starts at ${layer.start} in PagerDuty; Vigil layers have no start, so it applies at once.`,
      );
    }
    const rotation = rotationOf(layer, timeZone, at, errors);
    const restrictions = restrictionsOf(layer.restrictions, at, errors);
    const users: string[] = [];
    if (!Array.isArray(layer.users)) {
      errors.push({ path: `${at}/users`, message: 'must be a list' });
    } else {
      for (const [j, entry] of layer.users.entries()) {
        const ref = userRef(entry);
        if (!ref) {
          errors.push({ path: `${at}/users/${j}`, message: 'must be a user reference {user: {id}}' });
          continue;
        }
        const id = options.resolveUser(ref);
        if (id === undefined) unmatched.set(ref.id, `${at}/users/${j}`);
        else users.push(id);
      }
    }
    if (rotation)
      layers.push({ name: layerName, users, rotation, ...(restrictions ? { restrictions } : {}) });
  }
  for (const [id, path] of unmatched) {
    errors.push({
      path,
      message: `PagerDuty user ${id} matches no Vigil user; map it in user_map or create a user with the same e-mail`,
    });
  }
  if (options.layerOrder === 'top_first') layers.reverse();
  return { definition: { name, description, teamId: null, timeZone, layers }, warnings, errors };
}
