import { useQuery } from '@tanstack/react-query';
import type { Incident } from '@vigil/sdk/contract';
import { useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { vigil } from '../api.js';
import { EmptyList, FilterField, ListTable, NoMatchRow } from '../components/common.js';
import { ServiceForm } from '../components/svc-service-form.js';
import { namesOf, usePolicies, useServices, useTeams } from '../data.js';
import { useCan } from '../session.js';
import { ErrorBox, Loading, PageHead } from '../ui.js';

interface OpenCounts {
  triggered: number;
  acknowledged: number;
}

/** Services: what each one is doing now (open incidents), who it pages, and creating new ones. */
export default function ServicesPage() {
  const canManage = useCan('manager');
  const [, navigate] = useLocation();
  const services = useServices();
  const policies = usePolicies();
  const teams = useTeams();
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState('');

  // One request for every open incident, counted per service here (not one request per service).
  const open = useQuery({
    queryKey: ['incidents', 'open', 'by-service'],
    queryFn: () => vigil.incidents.list({ status: 'triggered,acknowledged', limit: 500 }),
    refetchInterval: 30_000,
  });
  const counts = useMemo(() => {
    const map = new Map<string, OpenCounts>();
    for (const incident of open.data?.data ?? ([] as Incident[])) {
      const entry = map.get(incident.service_id) ?? { triggered: 0, acknowledged: 0 };
      if (incident.status === 'triggered') entry.triggered++;
      else if (incident.status === 'acknowledged') entry.acknowledged++;
      map.set(incident.service_id, entry);
    }
    return map;
  }, [open.data]);

  const policyNames = namesOf(policies.data);
  const teamNames = namesOf(teams.data);
  const needle = filter.trim().toLowerCase();
  const shown = (services.data ?? [])
    .filter(
      (s) =>
        !needle ||
        s.name.toLowerCase().includes(needle) ||
        s.description.toLowerCase().includes(needle) ||
        (s.team_id && teamNames.get(s.team_id)?.toLowerCase().includes(needle)),
    )
    // Active first, then by name: disabled services are history.
    .sort((a, b) => (a.status === b.status ? a.name.localeCompare(b.name) : a.status === 'active' ? -1 : 1));

  return (
    <>
      <PageHead title="Services">
        {canManage && !creating ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New service
          </button>
        ) : null}
      </PageHead>

      {creating ? (
        <section className="panel" aria-labelledby="svc-create-title">
          <h2 id="svc-create-title" style={{ marginTop: 0 }}>
            New service
          </h2>
          <p className="small muted">
            A service is something you run and monitor. Alerts arrive through its integrations and open
            incidents that page through its escalation policy.
          </p>
          <ServiceForm
            submitLabel="Create service"
            onSaved={(service) => navigate(`/services/${service.id}`)}
            onCancel={() => setCreating(false)}
          />
        </section>
      ) : null}

      {services.isPending ? <Loading what="Loading services" /> : null}
      <ErrorBox error={services.error} />
      <ErrorBox error={open.error} />

      {services.isSuccess && services.data.length === 0 ? (
        <EmptyList
          title="No services yet."
          canCreate={canManage}
          action={
            !creating && (
              <button type="button" className="primary" onClick={() => setCreating(true)}>
                Create your first service
              </button>
            )
          }
        >
          Create a service for each system you monitor, then add an integration (Alertmanager, Grafana,
          PagerDuty-style events…) to get the URL your monitoring tool sends its alerts to.
        </EmptyList>
      ) : null}

      {services.isSuccess && services.data.length > 0 ? (
        <>
          <div className="row" style={{ marginBottom: 10 }}>
            <FilterField
              label="Filter services"
              value={filter}
              onChange={setFilter}
              placeholder="Name, description or team"
              style={{ minWidth: 260 }}
            />
            {open.data?.next_cursor ? (
              <p className="small muted">Counting the newest 500 open incidents only.</p>
            ) : null}
          </div>
          <ListTable
            columns={[
              'Service',
              'Open incidents',
              { label: 'Escalation policy', hidePhone: true },
              { label: 'Team', hidePhone: true },
            ]}
          >
            {shown.map((service) => {
              const count = counts.get(service.id);
              return (
                <tr key={service.id}>
                  <td>
                    <Link href={`/services/${service.id}`}>
                      <strong>{service.name}</strong>
                    </Link>{' '}
                    {service.status === 'disabled' ? <span className="badge neutral">disabled</span> : null}
                    {service.description ? (
                      <div className="small muted">{service.description.slice(0, 140)}</div>
                    ) : null}
                    {!service.escalation_policy_id && service.status === 'active' ? (
                      <div className="small" style={{ color: 'var(--triggered)' }}>
                        No escalation policy: pages nobody
                      </div>
                    ) : null}
                  </td>
                  <td>
                    {open.isPending ? (
                      <span className="muted">…</span>
                    ) : count ? (
                      <Link
                        href={`/?service_id=${encodeURIComponent(service.id)}`}
                        aria-label={`${count.triggered} triggered, ${count.acknowledged} acknowledged: show on the board`}
                        className="row"
                        style={{ gap: 4, textDecoration: 'none' }}
                      >
                        {count.triggered ? (
                          <span className="badge triggered">{count.triggered} triggered</span>
                        ) : null}
                        {count.acknowledged ? (
                          <span className="badge acknowledged">{count.acknowledged} acknowledged</span>
                        ) : null}
                      </Link>
                    ) : (
                      <span className="badge resolved">all clear</span>
                    )}
                  </td>
                  <td className="hide-phone">
                    {service.escalation_policy_id ? (
                      <Link href={`/policies/${service.escalation_policy_id}`}>
                        {policyNames.get(service.escalation_policy_id) ?? 'Escalation policy'}
                      </Link>
                    ) : (
                      <span className="muted">None</span>
                    )}
                  </td>
                  <td className="hide-phone">
                    {service.team_id ? (
                      (teamNames.get(service.team_id) ?? '—')
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              );
            })}
            {shown.length === 0 ? <NoMatchRow columns={4} what="service" filter={filter} /> : null}
          </ListTable>
        </>
      ) : null}
    </>
  );
}
