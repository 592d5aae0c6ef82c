import type { ReactNode } from 'react';
import { errorText } from './api.js';

/** Small building blocks every screen uses; the look lives in styles.css. */

export function PageHead({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      {children ? <div className="row right">{children}</div> : null}
    </div>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      {errorText(error)}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" aria-busy="true">
      {what}…
    </p>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${status}`}>{status}</span>;
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child, so the label wraps it
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** "3 min ago", "2 h ago", or the date: the board reads at a glance. */
export function Ago({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">—</span>;
  const ms = Date.now() - Date.parse(at);
  const minutes = Math.round(ms / 60_000);
  let text: string;
  if (minutes < 1) text = 'just now';
  else if (minutes < 60) text = `${minutes} min ago`;
  else if (minutes < 48 * 60) text = `${Math.round(minutes / 60)} h ago`;
  else text = new Date(at).toLocaleDateString();
  return (
    <time dateTime={at} title={new Date(at).toLocaleString()}>
      {text}
    </time>
  );
}

export function when(at: string | null | undefined): string {
  return at ? new Date(at).toLocaleString() : '—';
}
