import { useQuery } from '@tanstack/react-query';
import type { Page, Role, Team, User } from '@vigil/sdk/contract';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { VigilApiError, vigil } from '../api.js';

/**
 * Shared pieces of the people, audit and profile screens: whole lists, roles, time zones, an inline
 * "are you sure?" and a copy button.
 */

/** Every item of a list endpoint (path without /api/v1), page after page. */
export async function allOf<T>(path: string, query: Record<string, string> = {}): Promise<T[]> {
  const items: T[] = [];
  for await (const item of vigil.paginate((cursor) =>
    vigil.request<Page<T>>('GET', path, { query: { ...query, limit: 500, cursor } }),
  ))
    items.push(item);
  return items;
}

// The same keys and shapes as the other screens use for these lists (User[], Team[]), so they share the cache.
export const useAllUsers = (enabled = true) =>
  useQuery({ queryKey: ['users'], queryFn: () => allOf<User>('/users'), enabled });
export const useAllTeams = () => useQuery({ queryKey: ['teams'], queryFn: () => allOf<Team>('/teams') });

export const ROLES: readonly Role[] = ['owner', 'admin', 'manager', 'responder', 'observer', 'stakeholder'];

export const roleRank = (role: Role) => ROLES.length - ROLES.indexOf(role);

/** What each role may do, in a few words (docs/api.md#roles). */
export const ROLE_HINT: Record<Role, string> = {
  owner: 'everything, including other owners',
  admin: 'people, API keys, the audit log',
  manager: 'services, teams, schedules, policies',
  responder: 'acknowledge, resolve, take shifts',
  observer: 'read everything operational',
  stakeholder: 'read incidents only',
};

/** The roles someone may hand out: their own and below (so only owners make owners). */
export function grantableRoles(mine: Role): Role[] {
  return ROLES.filter((role) => roleRank(role) <= roleRank(mine));
}

export function RoleSelect({
  value,
  onChange,
  mine,
  disabled,
}: {
  value: Role;
  onChange: (role: Role) => void;
  mine: Role;
  disabled?: boolean;
}) {
  const options = grantableRoles(mine);
  // A role above the editor's own is shown (it is the current value) but cannot be chosen.
  const all = options.includes(value) ? options : [value, ...options];
  return (
    <select value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
      {all.map((role) => (
        <option key={role} value={role} disabled={!options.includes(role)}>
          {role} — {ROLE_HINT[role]}
        </option>
      ))}
    </select>
  );
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

let zones: string[] | undefined;
function timeZones(): string[] {
  if (!zones) {
    try {
      zones = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
    } catch {
      zones = ['UTC'];
    }
  }
  return zones;
}

/** A time-zone input that suggests the IANA names (typing "Berl" offers Europe/Berlin). */
export function TimeZoneInput({
  id,
  value,
  onChange,
  required,
}: {
  id: string;
  value: string;
  onChange: (zone: string) => void;
  required?: boolean;
}) {
  const here = browserTimeZone();
  return (
    <>
      <input
        list={`${id}-zones`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder="e.g. Europe/Berlin"
        autoComplete="off"
        spellCheck={false}
        required={required}
      />
      <datalist id={`${id}-zones`}>
        {timeZones().map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
      {value !== here ? (
        <button type="button" className="link small" onClick={() => onChange(here)}>
          Use this device’s zone ({here})
        </button>
      ) : null}
    </>
  );
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof VigilApiError && error.status === status;
}

/** "14:00", "tomorrow 09:00", "Tue 09:00" within the week, else "12 Mar, 09:00". */
export function shortWhen(at: string | null | undefined): string {
  if (!at) return '—';
  const date = new Date(at);
  const now = new Date();
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === now.toDateString()) return `today ${time}`;
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  if (date.toDateString() === tomorrow.toDateString()) return `tomorrow ${time}`;
  const days = (date.getTime() - now.getTime()) / 86_400_000;
  if (days > 0 && days < 6) return `${date.toLocaleDateString([], { weekday: 'short' })} ${time}`;
  return date.toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/**
 * A destructive button that asks first, in place (no browser dialog): the first press shows the
 * question with the real button and Cancel.
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  busy = false,
  className = 'danger',
}: {
  label: string;
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
  className?: string;
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
    <span className="row" role="group" aria-label={label}>
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

/** Copies `text`; says so next to the button (and to screen readers). */
export function CopyButton({
  text,
  name,
}: {
  text: string /** Accessible name, e.g. "Copy token". */;
  name?: string;
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
    <span className="row" style={{ gap: 6 }}>
      <button type="button" onClick={() => void copy()} aria-label={name}>
        Copy
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

/** A secret shown in full, selectable, with its copy button. */
export function SecretValue({ value, label, copyName }: { value: string; label: string; copyName: string }) {
  return (
    <div className="row">
      <input
        className="grow people-secret"
        readOnly
        value={value}
        aria-label={label}
        onFocus={(e) => e.currentTarget.select()}
      />
      <CopyButton text={value} name={copyName} />
    </div>
  );
}

/** A short "Saved" next to a button, gone after a few seconds. */
export function useFlash(): [string | null, (text: string) => void] {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    if (!text) return;
    const timer = setTimeout(() => setText(null), 4000);
    return () => clearTimeout(timer);
  }, [text]);
  return [text, setText];
}

export function Flash({ text }: { text: string | null }) {
  return (
    <span className="small people-ok" role="status">
      {text ?? ''}
    </span>
  );
}
