import { type CompiledSchedule, compileSchedule } from './compiled-schedule.js';
import { layerPieces } from './layer-pieces.js';
import { formatInstant } from './local-time.js';
import type { Schedule, ScheduleOverride, Shift, TimeRange } from './schedule.js';
import type { Piece } from './spans.js';
import { overridePieces, rangeField } from './time-range.js';

interface Ranked extends Piece {
  /** Higher wins: layer i is i; override j is layers.length + j. */
  rank: number;
  layer: number | null;
}

/** A max-heap by rank, holding the pieces that have started; ended ones are dropped lazily. */
class RankHeap {
  readonly items: Ranked[] = [];

  push(item: Ranked): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.rank >= item.rank) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = item;
  }

  pop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= a.length) break;
      const right = left + 1;
      const child = right < a.length && a[right]!.rank > a[left]!.rank ? right : left;
      if (a[child]!.rank <= last.rank) break;
      a[i] = a[child]!;
      i = child;
    }
    a[i] = last;
  }
}

/** Numeric core of `finalSchedule`, for callers in this folder that hold a compiled schedule. */
export function resolveFinal(
  compiled: CompiledSchedule,
  overrides: readonly Piece[],
  from: number,
  to: number,
): { start: number; end: number; user: string; layer: number | null }[] {
  const ranked: Ranked[] = [];
  compiled.layers.forEach((layer, i) => {
    for (const p of layerPieces(compiled.zone, layer, from, to)) ranked.push({ ...p, rank: i, layer: i });
  });
  const base = compiled.layers.length;
  overrides.forEach((o, j) => {
    const start = Math.max(o.start, from);
    const end = Math.min(o.end, to);
    if (start < end) ranked.push({ start, end, user: o.user, rank: base + j, layer: null });
  });
  if (ranked.length === 0) return [];

  ranked.sort((a, b) => a.start - b.start);
  const times = new Float64Array(ranked.length * 2);
  ranked.forEach((r, i) => {
    times[2 * i] = r.start;
    times[2 * i + 1] = r.end;
  });
  times.sort();

  // Sweep the boundaries: between two of them the highest-ranked started, unended piece wins.
  const out: { start: number; end: number; user: string; layer: number | null }[] = [];
  const heap = new RankHeap();
  let next = 0;
  for (let i = 0; i + 1 < times.length; i++) {
    const at = times[i]!;
    const until = times[i + 1]!;
    if (at === until) continue;
    while (next < ranked.length && ranked[next]!.start <= at) heap.push(ranked[next++]!);
    while (heap.items.length > 0 && heap.items[0]!.end <= at) heap.pop();
    const top = heap.items[0];
    if (top === undefined) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.end === at && last.user === top.user && last.layer === top.layer) {
      last.end = until;
    } else {
      out.push({ start: at, end: until, user: top.user, layer: top.layer });
    }
  }
  return out;
}

/**
 * The final schedule over `range`: at every instant the latest override that covers it, else the
 * highest layer that has someone. Adjacent stretches of the same user from the same layer (or
 * both from overrides) are merged; instants with nobody are left out (see `coverageGaps`).
 * Overrides may be given in any number and order; where two overlap, the later in the list wins.
 */
export function finalSchedule(
  schedule: Schedule,
  overrides: readonly ScheduleOverride[],
  range: TimeRange,
): Shift[] {
  const compiled = compileSchedule(schedule);
  const { from, to } = rangeField(range);
  return resolveFinal(compiled, overridePieces(overrides), from, to).map((s) => ({
    userId: s.user,
    start: formatInstant(s.start),
    end: formatInstant(s.end),
    layer: s.layer,
  }));
}
