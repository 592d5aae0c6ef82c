import { createHmac } from 'node:crypto';
import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

interface Integration {
  id: string;
  key: string;
  url: string;
}

describe.each(engines)('ingest on %s', (engine) => {
  let h: Harness;
  let serviceId: string;
  const integrations: Record<string, Integration> = {};

  const integration = async (type: string, extra: Record<string, unknown> = {}) => {
    const response = await h.request({
      method: 'POST',
      url: `/api/v1/services/${serviceId}/integrations`,
      payload: { type, ...extra },
    });
    expect(response.statusCode).toBe(201);
    return response.json() as Integration;
  };
  const send = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.request({ method: 'POST', url, payload: payload as object, token: null, headers });
  const incidentsWith = async (dedupKey: string) =>
    (
      await h.request({
        method: 'GET',
        url: `/api/v1/alerts?dedup_key=${encodeURIComponent(dedupKey)}&limit=500`,
      })
    ).json().data as {
      id: string;
      status: string;
      count: number;
      incident_id: string;
    }[];
  const incident = async (id: string) =>
    (await h.request({ method: 'GET', url: `/api/v1/incidents/${id}` })).json();
  const timeline = async (id: string) =>
    (await h.request({ method: 'GET', url: `/api/v1/incidents/${id}/timeline` })).json().data as {
      type: string;
      message: string;
      data: Record<string, unknown>;
      actor: { type: string; name: string };
    }[];

  beforeAll(async () => {
    h = await startHarness(engine);
    serviceId = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Checkout' } })
    ).json().id;
    for (const type of ['events_v2', 'opsgenie', 'alertmanager', 'newrelic'])
      integrations[type] = await integration(type);
  });
  afterAll(() => h.close());

  const pd = (action: string, dedupKey?: string, payload: Record<string, unknown> = {}) => ({
    routing_key: integrations.events_v2!.key,
    event_action: action,
    ...(dedupKey ? { dedup_key: dedupKey } : {}),
    ...(action === 'trigger'
      ? {
          payload: {
            summary: 'p99 latency 2.3s on checkout-api',
            source: 'checkout-api.prod',
            severity: 'critical',
            ...payload,
          },
        }
      : {}),
  });

  describe('PagerDuty Events API v2', () => {
    it('triggers an alert and an incident, then dedups, acknowledges and resolves by dedup key', async () => {
      const first = await send('/v2/enqueue', {
        ...pd('trigger', 'checkout/latency'),
        links: [{ href: 'https://runbooks.example.com/latency', text: 'Runbook' }],
        client: 'Prometheus',
      });
      expect(first.statusCode).toBe(202);
      expect(first.json()).toEqual({
        status: 'success',
        message: 'Event processed',
        dedup_key: 'checkout/latency',
      });

      const second = await send('/v2/enqueue', pd('trigger', 'checkout/latency'));
      expect(second.statusCode).toBe(202);
      const [alert] = await incidentsWith('checkout/latency');
      expect(alert).toMatchObject({ status: 'firing', count: 2 });
      const opened = await incident(alert!.incident_id);
      expect(opened).toMatchObject({
        title: 'p99 latency 2.3s on checkout-api',
        status: 'triggered',
        severity: 'critical',
        urgency: 'high',
        priority: 'P1',
        dedup_key: 'checkout/latency',
        alert_count: 1,
      });

      await send('/v2/enqueue', pd('acknowledge', 'checkout/latency'));
      expect((await incident(alert!.incident_id)).status).toBe('acknowledged');
      await send('/v2/enqueue', pd('resolve', 'checkout/latency'));
      expect((await incident(alert!.incident_id)).status).toBe('resolved');

      const entries = await timeline(alert!.incident_id);
      expect(entries.map((entry) => entry.type)).toEqual(['triggered', 'acknowledged', 'resolved']);
      expect(entries[0]).toMatchObject({
        actor: { type: 'integration', name: 'Events API v2' },
        data: { event: 'trigger', dedup_key: 'checkout/latency' },
      });
      expect(entries[1]?.message).toContain('acknowledge event for checkout/latency');
      expect(entries[2]?.message).toBe('Resolved by Events API v2: the alert checkout/latency resolved');

      const stored = (await h.request({ method: 'GET', url: `/api/v1/alerts/${alert!.id}` })).json();
      expect(stored.details).toMatchObject({
        client: 'Prometheus',
        links: [{ href: 'https://runbooks.example.com/latency', text: 'Runbook' }],
      });
    });

    it('opens a new alert and incident when the key triggers again after resolve', async () => {
      await send('/v2/enqueue', pd('trigger', 'flappy'));
      await send('/v2/enqueue', pd('resolve', 'flappy'));
      await send('/v2/enqueue', pd('trigger', 'flappy'));
      const alerts = await incidentsWith('flappy');
      expect(alerts.map((alert) => alert.status).sort()).toEqual(['firing', 'resolved']);
      expect(new Set(alerts.map((alert) => alert.incident_id)).size).toBe(2);
    });

    it('accepts and ignores acknowledge and resolve for unknown keys', async () => {
      const before = (await h.request({ method: 'GET', url: '/api/v1/incidents?limit=500' })).json().data
        .length;
      for (const action of ['acknowledge', 'resolve']) {
        const response = await send('/v2/enqueue', pd(action, 'never-seen'));
        expect(response.statusCode).toBe(202);
        expect(response.json().dedup_key).toBe('never-seen');
      }
      expect(
        (await h.request({ method: 'GET', url: '/api/v1/incidents?limit=500' })).json().data.length,
      ).toBe(before);
    });

    it('makes up a dedup key when a trigger has none, and returns it', async () => {
      const response = await send('/v2/enqueue', pd('trigger'));
      const key = response.json().dedup_key as string;
      expect(key).toMatch(/^[0-9a-f-]{36}$/);
      expect(await incidentsWith(key)).toHaveLength(1);
    });

    it('refuses invalid events with PagerDuty’s envelope and reasons', async () => {
      const bad = await send('/v2/enqueue', {
        routing_key: integrations.events_v2!.key,
        event_action: 'trigger',
        payload: { summary: 'x', severity: 'urgent' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: [
          "'payload.source' is missing or blank",
          "'payload.severity' must be one of critical, error, warning, info",
        ],
      });
      const unknownKey = await send('/v2/enqueue', { ...pd('trigger', 'k'), routing_key: '0'.repeat(32) });
      expect(unknownKey.statusCode).toBe(400);
      expect(unknownKey.json()).toMatchObject({ status: 'invalid event', errors: ['Invalid routing key'] });
      const notJson = await h.request({
        method: 'POST',
        url: '/v2/enqueue',
        payload: '{"routing_key": ',
        headers: { 'content-type': 'application/json' },
        token: null,
      });
      expect(notJson.statusCode).toBe(400);
      expect(notJson.json().status).toBe('invalid event');
      const wrongType = await send('/v2/enqueue', {
        ...pd('trigger', 'k'),
        routing_key: integrations.alertmanager!.key,
      });
      expect(wrongType.statusCode).toBe(400);
      const huge = await send('/v2/enqueue', {
        ...pd('trigger', 'k'),
        payload: {
          summary: 'x',
          source: 'y',
          severity: 'info',
          custom_details: { blob: 'z'.repeat(600_000) },
        },
      });
      expect(huge.statusCode).toBe(413);
      expect(huge.json().status).toBe('invalid event');
    });

    it('records change events and notes them on incidents open on the service', async () => {
      await send('/v2/enqueue', pd('trigger', 'during-deploy'));
      const response = await send('/v2/change/enqueue', {
        routing_key: integrations.events_v2!.key,
        payload: {
          summary: 'Deployed checkout-api v1.42',
          source: 'ci',
          timestamp: '2026-03-08T05:59:00Z',
          custom_details: { sha: 'ab12cd3' },
        },
        links: [{ href: 'https://ci.example.com/run/881', text: 'CI run' }],
      });
      expect(response.statusCode).toBe(202);
      const changes = (
        await h.request({ method: 'GET', url: `/api/v1/change-events?service_id=${serviceId}` })
      ).json().data;
      expect(changes[0]).toMatchObject({
        summary: 'Deployed checkout-api v1.42',
        source: 'ci',
        happened_at: '2026-03-08T05:59:00.000Z',
        custom_details: { sha: 'ab12cd3' },
      });
      const [alert] = await incidentsWith('during-deploy');
      const entries = await timeline(alert!.incident_id);
      expect(entries.at(-1)).toMatchObject({
        type: 'change',
        message: 'Change: Deployed checkout-api v1.42 (ci)',
      });
    });
  });

  describe('Opsgenie Alert API', () => {
    const genie = () => ({ authorization: `GenieKey ${integrations.opsgenie!.key}` });

    it('creates by alias and answers with the 202 envelope, then acknowledges and closes by alias', async () => {
      const created = await send(
        '/v2/alerts',
        {
          message: 'checkout-api p99 latency 2.3s',
          alias: 'og-latency',
          priority: 'P2',
          tags: ['prod'],
          details: { p99_ms: '2300' },
        },
        genie(),
      );
      expect(created.statusCode).toBe(202);
      expect(created.json()).toMatchObject({
        result: 'Request will be processed',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(typeof created.json().took).toBe('number');
      const [alert] = await incidentsWith('og-latency');
      expect(await incident(alert!.incident_id)).toMatchObject({
        priority: 'P2',
        severity: 'error',
        title: 'checkout-api p99 latency 2.3s',
      });

      expect(
        (await send('/v2/alerts/og-latency/acknowledge?identifierType=alias', {}, genie())).statusCode,
      ).toBe(202);
      expect((await incident(alert!.incident_id)).status).toBe('acknowledged');
      expect(
        (await send('/v2/alerts/og-latency/close?identifierType=alias', { source: 'Alertmanager' }, genie()))
          .statusCode,
      ).toBe(202);
      expect((await incident(alert!.incident_id)).status).toBe('resolved');
    });

    it('closes by alert id too, and refuses a missing key or an empty message', async () => {
      await send('/v2/alerts', { message: 'disk', alias: 'og-disk' }, genie());
      const [alert] = await incidentsWith('og-disk');
      await send(`/v2/alerts/${alert!.id}/close`, undefined as never, genie());
      expect((await incident(alert!.incident_id)).status).toBe('resolved');
      expect((await send('/v2/alerts', { message: 'x' })).statusCode).toBe(401);
      const empty = await send('/v2/alerts', { message: '' }, genie());
      expect(empty.statusCode).toBe(422);
      expect(empty.json()).toMatchObject({
        message: 'message: Message can not be empty.',
        requestId: expect.any(String),
      });
    });
  });

  describe('Alertmanager, Grafana, New Relic and generic webhooks', () => {
    const amAlert = (
      fingerprint: string,
      status: 'firing' | 'resolved',
      extra: Record<string, string> = {},
    ) => ({
      status,
      labels: { alertname: 'HighLatency', severity: 'warning', instance: '10.0.0.7:8080', ...extra },
      annotations: { summary: `p99 > 2s (${fingerprint})` },
      startsAt: '2026-03-08T05:50:00Z',
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-03-08T06:00:00Z',
      generatorURL: 'http://prom.local:9090/graph',
      fingerprint,
    });
    const amPayload = (alerts: unknown[]) => ({
      version: '4',
      groupKey: '{}:{alertname="HighLatency"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'vigil',
      groupLabels: { alertname: 'HighLatency' },
      commonLabels: { alertname: 'HighLatency' },
      commonAnnotations: {},
      externalURL: 'http://am.local:9093',
      alerts,
    });

    it('handles firing and resolved alerts of one Alertmanager payload, one alert per fingerprint', async () => {
      const url = integrations.alertmanager!.url.replace('http://vigil.test', '');
      const first = await send(
        url,
        amPayload([amAlert('aaaa000000000001', 'firing'), amAlert('aaaa000000000002', 'firing')]),
      );
      expect(first.statusCode).toBe(202);
      expect(first.json()).toMatchObject({ status: 'success', events: 2, created: 2 });
      const second = await send(
        url,
        amPayload([amAlert('aaaa000000000001', 'resolved'), amAlert('aaaa000000000002', 'firing')]),
      );
      expect(second.json()).toMatchObject({ events: 2, resolved: 1, deduplicated: 1 });
      const [one] = await incidentsWith('aaaa000000000001');
      const [two] = await incidentsWith('aaaa000000000002');
      expect(one).toMatchObject({ status: 'resolved' });
      expect(two).toMatchObject({ status: 'firing', count: 2 });
      expect((await incident(one!.incident_id)).status).toBe('resolved');
      expect(await incident(two!.incident_id)).toMatchObject({
        status: 'triggered',
        severity: 'warning',
        urgency: 'low',
        priority: 'P3',
        title: 'p99 > 2s (aaaa000000000002)',
      });
      const alert = (await h.request({ method: 'GET', url: `/api/v1/alerts/${two!.id}` })).json();
      expect(alert).toMatchObject({
        source: '10.0.0.7:8080',
        labels: { alertname: 'HighLatency', severity: 'warning' },
        details: { generatorURL: 'http://prom.local:9090/graph', groupKey: '{}:{alertname="HighLatency"}' },
      });
    });

    it('accepts the key as a Bearer token on /integrations/{type}', async () => {
      const response = await send(
        '/integrations/alertmanager',
        amPayload([amAlert('bbbb000000000001', 'firing')]),
        { authorization: `Bearer ${integrations.alertmanager!.key}` },
      );
      expect(response.statusCode).toBe(202);
      expect(
        (await send('/integrations/alertmanager', amPayload([]), { authorization: 'Bearer nope' }))
          .statusCode,
      ).toBe(401);
    });

    it('verifies Grafana signatures under either header name when a secret is set', async () => {
      const grafana = await integration('grafana', { config: { signing_secret: 's3cr3t' } });
      const shown = (await h.request({ method: 'GET', url: `/api/v1/integrations/${grafana.id}` })).json();
      expect(shown.config.signing_secret).toBe('********');
      const body = JSON.stringify({
        ...amPayload([amAlert('cccc000000000001', 'firing')]),
        version: '1',
        orgId: 1,
        state: 'alerting',
      });
      const signature = createHmac('sha256', 's3cr3t').update(body).digest('hex');
      const path = grafana.url.replace('http://vigil.test', '');
      const post = (headers: Record<string, string>) =>
        h.request({
          method: 'POST',
          url: path,
          payload: body,
          token: null,
          headers: { 'content-type': 'application/json', ...headers },
        });
      expect((await post({ 'x-grafana-alerting-signature': signature })).statusCode).toBe(202);
      expect((await post({ 'x-grafana-alert-signature': signature })).statusCode).toBe(202);
      const tampered = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
      expect((await post({ 'x-grafana-alert-signature': tampered })).statusCode).toBe(401);
      expect((await post({})).statusCode).toBe(401);
      // Sending the redacted value back keeps the secret.
      await h.request({
        method: 'PATCH',
        url: `/api/v1/integrations/${grafana.id}`,
        payload: { config: { signing_secret: '********' } },
      });
      expect((await post({ 'x-grafana-alerting-signature': signature })).statusCode).toBe(202);
    });

    it('maps New Relic issue states to trigger, acknowledge and resolve', async () => {
      const url = integrations.newrelic!.url.replace('http://vigil.test', '');
      const issue = {
        id: '0ea2df1c-6b7e-4b43-9bd2-5c0f3b1a9e11',
        title: 'Memory used > 90% on checkout',
        priority: 'CRITICAL',
        impactedEntities: ['checkout'],
        totalIncidents: 1,
        trigger: 'STATE_CHANGE',
        isCorrelated: false,
        createdAt: 1740823200000,
        updatedAt: 1740823260000,
        sources: ['newrelic'],
        alertPolicyNames: ['Prod'],
        alertConditionNames: ['Memory high'],
        workflowName: 'to-vigil',
      };
      expect((await send(url, { ...issue, state: 'ACTIVATED' })).statusCode).toBe(202);
      const [alert] = await incidentsWith(issue.id);
      expect(await incident(alert!.incident_id)).toMatchObject({
        title: 'Memory used > 90% on checkout',
        priority: 'P1',
        status: 'triggered',
      });
      await send(url, { ...issue, state: 'ACKNOWLEDGED' });
      expect((await incident(alert!.incident_id)).status).toBe('acknowledged');
      await send(url, { ...issue, state: 'CLOSED' });
      expect((await incident(alert!.incident_id)).status).toBe('resolved');
      expect((await send(url, { title: 'no id' })).statusCode).toBe(400);
    });

    it('maps a generic payload with the integration’s JSON paths', async () => {
      const generic = await integration('generic', {
        config: {
          mapping: {
            summary: '$.check.title',
            dedup_key: '$.check.id',
            severity: '$.level',
            source: '$.hosts[0]',
            status: '$.state',
            resolved_values: ['UP'],
          },
        },
      });
      const url = generic.url.replace('http://vigil.test', '');
      expect(
        (
          await send(url, {
            check: { id: 'chk-7', title: 'Homepage down' },
            level: 'CRIT',
            hosts: ['web-1'],
            state: 'DOWN',
          })
        ).statusCode,
      ).toBe(202);
      const [alert] = await incidentsWith('chk-7');
      expect(alert).toMatchObject({ status: 'firing' });
      const stored = (await h.request({ method: 'GET', url: `/api/v1/alerts/${alert!.id}` })).json();
      expect(stored).toMatchObject({ summary: 'Homepage down', source: 'web-1', severity: 'critical' });
      await send(url, { check: { id: 'chk-7', title: 'Homepage down' }, state: 'UP' });
      expect((await incident(alert!.incident_id)).status).toBe('resolved');
      const missing = await send(url, { nothing: true });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().code).toBe('VALIDATION_FAILED');
    });
  });

  describe('durability and limits', () => {
    it('dedups concurrent triggers with one key into one alert that counts them all', async () => {
      const results = await Promise.all(
        Array.from({ length: 40 }, () => send('/v2/enqueue', pd('trigger', 'storm'))),
      );
      expect(results.every((result) => result.statusCode === 202)).toBe(true);
      const alerts = await incidentsWith('storm');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.count).toBe(40);
    });

    it('refuses events over the integration’s rate limit with 429 and Retry-After, and stores none of them', async () => {
      const limited = await integration('events_v2', { rate_limit_per_minute: 3 });
      const event = (key: string) => ({
        routing_key: limited.key,
        event_action: 'trigger',
        dedup_key: key,
        payload: { summary: 's', source: 'x', severity: 'info' },
      });
      const answers = [];
      for (let index = 0; index < 5; index++)
        answers.push(await send('/v2/enqueue', event(`limited-${index}`)));
      expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 202, 429, 429]);
      expect(answers[3]!.headers['retry-after']).toBe('20');
      expect(answers[3]!.json()).toMatchObject({ status: 'throttle event' });
      expect(await incidentsWith('limited-3')).toEqual([]);
      h.clock.advance(20_000);
      expect((await send('/v2/enqueue', event('limited-5'))).statusCode).toBe(202);
    });
  });
});

describe.each(engines)('ingest meets the rest of Vigil on %s', (engine) => {
  let h: Harness;
  let serviceId: string;
  let key: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    serviceId = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Meet' } })
    ).json().id;
    key = (
      await h.request({
        method: 'POST',
        url: `/api/v1/services/${serviceId}/integrations`,
        payload: { type: 'events_v2' },
      })
    ).json().key;
  });
  afterAll(() => h.close());
  const newAlertmanagerIntegration = async () =>
    (
      await h.request({
        method: 'POST',
        url: `/api/v1/services/${serviceId}/integrations`,
        payload: { type: 'alertmanager' },
      })
    ).json();
  const trigger = (dedup: string) =>
    h.request({
      method: 'POST',
      url: '/v2/enqueue',
      token: null,
      payload: {
        routing_key: key,
        event_action: 'trigger',
        dedup_key: dedup,
        payload: { summary: 's', source: 'x', severity: 'error' },
      },
    });

  it('resolving an incident by hand resolves its alerts, so the next trigger opens a new incident', async () => {
    await trigger('hand');
    const first = (await h.request({ method: 'GET', url: '/api/v1/alerts?dedup_key=hand' })).json().data[0];
    await h.request({ method: 'POST', url: `/api/v1/incidents/${first.incident_id}/resolve` });
    expect((await h.request({ method: 'GET', url: `/api/v1/alerts/${first.id}` })).json().status).toBe(
      'resolved',
    );
    const timeline = (
      await h.request({ method: 'GET', url: `/api/v1/incidents/${first.incident_id}/timeline` })
    ).json().data;
    expect(timeline.at(-1).message).toBe('1 firing alert(s) resolved with the incident');
    await trigger('hand');
    const alerts = (await h.request({ method: 'GET', url: '/api/v1/alerts?dedup_key=hand' })).json().data;
    expect(alerts).toHaveLength(2);
    expect(new Set(alerts.map((alert: { incident_id: string }) => alert.incident_id)).size).toBe(2);
  });

  it('a disabled service refuses alerts out loud instead of dropping them', async () => {
    await h.request({
      method: 'PATCH',
      url: `/api/v1/services/${serviceId}`,
      payload: { status: 'disabled' },
    });
    const refused = await trigger('while-disabled');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      status: 'invalid event',
      errors: ['The service Meet is disabled; enable it to receive alerts'],
    });
    // The same on the /integrations/… endpoints, which answer in problem+json.
    const am = await newAlertmanagerIntegration();
    const amRefused = await h.request({
      method: 'POST',
      url: `/integrations/alertmanager/${am.key}`,
      token: null,
      payload: {
        version: '4',
        status: 'firing',
        alerts: [{ status: 'firing', labels: { alertname: 'Off' } }],
      },
    });
    expect(amRefused.statusCode).toBe(409);
    expect(amRefused.json()).toMatchObject({
      code: 'CONFLICT',
      detail: expect.stringContaining('is disabled'),
    });
    await h.request({ method: 'PATCH', url: `/api/v1/services/${serviceId}`, payload: { status: 'active' } });
    expect((await trigger('while-disabled')).statusCode).toBe(202);
  });

  it('checks integration settings when they are saved', async () => {
    const badMapping = await h.request({
      method: 'POST',
      url: `/api/v1/services/${serviceId}/integrations`,
      payload: { type: 'generic', config: { mapping: { summary: 5 } } },
    });
    expect(badMapping.statusCode).toBe(400);
    expect(badMapping.json().errors[0].path).toBe('/config/mapping/summary');
    const badSecret = await h.request({
      method: 'POST',
      url: `/api/v1/services/${serviceId}/integrations`,
      payload: { type: 'grafana', config: { signing_secret: 12345 } },
    });
    expect(badSecret.json().errors[0].path).toBe('/config/signing_secret');
  });

  it('writes the alerts of one webhook request all together', async () => {
    const am = await newAlertmanagerIntegration();
    const alerts = Array.from({ length: 30 }, (_, index) => ({
      status: 'firing',
      labels: { alertname: 'Many', n: String(index) },
      fingerprint: `many-${index}`,
    }));
    const requests = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.request({
          method: 'POST',
          url: `/integrations/alertmanager/${am.key}`,
          token: null,
          payload: { version: '4', status: 'firing', alerts },
        }),
      ),
    );
    expect(requests.every((response) => response.statusCode === 202)).toBe(true);
    const stored = (
      await h.request({ method: 'GET', url: `/api/v1/alerts?integration_id=${am.id}&limit=500` })
    ).json().data;
    expect(stored).toHaveLength(30);
    expect(stored.every((alert: { count: number }) => alert.count === 5)).toBe(true);
  });
});
