import { engines } from '@vigil/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeartbeatModule } from '../src/engine/heartbeat.module.js';
import { newId } from '../src/ids.js';
import { createSecretBox } from '../src/security/secret-box.js';
import { reposFor } from '../src/store/unit-of-work.js';
import { type Harness, startHarness } from './harness.js';

const MINUTE = 60_000;

/** Heartbeat integrations over HTTP (docs/ingest.md, "Heartbeats"), with the engine run by hand. */
describe.each(engines)('heartbeats on %s', (engine) => {
  let h: Harness;
  let serviceId: string;
  beforeAll(async () => {
    h = await startHarness(engine);
    serviceId = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Backups' } })
    ).json().id;
  });
  afterAll(() => h.close());

  const create = (config?: Record<string, unknown>, name = 'Nightly backup') =>
    h.request({
      method: 'POST',
      url: `/api/v1/services/${serviceId}/integrations`,
      payload: { type: 'heartbeat', name, ...(config ? { config } : {}) },
    });
  const ping = (key: string, method: 'GET' | 'POST' = 'POST', payload?: string) =>
    h.app.inject({ method, url: `/heartbeat/${key}`, ...(payload === undefined ? {} : { payload }) });
  const cycle = () => h.runtime.paging.engine.runOnce();
  const alertsOf = async (integrationId: string) =>
    (await h.request({ method: 'GET', url: `/api/v1/alerts?integration_id=${integrationId}` })).json()
      .data as { id: string; status: string; incident_id: string; summary: string; severity: string }[];

  it('checks interval and grace when the integration is saved, naming the field', async () => {
    for (const [config, path] of [
      [{ interval_seconds: 29 }, '/config/interval_seconds'],
      [{ interval_seconds: 7 * 24 * 3600 + 1 }, '/config/interval_seconds'],
      [{ interval_seconds: '300' }, '/config/interval_seconds'],
      [{ interval_seconds: 60.5 }, '/config/interval_seconds'],
      [{ grace_seconds: -1 }, '/config/grace_seconds'],
      [{ grace_seconds: true }, '/config/grace_seconds'],
      [{ interval: 300 }, '/config/interval'],
    ] as const) {
      const refused = await create(config);
      expect(refused.statusCode, JSON.stringify(config)).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path }] });
    }
    const ok = await create({ interval_seconds: 30, grace_seconds: 0 });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().url).toBe(`http://vigil.test/heartbeat/${ok.json().key}`);
    const patched = await h.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${ok.json().id}`,
      payload: { config: { interval_seconds: 10 } },
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().errors).toEqual([
      { path: '/config/interval_seconds', message: 'must be a whole number of seconds from 30 to 604800' },
    ]);
    await h.request({ method: 'DELETE', url: `/api/v1/integrations/${ok.json().id}` });
  });

  it('shows the state on the integration: waiting, up after a ping, failing, up again', async () => {
    const integration = (await create({ interval_seconds: 60, grace_seconds: 30 }, 'State watcher')).json();
    const stateOf = async () => {
      const res = await h.request({ method: 'GET', url: `/api/v1/integrations/${integration.id}` });
      expect(res.statusCode).toBe(200);
      return res.json().heartbeat;
    };
    const waiting = { state: 'waiting', last_ping_at: null, ping_due_at: null, failing_since: null };
    expect(integration.heartbeat).toEqual(waiting);
    expect(await stateOf()).toEqual(waiting);

    expect((await ping(integration.key)).statusCode).toBe(202);
    const pinged = h.clock.now();
    const up = {
      state: 'up',
      last_ping_at: pinged.toISOString(),
      ping_due_at: new Date(pinged.getTime() + 90_000).toISOString(),
      failing_since: null,
    };
    expect(await stateOf()).toEqual(up);

    h.clock.advance(2 * MINUTE);
    await cycle();
    expect(await stateOf()).toEqual({ ...up, state: 'failing', failing_since: h.clock.now().toISOString() });

    h.clock.advance(MINUTE);
    expect((await ping(integration.key)).json().recovered).toBe(true);
    const again = h.clock.now();
    expect(await stateOf()).toEqual({
      state: 'up',
      last_ping_at: again.toISOString(),
      ping_due_at: new Date(again.getTime() + 90_000).toISOString(),
      failing_since: null,
    });

    // The service's list reads the same, and other types carry no heartbeat.
    const other = (
      await h.request({
        method: 'POST',
        url: `/api/v1/services/${serviceId}/integrations`,
        payload: { type: 'events_v2', name: 'Not a heartbeat' },
      })
    ).json();
    expect(other).not.toHaveProperty('heartbeat');
    const list = (
      await h.request({ method: 'GET', url: `/api/v1/services/${serviceId}/integrations?limit=100` })
    ).json().data as { id: string; type: string; heartbeat?: unknown }[];
    expect(list.find((item) => item.id === integration.id)?.heartbeat).toEqual(await stateOf());
    expect(list.find((item) => item.id === other.id)).not.toHaveProperty('heartbeat');
    for (const item of list) expect(item.type === 'heartbeat').toBe('heartbeat' in item);
    await h.request({ method: 'DELETE', url: `/api/v1/integrations/${other.id}` });
  });

  it('refuses unknown keys with 404, other types with 400, a missing bearer with 401', async () => {
    const unknown = await ping('0123456789abcdef0123456789abcdef');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect((await ping('0123456789abcdef0123456789abcdef', 'GET')).statusCode).toBe(404);
    const other = await h.request({
      method: 'POST',
      url: `/api/v1/services/${serviceId}/integrations`,
      payload: { type: 'events_v2' },
    });
    const wrongType = await ping(other.json().key);
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().detail).toContain('type events_v2');
    const noBearer = await h.app.inject({ method: 'POST', url: '/heartbeat' });
    expect(noBearer.statusCode).toBe(401);
    const badBearer = await h.app.inject({
      method: 'POST',
      url: '/heartbeat',
      headers: { authorization: 'Bearer nope' },
    });
    expect(badBearer.statusCode).toBe(404);
  });

  it('a ping keeps quiet; silence past interval + grace opens one critical alert; a ping resolves it', async () => {
    const integration = (await create({ interval_seconds: 300, grace_seconds: 60 })).json();
    // Never pinged: not watched yet, whatever the time.
    h.clock.advance(60 * MINUTE);
    await cycle();
    expect(await alertsOf(integration.id)).toEqual([]);

    const first = await ping(integration.key, 'GET');
    expect(first.statusCode, first.body).toBe(202);
    const pinged = h.clock.now().toISOString();
    expect(first.json()).toEqual({
      status: 'ok',
      last_ping_at: pinged,
      ping_due_at: new Date(h.clock.now().getTime() + 6 * MINUTE).toISOString(),
      recovered: false,
    });
    // Pinging every 5 minutes keeps it quiet.
    for (let i = 0; i < 3; i++) {
      h.clock.advance(5 * MINUTE);
      await cycle();
      const again = await h.app.inject({
        method: 'POST',
        url: '/heartbeat',
        headers: { authorization: `Bearer ${integration.key}` },
        payload: 'backup finished',
      });
      expect(again.statusCode).toBe(202);
    }
    expect(await alertsOf(integration.id)).toEqual([]);

    // Then silence: at 5 min + 59 s nothing, at 6 min one alert, and only one however many cycles.
    h.clock.advance(5 * MINUTE + 59_000);
    await cycle();
    expect(await alertsOf(integration.id)).toEqual([]);
    h.clock.advance(1_000);
    await cycle();
    await cycle();
    h.clock.advance(30 * MINUTE);
    await cycle();
    await cycle();
    const alerts = await alertsOf(integration.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      status: 'firing',
      severity: 'critical',
      summary: 'No heartbeat from Nightly backup for 6 minutes',
    });
    const incident = (
      await h.request({ method: 'GET', url: `/api/v1/incidents/${alerts[0]!.incident_id}` })
    ).json();
    expect(incident).toMatchObject({
      status: 'triggered',
      title: 'No heartbeat from Nightly backup for 6 minutes',
      dedup_key: `heartbeat:${integration.id}`,
      service_id: serviceId,
    });

    // The job runs again: the alert resolves, and with it the incident (auto-resolve is on).
    const back = await ping(integration.key);
    expect(back.statusCode).toBe(202);
    expect(back.json().recovered).toBe(true);
    expect((await alertsOf(integration.id))[0]!.status).toBe('resolved');
    const resolved = (await h.request({ method: 'GET', url: `/api/v1/incidents/${incident.id}` })).json();
    expect(resolved.status).toBe('resolved');
    const timeline = (
      await h.request({ method: 'GET', url: `/api/v1/incidents/${incident.id}/timeline` })
    ).json().data as { type: string; message: string }[];
    expect(timeline.find((entry) => entry.type === 'triggered')?.message).toMatch(
      /^Triggered by Nightly backup: no heartbeat since .* \(expected every 5 minutes with 1 minute of grace\)$/,
    );
    expect(timeline.find((entry) => entry.type === 'resolved')?.message).toBe(
      'Resolved by Nightly backup: a heartbeat arrived again after 36 minutes without one',
    );

    // Watching goes on: the next silence opens a new alert and incident.
    h.clock.advance(7 * MINUTE);
    await cycle();
    const next = await alertsOf(integration.id);
    expect(next).toHaveLength(2);
    expect(new Set(next.map((alert) => alert.incident_id)).size).toBe(2);
    expect((await ping(integration.key)).json().recovered).toBe(true);
  });

  it('a longer interval saved since the last ping counts; a disabled service refuses pings with 409', async () => {
    const integration = (await create({ interval_seconds: 60, grace_seconds: 0 }, 'Queue worker')).json();
    expect((await ping(integration.key)).statusCode).toBe(202);
    await h.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${integration.id}`,
      payload: { config: { interval_seconds: 600, grace_seconds: 0 } },
    });
    h.clock.advance(2 * MINUTE);
    await cycle();
    expect(await alertsOf(integration.id)).toEqual([]);
    h.clock.advance(8 * MINUTE);
    await cycle();
    expect(await alertsOf(integration.id)).toHaveLength(1);
    expect((await ping(integration.key)).statusCode).toBe(202);

    const other = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Paused' } })
    ).json();
    const paused = (
      await h.request({
        method: 'POST',
        url: `/api/v1/services/${other.id}/integrations`,
        payload: { type: 'heartbeat' },
      })
    ).json();
    expect((await ping(paused.key)).statusCode).toBe(202);
    await h.request({
      method: 'PATCH',
      url: `/api/v1/services/${other.id}`,
      payload: { status: 'disabled' },
    });
    h.clock.advance(10_000); // past the key cache's 5 s
    const refused = await ping(paused.key);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'CONFLICT' });
    h.clock.advance(60 * MINUTE);
    await cycle();
    expect(await alertsOf(paused.id)).toEqual([]);
  });

  it('opens the alert once when several engines look at the same due heartbeat at once', async () => {
    const integration = (await create({ interval_seconds: 30, grace_seconds: 0 }, 'Racer')).json();
    expect((await ping(integration.key)).statusCode).toBe(202);
    h.clock.advance(MINUTE);
    const box = createSecretBox(Buffer.alloc(32, 9));
    const store = h.runtime.store;
    const engines = Array.from({ length: 4 }, () =>
      createHeartbeatModule({ store, reposFor: (db) => reposFor(db, store, box), newId: () => newId() }),
    );
    const opened = await Promise.all(engines.map((module) => module.run(h.clock.now())));
    expect(opened.reduce((a, b) => a + b, 0)).toBe(1);
    await cycle();
    expect(await alertsOf(integration.id)).toHaveLength(1);
    expect((await ping(integration.key)).json().recovered).toBe(true);
  });

  it('never answers 5xx, whatever the body, method or key', async () => {
    const integration = (await create(undefined, 'Hostile')).json();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.constantFrom('\u0000', '\ud800', '{', '[]')),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'x/y'),
        fc.oneof(fc.constant(integration.key), fc.string({ maxLength: 60 })),
        async (body, contentType, key) => {
          const res = await h.app.inject({
            method: 'POST',
            url: `/heartbeat/${encodeURIComponent(key)}`,
            headers: { 'content-type': contentType },
            payload: body,
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
          if (key === integration.key) expect(res.statusCode).toBe(202);
        },
      ),
      { numRuns: 60 },
    );
    const tooBig = await ping(integration.key, 'POST', 'x'.repeat(600 * 1024));
    expect(tooBig.statusCode).toBe(413);
  });
});
