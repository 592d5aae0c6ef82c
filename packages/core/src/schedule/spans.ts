/** Half-open ranges of epoch milliseconds, and the set operations the calculators need. */
export interface Span {
  start: number;
  end: number;
}

/** A span with the user on call in it. */
export interface Piece extends Span {
  user: string;
}

/** Sorts spans and merges those that overlap or touch. */
export function unionSpans(spans: Span[]): Span[] {
  if (spans.length <= 1) return spans;
  spans.sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  let current = { ...spans[0]! };
  for (let i = 1; i < spans.length; i++) {
    const s = spans[i]!;
    if (s.start <= current.end) {
      if (s.end > current.end) current.end = s.end;
    } else {
      out.push(current);
      current = { ...s };
    }
  }
  out.push(current);
  return out;
}

/** The parts of sorted, disjoint `pieces` inside sorted, disjoint `spans`. */
export function intersectPieces(pieces: readonly Piece[], spans: readonly Span[]): Piece[] {
  const out: Piece[] = [];
  let j = 0;
  for (const p of pieces) {
    while (j < spans.length && spans[j]!.end <= p.start) j++;
    for (let k = j; k < spans.length && spans[k]!.start < p.end; k++) {
      const s = spans[k]!;
      const start = Math.max(p.start, s.start);
      const end = Math.min(p.end, s.end);
      if (start < end) out.push({ start, end, user: p.user });
    }
  }
  return out;
}

/** The parts of sorted, disjoint `pieces` outside sorted, disjoint `spans`. */
export function subtractSpans(pieces: readonly Piece[], spans: readonly Span[]): Piece[] {
  const out: Piece[] = [];
  let j = 0;
  for (const p of pieces) {
    while (j < spans.length && spans[j]!.end <= p.start) j++;
    let cursor = p.start;
    for (let k = j; k < spans.length && spans[k]!.start < p.end; k++) {
      const s = spans[k]!;
      if (s.start > cursor) out.push({ start: cursor, end: s.start, user: p.user });
      if (s.end > cursor) cursor = s.end;
    }
    if (cursor < p.end) out.push({ start: cursor, end: p.end, user: p.user });
  }
  return out;
}
