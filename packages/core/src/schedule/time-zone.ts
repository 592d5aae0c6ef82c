/**
 * Wall clock ↔ instant in an IANA time zone, with the rules of docs/schedules.md:
 * - a local time that exists once is that instant;
 * - an ambiguous local time (the hour repeated when clocks go back) is its first occurrence;
 * - a local time that does not exist (skipped when clocks go forward) moves forward to the first
 *   instant that exists after it: the instant of the transition.
 *
 * Only `Intl.DateTimeFormat` is used (no `Date` local-time methods), so results never depend on
 * the process's own TZ. A zone's offsets are sampled lazily, 32 days at a time, into a table of
 * transitions; afterwards every conversion is a few array reads, with no `Intl` call.
 *
 * "Wall" values are local date-times written as if they were UTC epoch milliseconds
 * (`Date.UTC(y, m, d, h, min)`): wall-clock arithmetic is then plain addition, and a local date is
 * `Math.floor(wall / DAY_MS)`.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** Instants and local date-times the calculators accept: years 1900 to 9999. */
export const EARLIEST_MS = Date.UTC(1900, 0, 1);
export const LATEST_MS = Date.UTC(9999, 11, 31);

const CHUNK_DAYS = 32;
const CHUNK_MS = CHUNK_DAYS * DAY_MS;
/**
 * Every instant whose local time is `wall` lies within this distance of `wall` (UTC offsets stay
 * within −12 h … +14 h); the margin is generous.
 */
const SEARCH_MS = 27 * HOUR_MS;

/** Offsets from one chunk's start, `offsets[0]` at `startAt`, `offsets[i + 1]` from `transitions[i]`. */
interface Chunk {
  readonly index: number;
  readonly transitions: readonly number[];
  readonly offsets: readonly number[];
}

const FORMATTED = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

export class ZoneRules {
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #chunks = new Map<number, Chunk>();
  #last: Chunk | undefined;

  constructor(timeZone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.timeZone = this.#format.resolvedOptions().timeZone;
  }

  /** UTC offset in milliseconds (local − UTC) in force at `at`. */
  offsetAt(at: number): number {
    const chunk = this.#chunk(Math.floor(at / CHUNK_MS));
    const transitions = chunk.transitions;
    let i = 0;
    while (i < transitions.length && transitions[i]! <= at) i++;
    return chunk.offsets[i]!;
  }

  /** The local date-time (as a wall value) that clocks in the zone show at `at`. */
  toWall(at: number): number {
    return at + this.offsetAt(at);
  }

  /** The instant of a local date-time, by the rules at the top of this file. */
  toInstant(wall: number): number {
    const first = Math.floor((wall - SEARCH_MS) / CHUNK_MS);
    const last = Math.floor((wall + SEARCH_MS) / CHUNK_MS);
    // Fast path: one offset over the whole window.
    const a = this.#chunk(first);
    if (a.transitions.length === 0) {
      if (first === last) return wall - a.offsets[0]!;
      const b = this.#chunk(last);
      if (last === first + 1 && b.transitions.length === 0 && b.offsets[0] === a.offsets[0]) {
        return wall - a.offsets[0]!;
      }
    }
    // Periods of constant offset over the window, in order.
    const starts: number[] = [Number.NEGATIVE_INFINITY];
    const offsets: number[] = [a.offsets[0]!];
    for (let index = first; index <= last; index++) {
      const chunk = this.#chunk(index);
      const startAt = index * CHUNK_MS;
      if (chunk.offsets[0] !== offsets[offsets.length - 1]) {
        starts.push(startAt);
        offsets.push(chunk.offsets[0]!);
      }
      for (let i = 0; i < chunk.transitions.length; i++) {
        if (chunk.offsets[i + 1] === offsets[offsets.length - 1]) continue;
        starts.push(chunk.transitions[i]!);
        offsets.push(chunk.offsets[i + 1]!);
      }
    }
    // The earliest instant that shows `wall` (periods are in order, so the first match is earliest).
    for (let i = 0; i < offsets.length; i++) {
      const candidate = wall - offsets[i]!;
      const end = i + 1 < starts.length ? starts[i + 1]! : Number.POSITIVE_INFINITY;
      if (candidate >= starts[i]! && candidate < end) return candidate;
    }
    // `wall` was skipped: the first instant whose local time is later is a transition.
    for (let i = 1; i < starts.length; i++) {
      if (starts[i]! + offsets[i]! > wall) return starts[i]!;
    }
    return wall - offsets[offsets.length - 1]!;
  }

  #chunk(index: number): Chunk {
    const last = this.#last;
    if (last !== undefined && last.index === index) return last;
    let chunk = this.#chunks.get(index);
    if (chunk === undefined) {
      chunk = this.#build(index);
      this.#chunks.set(index, chunk);
    }
    this.#last = chunk;
    return chunk;
  }

  /**
   * Samples the offset once a day and, where two samples differ, finds each transition between
   * them to the second. This assumes no zone changes its offset and changes it back within one
   * day, which holds for every zone in the tz database.
   */
  #build(index: number): Chunk {
    const startAt = index * CHUNK_MS;
    const endAt = startAt + CHUNK_MS;
    const transitions: number[] = [];
    let previousAt = startAt;
    let previous = this.#rawOffset(startAt);
    const offsets: number[] = [previous];
    for (let day = 1; day <= CHUNK_DAYS; day++) {
      const at = startAt + day * DAY_MS;
      const offset = this.#rawOffset(at);
      let fromAt = previousAt;
      let fromOffset = previous;
      while (fromOffset !== offset) {
        const changeAt = this.#firstChange(fromAt, at, fromOffset);
        const changed = this.#rawOffset(changeAt);
        if (changeAt < endAt) {
          transitions.push(changeAt);
          offsets.push(changed);
        }
        fromAt = changeAt;
        fromOffset = changed;
      }
      previousAt = at;
      previous = offset;
    }
    return { index, transitions, offsets };
  }

  /** A whole second in (fromAt, toAt] where the offset stops being `offset` (toAt's differs). */
  #firstChange(fromAt: number, toAt: number, offset: number): number {
    let lo = fromAt / 1000;
    let hi = toAt / 1000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.#rawOffset(mid * 1000) === offset) lo = mid;
      else hi = mid;
    }
    return hi * 1000;
  }

  #rawOffset(at: number): number {
    const second = Math.floor(at / 1000) * 1000;
    const match = FORMATTED.exec(this.#format.format(second));
    let local: number;
    if (match !== null) {
      local = Date.UTC(+match[3]!, +match[1]! - 1, +match[2]!, +match[4]!, +match[5]!, +match[6]!);
    } else {
      // Other ICU data may format differently; the parts are slower but certain.
      const part = (type: Intl.DateTimeFormatPartTypes) =>
        Number(this.#format.formatToParts(second).find((p) => p.type === type)?.value);
      local = Date.UTC(
        part('year'),
        part('month') - 1,
        part('day'),
        part('hour'),
        part('minute'),
        part('second'),
      );
    }
    return local - second;
  }
}

const zones = new Map<string, ZoneRules>();
/** Names that `Intl` accepts are case-insensitive; bound the aliases a caller can make us keep. */
const MAX_ZONE_NAMES = 5_000;

/** The rules of a zone, cached for the life of the process; `undefined` for a name Intl rejects. */
export function zoneRules(timeZone: string): ZoneRules | undefined {
  const known = zones.get(timeZone);
  if (known !== undefined) return known;
  if (typeof timeZone !== 'string' || timeZone === '') return undefined;
  let rules: ZoneRules;
  try {
    rules = new ZoneRules(timeZone);
  } catch {
    return undefined;
  }
  const canonical = zones.get(rules.timeZone);
  if (canonical !== undefined) rules = canonical;
  else zones.set(rules.timeZone, rules);
  if (zones.size < MAX_ZONE_NAMES) zones.set(timeZone, rules);
  return rules;
}

/** Whether `timeZone` names a zone this runtime knows (an IANA name such as `Europe/Berlin`). */
export function isTimeZone(timeZone: string): boolean {
  return zoneRules(timeZone) !== undefined;
}

/** Forgets every zone table. Only tests need this (to prove results do not depend on the cache). */
export function clearZoneCache(): void {
  zones.clear();
}
