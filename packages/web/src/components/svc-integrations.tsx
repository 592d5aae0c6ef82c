import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Incident, Integration, IntegrationCreate, Service } from '@vigil/sdk/contract';
import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { vigil } from '../api.js';
import { allOf } from '../data.js';
import { useCan } from '../session.js';
import { Ago, ErrorBox, Field, Loading, when } from '../ui.js';
import { ConfirmButton, CopyButton } from './common.js';
import { Snippet } from './svc-common.js';
import {
  acknowledgedDefaults,
  type GenericMapping,
  heartbeatDefaults,
  heartbeatSettingsOf,
  type IntegrationType,
  integrationTypes,
  mappingDefaults,
  mappingOf,
  notReceivingYet,
  resolvedDefaults,
  snippetsFor,
  typeLabel,
} from './svc-snippets.js';
import { sendTestAlert, type TestResult } from './svc-test-alert.js';

/** A service's integrations (managers only: the answers carry the keys). */
export function Integrations({ service }: { service: Service }) {
  const queryKey = ['services', service.id, 'integrations'];
  const list = useQuery({
    queryKey,
    queryFn: () => allOf<Integration>(`/services/${encodeURIComponent(service.id)}/integrations`),
  });
  const [adding, setAdding] = useState(false);

  return (
    <section aria-labelledby="svc-integrations-title">
      <div className="page-head" style={{ marginTop: 20 }}>
        <h2 id="svc-integrations-title" style={{ margin: 0 }}>
          Integrations
        </h2>
        {!adding && list.isSuccess && list.data.length > 0 ? (
          <button type="button" className="right" onClick={() => setAdding(true)}>
            Add integration
          </button>
        ) : null}
      </div>
      {list.isPending ? <Loading what="Loading integrations" /> : null}
      <ErrorBox error={list.error} />
      {list.isSuccess && list.data.length === 0 && !adding ? (
        <div className="panel">
          <p style={{ marginTop: 0 }}>
            <strong>No integrations yet.</strong> Alerts reach this service through an integration: add one
            for your monitoring tool and paste the URL it gives you into that tool.
          </p>
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add integration
          </button>
        </div>
      ) : null}
      {adding ? <AddIntegration service={service} onDone={() => setAdding(false)} /> : null}
      {(list.data ?? []).map((integration) => (
        <IntegrationCard key={integration.id} integration={integration} service={service} />
      ))}
    </section>
  );
}

/** Saving an integration form: busy while it runs, its error if it fails, then the list again and `onDone`. */
function useIntegrationSave(listKey: readonly unknown[], onDone: () => void) {
  const client = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function save(request: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await request();
      await client.invalidateQueries({ queryKey: listKey });
      onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, save };
}

/** The foot of an integration form: what went wrong, the submit button and Cancel. */
function FormEnd({
  error,
  busy,
  busyLabel,
  label,
  onCancel,
}: {
  error: unknown;
  busy: boolean;
  busyLabel: string;
  label: string;
  onCancel: () => void;
}) {
  return (
    <>
      <ErrorBox error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? busyLabel : label}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}

// ── create ───────────────────────────────────────────────────────────────────────────────────────

function AddIntegration({ service, onDone }: { service: Service; onDone: () => void }) {
  const [type, setType] = useState<IntegrationType>('alertmanager');
  const { error, busy, save } = useIntegrationSave(['services', service.id, 'integrations'], onDone);
  const info = integrationTypes.find((t) => t.type === type);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const rate = String(form.get('rate_limit_per_minute') ?? '').trim();
    const body: IntegrationCreate = { type };
    if (name) body.name = name;
    if (rate) body.rate_limit_per_minute = Number(rate);
    const config = configFromForm(type, form, {});
    if (config && Object.keys(config).length > 0) body.config = config;
    await save(() => vigil.integrations.create(service.id, body, { idempotencyKey: crypto.randomUUID() }));
  }

  return (
    <form className="panel stack" onSubmit={submit} aria-label="Add integration">
      <div className="svc-form-grid">
        <Field label="Type">
          <select
            name="type"
            value={type}
            onChange={(e) => setType(e.target.value as IntegrationType)}
            aria-describedby="svc-int-type-hint"
          >
            {integrationTypes.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Name (optional)">
          <input
            name="name"
            maxLength={200}
            placeholder={info?.label.replace(/ \(.*\)$/, '')}
            autoComplete="off"
          />
        </Field>
        <Field label="Rate limit (events a minute, optional)">
          <input
            name="rate_limit_per_minute"
            type="number"
            min={1}
            max={1_000_000}
            inputMode="numeric"
            placeholder="Installation default"
          />
        </Field>
      </div>
      <p id="svc-int-type-hint" className={notReceivingYet(type) ? 'notice small' : 'small muted'}>
        {info?.hint}
      </p>
      <TypeConfigFields type={type} config={{}} />
      <FormEnd error={error} busy={busy} busyLabel="Adding…" label="Create integration" onCancel={onDone} />
    </form>
  );
}

/** The generic mapping and Grafana's signing secret; other types need no configuration. */
function TypeConfigFields({ type, config }: { type: IntegrationType; config: Record<string, unknown> }) {
  if (type === 'generic') {
    const mapping = mappingOf({ config });
    return (
      <fieldset className="stack" style={{ border: '1px solid var(--border)', borderRadius: 6, minWidth: 0 }}>
        <legend className="small">
          Where the fields are in your tool’s JSON (leave blank for the defaults)
        </legend>
        <p className="small muted" style={{ margin: 0 }}>
          Dotted paths such as <code>$.check.title</code> or <code>data.items[0].id</code>; separate
          alternatives with <code>|</code>. A status that is neither resolving nor acknowledging triggers.
        </p>
        <div className="svc-form-grid">
          {(Object.keys(mappingDefaults) as (keyof typeof mappingDefaults)[]).map((field) => (
            <Field key={field} label={mappingLabels[field]}>
              <input
                name={`map_${field}`}
                defaultValue={mapping[field] ?? ''}
                placeholder={mappingDefaults[field]}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
          ))}
          <Field label="Status values that resolve (comma list)">
            <input
              name="map_resolved_values"
              defaultValue={mapping.resolved_values?.join(', ') ?? ''}
              placeholder={resolvedDefaults.join(', ')}
              autoComplete="off"
            />
          </Field>
          <Field label="Status values that acknowledge (comma list)">
            <input
              name="map_acknowledged_values"
              defaultValue={mapping.acknowledged_values?.join(', ') ?? ''}
              placeholder={acknowledgedDefaults.join(', ')}
              autoComplete="off"
            />
          </Field>
        </div>
      </fieldset>
    );
  }
  if (type === 'grafana') {
    const hasSecret = typeof config.signing_secret === 'string' && config.signing_secret !== '';
    return (
      <fieldset className="stack" style={{ border: '1px solid var(--border)', borderRadius: 6, minWidth: 0 }}>
        <legend className="small">Signed requests (optional, Grafana 12+)</legend>
        <p className="small muted" style={{ margin: 0 }}>
          With a secret, Vigil accepts only requests Grafana signed with it. In the contact point’s{' '}
          <strong>HMAC Signature</strong> settings set <strong>Secret</strong> to the same value and{' '}
          <strong>Header</strong> to <code>X-Grafana-Alerting-Signature</code>.
        </p>
        <Field label={hasSecret ? 'New signing secret (blank keeps the current one)' : 'Signing secret'}>
          <input name="signing_secret" type="password" autoComplete="new-password" maxLength={500} />
        </Field>
        <label className="check">
          <input
            name="use_timestamp"
            type="checkbox"
            defaultChecked={typeof config.timestamp_header === 'string' && config.timestamp_header !== ''}
          />
          Grafana also sends a timestamp: set its <strong>Timestamp Header</strong> to{' '}
          <code>X-Grafana-Alerting-Timestamp</code> (refuses replays older than 5 minutes)
        </label>
        {hasSecret ? (
          <label className="check">
            <input name="remove_secret" type="checkbox" /> Stop checking signatures (remove the secret)
          </label>
        ) : null}
      </fieldset>
    );
  }
  if (type === 'heartbeat') {
    const settings = heartbeatSettingsOf({ config });
    return (
      <fieldset className="stack" style={{ border: '1px solid var(--border)', borderRadius: 6, minWidth: 0 }}>
        <legend className="small">When to page</legend>
        <p className="small muted" style={{ margin: 0 }}>
          Vigil opens a critical incident when no ping has come for the interval plus the grace period, and
          resolves it with the next ping. Watching starts with the first ping.
        </p>
        <div className="svc-form-grid">
          <Field label="Expected every (seconds)">
            <SecondsInput name="interval_seconds" min={30} value={settings.interval_seconds} />
          </Field>
          <Field label="Grace period (seconds)">
            <SecondsInput name="grace_seconds" min={0} value={settings.grace_seconds} />
          </Field>
        </div>
      </fieldset>
    );
  }
  return null;
}

/** A whole number of seconds up to the 7 days the API allows. */
function SecondsInput({ name, min, value }: { name: string; min: number; value: number }) {
  return (
    <input
      name={name}
      type="number"
      min={min}
      max={604_800}
      step={1}
      inputMode="numeric"
      defaultValue={value}
      required
    />
  );
}

const mappingLabels: Record<keyof typeof mappingDefaults, string> = {
  summary: 'Summary path',
  dedup_key: 'Dedup key path',
  source: 'Source path',
  severity: 'Severity path',
  status: 'Status path',
};

const commaList = (text: string) =>
  text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** The integration's `config` from the form; `undefined` leaves it as it is. */
function configFromForm(
  type: IntegrationType,
  form: FormData,
  current: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  if (type === 'generic') {
    const mapping: GenericMapping = {};
    for (const field of Object.keys(mappingDefaults) as (keyof typeof mappingDefaults)[]) {
      const value = text(`map_${field}`);
      if (value) mapping[field] = value;
    }
    const resolved = commaList(text('map_resolved_values'));
    if (resolved.length) mapping.resolved_values = resolved;
    const acknowledged = commaList(text('map_acknowledged_values'));
    if (acknowledged.length) mapping.acknowledged_values = acknowledged;
    const { mapping: _old, ...rest } = current;
    return Object.keys(mapping).length ? { ...rest, mapping } : rest;
  }
  if (type === 'grafana') {
    // PATCH replaces the whole config; a stored secret comes back as "********", which keeps it.
    const { signing_secret, timestamp_header, ...rest } = current;
    const secret = String(form.get('signing_secret') ?? '');
    if (form.get('remove_secret') === 'on') return rest;
    const next: Record<string, unknown> = { ...rest };
    if (secret) next.signing_secret = secret;
    else if (signing_secret) next.signing_secret = signing_secret;
    if (next.signing_secret && form.get('use_timestamp') === 'on')
      next.timestamp_header = timestamp_header || 'X-Grafana-Alerting-Timestamp';
    return next;
  }
  if (type === 'heartbeat') {
    const seconds = (name: string, fallback: number) => {
      const value = text(name);
      return value === '' ? fallback : Number(value);
    };
    return {
      interval_seconds: seconds('interval_seconds', heartbeatDefaults.interval_seconds),
      grace_seconds: seconds('grace_seconds', heartbeatDefaults.grace_seconds),
    };
  }
  return undefined;
}

// ── one integration ────────────────────────────────────────────────────────────────────────────

/** A heartbeat's state on its card: waiting for the first ping, up, or failing. */
function HeartbeatLine({ heartbeat }: { heartbeat: NonNullable<Integration['heartbeat']> }) {
  const at = (instant: string | null) => (instant ? <time dateTime={instant}>{when(instant)}</time> : '—');
  return (
    <div className="small" data-testid="heartbeat-state">
      {heartbeat.state === 'waiting' ? <span className="muted">Waiting for the first ping</span> : null}
      {heartbeat.state === 'up' ? (
        <>
          Up · last ping <Ago at={heartbeat.last_ping_at} /> · next due {at(heartbeat.ping_due_at)}
        </>
      ) : null}
      {heartbeat.state === 'failing' ? <strong>Failing since {at(heartbeat.failing_since)}</strong> : null}
    </div>
  );
}

function IntegrationCard({ integration, service }: { integration: Integration; service: Service }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const listKey = ['services', service.id, 'integrations'];
  const remove = useMutation({
    mutationFn: () => vigil.integrations.delete(integration.id),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
  const waiting = notReceivingYet(integration.type);
  const titleId = `svc-int-${integration.id}`;

  return (
    <article className="panel stack" aria-labelledby={titleId} data-testid="integration">
      <div className="row">
        <div className="grow">
          <h3 id={titleId} style={{ margin: 0 }}>
            {integration.name}
          </h3>
          <div className="small muted">
            {typeLabel(integration.type)}
            {integration.rate_limit_per_minute
              ? ` · at most ${integration.rate_limit_per_minute.toLocaleString()} events a minute`
              : ''}
          </div>
          {integration.heartbeat ? <HeartbeatLine heartbeat={integration.heartbeat} /> : null}
        </div>
        <div className="row">
          {!editing ? (
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
          ) : null}
          <ConfirmButton
            label="Delete"
            question={
              <>
                Delete “{integration.name}”? Its key stops working at once, and alerts still firing from it
                can no longer resolve by themselves.
              </>
            }
            confirmLabel="Delete integration"
            busy={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        </div>
      </div>
      <ErrorBox error={remove.error} />

      {waiting ? (
        <p className="notice small" style={{ margin: 0 }}>
          Vigil does not receive e-mail yet: no mail server listens, so mail sent to this address is lost. Use
          another integration type for now.
        </p>
      ) : null}

      <dl className="svc-kv">
        <dt>{integration.type === 'email' ? 'Address' : 'URL'}</dt>
        <dd>
          <code className="svc-code" data-testid="integration-url">
            {integration.url}
          </code>{' '}
          <CopyButton text={integration.url} label="Copy URL" small />
        </dd>
        <dt>Key</dt>
        <dd>
          <code className="svc-code" data-testid="integration-key">
            {integration.key}
          </code>{' '}
          <CopyButton text={integration.key} label="Copy key" small />
        </dd>
      </dl>

      {editing ? (
        <EditIntegration integration={integration} onDone={() => setEditing(false)} listKey={listKey} />
      ) : null}

      {!waiting ? <TestAlert integration={integration} service={service} /> : null}

      {!waiting ? (
        <details>
          <summary>How to connect {typeLabel(integration.type).replace(/ \(.*\)$/, '')}</summary>
          <div className="stack" style={{ marginTop: 8 }}>
            {snippetsFor(integration, service.name).map((snippet) => (
              <Snippet key={snippet.title} title={snippet.title} code={snippet.code}>
                {snippet.note}
              </Snippet>
            ))}
          </div>
        </details>
      ) : null}
    </article>
  );
}

function EditIntegration({
  integration,
  onDone,
  listKey,
}: {
  integration: Integration;
  onDone: () => void;
  listKey: string[];
}) {
  const { error, busy, save } = useIntegrationSave(listKey, onDone);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const rate = String(form.get('rate_limit_per_minute') ?? '').trim();
    const config = configFromForm(integration.type, form, integration.config);
    await save(() =>
      vigil.integrations.update(integration.id, {
        ...(name ? { name } : {}),
        rate_limit_per_minute: rate ? Number(rate) : null,
        ...(config ? { config: JSON.parse(JSON.stringify(config)) } : {}),
      }),
    );
  }

  return (
    <form className="stack" onSubmit={submit} aria-label={`Edit ${integration.name}`}>
      <div className="svc-form-grid">
        <Field label="Name">
          <input name="name" required maxLength={200} defaultValue={integration.name} autoComplete="off" />
        </Field>
        <Field label="Rate limit (events a minute)">
          <input
            name="rate_limit_per_minute"
            type="number"
            min={1}
            max={1_000_000}
            inputMode="numeric"
            placeholder="Installation default"
            defaultValue={integration.rate_limit_per_minute ?? ''}
          />
        </Field>
      </div>
      <TypeConfigFields type={integration.type} config={integration.config} />
      <FormEnd error={error} busy={busy} busyLabel="Saving…" label="Save integration" onCancel={onDone} />
    </form>
  );
}

// ── send test alert ────────────────────────────────────────────────────────────────────────────

function TestAlert({ integration, service }: { integration: Integration; service: Service }) {
  const client = useQueryClient();
  const canRespond = useCan('responder');
  const [resolved, setResolved] = useState<Incident | null>(null);
  const send = useMutation<TestResult, Error>({
    mutationFn: () => sendTestAlert(integration),
    onMutate: () => setResolved(null),
    onSettled: () => client.invalidateQueries({ queryKey: ['incidents'] }),
  });
  const resolve = useMutation({
    mutationFn: (incident: Incident) =>
      vigil.incidents.resolve(incident.number, { resolution: 'Test alert from the Vigil web app' }),
    onSuccess: (incident) => {
      setResolved(incident);
      return client.invalidateQueries({ queryKey: ['incidents'] });
    },
  });
  const signed =
    integration.type === 'grafana' &&
    typeof integration.config.signing_secret === 'string' &&
    integration.config.signing_secret !== '';
  const incident = send.data?.incident ?? null;
  const board = `/?service_id=${encodeURIComponent(service.id)}`;

  return (
    <div className="stack" style={{ gap: 6 }}>
      <div className="row">
        <button
          type="button"
          disabled={send.isPending || signed}
          onClick={() => send.mutate()}
          aria-describedby={`svc-test-${integration.id}`}
        >
          {send.isPending ? 'Sending…' : 'Send test alert'}
        </button>
        <span id={`svc-test-${integration.id}`} className="small muted">
          {signed
            ? 'This integration checks Grafana’s signature, which the browser cannot make: use “Test” on the contact point in Grafana instead.'
            : service.status === 'disabled'
              ? 'The service is disabled: Vigil refuses its alerts.'
              : integration.type === 'heartbeat'
                ? 'Sends one ping, as your job would: it starts (or continues) the watch, and resolves an incident for missed pings.'
                : 'Opens a real incident on this service (info severity), which pages through its escalation policy.'}
        </span>
      </div>
      <div aria-live="polite">
        {send.isSuccess ? (
          incident ? (
            <p className="row small" style={{ margin: 0 }}>
              <span>
                Sent — incident <Link href={`/incidents/${incident.number}`}>#{incident.number}</Link>{' '}
                {incident.status === 'triggered' ? 'opened' : `is ${incident.status}`}.
              </span>
              <Link href={board}>See it on the board</Link>
              {canRespond && incident.status !== 'resolved' && !resolved ? (
                <button
                  type="button"
                  className="link small"
                  disabled={resolve.isPending}
                  onClick={() => resolve.mutate(incident)}
                >
                  Resolve test incident #{incident.number}
                </button>
              ) : null}
              {resolved ? <span className="muted">Resolved.</span> : null}
            </p>
          ) : send.data?.ping ? (
            <p className="small" style={{ margin: 0 }}>
              Ping recorded{send.data.ping.recovered ? ', and the incident for missed pings resolved' : ''}.
              Vigil pages if the next one has not come by{' '}
              {new Date(send.data.ping.ping_due_at).toLocaleString()}.
            </p>
          ) : (
            <p className="small" style={{ margin: 0 }}>
              Sent — Vigil accepted the alert. <Link href={board}>See the board</Link>
            </p>
          )
        ) : null}
        {send.isError ? <ErrorBox error={send.error} /> : null}
        <ErrorBox error={resolve.error} />
      </div>
    </div>
  );
}
