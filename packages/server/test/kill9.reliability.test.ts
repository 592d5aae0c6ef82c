import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, engines, freePort, type TestDatabase } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const mainJs = `${root}packages/server/dist/main.js`;
const TOKEN = 'kill-nine-bootstrap-token-0123456789abcdef';
const CYCLES = Number(process.env.VIGIL_KILL_CYCLES ?? 10);
const SENDERS = 16;

/**
 * Accepted means committed: a load driver sends events with unique dedup keys while the server is
 * killed with SIGKILL and restarted, again and again. Every event that was answered 202 must be
 * in the database afterwards, and none may be there twice.
 */
describe.each(engines)('kill -9 while ingesting on %s', (engine) => {
  let db: TestDatabase;
  let port: number;
  let child: ChildProcess | null = null;
  let serverErrors = '';

  const env = () => ({
    ...process.env,
    VIGIL_DATA_DIR: db.dataDir,
    VIGIL_BOOTSTRAP_TOKEN: TOKEN,
    VIGIL_LOG_LEVEL: 'fatal',
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl, VIGIL_SECRET_KEY: 'cd'.repeat(32) } : {}),
  });
  const base = () => `http://127.0.0.1:${port}`;

  async function start(): Promise<void> {
    child = spawn(process.execPath, [mainJs, '--port', String(port)], {
      env: env(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk) => (serverErrors += chunk));
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`${base()}/readyz`)).ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error('server did not come back');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function kill(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  }

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${base()}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });

  /** A service with an events_v2 integration that no rate limit slows down. */
  async function serviceWithIntegration(name: string) {
    const service = (await (
      await api('/api/v1/services', { method: 'POST', body: JSON.stringify({ name }) })
    ).json()) as { id: string };
    const integration = (await (
      await api(`/api/v1/services/${service.id}/integrations`, {
        method: 'POST',
        body: JSON.stringify({ type: 'events_v2', rate_limit_per_minute: 1_000_000 }),
      })
    ).json()) as { id: string; key: string };
    return { service, integration };
  }

  beforeAll(async () => {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: npm test builds it first`);
    db = await createTestDatabase(engine);
    port = await freePort();
  });
  afterAll(async () => {
    await kill();
    await db.drop();
  });

  it(`loses no accepted event and duplicates none across ${CYCLES} SIGKILLs`, async () => {
    await start();
    const { service, integration } = await serviceWithIntegration('Kill');

    const accepted = new Set<string>();
    let sent = 0;
    let failed = 0;
    let running = true;
    const sender = async (worker: number) => {
      for (let seq = 0; running; seq++) {
        const key = `w${worker}-${seq}`;
        sent++;
        try {
          const response = await fetch(`${base()}/v2/enqueue`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              routing_key: integration.key,
              event_action: 'trigger',
              dedup_key: key,
              payload: { summary: `event ${key}`, source: 'kill-test', severity: 'warning' },
            }),
          });
          if (response.status === 202) accepted.add(key);
          else failed++;
          await response.arrayBuffer();
        } catch {
          // Connection refused or reset by the kill: the sender does not know, so it does not count it.
          failed++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const senders = Array.from({ length: SENDERS }, (_, worker) => sender(worker));

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Kill only once this life of the server has taken some load (a slow start on a busy machine
      // would otherwise eat the whole interval), then at a random moment of the stream.
      const before = accepted.size;
      const deadline = Date.now() + 15_000;
      while (accepted.size < before + 30 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 400));
      await kill();
      await start();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(senders);

    // Count what is stored, page by page.
    const stored = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const path: string = `/api/v1/alerts?integration_id=${integration.id}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await api(path)).json()) as {
        data: { dedup_key: string; count: number }[];
        next_cursor: string | null;
      };
      for (const alert of page.data as { dedup_key: string; count: number }[]) {
        stored.set(alert.dedup_key, (stored.get(alert.dedup_key) ?? 0) + alert.count);
      }
      cursor = page.next_cursor;
    } while (cursor);

    const lost = [...accepted].filter((key) => !stored.has(key));
    const twice = [...stored].filter(([, count]) => count !== 1);
    console.info(
      `${engine}: ${CYCLES} kills, ${sent} sent, ${accepted.size} accepted, ${failed} refused or cut, ${stored.size} stored, ${lost.length} lost, ${twice.length} twice`,
    );
    expect(accepted.size).toBeGreaterThan(CYCLES * 20);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    // Every stored alert opened exactly one incident, and no incident lacks its alert.
    let incidents = 0;
    cursor = null;
    do {
      const path: string = `/api/v1/incidents?service_id=${service.id}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await api(path)).json()) as {
        data: { dedup_key: string; count: number }[];
        next_cursor: string | null;
      };
      incidents += page.data.length;
      cursor = page.next_cursor;
    } while (cursor);
    expect(incidents).toBe(stored.size);
  }, 240_000);

  it('drains requests in flight on SIGTERM: everything answered is stored, and it exits 0', async () => {
    if (!child || child.exitCode !== null) await start();
    const { integration } = await serviceWithIntegration('Drain');
    const send = (key: string) =>
      fetch(`${base()}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: integration.key,
          event_action: 'trigger',
          dedup_key: key,
          payload: { summary: key, source: 'drain', severity: 'info' },
        }),
      }).then(
        (response) => (response.status === 202 ? key : null),
        () => null,
      );
    const inFlight = Array.from({ length: 200 }, (_, index) => send(`drain-${index}`));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const running = child!;
    const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
    running.kill('SIGTERM');
    const answered = (await Promise.all(inFlight)).filter((key): key is string => key !== null);
    const code = await exited;
    expect(code, serverErrors.slice(-2000)).toBe(0);
    await start();
    const stored = (await (
      await api(`/api/v1/alerts?integration_id=${integration.id}&limit=500`)
    ).json()) as { data: { dedup_key: string }[] };
    const keys = new Set(stored.data.map((alert: { dedup_key: string }) => alert.dedup_key));
    console.info(`${engine}: SIGTERM with 200 in flight: ${answered.length} answered, ${keys.size} stored`);
    expect(answered.filter((key) => !keys.has(key))).toEqual([]);
  }, 60_000);
});
