import { engines, type HttpFake, type LoggedRequest, startHttpFake } from '@vigil/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PagingHarness, servicePaging, startPagingHarness, trigger } from './paging-harness.js';

const ANA_PHONE = '+15550000011';
const TEAM_SECRET = 'signl4teamsecret0123456789';
const NR_ACCOUNT = '3141592';
const NR_KEY = 'NRII-insert-key-for-tests-0123456789';

/**
 * SIGNL4 and New Relic per service, end to end: Vigil's engine tells both about an incident's life,
 * and both are real HTTP servers on 127.0.0.1 (SIGNL4 answers 201 with an eventId, New Relic 200
 * with a uuid, as they do). A page to a person never waits for them.
 */
describe.each(engines)('SIGNL4 and New Relic per service, on %s', (engine) => {
  let h: PagingHarness;
  let signl4: HttpFake;
  let newRelic: HttpFake;
  let ana: { id: string };
  let events = 0;

  beforeAll(async () => {
    h = await startPagingHarness(engine, { outboundTimeoutMs: 1_500 });
    signl4 = await startHttpFake((req, res) => {
      if (req.url !== `/webhook/${TEAM_SECRET}`) return void res.writeHead(404).end();
      events++;
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ eventId: `evt-${events}` }));
    });
    newRelic = await startHttpFake((req, res) => {
      if (req.url !== `/v1/accounts/${NR_ACCOUNT}/events`) return void res.writeHead(404).end();
      events++;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ success: true, uuid: `uuid-${events}` }));
    });
    ana = await h.api('POST', '/api/v1/users', { name: 'Ana', email: 'ana@example.com', role: 'responder' });
    await h.verifiedContact(ana.id, 'sms', ANA_PHONE);
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([signl4?.close(), newRelic?.close()]);
  });
  afterEach(() => {
    h.assertQuiet();
    signl4.controls.reset();
    newRelic.controls.reset();
  });

  /** A service paging Ana, with a SIGNL4 team and a New Relic account told of its incidents. */
  async function serviceWithIntegrations(name: string) {
    const { service, routingKey } = await servicePaging(h, name, [ana.id]);
    const s4 = await h.api('POST', `/api/v1/services/${service.id}/outbound-integrations`, {
      kind: 'signl4',
      name: 'Ops team',
      address: `${signl4.url}/webhook/${TEAM_SECRET}`,
    });
    const nr = await h.api('POST', `/api/v1/services/${service.id}/outbound-integrations`, {
      kind: 'newrelic-events',
      account_id: NR_ACCOUNT,
      api_key: NR_KEY,
      address: `${newRelic.url}/v1/accounts/${NR_ACCOUNT}/events`,
    });
    // The secrets went in; they never come out.
    for (const answer of [
      s4,
      nr,
      await h.api('GET', `/api/v1/services/${service.id}/outbound-integrations`),
    ]) {
      expect(JSON.stringify(answer)).not.toContain(TEAM_SECRET);
      expect(JSON.stringify(answer)).not.toContain(NR_KEY);
    }
    expect(s4.address_hint).toBe(`${signl4.url}/…6789`);
    expect(nr.api_key_hint).toBe('…6789');
    return { service, routingKey, s4, nr };
  }

  const bodies = (fake: HttpFake, since: number) =>
    fake.requestLog.slice(since).map((r: LoggedRequest) => ({ status: r.status, body: JSON.parse(r.body) }));
  const latestIncident = async () =>
    (await h.api('GET', '/api/v1/incidents?limit=1')).data[0] as {
      id: string;
      number: number;
      title: string;
    };

  it('SIGNL4 gets the trigger with its X-S4 fields and the resolve with the same external id; New Relic an event per change', async () => {
    const { routingKey } = await serviceWithIntegrations('Checkout');
    const s4Before = signl4.requestLog.length;
    const nrBefore = newRelic.requestLog.length;

    await trigger(h, routingKey, 'checkout-5xx', 'Checkout 5xx rate at 12%');
    await h.cycle();
    const sms = h.twilio.messages.take((m) => m.to === ANA_PHONE);
    expect(sms.body).toContain('Checkout 5xx rate at 12%');
    const incident = await latestIncident();

    const [raised] = bodies(signl4, s4Before);
    expect(signl4.requestLog.length - s4Before).toBe(1);
    expect(raised!.body).toMatchObject({
      Title: `#${incident.number} Checkout 5xx rate at 12%`,
      Severity: 'critical',
      'X-S4-Service': 'Checkout',
      'X-S4-ExternalID': incident.id,
      'X-S4-Status': 'new',
      'X-S4-SourceSystem': 'Vigil',
    });
    expect(raised!.body.Link).toBe(`${h.url}/incidents/${incident.number}`);
    expect(newRelic.requestLog.length - nrBefore).toBe(1);
    const nrTrigger = newRelic.requestLog.at(-1)!;
    expect(nrTrigger.headers['api-key']).toBe(NR_KEY);
    expect(JSON.parse(nrTrigger.body)).toEqual([
      expect.objectContaining({
        eventType: 'VigilIncident',
        incidentId: incident.id,
        number: incident.number,
        status: 'triggered',
        service: 'Checkout',
        severity: 'critical',
        urgency: 'high',
        title: 'Checkout 5xx rate at 12%',
      }),
    ]);

    // Acknowledged: New Relic hears of it; SIGNL4 has no such status, so nothing is sent to it.
    await h.api('POST', `/api/v1/incidents/${incident.id}/acknowledge`, {});
    await h.cycle();
    expect(signl4.requestLog.length - s4Before).toBe(1);
    expect(newRelic.requestLog.length - nrBefore).toBe(2);
    expect(JSON.parse(newRelic.requestLog.at(-1)!.body)[0]).toMatchObject({
      status: 'acknowledged',
      changedBy: 'admin',
    });

    // Resolved: SIGNL4 closes the Signl it raised (same external id), New Relic gets the third event.
    await h.api('POST', `/api/v1/incidents/${incident.id}/resolve`, {});
    await h.cycle();
    const closes = bodies(signl4, s4Before);
    expect(closes).toHaveLength(2);
    expect(closes[1]!.body).toMatchObject({ 'X-S4-Status': 'resolved', 'X-S4-ExternalID': incident.id });
    expect(newRelic.requestLog.length - nrBefore).toBe(3);
    expect(JSON.parse(newRelic.requestLog.at(-1)!.body)[0]).toMatchObject({ status: 'resolved' });

    // What was sent, with the providers' ids; and nothing more, however long we wait.
    const deliveries = (await h.api('GET', `/api/v1/incidents/${incident.number}/outbound-deliveries`)).data;
    expect(deliveries.map((d: any) => [d.event, d.state, d.attempts])).toEqual([
      ['triggered', 'sent', 1],
      ['triggered', 'sent', 1],
      ['acknowledged', 'sent', 1],
      ['resolved', 'sent', 1],
      ['resolved', 'sent', 1],
    ]);
    expect(deliveries.every((d: any) => /^(evt|uuid)-\d+$/.test(d.provider_id))).toBe(true);
    expect(JSON.stringify(deliveries)).not.toContain(TEAM_SECRET);
    h.clock.advance(60 * 60_000);
    await h.cycle();
    expect(signl4.requestLog.length - s4Before).toBe(2);
    expect(newRelic.requestLog.length - nrBefore).toBe(3);
  });

  it('a receiver that hangs, then answers 503, then 200 gets each event exactly once, in order; the page goes out meanwhile', async () => {
    const { routingKey, nr: nrIntegration } = await serviceWithIntegrations('Payments');
    const s4Before = signl4.requestLog.length;
    const nrBefore = newRelic.requestLog.length;
    signl4.controls.hangNext(1);
    signl4.controls.failNext(1, { status: 503 });
    newRelic.controls.failNext(1, { status: 503, retryAfterSeconds: 30 });

    await trigger(h, routingKey, 'payments-down', 'Payments down');
    const cycling = h.cycle();
    // SIGNL4 hangs; Ana's SMS does not wait for it.
    const sms = await h.twilio.messages.waitAndTake((m) => m.to === ANA_PHONE, { timeoutMs: 1_000 });
    expect(sms.body).toContain('Payments down');
    await cycling;
    const incident = await latestIncident();
    let deliveries = (await h.api('GET', `/api/v1/incidents/${incident.id}/outbound-deliveries`)).data;
    expect(deliveries.map((d: any) => d.state)).toEqual(['queued', 'queued']);
    const nrTrigger = deliveries.find((d: any) => d.integration_id === nrIntegration.id);
    expect(nrTrigger.reason).toBe('New Relic answered HTTP 503; retrying in 30 s (attempt 1 of 8)');

    // Resolved while both triggers wait to be retried: the resolves wait behind them.
    await h.api('POST', `/api/v1/incidents/${incident.id}/resolve`, {});
    await h.cycle();
    expect(signl4.requestLog.length - s4Before).toBe(1);
    expect(newRelic.requestLog.length - nrBefore).toBe(1);

    for (let minute = 0; minute < 5; minute++) {
      h.clock.advance(60_000);
      await h.cycle();
    }
    const s4 = bodies(signl4, s4Before);
    expect(s4.map((r) => [r.status, r.body['X-S4-Status']])).toEqual([
      [undefined, 'new'], // hung, then given up by Vigil after 1.5 s
      [503, 'new'],
      [201, 'new'],
      [201, 'resolved'],
    ]);
    expect(new Set(s4.map((r) => r.body['X-S4-ExternalID']))).toEqual(new Set([incident.id]));
    const nr = bodies(newRelic, nrBefore);
    expect(nr.map((r) => [r.status, r.body[0].status])).toEqual([
      [503, 'triggered'],
      [200, 'triggered'],
      [200, 'resolved'],
    ]);
    deliveries = (await h.api('GET', `/api/v1/incidents/${incident.id}/outbound-deliveries`)).data;
    expect(deliveries.map((d: any) => [d.event, d.state])).toEqual([
      ['triggered', 'sent'],
      ['triggered', 'sent'],
      ['resolved', 'sent'],
      ['resolved', 'sent'],
    ]);
    expect(deliveries.map((d: any) => d.attempts).sort()).toEqual([1, 1, 2, 3]);
    expect(JSON.stringify(deliveries)).not.toContain(TEAM_SECRET);
  });

  it('does not raise a Signl for an incident that resolved before SIGNL4 could be told', async () => {
    const { routingKey } = await serviceWithIntegrations('Search');
    const s4Before = signl4.requestLog.length;
    const nrBefore = newRelic.requestLog.length;
    await trigger(h, routingKey, 'search-blip', 'Search blip');
    const res = await h.runtime.app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: { routing_key: routingKey, event_action: 'resolve', dedup_key: 'search-blip' },
    });
    expect(res.statusCode).toBe(202);
    await h.cycle();
    expect(signl4.requestLog.length - s4Before).toBe(0);
    // New Relic is a record: both changes are in it.
    expect(bodies(newRelic, nrBefore).map((r) => r.body[0].status)).toEqual(['triggered', 'resolved']);
    const incident = await latestIncident();
    const rows = (await h.api('GET', `/api/v1/incidents/${incident.id}/outbound-deliveries`)).data;
    expect(rows.filter((d: any) => d.state === 'suppressed').map((d: any) => d.reason)).toEqual([
      `Incident #${incident.number} was resolved before SIGNL4 was told; nothing to send`,
      `Incident #${incident.number} was resolved before SIGNL4 was told; nothing to send`,
    ]);
  });

  it('sends a test event on request and answers what the provider said', async () => {
    const { s4, nr } = await serviceWithIntegrations('Tests');
    const s4Before = signl4.requestLog.length;
    const ok = await h.api('POST', `/api/v1/outbound-integrations/${s4.id}/test`);
    expect(ok).toEqual({
      outcome: 'delivered',
      reason: 'SIGNL4 answered HTTP 201; the test Signl was resolved again',
    });
    expect(bodies(signl4, s4Before).map((r) => r.body['X-S4-Status'])).toEqual(['new', 'resolved']);

    newRelic.controls.failNext(1, { status: 403 });
    const refused = await h.api('POST', `/api/v1/outbound-integrations/${nr.id}/test`);
    expect(refused).toEqual({
      outcome: 'permanent',
      reason: 'New Relic answered HTTP 403 (the API key was refused)',
    });
    const nrOk = await h.api('POST', `/api/v1/outbound-integrations/${nr.id}/test`);
    expect(nrOk.outcome).toBe('delivered');
    expect(JSON.parse(newRelic.requestLog.at(-1)!.body)[0]).toMatchObject({ number: 0, service: 'Tests' });

    // Disabled: nothing is queued for its incidents any more; the test still works.
    await h.api('PATCH', `/api/v1/outbound-integrations/${s4.id}`, { enabled: false });
    expect((await h.api('GET', `/api/v1/outbound-integrations/${s4.id}`)).enabled).toBe(false);
  });
});
