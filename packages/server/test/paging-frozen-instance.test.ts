import { createTestDatabase, startWebhookSink, type TestDatabase, type WebhookSink } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationModule } from '../src/engine/escalation.module.js';
import { newId } from '../src/ids.js';
import { type Runtime, startRuntime } from '../src/runtime.js';
import { createSecretBox } from '../src/security/secret-box.js';
import { openStore } from '../src/store/database.js';
import type { Store } from '../src/store/dialect.js';
import { reposFor } from '../src/store/unit-of-work.js';
import { injectApi, servicePaging, TOKEN, trigger, webhookResponder } from './paging-harness.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = Buffer.alloc(32, 5);

/**
 * An engine instance that froze in the middle of deciding an escalation (SIGSTOP, a frozen VM)
 * holds its rows locked. The step must still fire within about one engine cycle on another
 * instance: PostgreSQL ends the frozen transaction after 1 s of quiet (not the pool-wide 3 s), and
 * the live instance looks again 200 ms after it found rows locked.
 */
describe('an engine instance frozen mid-decision, on postgres', () => {
  let db: TestDatabase;
  let sink: WebhookSink;
  let api: Runtime;
  let engine: Runtime | undefined;
  let frozenStore: Store;

  const common = () => ({
    dataDir: db.dataDir,
    databaseUrl: db.databaseUrl,
    publicUrl: 'http://vigil.test',
    secretKey: KEY,
    bootstrapToken: TOKEN,
    testClock: false,
    channels: { outboundAllow: ['127.0.0.1/32'] },
  });

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    sink = await startWebhookSink({ secret: SECRET });
    api = await startRuntime({ ...common(), roles: new Set(['api'] as const) });
    frozenStore = await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
  });
  afterAll(async () => {
    await engine?.close();
    await api?.close();
    // Not awaited: the frozen transaction never gives its connection back to the pool.
    void frozenStore?.close().catch(() => {});
    await sink?.close();
    await db?.drop();
  });

  it('fires the step it held about one second later, on another instance', async () => {
    const call = injectApi(api);
    const user = await webhookResponder(call, 'Fay', sink.url, SECRET);
    const h = { runtime: api, api: call } as unknown as Parameters<typeof servicePaging>[0];
    const { routingKey } = await servicePaging(h, 'Ledger', [user.id]);
    await trigger(h, routingKey, 'ledger-1', 'Ledger out of balance');

    // The frozen instance: it claims the due escalation, then stops (its read never returns).
    let claimed!: () => void;
    const heldRows = new Promise<void>((resolve) => (claimed = resolve));
    const box = createSecretBox(KEY);
    const frozen = createEscalationModule({
      store: frozenStore,
      reposFor: (trx) => {
        const repos = reposFor(trx, frozenStore, box);
        return {
          ...repos,
          incidents: {
            ...repos.incidents,
            getMany: () => {
              claimed();
              return new Promise(() => {});
            },
          },
        };
      },
      newId: () => newId(),
      publicUrl: 'http://vigil.test',
    });
    void frozen.run(new Date(), 100).catch(() => {});
    await heldRows;
    const frozeAt = Date.now();

    engine = await startRuntime({ ...common(), roles: new Set(['engine'] as const) });
    const delivery = await sink.deliveries.waitAndTake(undefined, { timeoutMs: 6_000 });
    const waited = Date.now() - frozeAt;
    expect(JSON.stringify(delivery.json)).toContain('Ledger out of balance');
    // Held while the frozen transaction lived (so the test did freeze it), let go within one cycle.
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.deliveries.all).toHaveLength(1);
  });
});
