import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Service } from '@vigil/sdk/contract';
import { Link, useLocation, useParams } from 'wouter';
import { vigil } from '../api.js';
import { ConfirmButton } from '../components/common.js';
import { Integrations } from '../components/svc-integrations.js';
import { ServiceForm } from '../components/svc-service-form.js';
import { isStatus, namesOf, usePolicies, useTeams } from '../data.js';
import { useCan } from '../session.js';
import { Ago, ErrorBox, Loading, PageHead, StatusBadge } from '../ui.js';

/** One service: its open incidents, its settings and its integrations. */
export default function ServicePage() {
  const { id = '' } = useParams<{ id: string }>();
  const canManage = useCan('manager');
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const service = useQuery({ queryKey: ['services', id], queryFn: () => vigil.services.get(id) });

  const setStatus = useMutation({
    mutationFn: (status: Service['status']) => vigil.services.update(id, { status }),
    onSuccess: (updated) => {
      client.setQueryData(['services', id], updated);
      return client.invalidateQueries({ queryKey: ['services'] });
    },
  });
  const remove = useMutation({
    mutationFn: () => vigil.services.delete(id),
    onSuccess: async () => {
      client.removeQueries({ queryKey: ['services', id] });
      await client.invalidateQueries({ queryKey: ['services'] });
      navigate('/services');
    },
  });

  if (service.isPending) return <Loading what="Loading the service" />;
  if (service.isError)
    return (
      <>
        <PageHead title="Service" />
        {isStatus(service.error, 404) ? (
          <p>
            This service does not exist, or it was deleted. <Link href="/services">Back to services</Link>
          </p>
        ) : (
          <ErrorBox error={service.error} />
        )}
      </>
    );
  const s = service.data;

  return (
    <>
      <p className="small" style={{ margin: '0 0 6px' }}>
        <Link href="/services">← Services</Link>
      </p>
      <PageHead title={s.name}>
        {s.status === 'disabled' ? <span className="badge neutral">disabled</span> : null}
        {canManage ? (
          s.status === 'active' ? (
            <ConfirmButton
              label="Disable"
              question={<>Disable “{s.name}”? Vigil refuses its alerts until it is enabled again.</>}
              confirmLabel="Disable service"
              busy={setStatus.isPending}
              onConfirm={() => setStatus.mutate('disabled')}
            />
          ) : (
            <button type="button" disabled={setStatus.isPending} onClick={() => setStatus.mutate('active')}>
              Enable
            </button>
          )
        ) : null}
        {canManage ? (
          <ConfirmButton
            label="Delete service"
            question={<>Delete “{s.name}” and its integrations? Only a service without any history can go.</>}
            confirmLabel="Delete for good"
            busy={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        ) : null}
      </PageHead>
      <ErrorBox error={setStatus.error} />
      {isStatus(remove.error, 409) ? (
        <div className="error" role="alert">
          This service has incidents or alerts, and Vigil keeps their history: disable it instead.
        </div>
      ) : (
        <ErrorBox error={remove.error} />
      )}
      {s.description ? <p className="muted">{s.description}</p> : null}

      <OpenIncidents service={s} />

      <section className="panel" aria-labelledby="svc-settings-title">
        <h2 id="svc-settings-title" style={{ marginTop: 0 }}>
          Settings
        </h2>
        {canManage ? (
          <ServiceForm service={s} submitLabel="Save" onSaved={() => {}} />
        ) : (
          <ReadOnlySettings service={s} />
        )}
      </section>

      {canManage ? (
        <Integrations service={s} />
      ) : (
        <p className="muted small">
          Integrations (where monitoring tools send alerts) are shown to managers only, because they carry the
          keys.
        </p>
      )}
    </>
  );
}

function OpenIncidents({ service }: { service: Service }) {
  const open = useQuery({
    queryKey: ['incidents', 'open', 'service', service.id],
    queryFn: () =>
      vigil.incidents.list({ service_id: service.id, status: 'triggered,acknowledged', limit: 20 }),
    refetchInterval: 30_000,
  });
  const board = `/?service_id=${encodeURIComponent(service.id)}`;
  const incidents = open.data?.data ?? [];
  return (
    <section className="panel" aria-labelledby="svc-open-title">
      <div className="row">
        <h2 id="svc-open-title" style={{ margin: 0 }}>
          Open incidents
        </h2>
        <Link className="right small" href={board}>
          Open on the incident board
        </Link>
      </div>
      {open.isPending ? <Loading what="Loading incidents" /> : null}
      <ErrorBox error={open.error} />
      {open.isSuccess && incidents.length === 0 ? (
        <p className="muted" style={{ marginBottom: 0 }}>
          Nothing open on this service.
        </p>
      ) : null}
      {incidents.length > 0 ? (
        <ul className="timeline" style={{ marginTop: 8 }}>
          {incidents.map((incident) => (
            <li key={incident.id} className="row">
              <StatusBadge status={incident.status} />
              <Link href={`/incidents/${incident.number}`} className="grow">
                #{incident.number} {incident.title}
              </Link>
              <span className="small muted">
                <Ago at={incident.created_at} />
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {open.data?.next_cursor ? (
        <p className="small" style={{ marginBottom: 0 }}>
          <Link href={board}>More on the board…</Link>
        </p>
      ) : null}
    </section>
  );
}

function ReadOnlySettings({ service }: { service: Service }) {
  const policies = usePolicies();
  const teams = useTeams();
  const policyName = namesOf(policies.data);
  const teamName = namesOf(teams.data);
  const urgency =
    service.default_urgency === 'high'
      ? 'Always high'
      : service.default_urgency === 'low'
        ? 'Always low'
        : 'From the alert’s severity';
  return (
    <dl className="svc-kv">
      <dt>Escalation policy</dt>
      <dd>
        {service.escalation_policy_id ? (
          <Link href={`/policies/${service.escalation_policy_id}`}>
            {policyName.get(service.escalation_policy_id) ?? 'Escalation policy'}
          </Link>
        ) : (
          'None: nobody is paged'
        )}
      </dd>
      <dt>Team</dt>
      <dd>{service.team_id ? (teamName.get(service.team_id) ?? '—') : 'No team'}</dd>
      <dt>Urgency</dt>
      <dd>{urgency}</dd>
      <dt>Auto-resolve</dt>
      <dd>{service.auto_resolve ? 'When all alerts have resolved' : 'No: resolve by hand'}</dd>
      <dt>Re-page acknowledged</dt>
      <dd>{service.ack_timeout_minutes ? `After ${service.ack_timeout_minutes} minutes` : 'Never'}</dd>
    </dl>
  );
}
