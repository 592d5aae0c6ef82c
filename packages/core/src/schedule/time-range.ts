import { invalidField } from '../shared/errors.js';
import { instantField } from './local-time.js';
import { MAX_RANGE_DAYS, type ScheduleOverride, type TimeRange } from './schedule.js';
import type { Piece } from './spans.js';
import { DAY_MS } from './time-zone.js';

/** Parses a range the calculators accept: start before end (or equal: empty), at most MAX_RANGE_DAYS long. */
export function rangeField(range: TimeRange, path = '/range'): { from: number; to: number } {
  if (typeof range !== 'object' || range === null) throw invalidField(path, 'must be {start, end}');
  const from = instantField(range.start, `${path}/start`);
  const to = instantField(range.end, `${path}/end`);
  if (to < from) throw invalidField(`${path}/end`, 'must not be before start');
  if (to - from > MAX_RANGE_DAYS * DAY_MS) {
    throw invalidField(`${path}/end`, `the range may span at most ${MAX_RANGE_DAYS} days`);
  }
  return { from, to };
}

/** Parses overrides; one that ends at or before its start covers nothing and is dropped. */
export function overridePieces(overrides: readonly ScheduleOverride[]): Piece[] {
  if (!Array.isArray(overrides)) throw invalidField('/overrides', 'must be a list');
  const out: Piece[] = [];
  overrides.forEach((o, i) => {
    if (typeof o !== 'object' || o === null || typeof o.userId !== 'string' || o.userId === '') {
      throw invalidField(`/overrides/${i}/user_id`, 'must be a user id');
    }
    const start = instantField(o.start, `/overrides/${i}/start`);
    const end = instantField(o.end, `/overrides/${i}/end`);
    out.push({ start, end, user: o.userId });
  });
  return out;
}
