import type { Integration } from '@vigil/sdk/contract';

/**
 * What each integration type is, what it connects, and ready-to-paste configuration for it, from
 * docs/ingest.md. Pure functions: the integration in, text out.
 */

export type IntegrationType = Integration['type'];

export const integrationTypes: { type: IntegrationType; label: string; hint: string }[] = [
  {
    type: 'alertmanager',
    label: 'Prometheus Alertmanager (webhook)',
    hint: 'One Vigil alert per Prometheus alert; resolves when Alertmanager says so. The recommended way for Prometheus.',
  },
  {
    type: 'grafana',
    label: 'Grafana (webhook contact point)',
    hint: 'A Grafana Alerting contact point of type Webhook, optionally signed with HMAC.',
  },
  {
    type: 'events_v2',
    label: 'PagerDuty Events API v2',
    hint: 'Anything that sends PagerDuty events (also Alertmanager’s pagerduty_configs): change the URL, use this key as the routing key.',
  },
  {
    type: 'opsgenie',
    label: 'Opsgenie Alert API',
    hint: 'Anything that talks to Opsgenie (also Alertmanager’s opsgenie_configs): change the base URL, use this key as the API key.',
  },
  {
    type: 'newrelic',
    label: 'New Relic (webhook destination)',
    hint: 'A New Relic workflow with a Webhook destination.',
  },
  {
    type: 'generic',
    label: 'Generic JSON webhook',
    hint: 'Any tool that can POST JSON; tell Vigil where the summary, dedup key and status are in it.',
  },
  {
    type: 'email',
    label: 'E-mail (not receiving yet)',
    hint: 'Vigil does not receive e-mail yet: the address is shown, but no mail reaches it.',
  },
  {
    type: 'heartbeat',
    label: 'Heartbeat (cron jobs, dead-man’s switch)',
    hint: 'Your job pings a URL every time it runs; when the pings stop for longer than the interval plus the grace period, Vigil opens a critical incident. Watching starts with the first ping.',
  },
];

export const typeLabel = (type: IntegrationType) =>
  integrationTypes.find((t) => t.type === type)?.label ?? type;

/** Types whose endpoint does not exist yet (docs/ingest.md, "Not supported yet"). */
export const notReceivingYet = (type: IntegrationType) => type === 'email';

/** A heartbeat's settings (docs/ingest.md, "Heartbeats"), with the server's defaults. */
export const heartbeatDefaults = { interval_seconds: 300, grace_seconds: 60 };
export function heartbeatSettingsOf(integration: Pick<Integration, 'config'>): typeof heartbeatDefaults {
  const read = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isInteger(value) ? value : fallback;
  return {
    interval_seconds: read(integration.config.interval_seconds, heartbeatDefaults.interval_seconds),
    grace_seconds: read(integration.config.grace_seconds, heartbeatDefaults.grace_seconds),
  };
}

/** A crontab schedule that pings about as often as the interval asks (at least once a minute). */
function cronEvery(seconds: number): string {
  const minutes = Math.max(1, Math.floor(seconds / 60));
  if (minutes < 60) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  return '0 3 * * *';
}

/** Vigil's public URL, from the integration's own URL (VIGIL_PUBLIC_URL on the server). */
export function publicUrlOf(integration: Pick<Integration, 'url'>): string {
  const url = integration.url;
  for (const marker of ['/v2/enqueue', '/v2/alerts', '/integrations/', '/heartbeat/']) {
    const at = url.indexOf(marker);
    if (at > 0) return url.slice(0, at);
  }
  return typeof window === 'undefined' ? '' : window.location.origin;
}

export interface GenericMapping {
  summary?: string;
  dedup_key?: string;
  source?: string;
  severity?: string;
  status?: string;
  resolved_values?: string[];
  acknowledged_values?: string[];
}

export const mappingDefaults: Record<
  keyof Omit<GenericMapping, 'resolved_values' | 'acknowledged_values'>,
  string
> = {
  summary: 'summary|title|message|name',
  dedup_key: 'dedup_key|id|fingerprint|alias|key',
  source: 'source|host|hostname|service',
  severity: 'severity|level|priority',
  status: 'status|state|event_action|action',
};
export const resolvedDefaults = [
  'resolved',
  'resolve',
  'ok',
  'closed',
  'close',
  'recovered',
  'normal',
  'inactive',
];
export const acknowledgedDefaults = ['acknowledged', 'acknowledge', 'ack'];

export function mappingOf(integration: Pick<Integration, 'config'>): GenericMapping {
  const mapping = integration.config.mapping;
  return mapping && typeof mapping === 'object' && !Array.isArray(mapping) ? (mapping as GenericMapping) : {};
}

/** `$.check.items[0].id` → ['check', 'items', 0, 'id']; the first of `a|b` alternatives. */
function pathTokens(path: string): (string | number)[] {
  const first = (path.split('|')[0] ?? '').trim().replace(/^\$\.?/, '');
  const tokens: (string | number)[] = [];
  for (const part of first.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      tokens.push(part);
      continue;
    }
    if (match[1]) tokens.push(match[1]);
    for (const index of match[2]?.matchAll(/\[(\d+)\]/g) ?? []) tokens.push(Number(index[1]));
  }
  return tokens;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const tokens = pathTokens(path);
  if (tokens.length === 0) return;
  let node: any = target;
  for (const [i, token] of tokens.entries()) {
    const last = i === tokens.length - 1;
    if (last) {
      if (node[token] === undefined) node[token] = value;
      return;
    }
    const nextIsIndex = typeof tokens[i + 1] === 'number';
    if (node[token] === undefined || node[token] === null || typeof node[token] !== 'object')
      node[token] = nextIsIndex ? [] : {};
    node = node[token];
  }
}

/** A payload that fits a generic integration's mapping: the test alert and the curl example. */
export function genericPayload(
  mapping: GenericMapping,
  fields: { summary: string; dedupKey: string; source: string; severity: string; status?: string },
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  setPath(body, mapping.summary || mappingDefaults.summary, fields.summary);
  setPath(body, mapping.dedup_key || mappingDefaults.dedup_key, fields.dedupKey);
  setPath(body, mapping.source || mappingDefaults.source, fields.source);
  setPath(body, mapping.severity || mappingDefaults.severity, fields.severity);
  if (fields.status !== undefined) setPath(body, mapping.status || mappingDefaults.status, fields.status);
  return body;
}

/** An Alertmanager v4 webhook body with one alert (Grafana reads the same shape). */
export function alertmanagerPayload(options: {
  status: 'firing' | 'resolved';
  fingerprint: string;
  summary: string;
  source: string;
  externalURL: string;
  grafana?: boolean;
}): Record<string, unknown> {
  const labels = { alertname: 'VigilTestAlert', severity: 'info', instance: options.source };
  const annotations = { summary: options.summary };
  const now = new Date().toISOString();
  return {
    version: options.grafana ? '1' : '4',
    groupKey: '{}:{alertname="VigilTestAlert"}',
    truncatedAlerts: 0,
    status: options.status,
    receiver: 'vigil',
    groupLabels: { alertname: 'VigilTestAlert' },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: options.externalURL,
    alerts: [
      {
        status: options.status,
        labels,
        annotations,
        startsAt: now,
        endsAt: options.status === 'firing' ? '0001-01-01T00:00:00Z' : now,
        generatorURL: options.externalURL,
        fingerprint: options.fingerprint,
      },
    ],
  };
}

export interface SnippetText {
  title: string;
  code: string;
  note?: string;
}

const json = (value: unknown) => JSON.stringify(value);
/** A JSON body inside single quotes for a shell. */
const shellJson = (value: unknown) => `'${JSON.stringify(value, null, 2).replace(/'/g, `'\\''`)}'`;

export function snippetsFor(integration: Integration, serviceName: string): SnippetText[] {
  const { key, url, type } = integration;
  const base = publicUrlOf(integration);
  const routeName =
    serviceName
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-|-$/g, '') || 'service';
  switch (type) {
    case 'alertmanager':
      return [
        {
          title: 'Alertmanager (alertmanager.yml)',
          note: 'Sends every alert of the route to this service. To send only some, add the receiver under an existing route’s routes: with matchers.',
          code: `route:
  receiver: vigil-${routeName}
  # Or only some alerts, under your existing route:
  # routes:
  #   - receiver: vigil-${routeName}
  #     matchers:
  #       - service="${routeName}"

receivers:
  - name: vigil-${routeName}
    webhook_configs:
      - url: ${url}
        send_resolved: true
        max_alerts: 0 # keep 0: alerts Alertmanager cuts never reach Vigil`,
        },
        {
          title: 'Alertmanager, key as a bearer token (keeps it out of the URL)',
          code: `receivers:
  - name: vigil-${routeName}
    webhook_configs:
      - url: ${base}/integrations/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: ${key} # type defaults to Bearer`,
        },
        {
          title: 'Try it with curl',
          code: `curl -s -H 'content-type: application/json' -d ${shellJson({
            alerts: [
              {
                status: 'firing',
                labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'warning' },
                annotations: { summary: '/var is 95% full on db-1' },
              },
            ],
          })} \\\n  ${url}`,
        },
      ];
    case 'events_v2':
      return [
        {
          title: 'Alertmanager (pagerduty_configs)',
          note: 'One incident per Alertmanager group. Alertmanager never acknowledges; it resolves when the whole group has.',
          code: `route:
  receiver: vigil-${routeName}

receivers:
  - name: vigil-${routeName}
    pagerduty_configs:
      - routing_key: ${key}
        url: ${base}/v2/enqueue
        severity: critical # optional: critical, error, warning or info only
        send_resolved: true`,
        },
        {
          title: 'PagerDuty Events API v2 (curl)',
          note: 'Any PagerDuty client works: use this key as the routing key and replace https://events.pagerduty.com with this Vigil.',
          code: `# Trigger (dedup_key is optional; without one Vigil makes one up and returns it)
curl -s -H 'content-type: application/json' -d ${shellJson({
            routing_key: key,
            event_action: 'trigger',
            dedup_key: 'checkout/latency',
            payload: {
              summary: 'p99 latency 2.3s on checkout-api',
              source: 'checkout-api.prod',
              severity: 'critical',
            },
          })} \\
  ${base}/v2/enqueue

# Resolve it
curl -s -H 'content-type: application/json' \\
  -d '${json({ routing_key: key, event_action: 'resolve', dedup_key: 'checkout/latency' })}' \\
  ${base}/v2/enqueue`,
        },
        {
          title: 'Change events (deploys; they never page)',
          code: `curl -s -H 'content-type: application/json' \\
  -d '${json({ routing_key: key, payload: { summary: 'Deployed checkout-api v1.42', source: 'ci' } })}' \\
  ${base}/v2/change/enqueue`,
        },
      ];
    case 'opsgenie':
      return [
        {
          title: 'Alertmanager (opsgenie_configs)',
          note: 'api_url is a base URL and must end with “/”. Leave update_alerts off: Vigil has no endpoint for it.',
          code: `route:
  receiver: vigil-${routeName}

receivers:
  - name: vigil-${routeName}
    opsgenie_configs:
      - api_key: ${key}
        api_url: ${base}/
        send_resolved: true`,
        },
        {
          title: 'Opsgenie Alert API (curl)',
          note: `Tools that talk to Opsgenie: base URL ${base}/ and this key as the API key (GenieKey).`,
          code: `# Create (alias is the dedup key)
curl -s -H 'Authorization: GenieKey ${key}' -H 'content-type: application/json' -d ${shellJson({
            message: 'checkout-api p99 latency 2.3s',
            alias: 'checkout-api/latency',
            priority: 'P1',
            source: 'prometheus',
          })} \\
  ${base}/v2/alerts

# Close it
curl -s -X POST -H 'Authorization: GenieKey ${key}' \\
  '${base}/v2/alerts/checkout-api%2Flatency/close?identifierType=alias'`,
        },
      ];
    case 'grafana':
      return [
        {
          title: 'Grafana contact point (recommended: key in the masked header)',
          note: 'Alerting → Contact points → Add contact point → Integration: Webhook. Grafana shows the URL to anyone who can read the contact point but keeps the header credentials masked.',
          code: `URL: ${base}/integrations/grafana
HTTP method: POST
Authorization Header - Scheme: Bearer
Authorization Header - Credentials: ${key}`,
        },
        {
          title: 'Grafana contact point (simplest: key in the URL)',
          code: `URL: ${url}`,
        },
        grafanaSigning(integration),
        {
          title: 'Try it with curl',
          note: 'With a signing secret set, unsigned requests like this one are refused (401): sign them as in docs/ingest.md.',
          code: `curl -s -H 'content-type: application/json' -d ${shellJson({
            alerts: [{ status: 'firing', labels: { alertname: 'CPU' }, annotations: { summary: 'CPU 97%' } }],
          })} \\\n  ${url}`,
        },
      ];
    case 'newrelic':
      return [
        {
          title: 'New Relic webhook destination',
          note: 'Alerts → Destinations → Webhook, then add it to a workflow. In “Notify when”, enable activated, acknowledged and closed issues so Vigil hears about all three.',
          code: `Endpoint URL: ${url}

# Or keep the key out of the URL:
Endpoint URL: ${base}/integrations/newrelic
Authorization: Bearer token ${key}`,
        },
        {
          title: 'Payload template (the default works; if you edit it, keep id and state)',
          code: `{
  "id": {{ json issueId }},
  "issueUrl": {{ json issuePageUrl }},
  "title": {{ json annotations.title.[0] }},
  "priority": {{ json priority }},
  "state": {{ json state }},
  "totalIncidents": {{ json totalIncidents }},
  "createdAt": {{ createdAt }},
  "updatedAt": {{ updatedAt }}
}`,
        },
        {
          title: 'Try it with curl',
          code: `curl -s -H 'content-type: application/json' -d ${shellJson({
            id: 'issue-123',
            title: 'Memory used > 90% on checkout',
            priority: 'CRITICAL',
            state: 'ACTIVATED',
            impactedEntities: ['checkout'],
          })} \\\n  ${url}`,
        },
      ];
    case 'generic': {
      const mapping = mappingOf(integration);
      const trigger = genericPayload(mapping, {
        summary: 'Homepage down',
        dedupKey: 'homepage-check',
        source: 'uptime-checker',
        severity: 'critical',
      });
      const resolved = (mapping.resolved_values?.[0] ?? 'resolved').toString();
      const resolve = genericPayload(mapping, {
        summary: 'Homepage down',
        dedupKey: 'homepage-check',
        source: 'uptime-checker',
        severity: 'critical',
        status: resolved,
      });
      return [
        {
          title: 'Generic webhook (curl)',
          note: 'Point your tool at the URL and send JSON. A payload without a summary or a dedup key at the mapped paths is refused with 400.',
          code: `# Trigger
curl -s -H 'content-type: application/json' -d ${shellJson(trigger)} \\
  ${url}

# Resolve (same dedup key, a resolving status)
curl -s -H 'content-type: application/json' -d ${shellJson(resolve)} \\
  ${url}

# Or send the key as a bearer token instead of in the URL:
#   curl -H 'Authorization: Bearer ${key}' ... ${base}/integrations/generic`,
        },
        {
          title: 'Field mapping in effect',
          note: 'Change it with Edit. Alternatives are separated by |; the first path that holds a value wins.',
          code: JSON.stringify(
            {
              ...mappingDefaults,
              resolved_values: resolvedDefaults,
              acknowledged_values: acknowledgedDefaults,
              ...mapping,
            },
            null,
            2,
          ),
        },
      ];
    }
    case 'heartbeat': {
      const { interval_seconds, grace_seconds } = heartbeatSettingsOf(integration);
      const schedule = cronEvery(interval_seconds);
      return [
        {
          title: 'Crontab: ping after the job succeeds',
          note: `Vigil expects a ping at least every ${interval_seconds} s and opens an incident when none has come for ${interval_seconds + grace_seconds} s (interval plus grace). Chain the ping with && so a failed job does not ping. Watching starts with the first ping.`,
          code: `${schedule} /usr/local/bin/backup.sh && curl -fsS -m 10 --retry 3 -o /dev/null ${url}`,
        },
        {
          title: 'Shell script or systemd timer (ExecStartPost)',
          code: `# At the end of the script the timer runs:
curl -fsS -m 10 --retry 3 -X POST -o /dev/null ${url}

# Or, in the service unit the timer starts:
# ExecStartPost=/usr/bin/curl -fsS -m 10 --retry 3 -o /dev/null ${url}

# Or keep the key out of the URL (and out of process lists' arguments, with a file):
curl -fsS -m 10 -X POST -H 'Authorization: Bearer ${key}' ${base}/heartbeat`,
        },
        {
          title: 'Kubernetes CronJob',
          code: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${routeName}-job
spec:
  schedule: "${schedule}"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: job
              image: curlimages/curl:8.10.1
              command: ["/bin/sh", "-c"]
              args:
                - ./run-the-job.sh && curl -fsS -m 10 --retry 3 -o /dev/null ${url}`,
        },
      ];
    }
    default:
      return [];
  }
}

function grafanaSigning(integration: Integration): SnippetText {
  const config = integration.config;
  const signed = typeof config.signing_secret === 'string' && config.signing_secret !== '';
  const timestamp = typeof config.timestamp_header === 'string' ? config.timestamp_header : '';
  return {
    title: 'Signed requests (optional, Grafana 12+): HMAC Signature settings',
    note: signed
      ? 'This integration checks signatures: Grafana must sign every request with the same secret.'
      : 'Off now. To turn it on, press Edit on this integration, set a signing secret, then enter the same secret in the contact point’s HMAC Signature settings.',
    code: `Secret: <the signing secret set on this integration>
Header: X-Grafana-Alerting-Signature${timestamp ? `\nTimestamp Header: ${timestamp}` : ''}`,
  };
}
