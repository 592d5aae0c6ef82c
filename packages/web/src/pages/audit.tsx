import { useInfiniteQuery } from '@tanstack/react-query';
import type { AuditEntry, AuditListQuery } from '@vigil/sdk/contract';
import { useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { vigil } from '../api.js';
import { ListTable } from '../components/common.js';
import { isStatus, namesOf, useTeams, useUsers } from '../data.js';
import { useCan } from '../session.js';
import { Ago, ErrorBox, Field, Loading, PageHead, when } from '../ui.js';

/**
 * The audit log (admins): every change made through the API, newest first, filtered by object and
 * by who did it, with what changed. Filters live in the URL, so a link can open "everything about
 * incident X" (/audit?object_type=incident&object_id=…).
 */

const OBJECT_TYPES: [string, string][] = [
  ['incident', 'Incidents'],
  ['service', 'Services'],
  ['integration', 'Integrations'],
  ['outbound_integration', 'Outbound integrations'],
  ['escalation_policy', 'Escalation policies'],
  ['schedule', 'Schedules'],
  ['shift_request', 'Shift requests'],
  ['team', 'Teams'],
  ['user', 'People'],
  ['api_key', 'API keys'],
];

const PAGE = 50;

export default function AuditPage() {
  const isAdmin = useCan('admin');
  return (
    <>
      <PageHead title="Audit log" />
      {isAdmin ? (
        <AuditLog />
      ) : (
        <p className="muted">
          Only admins can read the audit log. Ask an admin if you need to know who changed what.
        </p>
      )}
    </>
  );
}

function AuditLog() {
  const [params, setParams] = useSearchParams();
  const filters: AuditListQuery = {
    ...(params.get('object_type') ? { object_type: params.get('object_type')! } : {}),
    ...(params.get('object_id') ? { object_id: params.get('object_id')! } : {}),
    ...(params.get('actor_id') ? { actor_id: params.get('actor_id')! } : {}),
  };
  const setFilter = (name: keyof AuditListQuery, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  const filtered = Object.keys(filters).length > 0;

  const users = useUsers();
  const teams = useTeams();
  const userNames = namesOf(users.data);
  const teamNames = namesOf(teams.data);

  const log = useInfiniteQuery({
    queryKey: ['audit', filters],
    queryFn: ({ pageParam }) =>
      vigil.auditLog.list({ ...filters, limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const entries = log.data?.pages.flatMap((p) => p.data) ?? [];
  const types = OBJECT_TYPES.some(([t]) => t === filters.object_type)
    ? OBJECT_TYPES
    : filters.object_type
      ? [...OBJECT_TYPES, [filters.object_type, filters.object_type] as [string, string]]
      : OBJECT_TYPES;

  return (
    <>
      <div className="panel people-audit-filters">
        <Field label="Object type">
          <select
            value={filters.object_type ?? ''}
            onChange={(e) => setFilter('object_type', e.target.value)}
          >
            <option value="">Everything</option>
            {types.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <ObjectIdFilter
          key={filters.object_id ?? ''}
          value={filters.object_id ?? ''}
          onApply={(v) => setFilter('object_id', v)}
        />
        <Field label="Done by">
          <select value={filters.actor_id ?? ''} onChange={(e) => setFilter('actor_id', e.target.value)}>
            <option value="">Anyone</option>
            {filters.actor_id && !userNames.has(filters.actor_id) ? (
              <option value={filters.actor_id}>{filters.actor_id}</option>
            ) : null}
            {[...(users.data ?? [])]
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
          </select>
        </Field>
        {filtered ? (
          <button
            type="button"
            className="people-audit-clear"
            onClick={() => setParams('', { replace: true })}
          >
            Clear filters
          </button>
        ) : null}
      </div>

      {log.isPending ? <Loading what="Loading the audit log" /> : null}
      {isStatus(log.error, 403) ? (
        <p className="muted">Only admins can read the audit log.</p>
      ) : (
        <ErrorBox error={log.error} />
      )}
      {log.isSuccess && entries.length === 0 ? (
        <p className="muted">
          {filtered
            ? 'No entries match these filters. Clear them to see everything.'
            : 'Nothing recorded yet. Every create, change and delete made in Vigil will appear here.'}
        </p>
      ) : null}

      {entries.length > 0 ? (
        <ul className="people-audit" aria-label="Audit entries, newest first">
          {entries.map((entry) => (
            <Entry
              key={entry.id}
              entry={entry}
              objectName={
                (entry.object_type === 'user'
                  ? userNames.get(entry.object_id)
                  : entry.object_type === 'team'
                    ? teamNames.get(entry.object_id)
                    : undefined) ?? snapshotName(entry)
              }
              onFilter={setFilter}
            />
          ))}
        </ul>
      ) : null}

      {log.hasNextPage ? (
        <div className="row" style={{ marginTop: 10 }}>
          <button type="button" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            {log.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
          </button>
          <span className="small muted">{entries.length} shown</span>
        </div>
      ) : log.isSuccess && entries.length > PAGE ? (
        <p className="small muted">That is everything ({entries.length} entries).</p>
      ) : null}
    </>
  );
}

function ObjectIdFilter({ value, onApply }: { value: string; onApply: (value: string) => void }) {
  const [text, setText] = useState(value);
  const apply = () => {
    if (text.trim() !== value) onApply(text.trim());
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <Field label="Object ID">
        <input
          type="search"
          value={text}
          maxLength={64}
          onChange={(e) => setText(e.target.value)}
          onBlur={apply}
          placeholder="Any"
          spellCheck={false}
        />
      </Field>
    </form>
  );
}

function objectHref(type: string, id: string): string | null {
  const e = encodeURIComponent(id);
  switch (type) {
    case 'incident':
      return `/incidents/${e}`;
    case 'service':
      return `/services/${e}`;
    case 'schedule':
      return `/schedules/${e}`;
    case 'escalation_policy':
      return `/policies/${e}`;
    case 'user':
      return `/people?user=${e}`;
    case 'team':
      return `/people?tab=teams&team=${e}`;
    default:
      return null;
  }
}

function Entry({
  entry,
  objectName,
  onFilter,
}: {
  entry: AuditEntry;
  objectName: string | undefined;
  onFilter: (name: keyof AuditListQuery, value: string) => void;
}) {
  const href = objectHref(entry.object_type, entry.object_id);
  const label = objectName ?? entry.object_id;
  const object = `${entry.object_type.replace(/_/g, ' ')} ${label}`;
  return (
    <li className="people-audit-entry">
      <div className="row people-audit-head">
        <span className="people-audit-when">
          <Ago at={entry.at} />
        </span>
        <span className="people-wrap">
          <strong>{entry.actor.name}</strong>
          {entry.actor.type !== 'user' ? <span className="muted small"> ({entry.actor.type})</span> : null}
        </span>
        <code className="people-audit-action">{entry.action}</code>
        <span className="people-wrap">{href ? <Link href={href}>{object}</Link> : object}</span>
      </div>
      <details className="people-audit-details">
        <summary>Details</summary>
        <dl className="people-facts small">
          <dt>When</dt>
          <dd>{when(entry.at)}</dd>
          <dt>Who</dt>
          <dd>
            {entry.actor.name} ({entry.actor.type}
            {entry.actor.id ? `, ${entry.actor.id}` : ''})
          </dd>
          <dt>Object</dt>
          <dd className="people-wrap">
            {entry.object_type} <code>{entry.object_id}</code>
          </dd>
          {entry.ip ? (
            <>
              <dt>IP address</dt>
              <dd>{entry.ip}</dd>
            </>
          ) : null}
        </dl>
        <Changes before={entry.before} after={entry.after} />
        <div className="row small" style={{ marginTop: 8 }}>
          <button
            type="button"
            className="link"
            onClick={() => {
              onFilter('object_type', entry.object_type);
              onFilter('object_id', entry.object_id);
            }}
          >
            Everything about this {entry.object_type.replace(/_/g, ' ')}
          </button>
          {entry.actor.type === 'user' && entry.actor.id ? (
            <button type="button" className="link" onClick={() => onFilter('actor_id', entry.actor.id!)}>
              Everything by {entry.actor.name}
            </button>
          ) : null}
        </div>
      </details>
    </li>
  );
}

/** The object's name or title from its snapshot, for objects since deleted or not in a list here. */
function snapshotName(entry: AuditEntry): string | undefined {
  for (const snapshot of [entry.after, entry.before]) {
    if (!isRecord(snapshot)) continue;
    if (entry.object_type === 'incident' && typeof snapshot.number === 'number') return `#${snapshot.number}`;
    // Snapshots of sub-objects (a contact method under a user) carry their own name: skip them.
    const own = snapshot.id === undefined || snapshot.id === entry.object_id;
    const name = snapshot.name ?? snapshot.title;
    if (own && typeof name === 'string' && name) return name;
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function show(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** What changed: the fields that differ for an update, everything for a create or a delete. */
function Changes({ before, after }: { before: unknown; after: unknown }) {
  const hasBefore = before !== null && before !== undefined;
  const hasAfter = after !== null && after !== undefined;
  if (!hasBefore && !hasAfter) return <p className="small muted">No snapshot recorded.</p>;

  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
    );
    if (keys.length === 0) return <p className="small muted">No field changed.</p>;
    return (
      <ListTable columns={['Field', 'Before', 'After']} className="list small">
        {keys.map((k) => (
          <tr key={k}>
            <td>
              <code>{k}</code>
            </td>
            <td className="people-wrap people-audit-before">{show(before[k])}</td>
            <td className="people-wrap people-audit-after">{show(after[k])}</td>
          </tr>
        ))}
      </ListTable>
    );
  }

  const only = hasAfter ? after : before;
  const title = hasAfter && !hasBefore ? 'Created with' : !hasAfter ? 'Before it went' : 'Before → after';
  if (isRecord(only) && !(hasBefore && hasAfter)) {
    return (
      <>
        <p className="small muted" style={{ margin: '6px 0' }}>
          {title}:
        </p>
        <dl className="people-facts small">
          {Object.entries(only).map(([k, v]) => (
            <div key={k} className="people-facts-row">
              <dt>
                <code>{k}</code>
              </dt>
              <dd className="people-wrap">{show(v)}</dd>
            </div>
          ))}
        </dl>
      </>
    );
  }
  return (
    <pre>
      <code>{JSON.stringify({ before, after }, null, 2)}</code>
    </pre>
  );
}
