import type { AddressInfo } from 'node:net';
import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, OWNER_TOKEN, startHarness } from './harness.js';
import { dataOf, openSse, type SseStream } from './sse-client.js';

interface BoardIncident {
  id: string;
  number: number;
  title: string;
  status: string;
  version: number;
  service_id: string;
  priority: string | null;
}

/**
 * The API behind the incident board (docs/incident-board.md): the live stream over a real
 * connection, counts, the list's filters (text included) and bulk actions, on both engines.
 */
describe.each(engines)('incident board on %s', (engine) => {
  let h: Harness;
  let base: string;
  let routingKey: string;
  let checkout: string;
  let search: string;
  let teamPay: string;
  let teamFind: string;
  const streams: SseStream[] = [];
  let closed = false;

  const api = async (method: 'GET' | 'POST', url: string, payload?: object, token?: string) => {
    const response = await h.request({ method, url, ...(payload ? { payload } : {}), token });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };
  const open = async (headers: Record<string, string> = {}, query = '') => {
    const stream = await openSse(`${base}/api/v1/incidents/stream${query}`, {
      authorization: `Bearer ${OWNER_TOKEN}`,
      ...headers,
    });
    streams.push(stream);
    return stream;
  };
  const create = (title: string, serviceId: string, priority: string | null = null) =>
    api('POST', '/api/v1/incidents', { service_id: serviceId, title, priority }) as Promise<BoardIncident>;
  const list = async (query: string) =>
    ((await api('GET', `/api/v1/incidents?${query}`)) as { data: BoardIncident[] }).data.map((i) => i.title);

  beforeAll(async () => {
    h = await startHarness(engine);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    teamPay = (await api('POST', '/api/v1/teams', { name: 'Payments' })).id;
    teamFind = (await api('POST', '/api/v1/teams', { name: 'Discovery' })).id;
    checkout = (await api('POST', '/api/v1/services', { name: 'Checkout', team_id: teamPay })).id;
    search = (await api('POST', '/api/v1/services', { name: 'Search', team_id: teamFind })).id;
    routingKey = (await api('POST', `/api/v1/services/${checkout}/integrations`, { type: 'events_v2' })).key;
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    if (!closed) await h.close();
  });

  describe('the live stream', () => {
    it('lets stakeholders in and nobody without a key', async () => {
      const anonymous = await openSse(`${base}/api/v1/incidents/stream`);
      streams.push(anonymous);
      expect(anonymous.status).toBe(401);
      const stakeholder = await open({ authorization: `Bearer ${await h.tokenFor('stakeholder')}` });
      expect(stakeholder.status).toBe(200);
      expect(stakeholder.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(stakeholder.headers['cache-control']).toContain('no-cache');
      await stakeholder.next((event) => event.event === 'ready');
      stakeholder.close();
    });

    it('delivers an incident opened by ingest within a second of the 202', async () => {
      const stream = await open();
      await stream.next((event) => event.event === 'ready');
      const response = await fetch(`${base}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: routingKey,
          event_action: 'trigger',
          dedup_key: 'stream-1',
          payload: { summary: 'Checkout latency 3s', source: 'prometheus', severity: 'critical' },
        }),
      });
      const accepted = performance.now();
      expect(response.status).toBe(202);
      const event = await stream.next(
        (e) => e.event === 'incident' && dataOf<BoardIncident>(e).title === 'Checkout latency 3s',
        2_000,
      );
      expect(event.at - accepted).toBeLessThan(1_000);
      expect(event.id).toBeTruthy();
      expect(dataOf(event)).toMatchObject({
        status: 'triggered',
        service_id: checkout,
        version: 1,
        html_url: expect.stringContaining('/incidents/'),
      });
      stream.close();
    });

    it('delivers acknowledgements, and a stream that comes back with Last-Event-ID gets what it missed', async () => {
      const incident = await create('Cart totals wrong', checkout);
      const stream = await open();
      await stream.next((event) => event.event === 'ready');
      await api('POST', `/api/v1/incidents/${incident.id}/acknowledge`);
      const acknowledged = await stream.next(
        (e) => e.event === 'incident' && dataOf<BoardIncident>(e).id === incident.id,
        2_000,
      );
      expect(dataOf(acknowledged)).toMatchObject({ status: 'acknowledged', version: 2 });
      stream.close();

      // While nobody listens: a resolve and a new incident.
      await api('POST', `/api/v1/incidents/${incident.id}/resolve`, {});
      const missed = await create('Payment provider timeouts', checkout);

      const resumed = await open({ 'last-event-id': acknowledged.id! });
      const resolved = await resumed.next(
        (e) =>
          e.event === 'incident' &&
          dataOf<BoardIncident>(e).id === incident.id &&
          dataOf(e).status === 'resolved',
        2_000,
      );
      const created = await resumed.next(
        (e) => e.event === 'incident' && dataOf<BoardIncident>(e).id === missed.id,
        2_000,
      );
      expect(dataOf(resolved)).toMatchObject({ version: 3 });
      expect(dataOf(created)).toMatchObject({ title: 'Payment provider timeouts', status: 'triggered' });
      // The replay comes before anything live, and the ready event names where it resumed from.
      expect(resumed.events[0]).toMatchObject({ event: 'ready', id: acknowledged.id });
      resumed.close();
    });

    it('tells a client with a Last-Event-ID it does not know to reload', async () => {
      const stream = await open({}, '?last_event_id=not-a-position');
      await stream.next((event) => event.event === 'reset');
      await stream.next((event) => event.event === 'ready');
      stream.close();
    });

    it('delivers a change nothing announced (written straight to the database) by its poll', async () => {
      const incident = await create('Search index stale', search);
      const stream = await open();
      await stream.next((event) => event.event === 'ready');
      await h.runtime.store.db
        .updateTable('incidents')
        .set({
          title: 'Search index stale (rebuilt by hand)',
          version: incident.version + 1,
          updated_at: h.clock.now().toISOString(),
        })
        .where('id', '=', incident.id)
        .execute();
      const event = await stream.next(
        (e) => e.event === 'incident' && dataOf<BoardIncident>(e).id === incident.id,
        4_000,
      );
      expect(dataOf(event)).toMatchObject({ title: 'Search index stale (rebuilt by hand)', version: 2 });
      stream.close();
    });
  });

  describe('counts, filters and bulk actions', () => {
    let bulkable: BoardIncident[];

    beforeAll(async () => {
      await create('Disk 95% on db-7', search, 'P1');
      await create('Disk 80% on db-8', search, 'P3');
      await create('100% CPU_load on web-1', checkout, 'P2');
      await create('Quote "marks" in a title', checkout, null);
      bulkable = [
        await create('Bulk one', search, 'P4'),
        await create('Bulk two', search, 'P4'),
        await create('Bulk three', search, 'P4'),
      ];
    });

    const counts = (query = '') => api('GET', `/api/v1/incidents/counts${query ? `?${query}` : ''}`);

    it('counts incidents per status, with the list’s filters', async () => {
      const all = await counts();
      const listed = (await api('GET', '/api/v1/incidents?limit=500')).data as BoardIncident[];
      for (const status of ['triggered', 'acknowledged', 'resolved'])
        expect(all[status], status).toBe(listed.filter((i) => i.status === status).length);
      expect(await counts(`service_id=${search}&priority=P1,P3`)).toEqual({
        triggered: 2,
        acknowledged: 0,
        resolved: 0,
        resolved_capped: false,
      });
      const team = await counts(`team_id=${teamFind}`);
      const bySearch = await counts(`service_id=${search}`);
      expect(team).toEqual(bySearch);
      expect(await counts('q=disk')).toEqual({
        triggered: 2,
        acknowledged: 0,
        resolved: 0,
        resolved_capped: false,
      });
      const refused = await h.request({ method: 'GET', url: '/api/v1/incidents/counts?status=triggered' });
      expect(refused.statusCode).toBe(400);
    });

    it('filters the list by status, service, team, priority and text', async () => {
      expect(await list(`service_id=${search}&priority=P1`)).toEqual(['Disk 95% on db-7']);
      expect(await list(`team_id=${teamFind}&priority=P1,P3`)).toEqual([
        'Disk 80% on db-8',
        'Disk 95% on db-7',
      ]);
      expect(await list(`team_id=${teamPay}&q=cpu`)).toEqual(['100% CPU_load on web-1']);
      expect(await list('q=DISK')).toEqual(['Disk 80% on db-8', 'Disk 95% on db-7']);
      // LIKE's wildcards and FTS5's quotes are text, not syntax.
      expect(await list('q=95%25')).toEqual(['Disk 95% on db-7']);
      expect(await list('q=U_l')).toEqual(['100% CPU_load on web-1']);
      expect(await list(`q=${encodeURIComponent('"marks"')}`)).toEqual(['Quote "marks" in a title']);
      // Shorter than a trigram: still found.
      expect(await list('q=b-')).toEqual(['100% CPU_load on web-1', 'Disk 80% on db-8', 'Disk 95% on db-7']);
      expect(await list('q=db-7&status=resolved')).toEqual([]);
      expect(await list('q=db-7&status=triggered,acknowledged')).toEqual(['Disk 95% on db-7']);
    });

    it('pages through a text search with the cursor', async () => {
      const first = await api('GET', '/api/v1/incidents?q=bulk&limit=2');
      expect(first.data.map((i: BoardIncident) => i.title)).toEqual(['Bulk three', 'Bulk two']);
      const second = await api('GET', `/api/v1/incidents?q=bulk&limit=2&cursor=${first.next_cursor}`);
      expect(second.data.map((i: BoardIncident) => i.title)).toEqual(['Bulk one']);
      expect(second.next_cursor).toBeNull();
    });

    it('acknowledges many incidents; a resolved one and an unknown one fail on their own', async () => {
      const [one, two, three] = bulkable as [BoardIncident, BoardIncident, BoardIncident];
      await api('POST', `/api/v1/incidents/${three.id}/resolve`, {});
      const stream = await open();
      await stream.next((event) => event.event === 'ready');
      const responder = await h.tokenFor('responder');
      const result = await api(
        'POST',
        '/api/v1/incidents/bulk',
        { action: 'acknowledge', incident_ids: [one.id, String(two.number), three.id, 'no-such-incident'] },
        responder,
      );
      expect(result).toMatchObject({ succeeded: 2, failed: 2 });
      expect(result.results).toMatchObject([
        { id: one.id, ok: true, incident: { id: one.id, status: 'acknowledged' } },
        { id: String(two.number), ok: true, incident: { id: two.id, status: 'acknowledged' } },
        { id: three.id, ok: false, error: { code: 'INVALID_TRANSITION', status: 409 } },
        { id: 'no-such-incident', ok: false, error: { code: 'NOT_FOUND', status: 404 } },
      ]);
      // As the single action does: a timeline entry and an audit entry each.
      const timeline = await api('GET', `/api/v1/incidents/${one.id}/timeline`);
      expect(timeline.data.map((e: { type: string }) => e.type)).toContain('acknowledged');
      const audit = await api('GET', `/api/v1/audit-log?object_id=${two.id}`);
      expect(audit.data.map((e: { action: string }) => e.action)).toContain('incident.acknowledge');
      // Boards see both changes.
      for (const incident of [one, two]) {
        await stream.next(
          (e) =>
            e.event === 'incident' && dataOf<BoardIncident>(e).id === incident.id && dataOf(e).version === 2,
          2_000,
        );
      }
      stream.close();

      const resolved = await api('POST', '/api/v1/incidents/bulk', {
        action: 'resolve',
        incident_ids: [one.id, two.id],
      });
      expect(resolved).toMatchObject({ succeeded: 2, failed: 0 });
    });

    it('counts resolved incidents found by text up to 10,000, and says so', async () => {
      // 10,001 resolved incidents straight into the store (the API would take minutes).
      const number = async () => Number((await create('Capword open', search)).number);
      const first = (await number()) + 1;
      const at = h.clock.now().toISOString();
      const rows = Array.from({ length: 10_001 }, (_, i) => ({
        id: `cap-${String(i).padStart(6, '0')}`,
        number: first + i,
        title: `Capword ${i}`,
        description: '',
        status: 'resolved',
        priority: null,
        severity: 'error',
        urgency: 'high',
        service_id: search,
        dedup_key: null,
        alert_count: 0,
        created_at: at,
        updated_at: at,
        acknowledged_at: null,
        resolved_at: at,
        version: 2,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await h.runtime.store.db
          .insertInto('incidents')
          .values(rows.slice(i, i + 500))
          .execute();
      await h.runtime.store.db
        .updateTable('counters')
        .set({ value: first + rows.length })
        .where('name', '=', 'incident_number')
        .execute();
      expect(await counts('q=capword')).toEqual({
        triggered: 1,
        acknowledged: 0,
        resolved: 10_000,
        resolved_capped: true,
      });
      expect(await counts('q=capword 9999')).toEqual({
        triggered: 0,
        acknowledged: 0,
        resolved: 1,
        resolved_capped: false,
      });
      // Without text, exact.
      const all = await counts(`service_id=${search}`);
      expect(all.resolved).toBeGreaterThan(10_000);
      expect(all.resolved_capped).toBe(false);
    });

    it('refuses more than 100 incidents, repeats and unknown actions', async () => {
      const ids = Array.from({ length: 101 }, (_, i) => String(i + 1));
      for (const payload of [
        { action: 'acknowledge', incident_ids: ids },
        { action: 'acknowledge', incident_ids: ['1', '1'] },
        { action: 'snooze', incident_ids: ['1'] },
        { action: 'resolve', incident_ids: [] },
      ]) {
        const response = await h.request({ method: 'POST', url: '/api/v1/incidents/bulk', payload });
        expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      }
    });
  });

  it('ends open streams when the app closes', async () => {
    const stream = await open();
    await stream.next((event) => event.event === 'ready');
    closed = true;
    const closing = h.close();
    await stream.ended;
    await closing;
  });
});
