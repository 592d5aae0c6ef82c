import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, PUBLIC_URL, startHarness } from './harness.js';

describe.each(engines)('incidents over HTTP on %s', (engine) => {
  let h: Harness;
  let serviceId: string;

  beforeAll(async () => {
    h = await startHarness(engine);
    const service = await h.request({
      method: 'POST',
      url: '/api/v1/services',
      payload: { name: 'Checkout', description: 'Payments' },
    });
    expect(service.statusCode).toBe(201);
    serviceId = service.json().id;
  });
  afterAll(() => h.close());

  it('creates an integration that returns its key and the URL to paste into the tool', async () => {
    const events = await h.request({
      method: 'POST',
      url: `/api/v1/services/${serviceId}/integrations`,
      payload: { type: 'events_v2' },
    });
    expect(events.statusCode).toBe(201);
    const created = events.json();
    expect(created).toMatchObject({
      type: 'events_v2',
      name: 'Events API v2',
      url: `${PUBLIC_URL}/v2/enqueue`,
      rate_limit_per_minute: null,
    });
    expect(created.key).toMatch(/^[0-9a-f]{32}$/);

    const am = await h.request({
      method: 'POST',
      url: `/api/v1/services/${serviceId}/integrations`,
      payload: { type: 'alertmanager', name: 'Prod AM' },
    });
    expect(am.json().url).toBe(`${PUBLIC_URL}/integrations/alertmanager/${am.json().key}`);

    // The key is kept encrypted, not in the clear, and can be shown again to those who configure it.
    const row = await h.runtime.store.db
      .selectFrom('integrations')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.key_encrypted).not.toContain(created.key);
    const again = await h.request({ method: 'GET', url: `/api/v1/integrations/${created.id}` });
    expect(again.json().key).toBe(created.key);
    const listed = await h.request({ method: 'GET', url: `/api/v1/services/${serviceId}/integrations` });
    expect(listed.json().data).toHaveLength(2);
  });

  it('walks an incident from triggered through acknowledged to resolved, with its timeline', async () => {
    const created = await h.request({
      method: 'POST',
      url: '/api/v1/incidents',
      payload: {
        service_id: serviceId,
        title: 'Checkout error rate 12%',
        priority: 'P2',
        severity: 'critical',
      },
    });
    expect(created.statusCode).toBe(201);
    const incident = created.json();
    expect(incident).toMatchObject({
      number: 1,
      status: 'triggered',
      priority: 'P2',
      severity: 'critical',
      urgency: 'high',
      service_id: serviceId,
      alert_count: 0,
      acknowledged_at: null,
      resolved_at: null,
      html_url: `${PUBLIC_URL}/incidents/1`,
    });

    const listed = await h.request({ method: 'GET', url: '/api/v1/incidents?status=triggered' });
    expect(listed.json().data.map((i: { id: string }) => i.id)).toContain(incident.id);

    h.clock.advance(90_000);
    const acked = await h.request({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/acknowledge`,
      payload: {},
    });
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({
      status: 'acknowledged',
      acknowledged_at: '2026-03-08T06:01:30.000Z',
    });

    const note = await h.request({
      method: 'POST',
      url: '/api/v1/incidents/1/notes',
      payload: { body: 'Rolling back 4.2.1' },
    });
    expect(note.statusCode).toBe(201);

    h.clock.advance(600_000);
    const resolved = await h.request({
      method: 'POST',
      url: '/api/v1/incidents/1/resolve',
      payload: { resolution: 'Rolled back' },
    });
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolved_at: '2026-03-08T06:11:30.000Z' });

    const timeline = await h.request({ method: 'GET', url: `/api/v1/incidents/${incident.id}/timeline` });
    const entries = timeline.json().data as {
      type: string;
      actor: { name: string };
      message: string;
      at: string;
    }[];
    expect(entries.map((entry) => entry.type)).toEqual(['triggered', 'acknowledged', 'note', 'resolved']);
    expect(entries[1]).toMatchObject({
      actor: { name: 'admin' },
      message: 'Acknowledged by admin',
      at: '2026-03-08T06:01:30.000Z',
    });
    expect(entries[3]?.message).toBe('Resolved by admin: Rolled back');

    // Resolved is final.
    const late = await h.request({ method: 'POST', url: '/api/v1/incidents/1/acknowledge', payload: {} });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('INVALID_TRANSITION');

    const alerts = await h.request({ method: 'GET', url: '/api/v1/incidents/1/alerts' });
    expect(alerts.json()).toEqual({ data: [], next_cursor: null });
  });

  it('reassigns to real users only, and an acknowledged incident triggers again', async () => {
    const responder = await h.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { name: 'Rita', email: 'rita@example.com', role: 'responder' },
    });
    const rita = responder.json();
    const incident = (
      await h.request({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: { service_id: serviceId, title: 'Latency' },
      })
    ).json();
    await h.request({ method: 'POST', url: `/api/v1/incidents/${incident.id}/acknowledge`, payload: {} });
    const moved = await h.request({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/reassign`,
      payload: { assignee_ids: [rita.id] },
    });
    expect(moved.json()).toMatchObject({ status: 'triggered', assignees: [{ id: rita.id, name: 'Rita' }] });
    const bad = await h.request({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/reassign`,
      payload: { assignee_ids: ['nobody'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ path: '/assignee_ids/0', message: 'user "nobody" does not exist' }]);
  });

  it('filters by status, priority, service and text, and pages with stable cursors', async () => {
    const other = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Search' } })
    ).json();
    for (let index = 0; index < 7; index++) {
      await h.request({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: {
          service_id: other.id,
          title: `Shard ${index} 100%_full`,
          priority: index % 2 ? 'P1' : 'P3',
        },
      });
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/incidents?service_id=${other.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await h.request({ method: 'GET', url: query })).json();
      seen.push(...page.data.map((incident: { number: number }) => incident.number));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);

    const p1 = (
      await h.request({ method: 'GET', url: `/api/v1/incidents?service_id=${other.id}&priority=P1` })
    ).json();
    expect(p1.data).toHaveLength(3);
    // `%` and `_` in q are literal characters, not wildcards; matching ignores case.
    const text = (
      await h.request({ method: 'GET', url: '/api/v1/incidents?q=SHARD%204%20100%25_full' })
    ).json();
    expect(text.data.map((incident: { title: string }) => incident.title)).toEqual(['Shard 4 100%_full']);
    const none = (await h.request({ method: 'GET', url: '/api/v1/incidents?q=Shard%204%20100x' })).json();
    expect(none.data).toEqual([]);
    const open = (
      await h.request({ method: 'GET', url: '/api/v1/incidents?status=triggered,acknowledged&limit=500' })
    ).json();
    expect(open.data.every((incident: { status: string }) => incident.status !== 'resolved')).toBe(true);
    const since = (
      await h.request({ method: 'GET', url: '/api/v1/incidents?since=2030-01-01T00:00:00Z' })
    ).json();
    expect(since.data).toEqual([]);
  });

  it('replays a create with the same Idempotency-Key instead of creating twice', async () => {
    const payload = { service_id: serviceId, title: 'Only once' };
    const headers = { 'idempotency-key': 'create-once-1' };
    const first = await h.request({ method: 'POST', url: '/api/v1/incidents', payload, headers });
    const second = await h.request({ method: 'POST', url: '/api/v1/incidents', payload, headers });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    const reused = await h.request({
      method: 'POST',
      url: '/api/v1/incidents',
      payload: { ...payload, title: 'Other' },
      headers,
    });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    const all = (await h.request({ method: 'GET', url: '/api/v1/incidents?q=Only%20once' })).json();
    expect(all.data).toHaveLength(1);
  });

  it('refuses a second open incident with the same dedup key on a service', async () => {
    const payload = { service_id: serviceId, title: 'Disk', dedup_key: 'disk-db1' };
    expect((await h.request({ method: 'POST', url: '/api/v1/incidents', payload })).statusCode).toBe(201);
    const dup = await h.request({ method: 'POST', url: '/api/v1/incidents', payload });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('CONFLICT');
  });

  it('gives every incident a distinct number, even when created all at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        h.request({
          method: 'POST',
          url: '/api/v1/incidents',
          payload: { service_id: serviceId, title: `Burst ${index}` },
        }),
      ),
    );
    expect(results.every((result) => result.statusCode === 201)).toBe(true);
    const numbers = results.map((result) => result.json().number as number);
    expect(new Set(numbers).size).toBe(20);
  });

  it('writes an audit entry for every change, naming who and what', async () => {
    const log = await h.request({ method: 'GET', url: '/api/v1/audit-log?object_type=incident&limit=500' });
    const actions = new Set(log.json().data.map((entry: { action: string }) => entry.action));
    for (const action of [
      'incident.create',
      'incident.acknowledge',
      'incident.resolve',
      'incident.reassign',
      'incident.note',
    ]) {
      expect(actions).toContain(action);
    }
    const service = await h.request({ method: 'GET', url: `/api/v1/audit-log?object_id=${serviceId}` });
    expect(service.json().data[0]).toMatchObject({
      action: 'service.create',
      actor: { type: 'user', name: 'admin' },
      object_type: 'service',
    });
  });

  it('answers 404 with a problem document for unknown incidents and routes', async () => {
    const missing = await h.request({ method: 'GET', url: '/api/v1/incidents/999999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const route = await h.request({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(route.json().code).toBe('NOT_FOUND');
  });
});
