import { type HttpFake, startHttpFake } from '@vigil/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testHttp, testIncident } from '../test-fixtures.js';
import { createNewRelicEventsSink } from './newrelic-events.channel.js';

const apiKey = 'NRII-test-ingest-key-0123456789';

/** The Event API: 200 {success, uuid} for the right key, 403 otherwise. */
let collector: HttpFake;
beforeAll(async () => {
  collector = await startHttpFake((req, res) => {
    if (req.headers['api-key'] !== apiKey) return void res.writeHead(403).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true,"uuid":"8a9f-uuid"}');
  });
});
afterAll(() => collector.close());
afterEach(() => collector.controls.reset());

const address = () => `${collector.url}/v1/accounts/1234567/events`;
const sink = (timeoutMs?: number) =>
  createNewRelicEventsSink({
    http: testHttp(),
    clock: { now: () => new Date('2026-03-08T06:05:00Z') },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });

describe('New Relic events sink', () => {
  it('posts one flat VigilIncident event with the Api-Key header', async () => {
    const incident = testIncident({ status: 'acknowledged', changedBy: 'Ana' });
    const result = await sink().send({
      id: 'out_1',
      target: { address: address(), secret: apiKey },
      incident,
    });
    expect(result).toEqual({
      outcome: 'delivered',
      reason: 'New Relic answered HTTP 200',
      providerId: '8a9f-uuid',
    });
    const request = collector.requestLog.at(-1)!;
    expect(request.path).toBe('/v1/accounts/1234567/events');
    expect(JSON.parse(request.body)).toEqual([
      {
        eventType: 'VigilIncident',
        timestamp: 1772949900,
        incidentId: incident.id,
        number: 42,
        title: 'Disk full on db-1',
        status: 'acknowledged',
        urgency: 'high',
        severity: 'critical',
        service: 'Checkout',
        url: 'https://vigil.example.com/incidents/42',
        createdAt: 1772949600000,
        priority: 'P1',
        changedBy: 'Ana',
      },
    ]);
  });

  it('maps a bad key to permanent without repeating it, 503 and a hang to temporary', async () => {
    const send = (secret: string | undefined, timeoutMs?: number) =>
      sink(timeoutMs).send({
        id: 'out_2',
        target: { address: address(), ...(secret === undefined ? {} : { secret }) },
        incident: testIncident(),
      });
    expect(await send('wrong-key-0123456789')).toEqual({
      outcome: 'permanent',
      reason: 'New Relic answered HTTP 403 (the API key was refused)',
    });
    expect((await send(undefined)).reason).toBe('the New Relic integration has no API key');
    collector.controls.failNext(1, { status: 503, retryAfterSeconds: 10 });
    expect(await send(apiKey)).toMatchObject({ outcome: 'temporary', retryAfterMs: 10_000 });
    collector.controls.failNext(1, { status: 400, body: `bad payload for key ${apiKey}` });
    const bad = await send(apiKey);
    expect(bad.outcome).toBe('permanent');
    expect(bad.reason).not.toContain(apiKey);
    collector.controls.hangNext(1);
    expect((await send(apiKey, 200)).outcome).toBe('temporary');
  });
});
