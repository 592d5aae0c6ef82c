import { type CSSProperties, type ReactNode, useEffect, useRef, useState } from 'react';
import { Field } from '../ui.js';

/**
 * Building blocks the screens after the board share: an in-place "are you sure?", a copy button,
 * list tables with their filter box and empty states, and short times. Only lazily loaded screens
 * import this, so it stays out of the first load (ui.tsx holds what the shell and the board use).
 */

/**
 * A destructive button that asks first, in place (no browser dialog): the first press shows the
 * question with the real button and Cancel. `inline` keeps the question as wide as its words (in a
 * table cell, say) instead of a row of its own.
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  busy = false,
  className = 'danger',
  inline = false,
}: {
  label: string;
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
  className?: string;
  inline?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  if (!asking)
    return (
      <button type="button" className={className} disabled={busy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    // biome-ignore lint/a11y/useSemanticElements: an inline question beside a row, not a form section
    <span className={inline ? 'sched-group' : 'row'} role="group" aria-label={label}>
      <span className="small">{question}</span>
      <button
        ref={confirmRef}
        type="button"
        className="danger"
        disabled={busy}
        onClick={() => {
          onConfirm();
          setAsking(false);
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/**
 * Copies `text`; says so next to the button (and to screen readers). `name` is the accessible name
 * when the label alone is not enough ("Copy token").
 */
export function CopyButton({
  text,
  label = 'Copy',
  name,
  small = false,
}: {
  text: string;
  label?: string;
  name?: string;
  small?: boolean;
}) {
  const [state, setState] = useState<'copied' | 'failed' | null>(null);
  useEffect(() => {
    if (!state) return;
    const timer = setTimeout(() => setState(null), 2500);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(text);
      else legacyCopy(text);
      setState('copied');
    } catch {
      try {
        legacyCopy(text);
        setState('copied');
      } catch {
        setState('failed');
      }
    }
  }

  return (
    <span className="row" style={{ display: 'inline-flex', gap: 6, verticalAlign: 'middle' }}>
      <button
        type="button"
        className={small ? 'small' : undefined}
        onClick={() => void copy()}
        aria-label={name}
      >
        {label}
      </button>
      <span className="small muted" aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select it and copy by hand' : ''}
      </span>
    </span>
  );
}

/** Plain-HTTP installs have no Clipboard API: copy through a hidden text area. */
function legacyCopy(text: string) {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}

/** A column heading: its text, or one that phones leave out. Falsy ones are not shown at all. */
export type Column = string | { label: ReactNode; hidePhone?: boolean } | false | null | undefined;

/** A list table (the shared look of every list), scrolling sideways on narrow screens. */
export function ListTable({
  columns,
  children,
  className = 'list',
  style,
}: {
  columns: Column[];
  children: ReactNode;
  className?: string;
  style?: CSSProperties;
}) {
  return (
    <div className="table-wrap" style={style}>
      <table className={className}>
        <thead>
          <tr>
            {columns.map((column, index) =>
              !column ? null : typeof column === 'string' ? (
                <th key={column} scope="col">
                  {column}
                </th>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed; their order is the identity
                <th key={index} scope="col" className={column.hidePhone ? 'hide-phone' : undefined}>
                  {column.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The last row of a filtered list table that nothing matched. */
export function NoMatchRow({ columns, what, filter }: { columns: number; what: string; filter: string }) {
  return (
    <tr>
      <td colSpan={columns} className="muted">
        No {what} matches “{filter}”.
      </td>
    </tr>
  );
}

/** The search box above a list: filters as one types. */
export function FilterField({
  label,
  value,
  onChange,
  placeholder,
  style,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  style?: CSSProperties;
}) {
  return (
    <Field label={label}>
      <input
        type="search"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        style={style}
      />
    </Field>
  );
}

/** A list with nothing in it yet: what it is for, and how to start one (or whom to ask). */
export function EmptyList({
  title,
  children,
  canCreate,
  action,
}: {
  title: string;
  children: ReactNode;
  canCreate: boolean;
  action: ReactNode;
}) {
  return (
    <div className="panel">
      <p style={{ marginTop: 0 }}>
        <strong>{title}</strong>
      </p>
      <p className="muted">{children}</p>
      {canCreate ? action : <p className="muted small">Ask a manager to create one.</p>}
    </div>
  );
}

/**
 * "14:00" (or "today 14:00" with `sayToday`), "tomorrow 09:00", "Tue 09:00" within the week, else
 * "12 Mar, 09:00": readable at 3 a.m.
 */
export function shortWhen(at: string | null | undefined, sayToday = false): string {
  if (!at) return '—';
  const date = new Date(at);
  const now = new Date();
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === now.toDateString()) return sayToday ? `today ${time}` : time;
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  if (date.toDateString() === tomorrow.toDateString()) return `tomorrow ${time}`;
  const days = (date.getTime() - now.getTime()) / 86_400_000;
  if (days > 0 && days < 6) return `${date.toLocaleDateString([], { weekday: 'short' })} ${time}`;
  return date.toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
