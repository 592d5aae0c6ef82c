import { useQuery } from '@tanstack/react-query';
import type { OnCalls } from '@vigil/sdk/contract';
import { useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { vigil } from '../api.js';
import { EmptyList, FilterField, ListTable, NoMatchRow } from '../components/common.js';
import { zoneOffset } from '../components/sched-calc.js';
import { Person } from '../components/sched-common.js';
import { ScheduleEditor } from '../components/sched-editor.js';
import { namesOf, useSchedules, useTeams } from '../data.js';
import { useCan } from '../session.js';
import { ErrorBox, Loading, PageHead } from '../ui.js';

/** Schedules: who is on call on each one now, and building a new one. */
export default function SchedulesPage() {
  const canManage = useCan('manager');
  const [, navigate] = useLocation();
  const schedules = useSchedules();
  const teams = useTeams();
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState('');

  const oncalls = useQuery({
    queryKey: ['oncalls', 'by-schedule'],
    queryFn: () => vigil.schedules.onCalls(),
    refetchInterval: 60_000,
  });
  const onCallBySchedule = useMemo(() => {
    const map = new Map<string, OnCalls['users']>();
    for (const entry of oncalls.data?.users ?? []) {
      const list = map.get(entry.schedule_id) ?? [];
      list.push(entry);
      map.set(entry.schedule_id, list);
    }
    return map;
  }, [oncalls.data]);
  const teamNames = namesOf(teams.data);

  const needle = filter.trim().toLowerCase();
  const shown = (schedules.data ?? [])
    .filter(
      (s) =>
        !needle ||
        s.name.toLowerCase().includes(needle) ||
        s.description.toLowerCase().includes(needle) ||
        (onCallBySchedule.get(s.id) ?? []).some((u) => u.name.toLowerCase().includes(needle)),
    )
    .sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <PageHead title="Schedules">
        {canManage && !creating ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New schedule
          </button>
        ) : null}
      </PageHead>

      {creating ? (
        <section className="panel" aria-labelledby="sched-create-title">
          <h2 id="sched-create-title" style={{ marginTop: 0 }}>
            Create schedule
          </h2>
          <p className="small muted">
            A schedule says who is on call when. Start with one layer that rotates through the people who
            share the pager; add layers for office hours, a backup, or holidays.
          </p>
          <ScheduleEditor
            onSaved={(schedule) => navigate(`/schedules/${schedule.id}`)}
            onCancel={() => setCreating(false)}
          />
        </section>
      ) : null}

      {schedules.isPending ? <Loading what="Loading schedules" /> : null}
      <ErrorBox error={schedules.error} />

      {schedules.isSuccess && schedules.data.length === 0 && !creating ? (
        <EmptyList
          title="No schedules yet."
          canCreate={canManage}
          action={
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              Create your first schedule
            </button>
          }
        >
          A schedule rotates a pager between people: weekly, daily or by the hour, with hand-offs at a time
          you choose. Escalation policies then page whoever is on call on it.
        </EmptyList>
      ) : null}

      {schedules.isSuccess && schedules.data.length > 0 ? (
        <>
          {schedules.data.length > 5 ? (
            <div className="row" style={{ marginBottom: 10 }}>
              <FilterField
                label="Filter schedules"
                value={filter}
                onChange={setFilter}
                placeholder="Name or person on call"
              />
            </div>
          ) : null}
          <ErrorBox error={oncalls.error} />
          <ListTable
            columns={[
              'Schedule',
              'On call now',
              { label: 'Time zone', hidePhone: true },
              { label: 'Layers', hidePhone: true },
            ]}
          >
            {shown.map((s) => {
              const now = onCallBySchedule.get(s.id) ?? [];
              return (
                <tr key={s.id}>
                  <td>
                    <Link href={`/schedules/${s.id}`}>
                      <strong>{s.name}</strong>
                    </Link>
                    {s.team_id && teamNames.get(s.team_id) ? (
                      <span className="small muted"> · {teamNames.get(s.team_id)}</span>
                    ) : null}
                    {s.description ? <div className="small muted">{s.description.slice(0, 140)}</div> : null}
                  </td>
                  <td>
                    {oncalls.isPending ? (
                      <span className="muted">…</span>
                    ) : now.length === 0 ? (
                      <span className="badge triggered">nobody</span>
                    ) : (
                      <span className="stack" style={{ gap: 2 }}>
                        {now.map((u) => (
                          <span key={u.id}>
                            <Person id={u.id} name={u.name} />{' '}
                            <span className="small muted">{u.layer === null ? 'override' : u.layer}</span>
                          </span>
                        ))}
                      </span>
                    )}
                  </td>
                  <td className="hide-phone">
                    {s.time_zone} <span className="small muted">{zoneOffset(s.time_zone)}</span>
                  </td>
                  <td className="hide-phone">{s.layers.length}</td>
                </tr>
              );
            })}
            {shown.length === 0 ? <NoMatchRow columns={4} what="schedule" filter={filter} /> : null}
          </ListTable>
        </>
      ) : null}
    </>
  );
}
