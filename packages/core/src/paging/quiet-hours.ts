import type { QuietHours } from '../directory/directory.js';
import { instantToLocal, localToInstant } from '../schedule/local-time.js';

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When a person's quiet hours end, if `at` falls inside them (null otherwise). Hours are local to
 * the person's zone; an end at or before the start crosses midnight (`22:00`–`07:00`). The end is
 * read by the schedules' wall-clock rules, so a DST change cannot lose or repeat it.
 */
export function quietUntil(quiet: QuietHours | null, timeZone: string, at: string): string | null {
  if (!quiet) return null;
  const local = instantToLocal(at, timeZone); // "2026-03-08T23:15:00"
  const now = minutes(local.slice(11, 16));
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  if (start === end) return null;
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  // The end is today, or tomorrow when the window crosses midnight and we are before it.
  const day = new Date(`${local.slice(0, 10)}T00:00:00Z`);
  if (start > end && now >= start) day.setUTCDate(day.getUTCDate() + 1);
  return localToInstant(`${day.toISOString().slice(0, 10)}T${quiet.end}`, timeZone);
}
