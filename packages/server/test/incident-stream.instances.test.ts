import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../src/runtime.js';
import { dataOf, openSse, type SseStream } from './sse-client.js';

const TOKEN = 'vigil-board-instances-token-0123456789abcdef';

/**
 * Three instances on one PostgreSQL (docs/incident-board.md): writes go through A; boards are open
 * on B (default settings) and on C, whose safety-net poll is a minute, so only LISTEN/NOTIFY can
 * bring C the change within a second.
 */
describe('the live incident stream across instances, on postgres', () => {
  let db: TestDatabase;
  let a: Runtime;
  let b: Runtime;
  let c: Runtime;
  const streams: SseStream[] = [];

  const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await a.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TOKEN}` },
      ...(payload ? { payload } : {}),
    });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.body}`);
    return res.json();
  };
  const streamOn = async (runtime: Runtime) => {
    if (!runtime.app.server.listening) await runtime.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = runtime.app.server.address() as AddressInfo;
    const stream = await openSse(`http://127.0.0.1:${port}/api/v1/incidents/stream`, {
      authorization: `Bearer ${TOKEN}`,
    });
    streams.push(stream);
    await stream.next((event) => event.event === 'ready');
    return stream;
  };

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const common = {
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      publicUrl: 'http://vigil.test',
      secretKey: Buffer.alloc(32, 7),
      bootstrapToken: TOKEN,
      testClock: false,
      roles: new Set(['api'] as const),
    };
    a = await startRuntime(common);
    b = await startRuntime(common);
    c = await startRuntime(common, { incidentFeedPollMs: 60_000 });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await a?.close();
    await b?.close();
    await c?.close();
    await db?.drop();
  });

  it('shows an incident written through one instance on boards open on the others within a second', async () => {
    const onB = await streamOn(b);
    const onC = await streamOn(c);
    const service = await call('POST', '/api/v1/services', { name: 'Checkout' });
    const started = performance.now();
    const incident = await call('POST', '/api/v1/incidents', { service_id: service.id, title: 'Cart empty' });
    for (const stream of [onB, onC]) {
      const event = await stream.next(
        (e) => e.event === 'incident' && dataOf<{ id: string }>(e).id === incident.id,
        2_000,
      );
      expect(event.at - started).toBeLessThan(1_000);
    }
  });

  it('does the same for ingest and for an acknowledgement, with the poll a minute away (NOTIFY)', async () => {
    const onC = await streamOn(c);
    const service = await call('POST', '/api/v1/services', { name: 'Search' });
    const { key } = await call('POST', `/api/v1/services/${service.id}/integrations`, { type: 'events_v2' });
    const sent = performance.now();
    const enqueued = await a.app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: {
        routing_key: key,
        event_action: 'trigger',
        dedup_key: 'search-down',
        payload: { summary: 'Search returns nothing', source: 'probe', severity: 'critical' },
      },
    });
    expect(enqueued.statusCode).toBe(202);
    const opened = await onC.next(
      (e) => e.event === 'incident' && dataOf<{ title: string }>(e).title === 'Search returns nothing',
      2_000,
    );
    expect(opened.at - sent).toBeLessThan(1_000);

    const id = dataOf<{ id: string }>(opened).id;
    const acknowledging = performance.now();
    await call('POST', `/api/v1/incidents/${id}/acknowledge`);
    const acknowledged = await onC.next(
      (e) => e.event === 'incident' && dataOf<{ id: string; status: string }>(e).status === 'acknowledged',
      2_000,
    );
    expect(dataOf(acknowledged)).toMatchObject({ id, version: 2 });
    expect(acknowledged.at - acknowledging).toBeLessThan(1_000);
  });
});
