import type { CompiledLayer, RecurringWindow } from './compiled-schedule.js';
import { intersectPieces, type Piece, type Span, subtractSpans, unionSpans } from './spans.js';
import { DAY_MS, type ZoneRules } from './time-zone.js';

/**
 * One layer, rendered: its rotation cut to its restrictions and holidays. Every boundary is a
 * wall-clock value turned into an instant by the zone's rules, and that mapping never goes
 * backwards, so consecutive shifts neither overlap nor leave a gap.
 */

/** The instant of hand-off `k`. */
export function handoffInstant(zone: ZoneRules, layer: CompiledLayer, k: number): number {
  return zone.toInstant(layer.anchorWall + k * layer.stepWall);
}

/** The index of the shift that holds `at`: the last hand-off at or before it. */
export function shiftIndexAt(zone: ZoneRules, layer: CompiledLayer, at: number): number {
  // Wall-clock arithmetic lands on the right index or next to it; the hand-off instants settle it.
  let k = Math.floor((zone.toWall(at) - layer.anchorWall) / layer.stepWall);
  while (handoffInstant(zone, layer, k + 1) <= at) k++;
  while (handoffInstant(zone, layer, k) > at) k--;
  return k;
}

export function userOfShift(layer: CompiledLayer, k: number): string {
  const n = layer.users.length;
  return layer.users[((k % n) + n) % n]!;
}

/** The rotation's shifts within `[from, to)`, clipped to it; shifts of zero length are skipped. */
export function rotationPieces(zone: ZoneRules, layer: CompiledLayer, from: number, to: number): Piece[] {
  const out: Piece[] = [];
  if (layer.users.length === 0 || from >= to) return out;
  let k = shiftIndexAt(zone, layer, from);
  let start = handoffInstant(zone, layer, k);
  for (;;) {
    const end = handoffInstant(zone, layer, k + 1);
    if (end > start) {
      out.push({ start: Math.max(start, from), end: Math.min(end, to), user: userOfShift(layer, k) });
    }
    if (end >= to) return out;
    k++;
    start = end;
  }
}

/** The instants of the recurring windows that overlap `[from, to)`, appended to `out`. */
function windowSpans(zone: ZoneRules, w: RecurringWindow, from: number, to: number, out: Span[]): void {
  // Start a period early: a window that ends at or before `wall(from)` ends at or before `from`.
  let j = Math.floor((zone.toWall(from) - w.baseWall - w.lengthWall) / w.periodWall) - 1;
  for (;;) {
    const startWall = w.baseWall + j * w.periodWall;
    const start = zone.toInstant(startWall);
    if (start >= to) return;
    const end = zone.toInstant(startWall + w.lengthWall);
    if (end > from && end > start) out.push({ start, end });
    j++;
  }
}

/** The union of recurring windows (a layer's restrictions, say) over `[from, to)`, sorted. */
export function recurringSpans(
  zone: ZoneRules,
  windows: readonly RecurringWindow[],
  from: number,
  to: number,
): Span[] {
  const spans: Span[] = [];
  for (const w of windows) windowSpans(zone, w, from, to, spans);
  return unionSpans(spans);
}

/** The whole local days of a layer's holiday calendar that overlap `[from, to)`, merged. */
export function holidaySpans(zone: ZoneRules, days: readonly number[], from: number, to: number): Span[] {
  const spans: Span[] = [];
  if (days.length === 0) return spans;
  // Local days that can overlap the range: from the day before wall(from) on.
  const firstDay = Math.floor(zone.toWall(from) / DAY_MS) - 1;
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]! < firstDay) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < days.length; i++) {
    const day = days[i]!;
    const start = zone.toInstant(day * DAY_MS);
    if (start >= to) break;
    const end = zone.toInstant((day + 1) * DAY_MS);
    if (end > from && end > start) spans.push({ start, end });
  }
  return unionSpans(spans);
}

/** A layer over `[from, to)`: who it has on call, and when. Sorted and disjoint. */
export function layerPieces(zone: ZoneRules, layer: CompiledLayer, from: number, to: number): Piece[] {
  let pieces = rotationPieces(zone, layer, from, to);
  if (pieces.length === 0) return pieces;
  if (layer.windows.length > 0)
    pieces = intersectPieces(pieces, recurringSpans(zone, layer.windows, from, to));
  if (layer.holidayMode !== null && pieces.length > 0) {
    const holidays = holidaySpans(zone, layer.holidayDays, from, to);
    pieces =
      layer.holidayMode === 'only' ? intersectPieces(pieces, holidays) : subtractSpans(pieces, holidays);
  }
  return pieces;
}

/** Whether one of the recurring windows holds `at` (the instants `windowSpans` would give). */
function windowHolds(zone: ZoneRules, w: RecurringWindow, at: number): boolean {
  let j = Math.floor((zone.toWall(at) - w.baseWall - w.lengthWall) / w.periodWall) - 1;
  for (;;) {
    const startWall = w.baseWall + j * w.periodWall;
    if (zone.toInstant(startWall) > at) return false;
    if (zone.toInstant(startWall + w.lengthWall) > at) return true;
    j++;
  }
}

/**
 * Who the layer has on call at `at`, or `undefined`: the same answer as `layerPieces` over
 * `[at, at + 1)`, without building the pieces.
 */
export function layerUserAt(zone: ZoneRules, layer: CompiledLayer, at: number): string | undefined {
  if (layer.users.length === 0) return undefined;
  if (layer.windows.length > 0 && !layer.windows.some((w) => windowHolds(zone, w, at))) return undefined;
  if (layer.holidayMode !== null) {
    const onHoliday = holidaySpans(zone, layer.holidayDays, at, at + 1).length > 0;
    if (onHoliday !== (layer.holidayMode === 'only')) return undefined;
  }
  // The last hand-off at or before `at` starts a shift that holds it (an empty shift holds nothing).
  return userOfShift(layer, shiftIndexAt(zone, layer, at));
}
