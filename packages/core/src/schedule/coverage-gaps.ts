import { formatInstant, instantField } from './local-time.js';
import type { Shift, TimeRange } from './schedule.js';
import type { Span } from './spans.js';
import { rangeField } from './time-range.js';

/**
 * The parts of `range` that no shift covers, in order: where nobody would be paged. Takes the
 * output of `finalSchedule` (or any shifts, overlapping or not).
 */
export function coverageGaps(shifts: readonly Shift[], range: TimeRange): TimeRange[] {
  const { from, to } = rangeField(range);
  const spans: Span[] = shifts.map((s, i) => ({
    start: instantField(s.start, `/shifts/${i}/start`),
    end: instantField(s.end, `/shifts/${i}/end`),
  }));
  spans.sort((a, b) => a.start - b.start);
  const gaps: TimeRange[] = [];
  let cursor = from;
  for (const s of spans) {
    if (s.end <= cursor || s.start >= s.end) continue;
    if (s.start >= to) break;
    if (s.start > cursor) gaps.push({ start: formatInstant(cursor), end: formatInstant(s.start) });
    cursor = s.end;
    if (cursor >= to) break;
  }
  if (cursor < to) gaps.push({ start: formatInstant(cursor), end: formatInstant(to) });
  return gaps;
}
