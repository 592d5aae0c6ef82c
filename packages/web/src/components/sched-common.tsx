import type { SchedulePreview, Shift } from '@vigil/sdk/contract';
import {
  browserZone,
  colourOf,
  fmtDuration,
  fmtRange,
  fmtWhen,
  holesIn,
  instantOf,
  skippedNote,
  zoneOffset,
} from './sched-calc.js';

/**
 * Shared pieces of the schedule screens: a local date-time input read in the schedule's zone, a
 * person with their colour, and the dry-run diff of a change.
 */

/**
 * A local date-time typed in the schedule's zone (not the browser's): the value stays the wall
 * time "YYYY-MM-DDTHH:MM"; below it, what it means where the reader is when that differs, and a
 * note when the time does not exist that day (clocks jumping forward).
 */
export function ZonedInput({
  label,
  value,
  onChange,
  zone,
  required = true,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  zone: string;
  required?: boolean;
}) {
  const at = value ? instantOf(value, zone) : Number.NaN;
  const mine = browserZone();
  const skipped = value ? skippedNote(value, zone) : null;
  return (
    <label className="field">
      <span>
        {label} <span className="small">({zone})</span>
      </span>
      <input
        type="datetime-local"
        value={value}
        required={required}
        onChange={(e) => onChange(e.target.value.slice(0, 16))}
      />
      {skipped ? <span className="small notice">{skipped}</span> : null}
      {!Number.isNaN(at) && mine !== zone ? (
        <span className="small muted">
          = {fmtWhen(at, mine)} your time ({zoneOffset(mine, at)})
        </span>
      ) : null}
    </label>
  );
}

/** A person's name with their colour swatch. */
export function Person({ id, name }: { id: string; name: string }) {
  return (
    <span className="sched-person">
      <span className="sched-swatch" style={{ background: colourOf(id) }} aria-hidden="true" />
      {name}
    </span>
  );
}

const MAX_LISTED = 200;

function ShiftList({ title, shifts, zone }: { title: string; shifts: Shift[]; zone: string }) {
  if (shifts.length === 0) return null;
  return (
    <div className="grow sched-diff-col">
      <h4>
        {title} ({shifts.length})
      </h4>
      <ul className="sched-plain sched-scroll">
        {shifts.slice(0, MAX_LISTED).map((s) => (
          <li key={`${s.user_id}-${s.start}-${s.layer_index}`}>
            <Person id={s.user_id} name={s.user_name} />{' '}
            <span className="small">{fmtRange(s.start, s.end, zone)}</span>{' '}
            <span className="small muted">
              {s.layer === null ? 'override' : s.layer || `layer ${(s.layer_index ?? 0) + 1}`}
            </span>
          </li>
        ))}
      </ul>
      {shifts.length > MAX_LISTED ? (
        <p className="small muted">and {shifts.length - MAX_LISTED} more</p>
      ) : null}
    </div>
  );
}

/**
 * What a change does to the next 30 days (a dry run's answer). `creating`: everything is added, so
 * it says how much of the time is covered instead.
 */
export function ShiftDiff({ preview, creating = false }: { preview: SchedulePreview; creating?: boolean }) {
  const zone = preview.schedule.time_zone;
  const range = { start: Date.parse(preview.since), end: Date.parse(preview.until) };
  const holes = creating
    ? holesIn(
        preview.added.map((s) => ({ start: Date.parse(s.start), end: Date.parse(s.end) })),
        range,
      )
    : [];
  const uncovered = holes.reduce((sum, h) => sum + h.end - h.start, 0);
  const n = preview.removed.length;
  const m = preview.added.length;
  return (
    <div className="stack" aria-live="polite">
      <p style={{ margin: 0 }}>
        <strong>
          {creating
            ? `This schedule puts ${m} ${m === 1 ? 'shift' : 'shifts'} on the calendar in the next 30 days.`
            : n === 0 && m === 0
              ? 'This change moves no shift in the next 30 days.'
              : `This change removes ${n} ${n === 1 ? 'shift' : 'shifts'} and adds ${m} in the next 30 days.`}
        </strong>{' '}
        <span className="small muted">
          {fmtWhen(preview.since, zone)} to {fmtWhen(preview.until, zone)}, {zone}
        </span>
      </p>
      {creating && holes.length > 0 ? (
        <div className="notice small">
          Nobody would be on call for {fmtDuration(uncovered)} of the next 30 days ({holes.length}{' '}
          {holes.length === 1 ? 'gap' : 'gaps'}, first {fmtRange(holes[0]!.start, holes[0]!.end, zone)}). Add
          people or a layer without restrictions to cover them, or save it as it is.
        </div>
      ) : null}
      {creating && m === 0 ? (
        <div className="notice small">No one is on call at all: add people to a layer.</div>
      ) : null}
      <div className="row sched-diff">
        <ShiftList title="Removed" shifts={preview.removed} zone={zone} />
        <ShiftList title={creating ? 'Shifts' : 'Added'} shifts={preview.added} zone={zone} />
      </div>
    </div>
  );
}
