import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const TEAM_SECRET = 'Xq7signl4TeamSecret42abcd';
const NR_KEY = 'NRAK-0123456789abcdefWXYZ';

/**
 * The configuration API of SIGNL4 and New Relic integrations: what is refused (with the field
 * that is wrong), that secrets go in and never come out (answers and audit log), and how a New
 * Relic collector URL follows the account. Sending is in outbound.scenario.test.ts.
 */
describe.each(engines)('outbound integrations over HTTP on %s', (engine) => {
  let h: Harness;
  let serviceId: string;

  beforeAll(async () => {
    h = await startHarness(engine);
    const service = await h.request({
      method: 'POST',
      url: '/api/v1/services',
      payload: { name: 'Checkout' },
    });
    serviceId = service.json().id;
  });
  afterAll(() => h.close());

  const create = (payload: object, id = serviceId) =>
    h.request({ method: 'POST', url: `/api/v1/services/${id}/outbound-integrations`, payload });
  const patch = (id: string, payload: object) =>
    h.request({ method: 'PATCH', url: `/api/v1/outbound-integrations/${id}`, payload });

  it('refuses bad settings with 400 and the path of the field', async () => {
    const cases: [object, string, RegExp][] = [
      [{ kind: 'signl4' }, '/address', /required/],
      [{ kind: 'signl4', address: 'not a secret!' }, '/address', /SIGNL4 webhook URL or the team secret/],
      [{ kind: 'signl4', address: 'ftp://connect.signl4.com/webhook/abc' }, '/address', /SIGNL4 webhook URL/],
      [
        { kind: 'signl4', address: 'https://user:pw@connect.signl4.com/webhook/abc' },
        '/address',
        /SIGNL4 webhook URL/,
      ],
      [
        {
          kind: 'newrelic-events',
          account_id: '42',
          api_key: NR_KEY,
          address: 'https://u:p@nr.example.com/',
        },
        '/address',
        /user name/,
      ],
      // The SSRF guard: nothing private or loopback unless VIGIL_OUTBOUND_ALLOW says so.
      [
        { kind: 'signl4', address: 'http://127.0.0.1:9/webhook/abcdef' },
        '/address',
        /loopback.*VIGIL_OUTBOUND_ALLOW/,
      ],
      [{ kind: 'signl4', address: 'http://169.254.169.254/latest' }, '/address', /metadata/],
      [{ kind: 'signl4', address: TEAM_SECRET, api_key: NR_KEY }, '/api_key', /not used by SIGNL4/],
      [{ kind: 'newrelic-events', api_key: NR_KEY }, '/account_id', /required/],
      [{ kind: 'newrelic-events', account_id: '42' }, '/api_key', /required/],
      [{ kind: 'newrelic-events', account_id: 'abc', api_key: NR_KEY }, '/account_id', /pattern/],
      [{ kind: 'newrelic-events', account_id: '42', api_key: NR_KEY, region: 'ap' }, '/region', /us, eu/],
      [
        { kind: 'newrelic-events', account_id: '42', api_key: NR_KEY, address: 'http://10.1.2.3/x' },
        '/address',
        /private/,
      ],
      [{ kind: 'pagerduty', address: TEAM_SECRET }, '/kind', /signl4, newrelic-events/],
      [{ kind: 'signl4', address: TEAM_SECRET, secret: 'x' }, '/secret', /not a known field/],
    ];
    for (const [payload, path, message] of cases) {
      const response = await create(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const problem = response.json();
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.errors[0].path, JSON.stringify(payload)).toBe(path);
      expect(problem.errors[0].message, JSON.stringify(payload)).toMatch(message);
    }
    expect((await create({ kind: 'signl4', address: TEAM_SECRET }, 'nope')).statusCode).toBe(404);
    const list = await h.request({
      method: 'GET',
      url: `/api/v1/services/${serviceId}/outbound-integrations`,
    });
    expect(list.json().data).toEqual([]);
  });

  it('takes a SIGNL4 team secret and never shows it again, not even in the audit log', async () => {
    const created = await create({ kind: 'signl4', address: TEAM_SECRET });
    expect(created.statusCode).toBe(201);
    const integration = created.json();
    expect(integration).toMatchObject({
      service_id: serviceId,
      kind: 'signl4',
      name: 'SIGNL4',
      enabled: true,
      events: ['triggered', 'resolved'],
      address_hint: '…abcd',
      api_key_hint: null,
      account_id: null,
      region: null,
    });
    const url = `https://connect.signl4.com/webhook/${TEAM_SECRET}`;
    const changed = await patch(integration.id, { address: url, name: 'Night shift' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      name: 'Night shift',
      address_hint: 'https://connect.signl4.com/…abcd',
    });
    expect((await patch(integration.id, { address: null })).json().errors[0].path).toBe('/address');
    expect((await patch(integration.id, { kind: 'newrelic-events' })).json().errors[0].path).toBe('/kind');
    expect((await patch(integration.id, { region: 'eu' })).json().errors[0].path).toBe('/region');

    const reads = [
      created.body,
      changed.body,
      (await h.request({ method: 'GET', url: `/api/v1/outbound-integrations/${integration.id}` })).body,
      (await h.request({ method: 'GET', url: `/api/v1/services/${serviceId}/outbound-integrations` })).body,
    ];
    const audit = await h.request({
      method: 'GET',
      url: `/api/v1/audit-log?object_type=outbound_integration&object_id=${integration.id}`,
    });
    expect(audit.json().data.map((e: { action: string }) => e.action)).toEqual([
      'outbound_integration.update',
      'outbound_integration.create',
    ]);
    for (const body of [...reads, audit.body]) expect(body).not.toContain(TEAM_SECRET);
  });

  it('derives the New Relic collector from the account and region, and keeps the key to itself', async () => {
    const created = await create({
      kind: 'newrelic-events',
      name: 'NR prod',
      account_id: '1234567',
      region: 'eu',
      api_key: NR_KEY,
    });
    expect(created.statusCode).toBe(201);
    const nr = created.json();
    expect(nr).toMatchObject({
      kind: 'newrelic-events',
      events: ['triggered', 'acknowledged', 'resolved'],
      address_hint: 'https://insights-collector.eu01.nr-data.net/v1/accounts/1234567/events',
      api_key_hint: '…WXYZ',
      account_id: '1234567',
      region: 'eu',
    });
    // The derived URL follows the account; a typed-in one stays until removed with null.
    let now = (await patch(nr.id, { region: 'us', account_id: '7654321' })).json();
    expect(now.address_hint).toBe('https://insights-collector.newrelic.com/v1/accounts/7654321/events');
    now = (await patch(nr.id, { address: 'https://nr-proxy.example.com/collector/token-9876' })).json();
    expect(now.address_hint).toBe('https://nr-proxy.example.com/…9876');
    now = (await patch(nr.id, { region: 'eu' })).json();
    expect(now.address_hint).toBe('https://nr-proxy.example.com/…9876');
    now = (await patch(nr.id, { address: null })).json();
    expect(now.address_hint).toBe('https://insights-collector.eu01.nr-data.net/v1/accounts/7654321/events');
    const newKey = 'NRAK-another-key-0000QRST';
    now = (await patch(nr.id, { api_key: newKey, enabled: false })).json();
    expect(now).toMatchObject({ api_key_hint: '…QRST', enabled: false });

    const audit = await h.request({
      method: 'GET',
      url: `/api/v1/audit-log?object_type=outbound_integration&object_id=${nr.id}&limit=20`,
    });
    expect(audit.json().data).toHaveLength(6);
    expect(audit.body).not.toContain(NR_KEY);
    expect(audit.body).not.toContain(newKey);
    expect(audit.body).not.toContain('token-9876');

    // Deleted: gone from the API, recorded in the audit log.
    const deleted = await h.request({ method: 'DELETE', url: `/api/v1/outbound-integrations/${nr.id}` });
    expect(deleted.statusCode).toBe(204);
    expect(
      (await h.request({ method: 'GET', url: `/api/v1/outbound-integrations/${nr.id}` })).statusCode,
    ).toBe(404);
    expect((await patch(nr.id, { name: 'x' })).statusCode).toBe(404);
    const list = await h.request({
      method: 'GET',
      url: `/api/v1/services/${serviceId}/outbound-integrations`,
    });
    expect(list.json().data.map((i: { id: string }) => i.id)).not.toContain(nr.id);
    const last = await h.request({
      method: 'GET',
      url: `/api/v1/audit-log?object_type=outbound_integration&object_id=${nr.id}&limit=1`,
    });
    expect(last.json().data[0].action).toBe('outbound_integration.delete');
  });

  it('goes with a service that is deleted (one without history)', async () => {
    const service = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Short-lived' } })
    ).json();
    const integration = (await create({ kind: 'signl4', address: TEAM_SECRET }, service.id)).json();
    const deleted = await h.request({ method: 'DELETE', url: `/api/v1/services/${service.id}` });
    expect(deleted.statusCode).toBe(204);
    const gone = await h.request({ method: 'GET', url: `/api/v1/outbound-integrations/${integration.id}` });
    expect(gone.statusCode).toBe(404);
  });

  it('lets a responder read an incident’s deliveries but not the integrations', async () => {
    const responder = await h.tokenFor('responder');
    const integrations = await h.request({
      method: 'GET',
      url: `/api/v1/services/${serviceId}/outbound-integrations`,
      token: responder,
    });
    expect(integrations.statusCode).toBe(403);
    const deliveries = await h.request({
      method: 'GET',
      url: '/api/v1/incidents/999/outbound-deliveries',
      token: responder,
    });
    expect(deliveries.statusCode).toBe(404);
  });
});
