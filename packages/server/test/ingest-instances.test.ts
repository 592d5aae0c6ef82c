import { engines, ManualClock } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../src/runtime.js';
import { type Harness, OWNER_TOKEN, PUBLIC_URL, startHarness } from './harness.js';

/**
 * Ingest keeps hints about open alerts in memory (ingest.repo.ts, OpenAlertHints). These are two
 * Vigils on one database: a second instance on PostgreSQL, or the process after a restart on
 * SQLite. Whatever one of them did, the other's dedup must be PagerDuty's, exactly.
 */
describe.each(engines)('ingest with two instances on one %s database', (engine) => {
  let h: Harness;
  let other: Runtime;
  let key: string;

  beforeAll(async () => {
    h = await startHarness(engine);
    const service = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Checkout' } })
    ).json();
    key = (
      await h.request({
        method: 'POST',
        url: `/api/v1/services/${service.id}/integrations`,
        payload: { type: 'events_v2' },
      })
    ).json().key;
    other = await startRuntime(
      {
        dataDir: h.db.dataDir,
        databaseUrl: h.db.databaseUrl,
        publicUrl: PUBLIC_URL,
        secretKey: Buffer.alloc(32, 9),
        bootstrapToken: OWNER_TOKEN,
        testClock: false,
      },
      { clock: new ManualClock('2026-03-08T06:00:00Z') },
    );
  });
  afterAll(async () => {
    await other.close();
    await h.close();
  });

  const send = (app: Runtime['app'], action: string, dedupKey: string) =>
    app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: {
        routing_key: key,
        event_action: action,
        dedup_key: dedupKey,
        ...(action === 'trigger'
          ? { payload: { summary: 'disk full', source: 'db-1', severity: 'warning' } }
          : {}),
      },
    });
  const alertsWith = async (dedupKey: string) =>
    (await h.request({ method: 'GET', url: `/api/v1/alerts?dedup_key=${dedupKey}&limit=100` })).json()
      .data as { id: string; status: string; count: number; incident_id: string }[];

  it('counts a repeat on the alert the other instance opened, and opens anew after the other resolved it', async () => {
    const a = h.app;
    const b = other.app;
    expect((await send(a, 'trigger', 'shared')).statusCode).toBe(202);
    expect((await send(a, 'trigger', 'shared')).statusCode).toBe(202);
    // b has never seen the key: its trigger must still count on a's open alert.
    expect((await send(b, 'trigger', 'shared')).statusCode).toBe(202);
    let alerts = await alertsWith('shared');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'firing', count: 3 });
    const first = alerts[0]!;

    // b resolves it; a still remembers it open, and must open a new alert and incident instead.
    expect((await send(b, 'resolve', 'shared')).statusCode).toBe(202);
    expect((await send(a, 'trigger', 'shared')).statusCode).toBe(202);
    alerts = await alertsWith('shared');
    expect(alerts).toHaveLength(2);
    const second = alerts.find((alert) => alert.status === 'firing')!;
    expect(second.id).not.toBe(first.id);
    expect(second.incident_id).not.toBe(first.incident_id);
    expect(second.count).toBe(1);
    expect(alerts.find((alert) => alert.id === first.id)).toMatchObject({ status: 'resolved', count: 3 });

    // Both now count on the new one, in any order, several at once.
    const answers = await Promise.all([
      send(a, 'trigger', 'shared'),
      send(b, 'trigger', 'shared'),
      send(a, 'trigger', 'shared'),
      send(b, 'trigger', 'shared'),
    ]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 202, 202]);
    alerts = await alertsWith('shared');
    expect(alerts).toHaveLength(2);
    expect(alerts.find((alert) => alert.status === 'firing')).toMatchObject({ id: second.id, count: 5 });
  });

  it('a key acknowledged and resolved on one instance is new again on the other', async () => {
    const a = h.app;
    const b = other.app;
    await send(a, 'trigger', 'flappy');
    await send(b, 'acknowledge', 'flappy');
    await send(b, 'resolve', 'flappy');
    await send(b, 'trigger', 'flappy');
    await send(a, 'trigger', 'flappy');
    await send(a, 'resolve', 'flappy');
    await send(b, 'trigger', 'flappy');
    const alerts = await alertsWith('flappy');
    expect(alerts.map((alert) => `${alert.status} ${alert.count}`).sort()).toEqual([
      'firing 1',
      'resolved 1',
      'resolved 2',
    ]);
  });
});
