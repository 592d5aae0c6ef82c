import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  Override,
  Page,
  Schedule,
  SchedulePreview,
  ScheduleVersion,
  Shift,
  ShiftRequest,
  User,
} from '@vigil/sdk/contract';
import { useState } from 'react';
import { Link } from 'wouter';
import { vigil } from '../api.js';
import { namesOf, useCalendarFeed } from '../data.js';
import { useCan, useSession } from '../session.js';
import { Ago, ErrorBox, Field, Loading } from '../ui.js';
import { ConfirmButton, CopyButton, ListTable } from './common.js';
import { addDays, DAY_MS, fmtFull, fmtRange, HOUR_MS, instantOf, localOf } from './sched-calc.js';
import { Person, ShiftDiff, ZonedInput } from './sched-common.js';

/**
 * The lower half of a schedule's page: overrides, cover and swap requests, versions and the
 * calendar link. Times are typed and shown in the schedule's zone.
 */

export interface SpanDraft {
  start: string;
  end: string;
}

/** The next full hour in the zone, and the same time a day later. */
export function defaultSpan(zone: string): SpanDraft {
  const next = localOf(Date.now() + HOUR_MS, zone);
  const start = `${next.slice(0, 13)}:00`;
  return { start, end: `${addDays(start.slice(0, 10), 1)}${start.slice(10)}` };
}

/** Checks a typed span; the instants in ISO form, or why not. */
function spanOf(draft: SpanDraft, zone: string): { start: string; end: string } | string {
  const a = instantOf(draft.start, zone);
  const b = instantOf(draft.end, zone);
  if (Number.isNaN(a) || Number.isNaN(b)) return 'Enter a start and an end.';
  if (b <= a) return 'The end must be after the start.';
  return { start: new Date(a).toISOString(), end: new Date(b).toISOString() };
}

const invalidateSchedule = (client: ReturnType<typeof useQueryClient>, id: string) =>
  Promise.all([
    client.invalidateQueries({ queryKey: ['schedules', id] }),
    client.invalidateQueries({ queryKey: ['oncalls'] }),
    client.invalidateQueries({ queryKey: ['shift-requests'] }),
  ]);

function Message({ text }: { text: string | null }) {
  return (
    <span className="small" role="status" aria-live="polite">
      {text}
    </span>
  );
}

function FormError({ text }: { text: string | null }) {
  return text ? (
    <p className="error" role="alert">
      {text}
    </p>
  ) : null;
}

/** The From and Until of a span, typed in the schedule's zone. */
function SpanInputs({
  span,
  zone,
  onChange,
}: {
  span: SpanDraft;
  zone: string;
  onChange: (span: SpanDraft) => void;
}) {
  return (
    <>
      <ZonedInput
        label="From"
        value={span.start}
        zone={zone}
        onChange={(start) => onChange({ ...span, start })}
      />
      <ZonedInput label="Until" value={span.end} zone={zone} onChange={(end) => onChange({ ...span, end })} />
    </>
  );
}

/** Everyone but the signed-in person, as options of a select. */
function ColleagueOptions({ users }: { users: User[] }) {
  const { user: me } = useSession();
  return users
    .filter((u) => u.id !== me.id)
    .map((u) => (
      <option key={u.id} value={u.id}>
        {u.name}
      </option>
    ));
}

// ── overrides ────────────────────────────────────────────────────────────────────────────────────

export function OverridesPanel({
  schedule,
  users,
  draft,
  setDraft,
  person,
  setPerson,
}: {
  schedule: Schedule;
  users: User[];
  draft: SpanDraft;
  setDraft: (draft: SpanDraft) => void;
  person: string;
  setPerson: (id: string) => void;
}) {
  const { user: me } = useSession();
  const canRespond = useCan('responder');
  const canManage = useCan('manager');
  const client = useQueryClient();
  const zone = schedule.time_zone;
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const names = namesOf(users);

  const upcoming = useQuery({
    queryKey: ['schedules', schedule.id, 'overrides', 'upcoming'],
    queryFn: () => vigil.schedules.overrides(schedule.id),
  });
  const add = useMutation({
    mutationFn: (body: { user_id: string; start: string; end: string }) =>
      vigil.schedules.addOverride(schedule.id, body),
    onSuccess: (o) => {
      setDone(`Override added: ${names.get(o.user_id) ?? 'they'} on call ${fmtRange(o.start, o.end, zone)}.`);
      return invalidateSchedule(client, schedule.id);
    },
  });
  const remove = useMutation({
    mutationFn: (o: Override) => vigil.schedules.removeOverride(schedule.id, o.id),
    onSuccess: () => {
      setDone('Override removed.');
      return invalidateSchedule(client, schedule.id);
    },
  });

  const list = [...(upcoming.data?.data ?? [])].sort((a, b) => a.start.localeCompare(b.start));

  return (
    <section className="panel" aria-labelledby="sched-overrides">
      <h2 id="sched-overrides" style={{ marginTop: 0 }}>
        Overrides
      </h2>
      <p className="small muted" style={{ marginTop: 0 }}>
        An override puts someone on call over every layer for a while.
        {canRespond ? ' Drag across the Final row of the timeline with a mouse to fill in the times.' : ''}
      </p>
      {canRespond ? (
        <form
          id="sched-override-form"
          className="row sched-form"
          aria-label="Add an override"
          onSubmit={(e) => {
            e.preventDefault();
            setDone(null);
            const span = spanOf(draft, zone);
            if (typeof span === 'string') return setFormError(span);
            if (!person) return setFormError('Choose who is on call.');
            setFormError(null);
            add.mutate({ user_id: person, ...span });
          }}
        >
          <Field label="Who">
            <select value={person} onChange={(e) => setPerson(e.target.value)} required>
              <option value="">Choose a person…</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                  {u.id === me.id ? ' (you)' : ''}
                </option>
              ))}
            </select>
          </Field>
          <SpanInputs span={draft} zone={zone} onChange={setDraft} />
          <div className="stack" style={{ gap: 4 }}>
            <button type="submit" className="primary" disabled={add.isPending}>
              Add override
            </button>
          </div>
        </form>
      ) : null}
      <FormError text={formError} />
      <ErrorBox error={add.error} />
      <Message text={done} />

      <h3>Current and upcoming</h3>
      {upcoming.isPending ? <Loading what="Loading overrides" /> : null}
      <ErrorBox error={upcoming.error} />
      <ErrorBox error={remove.error} />
      {upcoming.isSuccess && list.length === 0 ? (
        <p className="small muted">No overrides in the next 90 days.</p>
      ) : null}
      {list.length > 0 ? (
        <ListTable
          columns={[
            'Who',
            'When',
            { label: 'Why', hidePhone: true },
            { label: <span className="sched-sr">Actions</span> },
          ]}
        >
          {list.map((o) => (
            <tr key={o.id}>
              <td>
                <Person id={o.user_id} name={names.get(o.user_id) ?? o.user_id} />
              </td>
              <td className="small">{fmtRange(o.start, o.end, zone)}</td>
              <td className="hide-phone small">
                {o.source === 'manual' ? 'by hand' : `${o.source} request`}, by {o.created_by.name}
              </td>
              <td className="right">
                {canRespond && (canManage || o.user_id === me.id) ? (
                  <ConfirmButton
                    inline
                    label="Remove"
                    question={`Remove ${names.get(o.user_id) ?? 'this'} override?`}
                    confirmLabel="Remove override"
                    busy={remove.isPending}
                    onConfirm={() => remove.mutate(o)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
    </section>
  );
}

// ── cover and swap requests ──────────────────────────────────────────────────────────────────────

/** Shifts of one person in the next month, to pick from instead of typing times. */
function ShiftPicker({
  shifts,
  userId,
  zone,
  label,
  onPick,
}: {
  shifts: Shift[];
  userId: string;
  zone: string;
  label: string;
  onPick: (span: SpanDraft) => void;
}) {
  const theirs = shifts.filter((s) => s.user_id === userId);
  if (theirs.length === 0) return null;
  return (
    <Field label={label}>
      <select
        value=""
        onChange={(e) => {
          const s = theirs[Number(e.target.value)];
          if (s) onPick({ start: localOf(Date.parse(s.start), zone), end: localOf(Date.parse(s.end), zone) });
        }}
      >
        <option value="">Choose a shift…</option>
        {theirs.map((s, i) => (
          <option key={s.start} value={i}>
            {fmtRange(s.start, s.end, zone)}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function RequestsPanel({ schedule, users }: { schedule: Schedule; users: User[] }) {
  const { user: me } = useSession();
  const canRespond = useCan('responder');
  const canManage = useCan('manager');
  const client = useQueryClient();
  const zone = schedule.time_zone;
  const names = namesOf(users);
  const nameOf = (id: string) => (id === me.id ? 'You' : (names.get(id) ?? id));
  const [done, setDone] = useState<string | null>(null);

  const open = useQuery({
    queryKey: ['shift-requests', schedule.id, 'open'],
    queryFn: () =>
      vigil.request<Page<ShiftRequest>>('GET', '/shift-requests', {
        query: { schedule_id: schedule.id, status: 'open', limit: 100 },
      }),
    refetchInterval: 60_000,
  });
  // The next month's final schedule, to pick shifts from.
  const upcoming = useQuery({
    queryKey: ['schedules', schedule.id, 'shifts', 'next-month'],
    queryFn: () => {
      const now = Date.now();
      return vigil.schedules.shifts(schedule.id, {
        since: new Date(now).toISOString(),
        until: new Date(now + 31 * DAY_MS).toISOString(),
      });
    },
    enabled: canRespond,
  });
  const shifts = upcoming.data?.data ?? [];

  const answer = useMutation({
    mutationFn: ({ request, action }: { request: ShiftRequest; action: 'accept' | 'decline' | 'cancel' }) =>
      vigil.request<{ request: ShiftRequest }>(
        'POST',
        `/shift-requests/${encodeURIComponent(request.id)}/${action}`,
        {
          body: {},
        },
      ),
    onSuccess: ({ request }) => {
      setDone(
        request.status === 'accepted'
          ? 'Accepted: the schedule now shows it as an override.'
          : request.status === 'declined'
            ? 'Declined.'
            : 'Request cancelled.',
      );
      return invalidateSchedule(client, schedule.id);
    },
    onError: () => void client.invalidateQueries({ queryKey: ['shift-requests'] }),
  });

  const requests = open.data?.data ?? [];

  return (
    <section className="panel" aria-labelledby="sched-requests">
      <h2 id="sched-requests" style={{ marginTop: 0 }}>
        Cover and swaps
      </h2>
      {canRespond ? (
        <div className="sched-two">
          <CoverForm schedule={schedule} users={users} shifts={shifts} onDone={setDone} />
          <SwapForm schedule={schedule} users={users} shifts={shifts} onDone={setDone} />
        </div>
      ) : null}
      <Message text={done} />

      <h3>Open requests</h3>
      {open.isPending ? <Loading what="Loading requests" /> : null}
      <ErrorBox error={open.error} />
      <ErrorBox error={answer.error} />
      {open.isSuccess && requests.length === 0 ? (
        <p className="small muted">No open requests. Ask for cover when you cannot take a shift.</p>
      ) : null}
      {requests.length > 0 ? (
        <ul className="sched-cards">
          {requests.map((r) => {
            const mayAccept =
              canRespond && r.requester_id !== me.id && (!r.target_user_id || r.target_user_id === me.id);
            const mayDecline = canRespond && r.target_user_id === me.id;
            const mayCancel = canRespond && (r.requester_id === me.id || canManage);
            return (
              <li key={r.id} className="sched-card">
                <div>
                  <strong>
                    {nameOf(r.requester_id)} {r.requester_id === me.id ? 'ask' : 'asks'}{' '}
                    {r.kind === 'swap' ? 'for a swap' : 'for cover'}
                  </strong>{' '}
                  <span className="small muted">
                    to {r.target_user_id ? nameOf(r.target_user_id) : 'anyone on the schedule'} ·{' '}
                    <Ago at={r.created_at} />
                  </span>
                </div>
                <div className="small">
                  {r.kind === 'swap' ? (
                    <>
                      {nameOf(r.target_user_id ?? '')} would take: {fmtRange(r.start, r.end, zone)}
                      {r.swap_start && r.swap_end ? (
                        <>
                          <br />
                          {nameOf(r.requester_id)} would take in exchange:{' '}
                          {fmtRange(r.swap_start, r.swap_end, zone)}
                        </>
                      ) : null}
                    </>
                  ) : (
                    <>Cover needed: {fmtRange(r.start, r.end, zone)}</>
                  )}
                </div>
                {r.message ? <div className="small sched-quote">“{r.message}”</div> : null}
                <div className="row">
                  {mayAccept ? (
                    <button
                      type="button"
                      className="primary"
                      disabled={answer.isPending}
                      onClick={() => answer.mutate({ request: r, action: 'accept' })}
                    >
                      Accept
                    </button>
                  ) : null}
                  {mayDecline ? (
                    <button
                      type="button"
                      disabled={answer.isPending}
                      onClick={() => answer.mutate({ request: r, action: 'decline' })}
                    >
                      Decline
                    </button>
                  ) : null}
                  {mayCancel ? (
                    <ConfirmButton
                      inline
                      label="Cancel request"
                      question="Withdraw this request?"
                      confirmLabel="Withdraw"
                      busy={answer.isPending}
                      onConfirm={() => answer.mutate({ request: r, action: 'cancel' })}
                    />
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}

interface RequestFormProps {
  schedule: Schedule;
  users: User[];
  shifts: Shift[];
  onDone: (text: string) => void;
}

/** Sending a cover or swap request: its message, what is wrong with the form, and the request itself. */
function useShiftRequest<Body>(
  schedule: Schedule,
  kind: 'cover' | 'swap',
  doneText: string,
  onDone: (text: string) => void,
) {
  const client = useQueryClient();
  const [message, setMessage] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const send = useMutation({
    mutationFn: (body: Body) =>
      vigil.request<ShiftRequest>('POST', `/schedules/${encodeURIComponent(schedule.id)}/${kind}-requests`, {
        body,
      }),
    onSuccess: () => {
      setMessage('');
      onDone(doneText);
      return client.invalidateQueries({ queryKey: ['shift-requests'] });
    },
  });
  return { message, setMessage, formError, setFormError, send };
}

function CoverForm({ schedule, users, shifts, onDone }: RequestFormProps) {
  const { user: me } = useSession();
  const zone = schedule.time_zone;
  const [span, setSpan] = useState<SpanDraft>(() => defaultSpan(zone));
  const [target, setTarget] = useState('');
  const {
    message,
    setMessage,
    formError,
    setFormError,
    send: ask,
  } = useShiftRequest<{ start: string; end: string; target_user_id: string | null; message: string }>(
    schedule,
    'cover',
    'Cover requested: the people asked have been told.',
    onDone,
  );
  return (
    <form
      className="stack sched-subform"
      aria-label="Ask for cover"
      onSubmit={(e) => {
        e.preventDefault();
        const s = spanOf(span, zone);
        if (typeof s === 'string') return setFormError(s);
        setFormError(null);
        ask.mutate({ ...s, target_user_id: target || null, message: message.trim() });
      }}
    >
      <h3 style={{ margin: 0 }}>Ask for cover</h3>
      <ShiftPicker shifts={shifts} userId={me.id} zone={zone} label="One of your shifts" onPick={setSpan} />
      <SpanInputs span={span} zone={zone} onChange={setSpan} />
      <Field label="Ask">
        <select value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">Anyone on the schedule</option>
          <ColleagueOptions users={users} />
        </select>
      </Field>
      <Field label="Message (optional)">
        <input
          value={message}
          maxLength={2000}
          onChange={(e) => setMessage(e.target.value)}
          placeholder="Dentist"
        />
      </Field>
      <FormError text={formError} />
      <ErrorBox error={ask.error} />
      <div>
        <button type="submit" className="primary" disabled={ask.isPending}>
          Ask for cover
        </button>
      </div>
    </form>
  );
}

function SwapForm({ schedule, users, shifts, onDone }: RequestFormProps) {
  const { user: me } = useSession();
  const zone = schedule.time_zone;
  const [colleague, setColleague] = useState('');
  const [mine, setMine] = useState<SpanDraft>(() => defaultSpan(zone));
  const [theirs, setTheirs] = useState<SpanDraft>(() => {
    const d = defaultSpan(zone);
    return {
      start: `${addDays(d.start.slice(0, 10), 7)}${d.start.slice(10)}`,
      end: `${addDays(d.end.slice(0, 10), 7)}${d.end.slice(10)}`,
    };
  });
  const {
    message,
    setMessage,
    formError,
    setFormError,
    send: propose,
  } = useShiftRequest<{
    target_user_id: string;
    start: string;
    end: string;
    swap_start: string;
    swap_end: string;
    message: string;
  }>(schedule, 'swap', 'Swap proposed: they have been told.', onDone);
  const colleagueName = users.find((u) => u.id === colleague)?.name ?? 'they';
  return (
    <form
      className="stack sched-subform"
      aria-label="Propose a swap"
      onSubmit={(e) => {
        e.preventDefault();
        if (!colleague) return setFormError('Choose the colleague to swap with.');
        const a = spanOf(mine, zone);
        if (typeof a === 'string') return setFormError(`Your shift: ${a}`);
        const b = spanOf(theirs, zone);
        if (typeof b === 'string') return setFormError(`Their shift: ${b}`);
        setFormError(null);
        propose.mutate({
          target_user_id: colleague,
          ...a,
          swap_start: b.start,
          swap_end: b.end,
          message: message.trim(),
        });
      }}
    >
      <h3 style={{ margin: 0 }}>Propose a swap</h3>
      <Field label="With">
        <select value={colleague} onChange={(e) => setColleague(e.target.value)}>
          <option value="">Choose a colleague…</option>
          <ColleagueOptions users={users} />
        </select>
      </Field>
      <fieldset className="sched-subset">
        <legend className="small">Your time, which {colleagueName} takes</legend>
        <ShiftPicker shifts={shifts} userId={me.id} zone={zone} label="One of your shifts" onPick={setMine} />
        <SpanInputs span={mine} zone={zone} onChange={setMine} />
      </fieldset>
      <fieldset className="sched-subset">
        <legend className="small">Their time, which you take</legend>
        {colleague ? (
          <ShiftPicker
            shifts={shifts}
            userId={colleague}
            zone={zone}
            label="One of their shifts"
            onPick={setTheirs}
          />
        ) : null}
        <SpanInputs span={theirs} zone={zone} onChange={setTheirs} />
      </fieldset>
      <Field label="Message (optional)">
        <input value={message} maxLength={2000} onChange={(e) => setMessage(e.target.value)} />
      </Field>
      <FormError text={formError} />
      <ErrorBox error={propose.error} />
      <div>
        <button type="submit" className="primary" disabled={propose.isPending}>
          Propose swap
        </button>
      </div>
    </form>
  );
}

// ── versions ─────────────────────────────────────────────────────────────────────────────────────

function summary(v: ScheduleVersion, names: Map<string, string>): string {
  const d = v.definition;
  const layers = d.layers
    .map(
      (l) =>
        `${l.name || 'unnamed'} (${l.rotation.type}, ${l.users.map((u) => names.get(u) ?? u).join(', ') || 'nobody'}${
          l.restrictions?.length
            ? `, ${l.restrictions.length} restriction${l.restrictions.length > 1 ? 's' : ''}`
            : ''
        })`,
    )
    .join('; ');
  return `${d.name} · ${d.time_zone} · ${d.layers.length} layer${d.layers.length === 1 ? '' : 's'}${layers ? `: ${layers}` : ''}`;
}

export function VersionsPanel({ schedule, users }: { schedule: Schedule; users: User[] }) {
  const canManage = useCan('manager');
  const client = useQueryClient();
  const zone = schedule.time_zone;
  const names = namesOf(users);
  const [pending, setPending] = useState<{ version: number; preview: SchedulePreview } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const versions = useQuery({
    queryKey: ['schedules', schedule.id, 'versions'],
    queryFn: () => vigil.schedules.versions(schedule.id, { limit: 100 }),
  });
  const dryRun = useMutation({
    mutationFn: (version: number) =>
      vigil.request<SchedulePreview>(
        'POST',
        `/schedules/${encodeURIComponent(schedule.id)}/versions/${version}/restore`,
        { query: { dry_run: true }, body: {} },
      ),
    onSuccess: (preview, version) => {
      setDone(null);
      setPending({ version, preview });
    },
  });
  const restore = useMutation({
    mutationFn: (version: number) => vigil.schedules.restore(schedule.id, version),
    onSuccess: async (saved, version) => {
      setPending(null);
      setDone(`Version ${version} restored as version ${saved.version}.`);
      client.setQueryData(['schedules', schedule.id], saved);
      await client.invalidateQueries({ queryKey: ['schedules'] });
      void client.invalidateQueries({ queryKey: ['oncalls'] });
    },
  });

  const list = versions.data?.data ?? [];
  return (
    <section className="panel" aria-labelledby="sched-versions">
      <h2 id="sched-versions" style={{ marginTop: 0 }}>
        Versions
      </h2>
      <p className="small muted" style={{ marginTop: 0 }}>
        Every save is kept. Restoring an old version saves it again as the newest; overrides stay as they are.
      </p>
      {versions.isPending ? <Loading what="Loading versions" /> : null}
      <ErrorBox error={versions.error} />
      <Message text={done} />
      {pending ? (
        <section className="panel sched-preview" aria-label={`Restore version ${pending.version}`}>
          <h3 style={{ marginTop: 0 }}>Restore version {pending.version}?</h3>
          <ShiftDiff preview={pending.preview} />
          <ErrorBox error={restore.error} />
          <div className="row" style={{ marginTop: 10 }}>
            <button
              type="button"
              className="primary"
              disabled={restore.isPending}
              onClick={() => restore.mutate(pending.version)}
            >
              Restore version {pending.version}
            </button>
            <button type="button" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        </section>
      ) : null}
      <ErrorBox error={dryRun.error} />
      {list.length > 0 ? (
        <ListTable
          columns={[
            'Version',
            'Change',
            { label: 'When', hidePhone: true },
            { label: <span className="sched-sr">Actions</span> },
          ]}
        >
          {list.map((v) => (
            <tr key={v.version}>
              <td>
                #{v.version}{' '}
                {v.version === schedule.version ? <span className="badge resolved">current</span> : null}
              </td>
              <td>
                <div>
                  {v.action === 'create'
                    ? 'Created'
                    : v.action === 'restore'
                      ? `Restored #${v.restored_from ?? '?'}`
                      : 'Changed'}{' '}
                  by {v.actor.name}
                </div>
                <div className="small muted">{summary(v, names)}</div>
                <div className="small muted sched-show-phone">{fmtFull(v.created_at, zone)}</div>
              </td>
              <td className="hide-phone small">{fmtFull(v.created_at, zone)}</td>
              <td className="right">
                {canManage && v.version !== schedule.version ? (
                  <button
                    type="button"
                    disabled={dryRun.isPending}
                    onClick={() => dryRun.mutate(v.version)}
                    aria-label={`Restore version ${v.version}…`}
                  >
                    Restore…
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </ListTable>
      ) : null}
      {versions.data?.next_cursor ? <p className="small muted">Showing the newest 100 versions.</p> : null}
    </section>
  );
}

// ── calendar feed ────────────────────────────────────────────────────────────────────────────────

export function FeedPanel({ schedule }: { schedule: Schedule }) {
  const canManage = useCan('manager');
  const { shown, setShown, feed, rotate, revoke } = useCalendarFeed({
    path: `/schedules/${encodeURIComponent(schedule.id)}/calendar-feed`,
    queryKey: ['calendar-feed', 'schedule', schedule.id],
    allowed: canManage,
    staleTime: 5 * 60_000,
  });

  return (
    <section className="panel" aria-labelledby="sched-feed">
      <h2 id="sched-feed" style={{ marginTop: 0 }}>
        Calendar feed
      </h2>
      {!canManage ? (
        <p className="small muted" style={{ margin: 0 }}>
          Managers can make a subscription link for this schedule. Your own shifts, across every schedule, can
          go to your calendar from <Link href="/profile">My profile</Link>.
        </p>
      ) : (
        <>
          <p className="small muted" style={{ marginTop: 0 }}>
            Paste the link into Google Calendar, Outlook or Apple Calendar (“subscribe from URL”). It holds
            the last 30 and the next 90 days and refreshes about every hour. Anyone with the link can read the
            schedule: share it like a password.
          </p>
          {!shown ? (
            <button type="button" onClick={() => setShown(true)}>
              Show calendar link
            </button>
          ) : null}
          {shown && feed.isPending ? <Loading what="Loading the calendar link" /> : null}
          <ErrorBox error={feed.error} />
          {feed.isSuccess && feed.data === null ? (
            <div className="row">
              <span className="muted">No calendar link yet.</span>
              <button
                type="button"
                className="primary"
                disabled={rotate.isPending}
                onClick={() => rotate.mutate()}
              >
                Create calendar link
              </button>
            </div>
          ) : null}
          {feed.data ? (
            <div className="stack">
              <div className="row">
                <input
                  className="grow sched-url"
                  readOnly
                  value={feed.data.url}
                  aria-label="Calendar link"
                  onFocus={(e) => e.target.select()}
                />
                <CopyButton text={feed.data.url} label="Copy link" />
              </div>
              <div className="row small">
                <a href={feed.data.webcal_url}>Open in your calendar app</a>
                <span className="muted">Made {fmtFull(feed.data.created_at, schedule.time_zone)}</span>
              </div>
              <div className="row">
                <ConfirmButton
                  inline
                  label="Replace link"
                  className=""
                  question="The current link stops working at once; calendars using it must subscribe again."
                  confirmLabel="Replace"
                  busy={rotate.isPending}
                  onConfirm={() => rotate.mutate()}
                />
                <ConfirmButton
                  inline
                  label="Revoke link"
                  question="The link stops working at once."
                  confirmLabel="Revoke"
                  busy={revoke.isPending}
                  onConfirm={() => revoke.mutate()}
                />
              </div>
            </div>
          ) : null}
          <ErrorBox error={rotate.error ?? revoke.error} />
        </>
      )}
    </section>
  );
}
