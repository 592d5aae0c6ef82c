import { useQuery } from '@tanstack/react-query';
import type { EscalationPolicy, OnCalls, Schedule, Shift } from '@vigil/sdk/contract';
import { useState } from 'react';
import { Link } from 'wouter';
import { vigil } from '../api.js';
import { shortWhen } from '../components/common.js';
import { usePolicyPreview } from '../components/svc-common.js';
import { PreviewStepPeople } from '../components/svc-policy-preview.js';
import { namesOf, usePolicies, useSchedules, useTeams, useUsers } from '../data.js';
import { useCan, useSession } from '../session.js';
import { ErrorBox, Field, Loading, PageHead } from '../ui.js';

type OnCallEntry = OnCalls['users'][number];
const WEEK_AND_A_DAY = 8 * 86_400_000;

/** Who is on call now, on every schedule, and who each escalation policy would page first. */
export default function OnCallPage() {
  const { user: me } = useSession();
  const canManage = useCan('manager');
  const schedules = useSchedules();
  const policies = usePolicies();
  const onCalls = useQuery({
    queryKey: ['oncalls'],
    queryFn: () => vigil.schedules.onCalls(),
    refetchInterval: 60_000,
  });
  const [filter, setFilter] = useState('');

  const bySchedule = new Map<string, OnCallEntry[]>();
  for (const entry of onCalls.data?.users ?? [])
    bySchedule.set(entry.schedule_id, [...(bySchedule.get(entry.schedule_id) ?? []), entry]);
  const mine = (onCalls.data?.users ?? []).filter((u) => u.id === me.id);

  const needle = filter.trim().toLowerCase();
  const matches = (...texts: (string | undefined)[]) =>
    !needle || texts.some((t) => t?.toLowerCase().includes(needle));
  const shownSchedules = (schedules.data ?? [])
    .filter((s) => matches(s.name, ...(bySchedule.get(s.id) ?? []).map((u) => u.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const shownPolicies = [...(policies.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <PageHead title="On call now">
        {onCalls.data ? (
          <span className="small muted">
            as of {new Date(onCalls.data.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
          </span>
        ) : null}
      </PageHead>

      {mine.length > 0 ? (
        <p className="notice" role="status">
          <strong>You are on call now</strong> for {mine.map((m) => m.schedule_name).join(', ')}.
        </p>
      ) : null}

      <div style={{ marginBottom: 12, maxWidth: 420 }}>
        <Field label="Filter">
          <input
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="Schedule, policy or person"
          />
        </Field>
      </div>

      <h2>Schedules</h2>
      {schedules.isPending || onCalls.isPending ? <Loading what="Loading who is on call" /> : null}
      <ErrorBox error={schedules.error ?? onCalls.error} />
      {schedules.isSuccess && schedules.data.length === 0 ? (
        <p className="muted">
          No schedules yet: nobody is on call.{' '}
          {canManage ? <Link href="/schedules">Create a schedule</Link> : 'Ask a manager to create one.'}
        </p>
      ) : null}
      {schedules.isSuccess && schedules.data.length > 0 && shownSchedules.length === 0 ? (
        <p className="muted">No schedule matches “{filter}”.</p>
      ) : null}
      <div className="svc-cards">
        {onCalls.isSuccess
          ? shownSchedules.map((schedule) => (
              <ScheduleCard
                key={schedule.id}
                schedule={schedule}
                now={bySchedule.get(schedule.id) ?? []}
                meId={me.id}
              />
            ))
          : null}
      </div>

      <h2>Escalation policies</h2>
      {policies.isPending ? <Loading what="Loading escalation policies" /> : null}
      <ErrorBox error={policies.error} />
      {policies.isSuccess && policies.data.length === 0 ? (
        <p className="muted">
          No escalation policies yet: incidents page nobody.{' '}
          {canManage ? <Link href="/policies/new">Create a policy</Link> : 'Ask a manager to create one.'}
        </p>
      ) : null}
      <div className="svc-cards">
        {shownPolicies.map((policy) => (
          <PolicyCard key={policy.id} policy={policy} filter={needle} onCalls={bySchedule} meId={me.id} />
        ))}
      </div>
    </>
  );
}

interface Stretch {
  userId: string;
  name: string;
  layer: string | null;
  start: number;
  end: number;
  endIsHorizon: boolean;
}

/** From the final schedule of the next 8 days: the stretch on now (same person merged) and the next. */
function nowAndNext(shifts: Shift[], horizon: number, at: number): { current?: Stretch; next?: Stretch } {
  const list = [...shifts].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const stretchFrom = (index: number): Stretch => {
    const first = list[index]!;
    let end = Date.parse(first.end);
    for (const s of list.slice(index + 1)) {
      if (s.user_id !== first.user_id || Date.parse(s.start) !== end) break;
      end = Date.parse(s.end);
    }
    return {
      userId: first.user_id,
      name: first.user_name,
      layer: first.layer,
      start: Date.parse(first.start),
      end,
      endIsHorizon: end >= horizon,
    };
  };
  const currentIndex = list.findIndex((s) => Date.parse(s.start) <= at && at < Date.parse(s.end));
  const current = currentIndex >= 0 ? stretchFrom(currentIndex) : undefined;
  const after = current ? current.end : at;
  const nextIndex = list.findIndex((s) => Date.parse(s.start) >= after);
  return { current, next: nextIndex >= 0 ? stretchFrom(nextIndex) : undefined };
}

function ScheduleCard({ schedule, now, meId }: { schedule: Schedule; now: OnCallEntry[]; meId: string }) {
  const shifts = useQuery({
    queryKey: ['schedules', schedule.id, 'shifts', 'upcoming'],
    queryFn: async () => {
      const since = new Date();
      since.setSeconds(0, 0);
      const until = new Date(since.getTime() + WEEK_AND_A_DAY);
      const answer = await vigil.schedules.shifts(schedule.id, {
        since: since.toISOString(),
        until: until.toISOString(),
      });
      return { shifts: answer.data, horizon: until.getTime() };
    },
    staleTime: 60_000,
    refetchInterval: 5 * 60_000,
  });
  const { current, next } = shifts.data
    ? nowAndNext(shifts.data.shifts, shifts.data.horizon, Date.now())
    : { current: undefined, next: undefined };
  const nobody = now.length === 0 && !current;
  const titleId = `oncall-schedule-${schedule.id}`;

  return (
    <article className="panel" aria-labelledby={titleId}>
      <h3 id={titleId} style={{ margin: 0 }}>
        <Link href={`/schedules/${schedule.id}`}>{schedule.name}</Link>
      </h3>
      {nobody ? (
        <p style={{ color: 'var(--triggered)', margin: '8px 0 0' }}>
          <strong>Nobody on call</strong>
        </p>
      ) : (
        <ul className="svc-people">
          {(now.length
            ? now
            : current
              ? [{ id: current.userId, name: current.name, layer: current.layer }]
              : []
          ).map((person) => (
            <li key={person.id}>
              <strong style={{ fontSize: '1.05rem' }}>{person.name}</strong>{' '}
              {person.id === meId ? <span className="badge acknowledged">you</span> : null}
              {person.layer ? <span className="small muted"> · {person.layer}</span> : null}
              {current && current.userId === person.id ? (
                <div className="small">
                  {current.endIsHorizon
                    ? 'for more than a week'
                    : `until ${shortWhen(new Date(current.end).toISOString())}`}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {shifts.isError ? <p className="small muted">Could not load the coming shifts.</p> : null}
      {next ? (
        <p className="small" style={{ margin: '8px 0 0' }}>
          <span className="muted">Next:</span> {next.name}
          {next.userId === meId ? ' (you)' : ''} from {shortWhen(new Date(next.start).toISOString())}
        </p>
      ) : shifts.isSuccess && !current?.endIsHorizon ? (
        <p className="small muted" style={{ margin: '8px 0 0' }}>
          {current ? 'Nobody after that in the next 8 days.' : 'Nobody in the next 8 days either.'}
        </p>
      ) : null}
    </article>
  );
}

function PolicyCard({
  policy,
  filter,
  onCalls,
  meId,
}: {
  policy: EscalationPolicy;
  filter: string;
  onCalls: Map<string, OnCallEntry[]>;
  meId: string;
}) {
  const preview = usePolicyPreview(policy.id);
  const users = useUsers();
  const teams = useTeams();
  const first = preview.data?.steps[0];
  const step = policy.steps[0];

  // Without the preview endpoint: the people derived from /oncalls and the user list.
  const derived = (step?.targets ?? []).map((t) => {
    if (t.type === 'schedule') {
      const entries = onCalls.get(t.id) ?? [];
      return {
        key: `${t.type}:${t.id}`,
        label: entries.map((e) => e.name).join(', ') || 'nobody on call',
        of: entries[0]?.schedule_name,
      };
    }
    if (t.type === 'user')
      return { key: `${t.type}:${t.id}`, label: namesOf(users.data).get(t.id) ?? 'a person', of: undefined };
    return {
      key: `${t.type}:${t.id}`,
      label: `everyone in ${namesOf(teams.data).get(t.id) ?? 'a team'}`,
      of: undefined,
    };
  });
  const peopleText = first
    ? first.targets.flatMap((t) => [t.name, ...t.people.map((p) => p.name)])
    : derived.map((d) => `${d.label} ${d.of ?? ''}`);
  if (filter && ![policy.name, ...peopleText].some((t) => t.toLowerCase().includes(filter))) return null;
  const titleId = `oncall-policy-${policy.id}`;
  const iAmFirst = first?.targets.some((t) => t.people.some((p) => p.id === meId));

  return (
    <article className="panel" aria-labelledby={titleId}>
      <h3 id={titleId} style={{ margin: 0 }}>
        <Link href={`/policies/${policy.id}`}>{policy.name}</Link>{' '}
        {iAmFirst ? <span className="badge acknowledged">you</span> : null}
      </h3>
      <div className="small muted" style={{ margin: '2px 0 6px' }}>
        Step 1, at once
        {policy.steps.length > 1 && step ? `; step 2 after ${step.delay_minutes} min unacknowledged` : ''}
      </div>
      {preview.isPending ? <Loading what="Working it out" /> : null}
      {preview.isError ? <p className="small muted">Could not work out who would be paged.</p> : null}
      {first ? <PreviewStepPeople step={first} /> : null}
      {preview.isSuccess && preview.data === null ? (
        <ul className="svc-people">
          {derived.map((d) => (
            <li key={d.key}>
              <strong>{d.label}</strong>
              {d.of ? <span className="small muted"> · {d.of}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </article>
  );
}
