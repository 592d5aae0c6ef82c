import { createTestDatabase, engines } from '@vigil/testkit';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/database.js';
import { migrateToLatest, migrationsAreCurrent } from '../src/store/migrate.js';
import { startHarness } from './harness.js';

describe.each(engines)('store on %s', (engine) => {
  it('applies migrations once; running them again (or from two places at once) changes nothing', async () => {
    const db = await createTestDatabase(engine);
    const [a, b] = await Promise.all([
      openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }),
      openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }),
    ]);
    try {
      expect(await migrationsAreCurrent(a)).toBe(false);
      const applied = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
      expect(applied.flat()).toEqual([
        '0001-initial',
        '0002-change-events',
        '0003-schedules',
        '0004-paging',
        '0005-schedule-watch',
        '0006-quiet-hours',
        '0007-sessions',
        '0008-incident-board',
        '0009-outbound-integrations',
        '0010-heartbeats',
      ]);
      expect(await migrateToLatest(a)).toEqual([]);
      expect(await migrationsAreCurrent(b)).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  it('reports ready only when the database answers and migrations are current', async () => {
    const h = await startHarness(engine);
    try {
      expect((await h.request({ method: 'GET', url: '/readyz', token: null })).json()).toEqual({
        status: 'ready',
      });
      expect((await h.request({ method: 'GET', url: '/healthz', token: null })).json()).toEqual({
        status: 'ok',
      });
      const metrics = await h.request({ method: 'GET', url: '/metrics', token: null });
      expect(metrics.body).toContain('vigil_http_request_duration_seconds_bucket');
      await h.runtime.store.db.deleteFrom('vigil_migrations' as never).execute();
      const notReady = await h.request({ method: 'GET', url: '/readyz', token: null });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json().code).toBe('NOT_READY');
    } finally {
      await h.close();
    }
  });

  it('keeps instants as the same UTC strings on the way in and out', async () => {
    const h = await startHarness(engine);
    try {
      h.clock.set('2026-10-25T01:30:00.123Z'); // a DST-change night in Europe: stored as the instant it is
      const service = (
        await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Clocky' } })
      ).json();
      expect(service.created_at).toBe('2026-10-25T01:30:00.123Z');
      const again = (await h.request({ method: 'GET', url: `/api/v1/services/${service.id}` })).json();
      expect(again.created_at).toBe('2026-10-25T01:30:00.123Z');
    } finally {
      await h.close();
    }
  });

  it('rolls back every write of a failed use case (no partial writes)', async () => {
    const h = await startHarness(engine);
    try {
      const service = (
        await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Atomic' } })
      ).json();
      const before = await h.runtime.store.db
        .selectFrom('counters')
        .select('value')
        .executeTakeFirstOrThrow();
      // The number is taken, then the assignee check fails: the counter must not move.
      const failed = await h.request({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: { service_id: service.id, title: 'x', assignee_ids: ['ghost'] },
      });
      expect(failed.statusCode).toBe(400);
      const after = await h.runtime.store.db.selectFrom('counters').select('value').executeTakeFirstOrThrow();
      expect(Number(after.value)).toBe(Number(before.value));
      const incidents = await h.runtime.store.db
        .selectFrom('incidents')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(incidents.n)).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('SQLite worker thread', () => {
  it('keeps the event loop free while SQLite works', async () => {
    const db = await createTestDatabase('sqlite');
    const store = await openStore({ dataDir: db.dataDir });
    try {
      // A deliberately slow statement (a recursive CTE of 3 million rows) runs on the worker…
      const slow =
        sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000000) select count(*) as c from n`.execute(
          store.db,
        );
      // …while timers on the main thread keep firing on time.
      // The longest gap between two ticks is what a blocked loop would show; timer drift under a
      // busy test run adds up over many ticks, so the gap is measured tick to tick.
      const started = Date.now();
      let ticks = 0;
      let lastTick = started;
      let worstLateMs = 0;
      const timer = setInterval(() => {
        ticks++;
        const now = Date.now();
        worstLateMs = Math.max(worstLateMs, now - lastTick - 10);
        lastTick = now;
      }, 10);
      const result = await slow;
      clearInterval(timer);
      const elapsed = Date.now() - started;
      expect(Number((result.rows[0] as { c: number }).c)).toBe(3_000_000);
      expect(elapsed).toBeGreaterThan(100);
      expect(ticks).toBeGreaterThan(elapsed / 10 / 3);
      expect(worstLateMs).toBeLessThan(100);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  it('surfaces SQLite errors with their codes and keeps serving', async () => {
    const db = await createTestDatabase('sqlite');
    const store = await openStore({ dataDir: db.dataDir });
    try {
      await migrateToLatest(store);
      const insert = () =>
        store.db
          .insertInto('settings')
          .values({ key: 'k', value: 'v', updated_at: '2026-01-01T00:00:00.000Z' })
          .execute();
      await insert();
      const error = await insert().catch((caught: unknown) => caught);
      expect(store.dialect.isUniqueViolation(error)).toBe(true);
      const bad = await sql`select * from no_such_table`
        .execute(store.db)
        .catch((caught: unknown) => caught as Error);
      expect((bad as Error).message).toContain('no such table');
      expect((await sql`select 1 as one`.execute(store.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
