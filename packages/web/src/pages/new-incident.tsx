import { useQueryClient } from '@tanstack/react-query';
import type { IncidentCreate } from '@vigil/sdk/contract';
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { vigil } from '../api.js';
import { useServices } from '../data.js';
import { ErrorBox, Field, Loading, PageHead } from '../ui.js';

/**
 * Open an incident by hand (POST /incidents): something is wrong that no monitor has noticed. It
 * pages through the service's escalation policy like any other.
 */
export default function NewIncidentPage() {
  const [, navigate] = useLocation();
  const client = useQueryClient();
  const services = useServices();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // One key per form: a double click or a retried request opens one incident, not two.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const preset = new URLSearchParams(window.location.search).get('service_id') ?? '';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const priority = text('priority');
    const body: IncidentCreate = {
      service_id: text('service_id'),
      title: text('title'),
      urgency: text('urgency') === 'low' ? 'low' : 'high',
      ...(text('description') ? { description: text('description') } : {}),
      ...(priority ? { priority: priority as IncidentCreate['priority'] } : {}),
    };
    setBusy(true);
    setError(null);
    try {
      const incident = await vigil.incidents.create(body, { idempotencyKey });
      await client.invalidateQueries({ queryKey: ['incidents'] });
      navigate(`/incidents/${incident.number}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  if (services.isPending) return <Loading what="Loading services" />;
  const active = (services.data ?? []).filter((s) => s.status === 'active');
  return (
    <>
      <p className="small">
        <Link href="/">← Incidents</Link>
      </p>
      <PageHead title="New incident" />
      <ErrorBox error={services.error} />
      {active.length === 0 ? (
        <p className="notice">
          An incident belongs to a service, and there is none yet: <Link href="/services">create one</Link>.
        </p>
      ) : (
        <form className="panel stack" onSubmit={submit} style={{ maxWidth: 640 }}>
          <Field label="Service">
            <select
              name="service_id"
              required
              defaultValue={active.some((s) => s.id === preset) ? preset : ''}
            >
              <option value="" disabled>
                Choose a service…
              </option>
              {active.map((service) => (
                <option key={service.id} value={service.id}>
                  {service.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="What is wrong">
            <input
              name="title"
              required
              maxLength={1024}
              autoComplete="off"
              placeholder="Checkout fails for EU cards"
            />
          </Field>
          <Field label="Details (optional)">
            <textarea name="description" rows={4} maxLength={65_536} />
          </Field>
          <div className="row">
            <Field label="Urgency">
              <select name="urgency" defaultValue="high">
                <option value="high">High: page now, day or night</option>
                <option value="low">Low: can wait for working hours</option>
              </select>
            </Field>
            <Field label="Priority (optional)">
              <select name="priority" defaultValue="">
                <option value="">None</option>
                {['P1', 'P2', 'P3', 'P4'].map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <p className="small muted" style={{ margin: 0 }}>
            The service’s escalation policy pages its first step at once.
          </p>
          <ErrorBox error={error} />
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Opening…' : 'Open incident'}
            </button>
            <Link href="/">Cancel</Link>
          </div>
        </form>
      )}
    </>
  );
}
