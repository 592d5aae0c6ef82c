import { engines } from '@vigil/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

/** Hostile input at the ingest endpoints: never a 5xx, never a crash, never a partial write. */
describe.each(engines)('hostile input at ingest on %s', (engine) => {
  let h: Harness;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    h = await startHarness(engine);
    const service = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Hostile' } })
    ).json();
    for (const type of ['events_v2', 'opsgenie', 'alertmanager', 'grafana', 'newrelic', 'generic']) {
      keys[type] = (
        await h.request({
          method: 'POST',
          url: `/api/v1/services/${service.id}/integrations`,
          payload: { type },
        })
      ).json().key;
    }
  });
  afterAll(() => h.close());

  const count = async () =>
    (await h.request({ method: 'GET', url: '/api/v1/alerts?limit=500' })).json().data.length as number;
  const targets = () => [
    { url: '/v2/enqueue', headers: {} },
    { url: '/v2/change/enqueue', headers: {} },
    { url: '/v2/alerts', headers: { authorization: `GenieKey ${keys.opsgenie}` } },
    {
      url: '/v2/alerts/some-alias/close?identifierType=alias',
      headers: { authorization: `GenieKey ${keys.opsgenie}` },
    },
    { url: `/integrations/alertmanager/${keys.alertmanager}`, headers: {} },
    { url: `/integrations/grafana/${keys.grafana}`, headers: {} },
    { url: `/integrations/newrelic/${keys.newrelic}`, headers: {} },
    { url: `/integrations/generic/${keys.generic}`, headers: {} },
  ];

  const hostileString = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udfff\ud800',
      '👩‍👩‍👧',
      '\u202e',
      'x'.repeat(3000),
      "'; drop table alerts; --",
      '{{7*7}}',
      '../../etc/passwd',
    ),
  );
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      hostileString,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(
        fc.oneof(
          hostileString,
          fc.constantFrom(
            '__proto__',
            'constructor',
            'routing_key',
            'event_action',
            'payload',
            'alerts',
            'status',
            'labels',
            'fingerprint',
            'dedup_key',
            'message',
            'alias',
            'id',
            'state',
          ),
        ),
        tie('value'),
        { maxKeys: 6 },
      ),
    ),
  })).value;

  /** Plausible events with hostile fields: these get past the first checks and reach the planner. */
  const nearlyValid = fc.record({
    routing_key: fc.constant('KEY'),
    event_action: fc.constantFrom('trigger', 'acknowledge', 'resolve', 'TRIGGER', ''),
    dedup_key: fc.oneof(hostileString, fc.constant(undefined)),
    payload: fc.record({
      summary: hostileString,
      source: hostileString,
      severity: fc.constantFrom('critical', 'info', 'loud'),
      custom_details: json,
    }),
    links: fc.oneof(fc.constant(undefined), fc.array(fc.record({ href: hostileString }), { maxLength: 2 })),
  });

  it('never answers 5xx to generated bodies, wrong content types or cut-off bodies', async () => {
    const routingKey = keys.events_v2!;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets()),
        fc.oneof(json, nearlyValid),
        fc.constantFrom('application/json', 'text/plain', 'application/xml', ''),
        async (target, body, contentType) => {
          const text = JSON.stringify(body)?.replaceAll('"KEY"', JSON.stringify(routingKey)) ?? '';
          const response = await h.request({
            method: 'POST',
            url: target.url,
            token: null,
            payload: text,
            headers: { ...target.headers, ...(contentType ? { 'content-type': contentType } : {}) },
          });
          expect(response.statusCode, `${target.url} ${text.slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    const valid = JSON.stringify({
      routing_key: routingKey,
      event_action: 'trigger',
      payload: { summary: 's', source: 'x', severity: 'info' },
    });
    for (let cut = 1; cut < valid.length; cut += 7) {
      const response = await h.request({
        method: 'POST',
        url: '/v2/enqueue',
        token: null,
        payload: valid.slice(0, cut),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(400);
    }
    const deep = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
    for (const target of targets()) {
      const response = await h.request({
        method: 'POST',
        url: target.url,
        token: null,
        payload: deep,
        headers: { ...target.headers, 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBeLessThan(500);
    }
  });

  it('refuses a payload with one bad alert whole: nothing of it is written', async () => {
    const before = await count();
    const payload = {
      version: '4',
      status: 'firing',
      alerts: [
        { status: 'firing', labels: { alertname: 'A' }, fingerprint: 'f1' },
        { status: 'firing', labels: { alertname: 'B' }, fingerprint: 'f2' },
        { status: 'exploded', labels: { alertname: 'C' }, fingerprint: 'f3' },
      ],
    };
    const response = await h.request({
      method: 'POST',
      url: `/integrations/alertmanager/${keys.alertmanager}`,
      token: null,
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('VALIDATION_FAILED');
    expect(await count()).toBe(before);
  });

  it('keeps NUL characters out of the database without failing the sender', async () => {
    const response = await h.request({
      method: 'POST',
      url: '/v2/enqueue',
      token: null,
      payload: {
        routing_key: keys.events_v2,
        event_action: 'trigger',
        dedup_key: 'nul\u0000key',
        payload: {
          summary: 'a\u0000b',
          source: 's',
          severity: 'info',
          custom_details: { 'k\u0000': 'v\u0000' },
        },
      },
    });
    expect(response.statusCode).toBeLessThan(500);
  });
});
