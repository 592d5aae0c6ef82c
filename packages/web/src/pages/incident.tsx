import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Alert, Incident, Notification, Page, TimelineEntry } from '@vigil/sdk/contract';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'wouter';
import { VigilApiError, vigil } from '../api.js';
import { AlertCard } from '../components/board-alerts.js';
import { useDirectory, useUsers } from '../components/board-directory.js';
import { liveText, useDebounced, useIncidentStream, useTick } from '../components/board-live.js';
import { useCan } from '../session.js';
import { Ago, ErrorBox, Field, Loading, StatusBadge, when } from '../ui.js';

type Priority = NonNullable<Incident['priority']>;
const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];

async function everyPage<T>(
  list: (cursor: string | undefined) => Promise<Page<T>>,
  cap = 2_000,
): Promise<T[]> {
  const all: T[] = [];
  for await (const item of vigil.paginate(list)) {
    all.push(item);
    if (all.length >= cap) break;
  }
  return all;
}

/** The incident workspace (route `/incidents/:id`, the number or the ID): act, read, take notes, live. */
export default function IncidentPage() {
  const { id = '' } = useParams<{ id: string }>();
  const client = useQueryClient();
  const canRead = useCan('observer');
  const canAct = useCan('responder');
  useTick();

  const key = ['incident', id] as const;
  const incident = useQuery({ queryKey: key, queryFn: () => vigil.incidents.get(id) });
  const timeline = useQuery({
    queryKey: ['incident', id, 'timeline'],
    queryFn: () => everyPage<TimelineEntry>((cursor) => vigil.incidents.timeline(id, { limit: 500, cursor })),
  });
  const notifications = useQuery({
    queryKey: ['incident', id, 'notifications'],
    queryFn: () =>
      everyPage<Notification>((cursor) =>
        vigil.request<Page<Notification>>('GET', `/incidents/${encodeURIComponent(id)}/notifications`, {
          query: { limit: 500, cursor },
        }),
      ),
    enabled: canRead,
    // Delivery states move on without the incident changing: look again while something is in flight.
    refetchInterval: (query) => {
      const soon = Date.now() + 60_000;
      const pending = (query.state.data ?? []).some(
        (n) => n.state === 'sending' || (n.state === 'queued' && Date.parse(n.send_after) <= soon),
      );
      return pending ? 5_000 : false;
    },
  });
  const alerts = useInfiniteQuery({
    queryKey: ['incident', id, 'alerts'],
    queryFn: ({ pageParam }) => vigil.incidents.alerts(id, { limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<Alert>) => last.next_cursor ?? undefined,
    enabled: canRead,
  });
  const { services } = useDirectory();
  const users = useUsers(canRead);

  // Live: this incident's changes arrive on the stream; its timeline, notifications and alerts follow.
  const refreshDetails = useDebounced(() => {
    for (const part of ['timeline', 'notifications', 'alerts'])
      void client.invalidateQueries({ queryKey: ['incident', id, part] });
  }, 300);
  const live = useIncidentStream(
    (changed) => {
      const current = client.getQueryData<Incident>(key);
      const mine = current ? changed.id === current.id : changed.id === id || String(changed.number) === id;
      if (!mine) return;
      if (!current || Date.parse(changed.updated_at) >= Date.parse(current.updated_at))
        client.setQueryData(key, changed);
      refreshDetails();
    },
    () => void client.invalidateQueries({ queryKey: key }),
  );

  const data = incident.data;
  useEffect(() => {
    if (!data) return;
    const before = document.title;
    document.title = `#${data.number} ${data.title} · Vigil`;
    return () => {
      document.title = before;
    };
  }, [data]);

  if (incident.isPending) return <Loading what="Loading the incident" />;
  if (incident.isError) {
    const missing = incident.error instanceof VigilApiError && incident.error.status === 404;
    return (
      <div className="stack">
        <h1>{missing ? `Incident ${id} not found` : 'Could not load the incident'}</h1>
        {missing ? (
          <p className="muted">It may have been merged, or the link has a typo.</p>
        ) : (
          <ErrorBox error={incident.error} />
        )}
        <p>
          <Link href="/">Back to incidents</Link>
        </p>
      </div>
    );
  }

  const it = incident.data;
  const service = services.data?.find((s) => s.id === it.service_id);
  const userName = new Map((users.data ?? []).map((u) => [u.id, u.name] as const));

  return (
    <div className="incident">
      <p className="small incident-back">
        <Link href="/">← Incidents</Link>
        <span className={`board-live ${live}`} role="status">
          {liveText(live)}
        </span>
      </p>
      <h1 className="incident-wrap">
        <span className="muted">#{it.number}</span> {it.title}
      </h1>
      <div className="row incident-badges">
        <StatusBadge status={it.status} />
        {it.priority ? (
          <span className={`badge neutral board-priority ${it.priority}`}>{it.priority}</span>
        ) : null}
        <span className="badge neutral">{it.urgency} urgency</span>
        <span className="small muted">
          opened <Ago at={it.created_at} />
        </span>
      </div>

      {canAct ? <Actions incident={it} incidentKey={key} /> : null}

      <section className="panel" aria-labelledby="incident-details">
        <h2 id="incident-details" className="incident-section-title">
          Details
        </h2>
        <dl className="incident-facts">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={it.status} />
          </dd>
          <dt>Service</dt>
          <dd>
            {service ? (
              <Link href={`/services/${service.id}`}>{service.name}</Link>
            ) : (
              <code>{it.service_id}</code>
            )}
          </dd>
          <dt>Assignees</dt>
          <dd>
            {it.assignees.length ? (
              it.assignees.map((a) => a.name).join(', ')
            ) : (
              <span className="muted">Nobody</span>
            )}
          </dd>
          <dt>Priority</dt>
          <dd>{it.priority ?? <span className="muted">None</span>}</dd>
          <dt>Urgency</dt>
          <dd>{it.urgency}</dd>
          <dt>Severity</dt>
          <dd>{it.severity}</dd>
          <dt>Created</dt>
          <dd>
            {when(it.created_at)} (<Ago at={it.created_at} />)
          </dd>
          <dt>Acknowledged</dt>
          <dd>{it.acknowledged_at ? when(it.acknowledged_at) : <span className="muted">Not yet</span>}</dd>
          <dt>Resolved</dt>
          <dd>{it.resolved_at ? when(it.resolved_at) : <span className="muted">Not yet</span>}</dd>
          <dt>Alerts</dt>
          <dd>{it.alert_count}</dd>
          {it.dedup_key ? (
            <>
              <dt>Dedup key</dt>
              <dd>
                <code className="incident-wrap">{it.dedup_key}</code>
              </dd>
            </>
          ) : null}
        </dl>
        {it.description ? <p className="incident-pre">{it.description}</p> : null}
      </section>

      {canAct ? <NoteForm id={id} /> : null}

      <Timeline
        entries={timeline.data}
        entriesError={timeline.error}
        notifications={canRead ? notifications.data : []}
        notificationsError={canRead ? notifications.error : null}
        userName={userName}
      />

      {canRead ? (
        <section aria-labelledby="incident-alerts">
          <h2 id="incident-alerts">Alerts</h2>
          {alerts.isPending ? (
            <Loading what="Loading alerts" />
          ) : alerts.isError ? (
            <ErrorBox error={alerts.error} />
          ) : alerts.data.pages[0]?.data.length ? (
            <>
              <ul className="incident-alerts">
                {alerts.data.pages
                  .flatMap((page) => page.data)
                  .map((alert) => (
                    <AlertCard key={alert.id} alert={alert} />
                  ))}
              </ul>
              {alerts.hasNextPage ? (
                <button
                  type="button"
                  disabled={alerts.isFetchingNextPage}
                  onClick={() => void alerts.fetchNextPage()}
                >
                  {alerts.isFetchingNextPage ? 'Loading…' : 'Load more alerts'}
                </button>
              ) : null}
            </>
          ) : (
            <p className="muted">No alerts: this incident was opened by hand.</p>
          )}
        </section>
      ) : null}
    </div>
  );
}

type ActionName = 'acknowledge' | 'resolve' | 'escalate' | 'priority' | 'urgency';

/** Acknowledge and Resolve first and big (a push notification lands here); then the rest. */
function Actions({ incident, incidentKey }: { incident: Incident; incidentKey: readonly unknown[] }) {
  const client = useQueryClient();
  const [reassigning, setReassigning] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const ref = incident.id;

  const settle = (updated: Incident) => {
    client.setQueryData(incidentKey, updated);
    void client.invalidateQueries({ queryKey: [...incidentKey, 'timeline'] });
    void client.invalidateQueries({ queryKey: [...incidentKey, 'notifications'] });
    void client.invalidateQueries({ queryKey: ['incidents'] });
  };

  const action = useMutation({
    mutationFn: async (run: { name: ActionName; value?: string }): Promise<Incident> => {
      switch (run.name) {
        case 'acknowledge':
          return vigil.incidents.acknowledge(ref);
        case 'resolve':
          return vigil.incidents.resolve(ref);
        case 'escalate':
          return vigil.request<Incident>('POST', `/incidents/${encodeURIComponent(ref)}/escalate`, {
            body: {},
          });
        case 'priority':
          return vigil.incidents.update(ref, { priority: (run.value || null) as Priority | null });
        case 'urgency':
          return vigil.incidents.update(ref, { urgency: run.value as Incident['urgency'] });
      }
    },
    onMutate: () => setNotice(null),
    onSuccess: (updated, run) => {
      settle(updated);
      if (run.name === 'escalate')
        setNotice('Escalated: the next step of the escalation policy is being paged now.');
    },
  });
  const busy = action.isPending ? action.variables.name : null;
  const open = incident.status !== 'resolved';

  return (
    <>
      {open ? (
        <div className="incident-actions">
          {incident.status === 'triggered' ? (
            <button
              type="button"
              className="primary incident-big"
              disabled={action.isPending}
              onClick={() => action.mutate({ name: 'acknowledge' })}
            >
              {busy === 'acknowledge' ? 'Acknowledging…' : 'Acknowledge'}
            </button>
          ) : null}
          <button
            type="button"
            className={`incident-big${incident.status === 'acknowledged' ? ' primary' : ''}`}
            disabled={action.isPending}
            onClick={() => action.mutate({ name: 'resolve' })}
          >
            {busy === 'resolve' ? 'Resolving…' : 'Resolve'}
          </button>
        </div>
      ) : (
        <p className="notice incident-resolved">Resolved {when(incident.resolved_at)}.</p>
      )}
      <div className="row incident-more">
        {open ? (
          <button
            type="button"
            disabled={action.isPending}
            title="Page the next step of the escalation policy now"
            onClick={() => action.mutate({ name: 'escalate' })}
          >
            {busy === 'escalate' ? 'Escalating…' : 'Escalate'}
          </button>
        ) : null}
        {open ? (
          <button type="button" aria-expanded={reassigning} onClick={() => setReassigning(!reassigning)}>
            Reassign
          </button>
        ) : null}
        <label className="row small">
          Priority
          <select
            value={incident.priority ?? ''}
            disabled={action.isPending}
            onChange={(event) => action.mutate({ name: 'priority', value: event.target.value })}
          >
            <option value="">None</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label className="row small">
          Urgency
          <select
            value={incident.urgency}
            disabled={action.isPending}
            onChange={(event) => action.mutate({ name: 'urgency', value: event.target.value })}
          >
            <option value="high">High</option>
            <option value="low">Low</option>
          </select>
        </label>
      </div>
      <ErrorBox error={action.error} />
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {reassigning && open ? (
        <Reassign
          incident={incident}
          onDone={(updated) => {
            settle(updated);
            setReassigning(false);
          }}
        />
      ) : null}
    </>
  );
}

function Reassign({ incident, onDone }: { incident: Incident; onDone: (updated: Incident) => void }) {
  const users = useUsers();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(
    () => new Set(incident.assignees.map((a) => a.id)),
  );
  const [filter, setFilter] = useState('');
  const reassign = useMutation({
    mutationFn: () => vigil.incidents.reassign(incident.id, [...chosen]),
    onSuccess: onDone,
  });
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (users.data ?? [])
      .filter((u) => u.role !== 'stakeholder')
      .filter(
        (u) => !needle || u.name.toLowerCase().includes(needle) || u.email.toLowerCase().includes(needle),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [users.data, filter]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen.size) reassign.mutate();
  };

  return (
    <form className="panel stack" onSubmit={submit} aria-label="Reassign the incident">
      <strong>Reassign to</strong>
      <span className="small muted">
        The people you pick are paged now; an acknowledged incident triggers again until one of them
        acknowledges.
      </span>
      {users.isPending ? (
        <Loading what="Loading people" />
      ) : users.isError ? (
        <ErrorBox error={users.error} />
      ) : (
        <>
          <Field label="Find people">
            <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
          </Field>
          <div className="incident-people">
            {shown.map((user) => (
              <label key={user.id} className="check">
                <input
                  type="checkbox"
                  checked={chosen.has(user.id)}
                  onChange={(event) =>
                    setChosen((prev) => {
                      const next = new Set(prev);
                      if (event.target.checked) next.add(user.id);
                      else next.delete(user.id);
                      return next;
                    })
                  }
                />
                {user.name} <span className="muted small">{user.email}</span>
              </label>
            ))}
            {shown.length === 0 ? <span className="muted">Nobody matches.</span> : null}
          </div>
        </>
      )}
      <ErrorBox error={reassign.error} />
      <div className="row">
        <button
          type="submit"
          className="primary"
          disabled={chosen.size === 0 || chosen.size > 50 || reassign.isPending}
        >
          {reassign.isPending ? 'Reassigning…' : 'Reassign to selected'}
        </button>
        <span className="small muted">{chosen.size} selected</span>
      </div>
    </form>
  );
}

function NoteForm({ id }: { id: string }) {
  const client = useQueryClient();
  const [body, setBody] = useState('');
  const note = useMutation({
    mutationFn: (text: string) =>
      vigil.incidents.addNote(id, text, {
        idempotencyKey:
          typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : undefined,
      }),
    onSuccess: () => {
      setBody('');
      return client.invalidateQueries({ queryKey: ['incident', id, 'timeline'] });
    },
  });
  return (
    <form
      className="panel stack"
      onSubmit={(event) => {
        event.preventDefault();
        if (body.trim()) note.mutate(body.trim());
      }}
    >
      <Field label="Add a note">
        <textarea
          value={body}
          maxLength={65_536}
          placeholder="What you found, what you tried, what is next"
          onChange={(e) => setBody(e.target.value)}
        />
      </Field>
      <ErrorBox error={note.error} />
      <div>
        <button type="submit" disabled={!body.trim() || note.isPending}>
          {note.isPending ? 'Adding…' : 'Add note'}
        </button>
      </div>
    </form>
  );
}

type Item =
  | { kind: 'entry'; at: string; entry: TimelineEntry }
  | { kind: 'notification'; at: string; n: Notification };

const stateBadge: Record<Notification['state'], string> = {
  queued: 'acknowledged',
  sending: 'acknowledged',
  sent: 'resolved',
  delivered: 'resolved',
  failed: 'triggered',
  suppressed: 'neutral',
};
const kindName: Record<Notification['kind'], string> = {
  page: 'Page',
  update: 'Update',
  test: 'Test',
  verification: 'Verification code',
  summary: 'Summary',
  notice: 'Notice',
};
const channelName: Record<Notification['channel'], string> = {
  email: 'e-mail',
  sms: 'SMS',
  voice: 'voice call',
  slack: 'Slack',
  teams: 'Teams',
  push: 'push',
  webhook: 'webhook',
};

/** What happened, newest first: the incident's timeline and every notification with its delivery state. */
function Timeline({
  entries,
  entriesError,
  notifications,
  notificationsError,
  userName,
}: {
  entries: TimelineEntry[] | undefined;
  entriesError: unknown;
  notifications: Notification[] | undefined;
  notificationsError: unknown;
  userName: ReadonlyMap<string, string>;
}) {
  const [showNotifications, setShowNotifications] = useState(true);
  const items = useMemo(() => {
    const all: Item[] = (entries ?? []).map((entry) => ({ kind: 'entry', at: entry.at, entry }));
    if (showNotifications)
      for (const n of notifications ?? []) all.push({ kind: 'notification', at: n.created_at, n });
    return all.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  }, [entries, notifications, showNotifications]);

  return (
    <section aria-labelledby="incident-timeline">
      <div className="row">
        <h2 id="incident-timeline">Timeline</h2>
        {notifications?.length ? (
          <label className="check small right">
            <input
              type="checkbox"
              checked={showNotifications}
              onChange={(e) => setShowNotifications(e.target.checked)}
            />
            Show notifications ({notifications.length})
          </label>
        ) : null}
      </div>
      <ErrorBox error={entriesError} />
      <ErrorBox error={notificationsError} />
      {!entries && !entriesError ? <Loading what="Loading the timeline" /> : null}
      {entries && items.length === 0 ? <p className="muted">Nothing has happened yet.</p> : null}
      {items.length ? (
        <ol className="timeline panel incident-timeline">
          {items.map((item) =>
            item.kind === 'entry' ? (
              <li key={`e-${item.entry.id}`} className={`incident-entry ${item.entry.type}`}>
                <div className="row small muted">
                  <span className="badge neutral">{item.entry.type.replace(/_/g, ' ')}</span>
                  <span>{item.entry.actor.name}</span>
                  <span className="right" title={when(item.at)}>
                    <Ago at={item.at} />
                  </span>
                </div>
                <div className={item.entry.type === 'note' ? 'incident-pre incident-note' : 'incident-wrap'}>
                  {item.entry.message}
                </div>
              </li>
            ) : (
              <li key={`n-${item.n.id}`} className="incident-notification">
                <div className="row small muted">
                  <span className={`badge ${stateBadge[item.n.state]}`}>{item.n.state}</span>
                  <span>
                    {kindName[item.n.kind] ?? item.n.kind} by {channelName[item.n.channel] ?? item.n.channel}{' '}
                    to {userName.get(item.n.user_id) ?? 'a user'}
                    {item.n.step !== null ? ` (step ${item.n.step + 1})` : ''}
                  </span>
                  <span className="right" title={when(item.at)}>
                    <Ago at={item.at} />
                  </span>
                </div>
                <div className="small incident-wrap">
                  {item.n.reason}
                  {item.n.attempts > 1 ? ` · ${item.n.attempts} attempts` : ''}
                  {item.n.delivered_at
                    ? ` · delivered ${when(item.n.delivered_at)}`
                    : item.n.sent_at
                      ? ` · sent ${when(item.n.sent_at)}`
                      : item.n.state === 'queued' && Date.parse(item.n.send_after) > Date.now()
                        ? ` · sends ${when(item.n.send_after)}`
                        : ''}
                </div>
              </li>
            ),
          )}
        </ol>
      ) : null}
    </section>
  );
}
