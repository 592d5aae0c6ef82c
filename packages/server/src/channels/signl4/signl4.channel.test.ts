import { type HttpFake, startHttpFake } from '@vigil/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testHttp, testIncident } from '../test-fixtures.js';
import { createSignl4Sink } from './signl4.channel.js';

const teamSecret = 'a1b2c3d4e5teamsecret';

/** SIGNL4's inbound webhook: 201 with an eventId. */
let signl4: HttpFake;
beforeAll(async () => {
  signl4 = await startHttpFake((req, res) => {
    if (req.url !== `/webhook/${teamSecret}`) return void res.writeHead(404).end();
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ eventId: 'evt-2518' }));
  });
});
afterAll(() => signl4.close());
afterEach(() => signl4.controls.reset());

const sink = (timeoutMs?: number) =>
  createSignl4Sink({
    http: testHttp(),
    baseUrl: signl4.url,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });

describe('SIGNL4 sink', () => {
  it('raises a Signl with our incident id as the external id, and resolves it', async () => {
    const incident = testIncident();
    const raised = await sink().send({ id: 'out_1', target: { address: teamSecret }, incident });
    expect(raised).toEqual({
      outcome: 'delivered',
      reason: 'SIGNL4 answered HTTP 201',
      providerId: 'evt-2518',
    });
    const body = JSON.parse(signl4.requestLog.at(-1)!.body);
    expect(body).toEqual({
      Title: '#42 Disk full on db-1',
      Message: 'Triggered · Checkout · High urgency · P1\nhttps://vigil.example.com/incidents/42',
      Severity: 'critical',
      Link: 'https://vigil.example.com/incidents/42',
      'X-S4-Service': 'Checkout',
      'X-S4-ExternalID': incident.id,
      'X-S4-Status': 'new',
      'X-S4-SourceSystem': 'Vigil',
    });

    // The whole URL works as the address too.
    const address = `${signl4.url}/webhook/${teamSecret}`;
    await sink().send({ id: 'out_2', target: { address }, incident: { ...incident, status: 'resolved' } });
    expect(JSON.parse(signl4.requestLog.at(-1)!.body)['X-S4-Status']).toBe('resolved');

    const before = signl4.requestLog.length;
    const acked = await sink().send({
      id: 'out_3',
      target: { address },
      incident: { ...incident, status: 'acknowledged' },
    });
    expect(acked.outcome).toBe('delivered');
    expect(signl4.requestLog.length).toBe(before);
  });

  it('maps failures without showing the team secret', async () => {
    const send = () =>
      sink(200).send({ id: 'out_4', target: { address: teamSecret }, incident: testIncident() });
    signl4.controls.failNext(1, { status: 503 });
    expect((await send()).outcome).toBe('temporary');
    signl4.controls.failNext(1, { status: 429, retryAfterSeconds: 3 });
    expect(await send()).toMatchObject({ outcome: 'temporary', retryAfterMs: 3_000 });
    signl4.controls.failNext(1, { status: 400, body: `unknown team ${teamSecret}` });
    const bad = await send();
    expect(bad.outcome).toBe('permanent');
    expect(bad.reason).not.toContain(teamSecret);
    signl4.controls.hangNext(1);
    const hung = await send();
    expect(hung.outcome).toBe('temporary');
    expect(hung.reason).not.toContain(teamSecret);
    expect(sink().checkAddress('not a secret!')).not.toBeNull();
  });
});
