import type { AddressInfo } from 'node:net';
import { engines, type RunningAlertmanager, startAlertmanager } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

/**
 * The real Prometheus Alertmanager pages Vigil through all three of its receivers that Vigil
 * speaks — webhook, PagerDuty (url: Vigil's /v2/enqueue) and Opsgenie (api_url: Vigil) — and the
 * incidents open when alerts fire and resolve when they end.
 */
describe.each(engines)('Alertmanager pages Vigil on %s', (engine) => {
  let h: Harness;
  let am: RunningAlertmanager;
  const services: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness(engine);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const keys: Record<string, string> = {};
    for (const [target, type] of [
      ['webhook', 'alertmanager'],
      ['pagerduty', 'events_v2'],
      ['opsgenie', 'opsgenie'],
    ] as const) {
      const service = (
        await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: `via ${target}` } })
      ).json();
      services[target] = service.id;
      const integration = (
        await h.request({
          method: 'POST',
          url: `/api/v1/services/${service.id}/integrations`,
          payload: { type },
        })
      ).json();
      keys[target] = integration.key;
    }
    am = await startAlertmanager(`
global:
  resolve_timeout: 5m
route:
  receiver: webhook
  group_by: ['alertname', 'target']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: webhook
      matchers: ['target="webhook"']
    - receiver: pagerduty
      matchers: ['target="pagerduty"']
    - receiver: opsgenie
      matchers: ['target="opsgenie"']
receivers:
  - name: webhook
    webhook_configs:
      - url: '${base}/integrations/alertmanager/${keys.webhook}'
        send_resolved: true
  - name: pagerduty
    pagerduty_configs:
      - routing_key: '${keys.pagerduty}'
        url: '${base}/v2/enqueue'
        severity: critical
        send_resolved: true
  - name: opsgenie
    opsgenie_configs:
      - api_key: '${keys.opsgenie}'
        api_url: '${base}/'
        priority: P1
        send_resolved: true
`);
  }, 60_000);

  afterAll(async () => {
    await am?.stop();
    await h?.close();
  });

  const alert = (target: string, endsAt: Date) => ({
    labels: { alertname: 'DiskFull', target, instance: 'db-1:9100', severity: 'critical' },
    annotations: { summary: `/var is 97% full (${target})` },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: endsAt.toISOString(),
    generatorURL: 'http://prometheus.local/graph',
  });

  async function incidentsOf(target: string) {
    const page = await h.request({ method: 'GET', url: `/api/v1/incidents?service_id=${services[target]}` });
    return page.json().data as { id: string; status: string; title: string; priority: string }[];
  }

  async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting until ${what}\nAlertmanager said:\n${am.output().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('opens one incident per receiver when the alerts fire, and resolves them when they end', async () => {
    const targets = ['webhook', 'pagerduty', 'opsgenie'];
    await am.postAlerts(targets.map((target) => alert(target, new Date(Date.now() + 3_600_000))));
    for (const target of targets) {
      await waitFor(`${target} opened an incident`, async () => (await incidentsOf(target)).length === 1);
    }
    const [viaWebhook] = await incidentsOf('webhook');
    expect(viaWebhook).toMatchObject({
      status: 'triggered',
      title: '/var is 97% full (webhook)',
      priority: 'P1',
    });
    const [viaPagerDuty] = await incidentsOf('pagerduty');
    expect(viaPagerDuty?.title).toContain('[FIRING:1] DiskFull');
    const [viaOpsgenie] = await incidentsOf('opsgenie');
    expect(viaOpsgenie).toMatchObject({ status: 'triggered', priority: 'P1' });

    await am.postAlerts(targets.map((target) => alert(target, new Date(Date.now() - 1_000))));
    for (const target of targets) {
      await waitFor(
        `${target} resolved its incident`,
        async () => (await incidentsOf(target))[0]?.status === 'resolved',
      );
    }
    for (const target of targets) {
      const incidents = await incidentsOf(target);
      expect(incidents, `${target} kept to one incident`).toHaveLength(1);
      const timeline = (
        await h.request({ method: 'GET', url: `/api/v1/incidents/${incidents[0]!.id}/timeline` })
      ).json().data;
      expect(timeline.map((entry: { type: string }) => entry.type)).toEqual(['triggered', 'resolved']);
    }
  }, 90_000);
});
