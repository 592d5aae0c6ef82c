import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  freePort,
  startWebhookSink,
  type TestDatabase,
  type WebhookSink,
} from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const mainJs = `${root}packages/server/dist/main.js`;
const TOKEN = 'paging-instances-bootstrap-token-0123456789';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const INCIDENTS = Number(process.env.VIGIL_PAGING_INCIDENTS ?? 120);
const INSTANCES = 3;
const STEP_MINUTES = 1;
/** The test clock moves in jumps this big; a step fires at most one jump and one cycle late. */
const JUMP_SECONDS = 5;

interface Instance {
  port: number;
  child: ChildProcess | null;
  /** SIGSTOPped: left out of clock moves (a request to it would wait), caught up on SIGCONT. */
  paused: boolean;
}

/**
 * Three engine instances on one PostgreSQL; incidents escalate through three steps (one person per
 * step, each reached by a signed webhook) while one instance after another is killed with SIGKILL
 * and restarted, and one is paused (SIGSTOP) for longer than PostgreSQL lets a transaction idle.
 * Every step must fire exactly once, on time, and every page reach its person. `npm test` runs this
 * file alone, after the others, so its timings are not those of a machine busy with other tests.
 */
describe('paging with three engine instances, SIGKILL and SIGSTOP, on postgres', () => {
  let db: TestDatabase;
  let sink: WebhookSink;
  const instances: Instance[] = [];
  let serverErrors = '';
  let total = 0; // seconds every live clock has been moved
  /** When each jump happened (real ms) and the offset after it (ms): the engine's time is real + offset. */
  const jumps: { real: number; total: number }[] = [{ real: Date.now(), total: 0 }];

  /** The real moment an engine clock showed `sim` (the clocks jump, so it may lie inside a jump). */
  function realAt(sim: number): number {
    for (let k = 0; k < jumps.length; k++) {
      const from = jumps[k]!;
      const to = jumps[k + 1]?.real ?? Number.POSITIVE_INFINITY;
      if (sim <= from.real + from.total) return from.real; // reached by this jump
      if (sim < to + from.total) return sim - from.total; // reached as real time ran on
    }
    return sim - jumps.at(-1)!.total;
  }

  const env = (port: number) => ({
    ...process.env,
    DATABASE_URL: db.databaseUrl,
    VIGIL_SECRET_KEY: 'ab'.repeat(32),
    VIGIL_BOOTSTRAP_TOKEN: TOKEN,
    VIGIL_TEST_CLOCK: '1',
    VIGIL_OUTBOUND_ALLOW: '127.0.0.1/32',
    VIGIL_LOG_LEVEL: 'fatal',
    VIGIL_PUBLIC_URL: `http://127.0.0.1:${port}`,
  });

  const call = (instance: Instance, path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${instance.port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });

  async function start(instance: Instance) {
    instance.child = spawn(process.execPath, [mainJs, '--port', String(instance.port)], {
      env: env(instance.port),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    instance.child.stderr?.on('data', (chunk) => (serverErrors += chunk));
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${instance.port}/readyz`)).ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline)
        throw new Error(`instance on ${instance.port} did not start: ${serverErrors}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await catchUp(instance);
  }

  /**
   * Sets the instance's clock to the common offset. Absolute and never backwards, so a request sent
   * twice (a restart racing a jump) or delivered late (to a paused process) cannot put it ahead.
   */
  async function catchUp(instance: Instance) {
    await call(instance, '/api/v1/test/clock', { offset_seconds: total });
  }

  async function kill(instance: Instance, signal: NodeJS.Signals = 'SIGKILL') {
    const child = instance.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    instance.child = null;
  }

  /** Moves every running clock forward together (a paused or dead instance is caught up later). */
  async function advance(seconds: number) {
    total += seconds;
    jumps.push({ real: Date.now(), total: total * 1000 });
    await Promise.all(
      instances.map(async (instance) => {
        if (!instance.child || instance.paused) return;
        try {
          await catchUp(instance);
        } catch {
          // stopped or restarting: caught up when it is back
        }
      }),
    );
  }

  beforeAll(async () => {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: npm test builds it first`);
    db = await createTestDatabase('postgres');
    sink = await startWebhookSink({ secret: SECRET });
    for (let i = 0; i < INSTANCES; i++)
      instances.push({ port: await freePort(), child: null, paused: false });
    // One at a time: the first creates the owner from the bootstrap token.
    for (const instance of instances) await start(instance);
  });

  afterAll(async () => {
    for (const instance of instances) {
      instance.child?.kill('SIGCONT');
      await kill(instance);
    }
    await sink?.close();
    await db?.drop();
  });

  it(`fires every step of ${INCIDENTS} incidents exactly once and on time`, async () => {
    const [a] = instances as [Instance];
    const json = async (res: Response) => {
      if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
      return res.json() as Promise<{ id: string; key: string }>;
    };
    const users: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      const user = await json(
        await call(a, '/api/v1/users', { name, email: `${name}@example.com`, role: 'responder' }),
      );
      await json(
        await call(a, `/api/v1/users/${user.id}/contact-methods`, {
          type: 'webhook',
          address: `${sink.url}/${name}`,
          secret: SECRET,
        }),
      );
      users.push(user.id);
    }
    const policy = await json(
      await call(a, '/api/v1/escalation-policies', {
        name: 'Three steps',
        steps: users.map((id) => ({ delay_minutes: STEP_MINUTES, targets: [{ type: 'user', id }] })),
      }),
    );
    const service = await json(
      await call(a, '/api/v1/services', { name: 'Payments', escalation_policy_id: policy.id }),
    );
    const integration = await json(
      await call(a, `/api/v1/services/${service.id}/integrations`, {
        type: 'events_v2',
        rate_limit_per_minute: 1_000_000,
      }),
    );
    for (let i = 0; i < INCIDENTS; i++) {
      const res = await call(instances[i % INSTANCES]!, '/v2/enqueue', {
        routing_key: integration.key,
        event_action: 'trigger',
        dedup_key: `incident-${i}`,
        payload: { summary: `Incident ${i}`, source: 'test', severity: 'critical' },
      });
      expect(res.status).toBe(202);
    }

    // Chaos while the clock runs through the three steps and a minute beyond: every 2 s one
    // instance is killed and restarted (never the paused one, so one always runs); meanwhile one
    // is paused for 12 s, longer than its lease and than PostgreSQL lets a transaction idle (3 s).
    const end = (STEP_MINUTES * 3 + 1) * 60;
    let kills = 0;
    const pause = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const victim = instances[1]!;
      victim.paused = true;
      victim.child?.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      victim.child?.kill('SIGCONT');
      victim.paused = false;
      await catchUp(victim).catch(() => {});
    })();
    const killing = (async () => {
      for (let round = 0; total < end; round++) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const victim = instances[round % INSTANCES]!;
        if (victim.paused) continue;
        await kill(victim);
        kills++;
        await start(victim);
      }
    })();
    while (total < end) {
      await advance(JUMP_SECONDS);
      await new Promise((resolve) => setTimeout(resolve, 600));
    }
    await Promise.all([pause, killing]);
    // Let the last cycles and sends finish everywhere: pages the per-person throttle held (three
    // messages a minute) go out as summaries within the next two minutes.
    for (let i = 0; i < 24; i++) {
      await advance(JUMP_SECONDS);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    // Every step fired once: three "paged" entries per incident, each at its due time.
    let latest = 0;
    const late: string[] = [];
    const lateness_all: number[] = [];
    for (let n = 1; n <= INCIDENTS; n++) {
      const incident = (await (await call(a, `/api/v1/incidents/${n}`)).json()) as { created_at: string };
      const timeline = (await (await call(a, `/api/v1/incidents/${n}/timeline?limit=100`)).json()) as {
        data: { type: string; at: string; message: string }[];
      };
      const paged = timeline.data.filter((e) => e.type === 'paged');
      expect(
        paged.map((e) => e.message.slice(0, 12)),
        `incident ${n}`,
      ).toEqual(['Step 1 of 3:', 'Step 2 of 3:', 'Step 3 of 3:']);
      paged.forEach((entry, step) => {
        const due = Date.parse(incident.created_at) + step * STEP_MINUTES * 60_000;
        if (Date.parse(entry.at) < due) late.push(`#${n} step ${step + 1} fired early`);
        // In real time: how long after the engines' clocks reached the due time the step fired.
        const lateness = realAt(Date.parse(entry.at)) - realAt(due);
        lateness_all.push(lateness);
        latest = Math.max(latest, lateness);
      });
    }
    lateness_all.sort((x, y) => x - y);
    const p99 = lateness_all[Math.floor(lateness_all.length * 0.99)] ?? 0;
    console.log(
      `step lateness (real ms): p50 ${lateness_all[Math.floor(lateness_all.length / 2)]}, p99 ${p99}, max ${latest}; over 1 s: ${lateness_all.filter((x) => x > 1_000).length} of ${lateness_all.length}`,
    );
    expect(late).toEqual([]);
    // Within one engine cycle (1 s). (An instance paused while it holds rows is
    // paging-frozen-instance.test.ts: here the pause starts while nothing is due.)
    expect(latest).toBeLessThan(1_000);

    // Every page reached its person (pages due together arrive bundled in a summary). Sends are at
    // least once: a page whose sender was killed mid-send goes again; counted and reported.
    const messages = new Map<string, string[]>(); // webhook-id → the person#incident pages it carries
    for (const d of sink.deliveries.all) {
      expect(d.verified).toBe(true);
      const data = (d.json as { data?: { incident?: { number: number }; incidents?: { number: number }[] } })
        .data;
      const numbers = data?.incidents?.map((i) => i.number) ?? (data?.incident ? [data.incident.number] : []);
      messages.set(
        d.webhookId ?? '',
        numbers.map((n) => `${d.path}#${n}`),
      );
    }
    const pages = [...messages.values()].flat();
    expect(new Set(pages).size).toBe(INCIDENTS * 3);
    const again = pages.length - INCIDENTS * 3;
    const uniqueIds = messages.size;
    const resent = sink.deliveries.all.length - uniqueIds;
    console.log(
      `paging instances: ${INCIDENTS} incidents × 3 steps, ${kills} SIGKILLs, 1 SIGSTOP of 12 s; ` +
        `latest step ${latest} ms (real) after due; ${uniqueIds} messages (summaries included), ${resent} resent with the same id, ${again} pages also in a second message`,
    );
  }, 180_000);
});
