import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Schedule, ScheduleLayer, Team, User } from '@vigil/sdk/contract';
import { useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { vigil } from '../api.js';
import { ListTable } from '../components/common.js';
import {
  browserZone,
  fmtDuration,
  fmtRange,
  fmtTime,
  fmtWhen,
  layerPieces,
  localOf,
  zoneOffset,
} from '../components/sched-calc.js';
import { Person } from '../components/sched-common.js';
import { ScheduleEditor } from '../components/sched-editor.js';
import {
  defaultSpan,
  FeedPanel,
  OverridesPanel,
  RequestsPanel,
  type SpanDraft,
  VersionsPanel,
} from '../components/sched-panels.js';
import {
  Legend,
  stepAnchor,
  Timeline,
  type TimelineRow,
  type View,
  windowFor,
} from '../components/sched-timeline.js';
import { isStatus, useTeams, useUsers } from '../data.js';
import { useCan, useSession } from '../session.js';
import { ErrorBox, Loading, PageHead } from '../ui.js';

/** One schedule: who is on call, the timeline of its layers, overrides, requests, versions and feed. */
export default function SchedulePage() {
  const { id = '' } = useParams<{ id: string }>();
  const schedule = useQuery({ queryKey: ['schedules', id], queryFn: () => vigil.schedules.get(id) });

  if (schedule.isPending) return <Loading what="Loading the schedule" />;
  if (schedule.isError)
    return (
      <>
        <PageHead title="Schedule" />
        {isStatus(schedule.error, 404) ? (
          <p>
            This schedule does not exist, or it was deleted. <Link href="/schedules">Back to schedules</Link>
          </p>
        ) : (
          <ErrorBox error={schedule.error} />
        )}
      </>
    );
  return <ScheduleScreen schedule={schedule.data} />;
}

const VIEWS: [View, string][] = [
  ['day', 'Day'],
  ['week', 'Week'],
  ['month', 'Month'],
];

function rotationText(l: ScheduleLayer): string {
  const n = l.rotation.shift_length;
  const unit = { hourly: 'hour', daily: 'day', weekly: 'week' }[l.rotation.type];
  return `${n === 1 ? `every ${unit}` : `every ${n} ${unit}s`}${l.restrictions?.length ? ', restricted' : ''}`;
}

function ScheduleScreen({ schedule }: { schedule: Schedule }) {
  const { user: me } = useSession();
  const canManage = useCan('manager');
  const canRespond = useCan('responder');
  const [, navigate] = useLocation();
  const zone = schedule.time_zone;
  const users = useUsers();
  const teams = useTeams();
  const [editing, setEditing] = useState(false);

  // The timeline's window: a view and a local date in the schedule's zone.
  const [view, setView] = useState<View>('week');
  const [anchor, setAnchor] = useState(() => localOf(Date.now(), zone).slice(0, 10));
  const w = useMemo(() => windowFor(view, anchor, zone), [view, anchor, zone]);
  const range = { since: new Date(w.start).toISOString(), until: new Date(w.end).toISOString() };
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);

  // The override form lives here so that a drag across the timeline can fill it in.
  const [overrideSpan, setOverrideSpan] = useState<SpanDraft>(() => defaultSpan(zone));
  const [overridePerson, setOverridePerson] = useState(me.id);

  const shifts = useQuery({
    queryKey: ['schedules', schedule.id, 'shifts', range.since, range.until],
    queryFn: () => vigil.schedules.shifts(schedule.id, range),
    placeholderData: keepPreviousData,
  });
  const gaps = useQuery({
    queryKey: ['schedules', schedule.id, 'gaps', range.since, range.until],
    queryFn: () =>
      vigil.request<{ data: { start: string; end: string }[] }>(
        'GET',
        `/schedules/${encodeURIComponent(schedule.id)}/gaps`,
        { query: range },
      ),
    placeholderData: keepPreviousData,
  });
  const overrides = useQuery({
    queryKey: ['schedules', schedule.id, 'overrides', range.since, range.until],
    queryFn: () => vigil.schedules.overrides(schedule.id, range),
    placeholderData: keepPreviousData,
  });
  const upcomingGaps = useQuery({
    queryKey: ['schedules', schedule.id, 'gaps', 'next-14-days'],
    queryFn: () =>
      vigil.request<{ data: { start: string; end: string }[] }>(
        'GET',
        `/schedules/${encodeURIComponent(schedule.id)}/gaps`,
      ),
  });
  const onCall = useQuery({
    queryKey: ['schedules', schedule.id, 'oncall'],
    queryFn: () => vigil.schedules.onCall(schedule.id),
    refetchInterval: 60_000,
  });

  const names = useMemo(() => {
    const map = new Map<string, string>((users.data ?? []).map((u: User) => [u.id, u.name]));
    for (const s of shifts.data?.data ?? []) if (!map.has(s.user_id)) map.set(s.user_id, s.user_name);
    return map;
  }, [users.data, shifts.data]);

  const rows = useMemo((): TimelineRow[] => {
    const label = (id: string) => names.get(id) ?? 'Unknown person';
    const layerRows: TimelineRow[] = schedule.layers.map((l, i) => ({
      key: `layer-${i}`,
      label: `${i + 1}. ${l.name || 'Layer'}`,
      sub: rotationText(l),
      bars: layerPieces(schedule, i, w).map((p) => ({
        key: `${p.start}-${p.userId}`,
        userId: p.userId,
        name: label(p.userId),
        start: p.start,
        end: p.end,
        note: `layer ${l.name || i + 1}`,
      })),
      empty: l.users.length ? 'Not covering in this window' : 'Nobody in this layer',
    }));
    const overrideRow: TimelineRow = {
      key: 'overrides',
      label: 'Overrides',
      bars: (overrides.data?.data ?? []).map((o) => ({
        key: o.id,
        userId: o.user_id,
        name: label(o.user_id),
        start: Date.parse(o.start),
        end: Date.parse(o.end),
        override: true,
        note: `${o.source === 'manual' ? 'override' : `${o.source} request`} by ${o.created_by.name}`,
      })),
      empty: overrides.isPending ? 'Loading…' : 'None',
    };
    const finalRow: TimelineRow = {
      key: 'final',
      label: 'Final',
      sub: 'who is paged',
      final: true,
      bars: (shifts.data?.data ?? []).map((s) => ({
        key: `${s.start}-${s.user_id}`,
        userId: s.user_id,
        name: s.user_name,
        start: Date.parse(s.start),
        end: Date.parse(s.end),
        override: s.layer_index === null,
        note: s.layer === null ? 'override' : `layer ${s.layer || (s.layer_index ?? 0) + 1}`,
      })),
      gaps: (gaps.data?.data ?? []).map((g) => ({ start: Date.parse(g.start), end: Date.parse(g.end) })),
      empty: shifts.isPending ? 'Loading…' : undefined,
    };
    return [...layerRows, overrideRow, finalRow];
  }, [schedule, w, names, overrides.data, overrides.isPending, shifts.data, shifts.isPending, gaps.data]);

  const people = useMemo(() => {
    const ids = new Set<string>();
    for (const row of rows)
      for (const b of row.bars) if (b.end > w.start && b.start < w.end) ids.add(b.userId);
    return [...ids]
      .map((id) => ({ id, name: names.get(id) ?? id }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [rows, names, w]);

  const windowGaps = (gaps.data?.data ?? []).filter(
    (g) => Date.parse(g.end) > w.start && Date.parse(g.start) < w.end,
  );
  const soonGaps = upcomingGaps.data?.data ?? [];
  const team = schedule.team_id ? teams.data?.find((t: Team) => t.id === schedule.team_id) : undefined;
  const mine = browserZone();

  const pickSpan = (start: string, end: string) => {
    setOverrideSpan({ start, end });
    const form = document.getElementById('sched-override-form');
    form?.scrollIntoView({ behavior: 'smooth', block: 'center' });
    form?.querySelector('select')?.focus({ preventScroll: true });
  };

  return (
    <>
      <p className="small" style={{ margin: '0 0 6px' }}>
        <Link href="/schedules">← Schedules</Link>
      </p>
      <PageHead title={schedule.name}>
        {canManage && !editing ? (
          <button type="button" onClick={() => setEditing(true)}>
            Edit schedule
          </button>
        ) : null}
      </PageHead>
      <p className="small muted" style={{ marginTop: -6 }}>
        Times on this page are in <strong>{zone}</strong> ({zoneOffset(zone, now)})
        {mine !== zone ? `; you are in ${mine} (${zoneOffset(mine, now)})` : ''}.
        {team ? ` Team: ${team.name}.` : ''} Version {schedule.version}.
      </p>
      {schedule.description ? <p style={{ whiteSpace: 'pre-wrap' }}>{schedule.description}</p> : null}

      {editing ? (
        <section className="panel" aria-labelledby="sched-edit-title">
          <h2 id="sched-edit-title" style={{ marginTop: 0 }}>
            Edit schedule
          </h2>
          <ScheduleEditor
            key={schedule.id}
            schedule={schedule}
            onSaved={() => setEditing(false)}
            onCancel={() => setEditing(false)}
            onDeleted={() => navigate('/schedules')}
          />
        </section>
      ) : null}

      <section className="panel sched-now-panel" aria-labelledby="sched-oncall">
        <h2 id="sched-oncall" style={{ margin: 0 }} className="small muted">
          On call now
        </h2>
        {onCall.isPending ? <Loading /> : null}
        <ErrorBox error={onCall.error} />
        {onCall.data && onCall.data.users.length === 0 ? (
          <p style={{ margin: '4px 0 0' }}>
            <span className="badge triggered">Nobody</span> Pages sent through this schedule reach no one
            right now.
          </p>
        ) : null}
        {onCall.data?.users.map((u) => (
          <p key={u.id} style={{ margin: '4px 0 0' }}>
            <strong>
              <Person id={u.id} name={u.name} />
            </strong>{' '}
            <span className="small muted">
              {u.layer === null ? 'override' : u.layer}
              {u.until ? ` · until ${fmtWhen(u.until, zone)}` : ''}
            </span>
          </p>
        ))}
        {soonGaps.length > 0 ? (
          <div className="notice small" style={{ marginTop: 8 }}>
            Nobody is on call for{' '}
            {fmtDuration(soonGaps.reduce((t, g) => t + Date.parse(g.end) - Date.parse(g.start), 0))} in the
            next 14 days ({soonGaps.length} {soonGaps.length === 1 ? 'gap' : 'gaps'}); the first is{' '}
            {fmtRange(soonGaps[0]!.start, soonGaps[0]!.end, zone)}.{' '}
            <button
              type="button"
              className="link"
              onClick={() => setAnchor(localOf(Date.parse(soonGaps[0]!.start), zone).slice(0, 10))}
            >
              Show it
            </button>
          </div>
        ) : null}
      </section>

      <section className="panel" aria-labelledby="sched-timeline-title">
        <div className="row sched-controls">
          <h2 id="sched-timeline-title" style={{ margin: 0 }}>
            Timeline
          </h2>
          <fieldset className="sched-group" aria-label="Period">
            {VIEWS.map(([v, text]) => (
              <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)}>
                {text}
              </button>
            ))}
          </fieldset>
          <fieldset className="sched-group" aria-label="Move">
            <button
              type="button"
              onClick={() => setAnchor(stepAnchor(view, anchor, -1))}
              aria-label={`Previous ${view}`}
            >
              ←
            </button>
            <button type="button" onClick={() => setAnchor(localOf(Date.now(), zone).slice(0, 10))}>
              Today
            </button>
            <button
              type="button"
              onClick={() => setAnchor(stepAnchor(view, anchor, 1))}
              aria-label={`Next ${view}`}
            >
              →
            </button>
          </fieldset>
          <strong className="sched-window" aria-live="polite">
            {w.label}
          </strong>
          {shifts.isFetching ? <span className="small muted">Updating…</span> : null}
        </div>
        <ErrorBox error={shifts.error ?? gaps.error ?? overrides.error} />
        <Timeline
          window={w}
          zone={zone}
          rows={rows}
          now={now}
          label={`Timeline, ${w.label}, ${zone}`}
          {...(canRespond ? { onSelect: pickSpan } : {})}
        />
        <Legend people={people} />

        {gaps.isSuccess ? (
          windowGaps.length > 0 ? (
            <div className="sched-gaps">
              <h3>Nobody on call in this {view}</h3>
              <ul className="sched-plain">
                {windowGaps.map((g) => (
                  <li key={g.start}>
                    <span className="sched-swatch gap" aria-hidden="true" /> {fmtRange(g.start, g.end, zone)}{' '}
                    <span className="small muted">
                      ({fmtDuration(Date.parse(g.end) - Date.parse(g.start))})
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="small muted">Someone is on call the whole time shown.</p>
          )
        ) : null}

        <details className="sched-details">
          <summary>Final schedule as a list</summary>
          {(shifts.data?.data ?? []).length === 0 ? (
            <p className="small muted">Nobody is on call in this window.</p>
          ) : (
            <ListTable columns={['Who', 'From', 'Until', { label: 'Layer', hidePhone: true }]}>
              {(shifts.data?.data ?? []).map((s) => (
                <tr key={`${s.start}-${s.user_id}`}>
                  <td>
                    <Person id={s.user_id} name={s.user_name} />
                  </td>
                  <td className="small">{fmtWhen(s.start, zone)}</td>
                  <td className="small">{fmtWhen(s.end, zone)}</td>
                  <td className="hide-phone small">
                    {s.layer === null ? 'override' : s.layer || `layer ${(s.layer_index ?? 0) + 1}`}
                  </td>
                </tr>
              ))}
            </ListTable>
          )}
        </details>
        {schedule.layers.length === 0 ? (
          <p className="notice small">
            This schedule has no layers, so nobody is ever on call. Edit it to add one.
          </p>
        ) : null}
        <p className="small muted" style={{ marginBottom: 0 }}>
          The vertical blue line marks now ({fmtTime(now, zone)}).
        </p>
      </section>

      <OverridesPanel
        schedule={schedule}
        users={users.data ?? []}
        draft={overrideSpan}
        setDraft={setOverrideSpan}
        person={overridePerson}
        setPerson={setOverridePerson}
      />
      <ErrorBox error={users.error} />
      <RequestsPanel schedule={schedule} users={users.data ?? []} />
      <VersionsPanel schedule={schedule} users={users.data ?? []} />
      <FeedPanel schedule={schedule} />
    </>
  );
}
