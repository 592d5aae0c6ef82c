import type { Incident, Integration } from '@vigil/sdk/contract';
import { vigil } from '../api.js';
import { alertmanagerPayload, genericPayload, mappingOf } from './svc-snippets.js';

/**
 * "Send test alert": a real trigger, in the integration's own format, to its own ingest endpoint
 * with its own key (same origin; ingest authenticates by the key, so no cookie or CSRF token). Then
 * the incident it opened, found through the alert's unique dedup key.
 */

export const TEST_SUMMARY = 'Test alert from Vigil';
const SOURCE = 'vigil-ui';

export interface TestResult {
  incident: Incident | null;
  dedupKey: string;
  /** For a heartbeat: the ping's answer (no incident opens; a ping may resolve one). */
  ping?: { ping_due_at: string; recovered: boolean };
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

function request(integration: Integration, dedupKey: string): { path: string; init: RequestInit } {
  const key = integration.key;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const post = (path: string, body: unknown, extra: Record<string, string> = {}) => ({
    path,
    init: {
      method: 'POST',
      headers: { ...headers, ...extra },
      body: JSON.stringify(body),
      credentials: 'omit' as const,
    },
  });
  const origin = window.location.origin;
  switch (integration.type) {
    case 'events_v2':
      return post('/v2/enqueue', {
        routing_key: key,
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: { summary: TEST_SUMMARY, source: SOURCE, severity: 'info' },
      });
    case 'opsgenie':
      return post(
        '/v2/alerts',
        {
          message: TEST_SUMMARY,
          alias: dedupKey,
          source: SOURCE,
          priority: 'P5',
          description: 'Sent with “Send test alert” in the Vigil web app.',
        },
        { authorization: `GenieKey ${key}` },
      );
    case 'alertmanager':
    case 'grafana':
      return post(
        `/integrations/${integration.type}/${encodeURIComponent(key)}`,
        alertmanagerPayload({
          status: 'firing',
          fingerprint: dedupKey,
          summary: TEST_SUMMARY,
          source: SOURCE,
          externalURL: origin,
          grafana: integration.type === 'grafana',
        }),
      );
    case 'newrelic': {
      const now = Date.now();
      return post(`/integrations/newrelic/${encodeURIComponent(key)}`, {
        id: dedupKey,
        title: TEST_SUMMARY,
        priority: 'LOW',
        state: 'ACTIVATED',
        impactedEntities: [SOURCE],
        sources: [SOURCE],
        workflowName: 'vigil-test',
        createdAt: now,
        updatedAt: now,
      });
    }
    case 'generic':
      return post(
        `/integrations/generic/${encodeURIComponent(key)}`,
        genericPayload(mappingOf(integration), {
          summary: TEST_SUMMARY,
          dedupKey,
          source: SOURCE,
          severity: 'info',
        }),
      );
    default:
      throw new Error('Vigil does not receive this type of integration yet, so there is nothing to test.');
  }
}

/** Each ingest endpoint answers in its peer's shape (docs/ingest.md, "Answers and errors"). */
function describeRefusal(status: number, text: string): string {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const parts: string[] = [];
  if (body && typeof body === 'object') {
    const main = body.detail ?? body.message ?? body.title ?? body.status;
    if (typeof main === 'string') parts.push(main);
    if (Array.isArray(body.errors))
      for (const error of body.errors) {
        const message = typeof error === 'string' ? error : error?.message;
        if (typeof message === 'string' && message !== main) parts.push(message);
      }
  }
  if (parts.length === 0) parts.push(text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'no details');
  return `Refused (${status}): ${parts.join('; ')}`;
}

/** A heartbeat's test is a ping, as the job would send it (docs/ingest.md, "Heartbeats"). */
async function sendTestPing(integration: Integration): Promise<TestResult> {
  const path = `/heartbeat/${encodeURIComponent(integration.key)}`;
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', credentials: 'omit' });
  } catch (error) {
    throw new Error(`Could not reach ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(describeRefusal(response.status, text));
  const answer = JSON.parse(text) as { ping_due_at: string; recovered: boolean };
  return { dedupKey: `heartbeat:${integration.id}`, incident: null, ping: answer };
}

export async function sendTestAlert(integration: Integration): Promise<TestResult> {
  if (integration.type === 'heartbeat') return sendTestPing(integration);
  const dedupKey = randomHex(8);
  const { path, init } = request(integration, dedupKey);
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new Error(`Could not reach ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(describeRefusal(response.status, text));

  // A 2xx means the alert and its incident are committed: find them by the unique dedup key.
  const alerts = await vigil.alerts.list({ integration_id: integration.id, dedup_key: dedupKey, limit: 1 });
  const incidentId = alerts.data[0]?.incident_id;
  return { dedupKey, incident: incidentId ? await vigil.incidents.get(incidentId) : null };
}
