import { type PointerEvent, useRef, useState } from 'react';
import {
  addDays,
  addMonths,
  colourOf,
  fmtDate,
  fmtRange,
  fmtTime,
  instantOf,
  localOf,
  roundLocal,
  type Span,
  weekday,
} from './sched-calc.js';

/**
 * A schedule drawn with plain HTML and CSS: one row per layer, overrides, and the final schedule,
 * each bar absolutely positioned by percentage inside its track. Wider than a phone: the box
 * scrolls sideways and the row names stay put.
 */

export type View = 'day' | 'week' | 'month';

export interface Tick {
  at: number;
  label: string;
  major: boolean;
}

export interface ViewWindow extends Span {
  ticks: Tick[];
  label: string;
  /** Minimum width of the drawing, in pixels, so bars stay readable on a phone. */
  minWidth: number;
  /** Drag selections round to this many minutes. */
  snapMinutes: number;
}

/** The window of a view around a local date of the schedule's zone, with its axis ticks. */
export function windowFor(view: View, anchor: string, zone: string): ViewWindow {
  const at = (local: string) => instantOf(local, zone);
  const ticks: Tick[] = [];
  // A tick at a local time the clocks skip (spring forward) would sit on the next one: left out.
  const push = (local: string, label: string, major: boolean) => {
    const instant = at(local);
    if (!Number.isNaN(instant) && localOf(instant, zone) === local) ticks.push({ at: instant, label, major });
  };
  if (view === 'day') {
    for (let h = 0; h < 24; h++) {
      const hh = String(h).padStart(2, '0');
      push(`${anchor}T${hh}:00`, h % 3 === 0 ? `${hh}:00` : '', h % 3 === 0);
    }
    return {
      start: at(`${anchor}T00:00`),
      end: at(`${addDays(anchor, 1)}T00:00`),
      ticks,
      label: fmtDate(anchor, { weekday: 'long', month: 'long', year: 'numeric' }),
      minWidth: 620,
      snapMinutes: 15,
    };
  }
  if (view === 'week') {
    const monday = addDays(anchor, 1 - weekday(anchor));
    for (let d = 0; d < 7; d++) {
      const date = addDays(monday, d);
      push(`${date}T00:00`, fmtDate(date), true);
      push(`${date}T12:00`, '', false);
    }
    const sunday = addDays(monday, 6);
    return {
      start: at(`${monday}T00:00`),
      end: at(`${addDays(monday, 7)}T00:00`),
      ticks,
      label: `${fmtDate(monday)} – ${fmtDate(sunday, { year: 'numeric' })}`,
      minWidth: 760,
      snapMinutes: 60,
    };
  }
  const first = `${anchor.slice(0, 8)}01`;
  const next = addMonths(first, 1);
  for (let date = first; date < next; date = addDays(date, 1)) {
    push(`${date}T00:00`, String(Number(date.slice(8))), weekday(date) === 1);
  }
  return {
    start: at(`${first}T00:00`),
    end: at(`${next}T00:00`),
    ticks,
    label: fmtDate(first, { weekday: undefined, day: undefined, month: 'long', year: 'numeric' }),
    minWidth: 1100,
    snapMinutes: 360,
  };
}

/** The anchor date moved by one view's length. */
export function stepAnchor(view: View, anchor: string, by: 1 | -1): string {
  if (view === 'day') return addDays(anchor, by);
  if (view === 'week') return addDays(anchor, 7 * by);
  return addMonths(anchor, by);
}

export interface TimelineBar extends Span {
  key: string;
  userId: string;
  name: string;
  override?: boolean;
  /** Said in the tooltip after the times ("override by Ana", "layer primary"). */
  note?: string;
}

export interface TimelineRow {
  key: string;
  label: string;
  sub?: string;
  bars: TimelineBar[];
  gaps?: Span[];
  final?: boolean;
  /** Shown in the track when there are no bars. */
  empty?: string;
}

export function Timeline({
  window: w,
  zone,
  rows,
  now,
  onSelect,
  label,
}: {
  window: ViewWindow;
  zone: string;
  rows: TimelineRow[];
  now: number;
  /** Dragging across the final row with a mouse picks a span (local date-times in `zone`). */
  onSelect?: (start: string, end: string) => void;
  label: string;
}) {
  const length = w.end - w.start;
  const pct = (at: number) => `${(Math.min(Math.max(at - w.start, 0), length) / length) * 100}%`;
  const width = (s: Span) => `${((Math.min(s.end, w.end) - Math.max(s.start, w.start)) / length) * 100}%`;
  const visible = (s: Span) => s.end > w.start && s.start < w.end;
  const nowShown = now >= w.start && now < w.end;

  const trackRef = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const fraction = (e: PointerEvent) => {
    const rect = trackRef.current!.getBoundingClientRect();
    return Math.min(Math.max((e.clientX - rect.left) / rect.width, 0), 1);
  };
  const dragHandlers = onSelect
    ? {
        onPointerDown: (e: PointerEvent<HTMLDivElement>) => {
          if (e.pointerType !== 'mouse' || e.button !== 0) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          const f = fraction(e);
          setDrag({ from: f, to: f });
        },
        onPointerMove: (e: PointerEvent<HTMLDivElement>) => {
          if (drag) setDrag({ ...drag, to: fraction(e) });
        },
        onPointerUp: (e: PointerEvent<HTMLDivElement>) => {
          if (!drag) return;
          const a = Math.min(drag.from, fraction(e));
          const b = Math.max(drag.from, fraction(e));
          setDrag(null);
          const start = roundLocal(localOf(w.start + a * length, zone), w.snapMinutes);
          const end = roundLocal(localOf(w.start + b * length, zone), w.snapMinutes);
          if (end > start) onSelect(start, end);
        },
        onPointerCancel: () => setDrag(null),
      }
    : {};

  const gridLines = w.ticks.map((t) => (
    <span
      key={t.at}
      className={`sched-grid${t.major ? ' major' : ''}`}
      style={{ left: pct(t.at) }}
      aria-hidden="true"
    />
  ));

  return (
    <section className="sched-tl" aria-label={label}>
      <div className="sched-tl-inner" style={{ minWidth: w.minWidth }}>
        <div className="sched-tl-row sched-tl-axis" aria-hidden="true">
          <div className="sched-tl-label small muted">{zone}</div>
          <div className="sched-tl-track">
            {w.ticks
              .filter((t) => t.label)
              .map((t) => (
                <span
                  key={t.at}
                  className={`sched-tick${t.major ? ' major' : ''}`}
                  style={{ left: pct(t.at) }}
                >
                  {t.label}
                </span>
              ))}
          </div>
        </div>
        {rows.map((row) => {
          const bars = row.bars.filter(visible);
          const gaps = (row.gaps ?? []).filter(visible);
          return (
            <div key={row.key} className={`sched-tl-row${row.final ? ' final' : ''}`}>
              <div className="sched-tl-label" title={row.sub ? `${row.label} · ${row.sub}` : row.label}>
                <span className="sched-tl-name">{row.label}</span>
                {row.sub ? <span className="small muted sched-tl-name">{row.sub}</span> : null}
              </div>
              <div
                className={`sched-tl-track${row.final && onSelect ? ' selectable' : ''}`}
                ref={row.final ? trackRef : undefined}
                {...(row.final ? dragHandlers : {})}
              >
                {gridLines}
                {bars.length === 0 && gaps.length === 0 && row.empty ? (
                  <span className="sched-tl-empty small muted">{row.empty}</span>
                ) : null}
                {gaps.map((g) => (
                  <div
                    key={`gap-${g.start}`}
                    className="sched-gap"
                    style={{ left: pct(g.start), width: width(g) }}
                    title={`Nobody on call: ${fmtRange(g.start, g.end, zone)}`}
                  />
                ))}
                {bars.map((b) => (
                  <div
                    key={b.key}
                    className={`sched-bar${b.override ? ' override' : ''}`}
                    style={{ left: pct(b.start), width: width(b), background: colourOf(b.userId) }}
                    title={`${b.name}: ${fmtRange(b.start, b.end, zone)}${b.note ? ` (${b.note})` : ''}`}
                  >
                    <span className="sched-bar-text">{b.name}</span>
                  </div>
                ))}
                {nowShown ? (
                  <span
                    className="sched-now"
                    style={{ left: pct(now) }}
                    title={`Now, ${fmtTime(now, zone)}`}
                  />
                ) : null}
                {row.final && drag ? (
                  <span
                    className="sched-select"
                    style={{
                      left: `${Math.min(drag.from, drag.to) * 100}%`,
                      width: `${Math.abs(drag.to - drag.from) * 100}%`,
                    }}
                  />
                ) : null}
              </div>
            </div>
          );
        })}
      </div>
    </section>
  );
}

/** Who appears in the drawing, with their colours; and what the patterns mean. */
export function Legend({ people }: { people: { id: string; name: string }[] }) {
  return (
    <ul className="sched-legend small" aria-label="Legend">
      {people.map((p) => (
        <li key={p.id}>
          <span className="sched-swatch" style={{ background: colourOf(p.id) }} aria-hidden="true" />
          {p.name}
        </li>
      ))}
      <li>
        <span className="sched-swatch override" aria-hidden="true" />
        Override
      </li>
      <li>
        <span className="sched-swatch gap" aria-hidden="true" />
        Nobody on call
      </li>
    </ul>
  );
}
