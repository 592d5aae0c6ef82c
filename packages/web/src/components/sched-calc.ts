import type { ScheduleLayer } from '@vigil/sdk/contract';
import { finalSchedule } from '../../../core/src/schedule/final-schedule.js';
import { layerShifts } from '../../../core/src/schedule/layer-shifts.js';
import { instantToLocal, localToInstant } from '../../../core/src/schedule/local-time.js';
import type * as core from '../../../core/src/schedule/schedule.js';
import { validateSchedule } from '../../../core/src/schedule/schedule-validation.js';
import { layerFromApi } from '../../../server/src/http/schedule-present.js';

/**
 * Time for the schedule screens. The wall-clock rules (docs/schedules.md) come from core's pure
 * calculators, the very code the server runs, so a local time typed here becomes the same instant
 * the server would make of it, and a layer drawn here is the layer the server computes. Only
 * `Intl` is used underneath: nothing depends on the browser's own zone.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export { instantToLocal, localToInstant };

/**
 * The API's snake_case schedule as core's calculators take it: the server's own conversion (pure,
 * type-only imports), so a draft is validated and drawn exactly as the server will see it.
 */
export function toCore(schedule: { time_zone: string; layers: ScheduleLayer[] }): core.Schedule {
  return { timeZone: schedule.time_zone, layers: schedule.layers.map(layerFromApi) };
}

/** Field errors of a draft, with the API's paths (`/layers/0/rotation/handoff_at`). */
export function scheduleProblems(schedule: { time_zone: string; layers: ScheduleLayer[] }) {
  return validateSchedule(toCore(schedule));
}

/** A span of instants in epoch milliseconds. */
export interface Span {
  start: number;
  end: number;
}

export interface LayerPiece extends Span {
  userId: string;
}

/** One layer on its own (its rotation cut by its restrictions and holidays) over a range. */
export function layerPieces(
  schedule: { time_zone: string; layers: ScheduleLayer[] },
  layerIndex: number,
  range: Span,
): LayerPiece[] {
  try {
    return layerShifts(toCore(schedule), layerIndex, iso(range)).map((s) => ({
      userId: s.userId,
      start: Date.parse(s.start),
      end: Date.parse(s.end),
    }));
  } catch {
    return [];
  }
}

/** The final schedule of a draft without overrides (the editor's live picture), or null if invalid. */
export function draftFinal(
  schedule: { time_zone: string; layers: ScheduleLayer[] },
  range: Span,
): (LayerPiece & { layer: number | null })[] | null {
  try {
    return finalSchedule(toCore(schedule), [], iso(range)).map((s) => ({
      userId: s.userId,
      layer: s.layer,
      start: Date.parse(s.start),
      end: Date.parse(s.end),
    }));
  } catch {
    return null;
  }
}

const iso = (range: Span) => ({
  start: new Date(range.start).toISOString(),
  end: new Date(range.end).toISOString(),
});

/** The parts of `range` that no span covers (spans need not be sorted). */
export function holesIn(spans: Span[], range: Span): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const holes: Span[] = [];
  let at = range.start;
  for (const s of sorted) {
    if (s.end <= at) continue;
    if (s.start >= range.end) break;
    if (s.start > at) holes.push({ start: at, end: s.start });
    at = Math.max(at, s.end);
  }
  if (at < range.end) holes.push({ start: at, end: range.end });
  return holes;
}

// ── local dates and date-times ("YYYY-MM-DD", "YYYY-MM-DDTHH:MM") ─────────────────────────────────

/** The instant of a local date-time in `zone` by the wall-clock rules; NaN when it is not one. */
export function instantOf(local: string, zone: string): number {
  try {
    return Date.parse(localToInstant(local, zone));
  } catch {
    return Number.NaN;
  }
}

/** What the clocks in `zone` show at `at`, to the minute: "2026-03-08T03:00". */
export function localOf(at: number, zone: string): string {
  try {
    return instantToLocal(new Date(at).toISOString(), zone).slice(0, 16);
  } catch {
    return new Date(at).toISOString().slice(0, 16);
  }
}

/** Why a typed local time is not taken as written: it falls in a gap when the clocks jump forward. */
export function skippedNote(local: string, zone: string): string | null {
  const at = instantOf(local, zone);
  if (Number.isNaN(at)) return null;
  const shown = localOf(at, zone);
  return shown === local.slice(0, 16)
    ? null
    : `${local.slice(11, 16)} does not exist that day in ${zone} (the clocks jump forward); it means ${shown.slice(11, 16)}.`;
}

const parts = (date: string) => date.split('-').map(Number) as [number, number, number];
const dateOf = (utc: number) => new Date(utc).toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  return dateOf(Date.UTC(y, m - 1, d + days));
}

export function addMonths(date: string, months: number): string {
  const [y, m] = parts(date);
  return dateOf(Date.UTC(y, m - 1 + months, 1));
}

/** ISO day of the week of a local date: 1 = Monday … 7 = Sunday. */
export function weekday(date: string): number {
  const [y, m, d] = parts(date);
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}

/** A local date-time moved to the nearest multiple of `minutes` (wall clock, so half-hour zones stay tidy). */
export function roundLocal(local: string, minutes: number): string {
  const [date, time = '00:00'] = local.split('T') as [string, string?];
  const [y, m, d] = parts(date);
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const step = minutes * 60_000;
  const wall = Math.round(Date.UTC(y, m - 1, d, hh, mm) / step) * step;
  return new Date(wall).toISOString().slice(0, 16);
}

// ── formatting in the schedule's zone ────────────────────────────────────────────────────────────

const formats = new Map<string, Intl.DateTimeFormat>();
function format(zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone });
    } catch {
      f = new Intl.DateTimeFormat(undefined, { ...options, timeZone: 'UTC' });
    }
    formats.set(key, f);
  }
  return f;
}

/** "Mon 4 Nov, 09:00" in `zone`. */
export function fmtWhen(at: number | string, zone: string): string {
  return format(zone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}

/** "Mon 4 Nov 2024, 09:00" in `zone`, for versions and far dates. */
export function fmtFull(at: number | string, zone: string): string {
  return format(zone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}

export function fmtTime(at: number | string, zone: string): string {
  return format(zone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
}

/** "Mon 4 Nov" for a local date. */
export function fmtDate(date: string, options: Intl.DateTimeFormatOptions = {}): string {
  const [y, m, d] = parts(date);
  return format('UTC', { weekday: 'short', day: 'numeric', month: 'short', ...options }).format(
    new Date(Date.UTC(y, m - 1, d, 12)),
  );
}

/** Start and end, the end without its date when both fall on the same local day. */
export function fmtRange(start: number | string, end: number | string, zone: string): string {
  const a = localOf(new Date(start).getTime(), zone);
  const b = localOf(new Date(end).getTime(), zone);
  return a.slice(0, 10) === b.slice(0, 10)
    ? `${fmtWhen(start, zone)} – ${fmtTime(end, zone)}`
    : `${fmtWhen(start, zone)} – ${fmtWhen(end, zone)}`;
}

/** "GMT+1" at `at`, for labels next to times. */
export function zoneOffset(zone: string, at: number = Date.now()): string {
  const part = format(zone, { timeZoneName: 'shortOffset' })
    .formatToParts(new Date(at))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

/** "3 h", "1 d 4 h", "45 min". */
export function fmtDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Every IANA zone the browser knows, with `UTC` and `current` included. */
export function timeZones(current?: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [browserZone()];
  }
  const set = new Set(zones);
  set.add('UTC');
  if (current) set.add(current);
  return [...set].sort();
}

// ── colours ──────────────────────────────────────────────────────────────────────────────────────

/** A stable colour per person (a hash of the id), dark enough for white text in both themes. */
export function colourOf(id: string): string {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  // 18 hues 20° apart, two shades each: neighbours in the legend stay tellable apart.
  const bucket = (h >>> 0) % 36;
  return `hsl(${(bucket % 18) * 20 + 8} 60% ${bucket < 18 ? 30 : 40}%)`;
}
