import type { EscalationPolicy } from '@vigil/sdk/contract';
import { useState } from 'react';
import { Link } from 'wouter';
import { EmptyList, FilterField, ListTable, NoMatchRow } from '../components/common.js';
import { stepTiming } from '../components/svc-common.js';
import { namesOf, usePolicies, useSchedules, useServices, useTeams, useUsers } from '../data.js';
import { useCan } from '../session.js';
import { ErrorBox, Loading, PageHead } from '../ui.js';

type Target = EscalationPolicy['steps'][number]['targets'][number];

/** Escalation policies: who is paged, in which order, and which services use each. */
export default function PoliciesPage() {
  const canManage = useCan('manager');
  const policies = usePolicies();
  const services = useServices();
  const users = useUsers();
  const schedules = useSchedules();
  const teams = useTeams();
  const [filter, setFilter] = useState('');

  const names = {
    user: namesOf(users.data),
    schedule: namesOf(schedules.data),
    team: namesOf(teams.data),
  };
  const targetName = (t: Target) => names[t.type].get(t.id) ?? `unknown ${t.type}`;
  const usedBy = (policyId: string) =>
    (services.data ?? []).filter((s) => s.escalation_policy_id === policyId);
  const needle = filter.trim().toLowerCase();
  const shown = (policies.data ?? [])
    .filter(
      (p) =>
        !needle ||
        p.name.toLowerCase().includes(needle) ||
        p.steps.some((step) => step.targets.some((t) => targetName(t).toLowerCase().includes(needle))),
    )
    .sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <PageHead title="Escalation policies">
        {canManage ? (
          <Link className="button primary" href="/policies/new">
            New policy
          </Link>
        ) : null}
      </PageHead>
      {policies.isPending ? <Loading what="Loading escalation policies" /> : null}
      <ErrorBox error={policies.error} />

      {policies.isSuccess && policies.data.length === 0 ? (
        <EmptyList
          title="No escalation policies yet."
          canCreate={canManage}
          action={
            <Link className="button primary" href="/policies/new">
              Create your first policy
            </Link>
          }
        >
          A policy says who is paged when an incident opens, and who next if nobody acknowledges in time: a
          person, whoever is on call on a schedule, or a whole team. Create one, then choose it on your
          services.
        </EmptyList>
      ) : null}

      {policies.isSuccess && policies.data.length > 0 ? (
        <>
          <div style={{ marginBottom: 10, maxWidth: 420 }}>
            <FilterField
              label="Filter policies"
              value={filter}
              onChange={setFilter}
              placeholder="Policy, person, schedule or team"
            />
          </div>
          <ListTable columns={['Policy', 'Steps', { label: 'Services', hidePhone: true }]}>
            {shown.map((policy) => {
              const services = usedBy(policy.id);
              return (
                <tr key={policy.id}>
                  <td>
                    <Link href={`/policies/${policy.id}`}>
                      <strong>{policy.name}</strong>
                    </Link>
                    {policy.description ? (
                      <div className="small muted">{policy.description.slice(0, 140)}</div>
                    ) : null}
                    {policy.team_id && names.team.get(policy.team_id) ? (
                      <div className="small muted">Team: {names.team.get(policy.team_id)}</div>
                    ) : null}
                  </td>
                  <td>
                    <ol style={{ margin: 0, paddingLeft: 18 }} className="small">
                      {policy.steps.map((step, index) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: steps have no id; their order is the identity
                        <li key={index}>
                          {step.targets.map(targetName).join(', ')}
                          <span className="muted"> · {stepTiming(policy.steps, index)}</span>
                        </li>
                      ))}
                    </ol>
                    {policy.repeat > 0 ? (
                      <div className="small muted">
                        Repeats {policy.repeat} {policy.repeat === 1 ? 'time' : 'times'}
                      </div>
                    ) : null}
                  </td>
                  <td className="hide-phone small">
                    {services.length === 0 ? (
                      <span className="muted">Not used</span>
                    ) : (
                      services.map((s, i) => (
                        <span key={s.id}>
                          {i > 0 ? ', ' : ''}
                          <Link href={`/services/${s.id}`}>{s.name}</Link>
                        </span>
                      ))
                    )}
                  </td>
                </tr>
              );
            })}
            {shown.length === 0 ? <NoMatchRow columns={3} what="policy" filter={filter} /> : null}
          </ListTable>
        </>
      ) : null}
    </>
  );
}
