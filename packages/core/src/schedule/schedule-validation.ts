import type { FieldError } from '../shared/errors.js';
import { parseLocalDate, parseLocalDateTime, parseLocalTime } from './local-time.js';
import type { Schedule } from './schedule.js';
import { isTimeZone } from './time-zone.js';

const MAX_SHIFT_LENGTH = 1000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Everything wrong with a schedule, as field errors with the API's JSON paths (`/layers/0/rotation/
 * handoff_at`); empty when the calculators can use it. Written defensively: the value may come
 * straight from JSON.
 */
export function validateSchedule(schedule: Schedule): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string) => errors.push({ path, message });
  const s: unknown = schedule;
  if (!isObject(s)) {
    fail('', 'must be an object');
    return errors;
  }
  if (typeof s.timeZone !== 'string' || !isTimeZone(s.timeZone)) {
    fail('/time_zone', 'must be an IANA time zone such as "Europe/Berlin"');
  }
  if (!Array.isArray(s.layers)) {
    fail('/layers', 'must be a list');
    return errors;
  }
  s.layers.forEach((layer: unknown, i: number) => {
    const at = `/layers/${i}`;
    if (!isObject(layer)) {
      fail(at, 'must be an object');
      return;
    }
    if (typeof layer.name !== 'string') fail(`${at}/name`, 'must be a string');
    if (!Array.isArray(layer.users) || !layer.users.every((u) => typeof u === 'string' && u !== '')) {
      fail(`${at}/users`, 'must be a list of user ids');
    }
    const rotation = layer.rotation;
    if (!isObject(rotation)) {
      fail(`${at}/rotation`, 'must be an object');
    } else {
      if (rotation.type !== 'hourly' && rotation.type !== 'daily' && rotation.type !== 'weekly') {
        fail(`${at}/rotation/type`, 'must be hourly, daily or weekly');
      }
      const length = rotation.shiftLength;
      if (!Number.isInteger(length) || (length as number) < 1 || (length as number) > MAX_SHIFT_LENGTH) {
        fail(`${at}/rotation/shift_length`, `must be a whole number from 1 to ${MAX_SHIFT_LENGTH}`);
      }
      if (parseLocalDateTime(rotation.handoffAt) === undefined) {
        fail(
          `${at}/rotation/handoff_at`,
          'must be a local date-time "YYYY-MM-DDTHH:MM" between 1900 and 9999',
        );
      }
    }
    if (layer.restrictions !== undefined) {
      if (!Array.isArray(layer.restrictions)) {
        fail(`${at}/restrictions`, 'must be a list');
      } else {
        layer.restrictions.forEach((r: unknown, j: number) => {
          const rat = `${at}/restrictions/${j}`;
          if (!isObject(r)) {
            fail(rat, 'must be an object');
            return;
          }
          if (r.type !== 'daily' && r.type !== 'weekly') fail(`${rat}/type`, 'must be daily or weekly');
          for (const [key, name] of [
            ['startTime', 'start_time'],
            ['endTime', 'end_time'],
          ] as const) {
            if (parseLocalTime(r[key]) === undefined) fail(`${rat}/${name}`, 'must be a time "HH:MM"');
          }
          for (const [key, name] of [
            ['startDay', 'start_day'],
            ['endDay', 'end_day'],
          ] as const) {
            const day = r[key];
            if (r.type === 'weekly') {
              if (!Number.isInteger(day) || (day as number) < 1 || (day as number) > 7) {
                fail(`${rat}/${name}`, 'must be a day from 1 (Monday) to 7 (Sunday)');
              }
            } else if (r.type === 'daily' && day !== undefined && day !== null) {
              fail(`${rat}/${name}`, 'is only for weekly restrictions');
            }
          }
        });
      }
    }
    const holidays = layer.holidays;
    if (holidays !== undefined) {
      if (!isObject(holidays)) {
        fail(`${at}/holidays`, 'must be an object');
      } else {
        if (holidays.mode !== 'only' && holidays.mode !== 'exclude') {
          fail(`${at}/holidays/mode`, 'must be only or exclude');
        }
        if (!Array.isArray(holidays.dates)) {
          fail(`${at}/holidays/dates`, 'must be a list of dates "YYYY-MM-DD"');
        } else {
          holidays.dates.forEach((d: unknown, j: number) => {
            if (parseLocalDate(d) === undefined)
              fail(`${at}/holidays/dates/${j}`, 'must be a date "YYYY-MM-DD"');
          });
        }
      }
    }
  });
  return errors;
}
