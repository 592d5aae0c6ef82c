import type { Role } from '@vigil/sdk/contract';
import { useEffect, useState } from 'react';
import { Field } from '../ui.js';
import { CopyButton } from './common.js';

/**
 * Shared pieces of the people and profile screens: roles, time zones, secrets to copy and a short
 * "Saved".
 */

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

/** A person's name and e-mail inputs; `own` when it is the signed-in person's (the browser may fill them). */
export function NameEmailFields({
  name,
  onName,
  email,
  onEmail,
  own = false,
}: {
  name: string;
  onName: (name: string) => void;
  email: string;
  onEmail: (email: string) => void;
  own?: boolean;
}) {
  return (
    <>
      <Field label="Name">
        <input
          value={name}
          onChange={(e) => onName(e.target.value)}
          required
          maxLength={200}
          autoComplete={own ? 'name' : undefined}
        />
      </Field>
      <Field label="E-mail">
        <input
          type="email"
          value={email}
          onChange={(e) => onEmail(e.target.value)}
          required
          maxLength={320}
          autoComplete={own ? 'email' : undefined}
        />
      </Field>
    </>
  );
}
