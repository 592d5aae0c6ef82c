// The request bodies of the ingest benchmarks (run.mjs, cpu-per-event.mjs), the same as load.lua
// builds: alert `n` has the key k-<n>.

export const enqueueBody = (routingKey, n) =>
  JSON.stringify({
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: `k-${n}`,
    payload: { summary: `disk full on k-${n}`, source: 'bench', severity: 'warning' },
  });

/** An alert as posted to Alertmanager's own /api/v2/alerts. */
export const amAlert = (n) => ({
  labels: { alertname: 'Bench', key: `k-${n}` },
  annotations: { summary: `disk full on k-${n}` },
});

const webhookAlert = (n) => ({
  status: 'firing',
  labels: { alertname: 'Bench', key: `k-${n}` },
  annotations: { summary: `disk full on k-${n}` },
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: n.toString(16).padStart(16, '0'),
});

/** An Alertmanager webhook (version 4) carrying the alerts `ns`. */
export const webhookBody = (ns) =>
  JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="Bench"}',
    status: 'firing',
    receiver: 'vigil',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am',
    alerts: ns.map(webhookAlert),
  });
