import { useQueryClient } from '@tanstack/react-query';
import type { Service, ServiceCreate } from '@vigil/sdk/contract';
import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { vigil } from '../api.js';
import { usePolicies, useTeams } from '../data.js';
import { ErrorBox, Field, Loading } from '../ui.js';

/**
 * Create or edit a service: name, description, escalation policy, team, default urgency,
 * auto-resolve and the acknowledgement timeout (ServiceCreate / ServiceUpdate).
 */
export function ServiceForm({
  service,
  submitLabel,
  onSaved,
  onCancel,
}: {
  service?: Service;
  submitLabel: string;
  onSaved: (service: Service) => void;
  onCancel?: () => void;
}) {
  const client = useQueryClient();
  const policies = usePolicies();
  const teams = useTeams();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const idPrefix = service ? `svc-${service.id}` : 'svc-new';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const timeout = text('ack_timeout_minutes');
    const body: ServiceCreate = {
      name: text('name'),
      description: text('description'),
      escalation_policy_id: text('escalation_policy_id') || null,
      team_id: text('team_id') || null,
      default_urgency: (text('default_urgency') || null) as ServiceCreate['default_urgency'],
      auto_resolve: form.get('auto_resolve') === 'on',
      ack_timeout_minutes: timeout ? Number(timeout) : null,
    };
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const result = service
        ? await vigil.services.update(service.id, body)
        : await vigil.services.create(body, { idempotencyKey: crypto.randomUUID() });
      client.setQueryData(['services', result.id], result);
      await client.invalidateQueries({ queryKey: ['services'] });
      setSaved(true);
      onSaved(result);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  // The selects are uncontrolled: draw them once their options are there, or an edit would
  // quietly drop the service's policy or team.
  if (policies.isPending || teams.isPending) return <Loading what="Loading policies and teams" />;
  const noPolicies = policies.isSuccess && policies.data.length === 0;
  return (
    <form className="stack" onSubmit={submit} onChange={() => setSaved(false)}>
      <div className="svc-form-grid">
        <Field label="Name">
          <input name="name" required maxLength={200} defaultValue={service?.name ?? ''} autoComplete="off" />
        </Field>
        <Field label="Escalation policy">
          <select name="escalation_policy_id" defaultValue={service?.escalation_policy_id ?? ''}>
            <option value="">None: nobody is paged</option>
            {service?.escalation_policy_id &&
            !policies.data?.some((p) => p.id === service.escalation_policy_id) ? (
              <option value={service.escalation_policy_id}>(current policy)</option>
            ) : null}
            {(policies.data ?? []).map((policy) => (
              <option key={policy.id} value={policy.id}>
                {policy.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Team">
          <select name="team_id" defaultValue={service?.team_id ?? ''}>
            <option value="">No team</option>
            {service?.team_id && !teams.data?.some((t) => t.id === service.team_id) ? (
              <option value={service.team_id}>(current team)</option>
            ) : null}
            {(teams.data ?? []).map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Urgency of new incidents">
          <select name="default_urgency" defaultValue={service?.default_urgency ?? ''}>
            <option value="">From the alert’s severity</option>
            <option value="high">Always high</option>
            <option value="low">Always low</option>
          </select>
        </Field>
        <Field label="Re-page acknowledged incidents after (minutes)">
          <input
            name="ack_timeout_minutes"
            type="number"
            min={1}
            max={1440}
            inputMode="numeric"
            placeholder="Never"
            defaultValue={service?.ack_timeout_minutes ?? ''}
          />
        </Field>
      </div>
      <p className="small muted" style={{ margin: 0 }}>
        High urgency pages at once, even in quiet hours; low urgency may wait until someone’s quiet hours end.
        From the alert’s severity: critical and error are high, warning and info low.
      </p>
      {noPolicies ? (
        <p className="small muted">
          No escalation policies yet: without one, incidents of this service page nobody.{' '}
          <Link href="/policies/new">Create an escalation policy</Link>
        </p>
      ) : null}
      <Field label="Description">
        <textarea name="description" maxLength={10_000} rows={2} defaultValue={service?.description ?? ''} />
      </Field>
      <label className="check" htmlFor={`${idPrefix}-auto`}>
        <input
          id={`${idPrefix}-auto`}
          name="auto_resolve"
          type="checkbox"
          defaultChecked={service?.auto_resolve ?? true}
        />
        Resolve an incident when all its alerts have resolved
      </label>
      <ErrorBox error={error} />
      <div className="row">
        <button className="primary" type="submit" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <span className="small muted" aria-live="polite">
          {saved && service ? 'Saved' : ''}
        </span>
      </div>
    </form>
  );
}
