import { createTestDatabase, startWebhookSink, type TestDatabase, type WebhookSink } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../src/runtime.js';
import { injectApi, servicePaging, TOKEN, trigger, webhookResponder } from './paging-harness.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/**
 * Two instances on one PostgreSQL: an API-only one takes the alert, an engine-only one pages. The
 * engine's own tick is set to 30 s, so only the doorbell (LISTEN/NOTIFY) can make the page leave
 * at once.
 */
describe('the engine doorbell across instances, on postgres', () => {
  let db: TestDatabase;
  let sink: WebhookSink;
  let api: Runtime;
  let engine: Runtime;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    sink = await startWebhookSink({ secret: SECRET });
    const common = {
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      publicUrl: 'http://vigil.test',
      secretKey: Buffer.alloc(32, 5),
      bootstrapToken: TOKEN,
      testClock: false,
      channels: { outboundAllow: ['127.0.0.1/32'] },
    };
    api = await startRuntime({ ...common, roles: new Set(['api'] as const) });
    engine = await startRuntime({ ...common, roles: new Set(['engine'] as const), engineIntervalMs: 30_000 });
  });
  afterAll(async () => {
    await api?.close();
    await engine?.close();
    await sink?.close();
    await db?.drop();
  });

  it('pages within a second although the engine instance ticks every 30 s', async () => {
    const call = injectApi(api);
    const user = await webhookResponder(call, 'Dee', sink.url, SECRET);
    const h = { runtime: api, api: call } as unknown as Parameters<typeof servicePaging>[0];
    const { routingKey } = await servicePaging(h, 'Queue', [user.id]);
    // Let the engine instance finish the cycle it ran on start, so it is waiting on its long tick.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await trigger(h, routingKey, 'queue-1', 'Queue backed up');
    const delivery = await sink.deliveries.waitAndTake(undefined, { timeoutMs: 5_000 });
    expect(JSON.stringify(delivery.json)).toContain('Queue backed up');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
