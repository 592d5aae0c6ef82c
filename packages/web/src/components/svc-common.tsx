import { useQuery } from '@tanstack/react-query';
import type {
  EscalationPolicy,
  Page,
  PolicyPreview,
  Schedule,
  Service,
  Team,
  User,
} from '@vigil/sdk/contract';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { VigilApiError, vigil } from '../api.js';

/**
 * Shared pieces of the services, escalation-policy and on-call screens: whole lists (the API pages
 * at most 500 a time), name look-ups, an inline "are you sure?" and a copy button.
 */

/** Every item of a list endpoint (path without /api/v1), page after page. */
export async function allOf<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  for await (const item of vigil.paginate((cursor) =>
    vigil.request<Page<T>>('GET', path, { query: { limit: 500, cursor } }),
  ))
    items.push(item);
  return items;
}

export const useServices = () =>
  useQuery({ queryKey: ['services'], queryFn: () => allOf<Service>('/services') });
export const useTeams = () => useQuery({ queryKey: ['teams'], queryFn: () => allOf<Team>('/teams') });
export const useUsers = () => useQuery({ queryKey: ['users'], queryFn: () => allOf<User>('/users') });
export const useSchedules = () =>
  useQuery({ queryKey: ['schedules'], queryFn: () => allOf<Schedule>('/schedules') });
export const usePolicies = () =>
  useQuery({
    queryKey: ['escalation-policies'],
    queryFn: () => allOf<EscalationPolicy>('/escalation-policies'),
  });

/**
 * Who a policy would page now (GET /escalation-policies/:id/preview). A 404 (an older server, or a
 * policy just deleted) is `null`, and the screens then show nothing instead of an error.
 */
export function usePolicyPreview(policyId: string | undefined) {
  return useQuery({
    queryKey: ['escalation-policies', policyId, 'preview'],
    enabled: !!policyId,
    queryFn: async (): Promise<PolicyPreview | null> => {
      try {
        return await vigil.request<PolicyPreview>(
          'GET',
          `/escalation-policies/${encodeURIComponent(policyId!)}/preview`,
        );
      } catch (error) {
        if (error instanceof VigilApiError && error.status === 404) return null;
        throw error;
      }
    },
    staleTime: 30_000,
    refetchInterval: 60_000,
  });
}

/** When step `index` of a policy pages, counted from the trigger: "at once", "after 15 min". */
export function stepTiming(steps: { delay_minutes: number | string }[], index: number): string {
  const minutes = steps.slice(0, index).reduce((sum, s) => sum + (Number(s.delay_minutes) || 0), 0);
  return index === 0 ? 'at once' : `after ${minutes} min unacknowledged`;
}

/** id → name of whatever list, for labels. */
export function namesOf(items: { id: string; name: string }[] | undefined): Map<string, string> {
  return new Map((items ?? []).map((item) => [item.id, item.name]));
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof VigilApiError && error.status === status;
}

/** "14:00", "Tue 09:00" within the week, else "12 Mar, 09:00": readable at 3 a.m. */
export function shortWhen(at: string | null | undefined): string {
  if (!at) return '—';
  const date = new Date(at);
  const now = new Date();
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === now.toDateString()) return time;
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
}: {
  label: string;
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  if (!asking)
    return (
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <fieldset className="row" aria-label={label} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
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
    </fieldset>
  );
}

/** Copies `text`; says so next to the button (and to screen readers). */
export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what?: string }) {
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
        className="small"
        onClick={() => void copy()}
        aria-label={what ? `${label} ${what}` : undefined}
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

/** A block of configuration to paste, with its copy button. */
export function Snippet({ title, code, children }: { title: string; code: string; children?: ReactNode }) {
  return (
    <div className="svc-snippet">
      <div className="row">
        <strong className="small">{title}</strong>
        <span className="right">
          <CopyButton text={code} what={title} />
        </span>
      </div>
      {children ? <div className="small muted">{children}</div> : null}
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}
