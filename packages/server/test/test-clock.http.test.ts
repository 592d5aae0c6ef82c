import { createTestDatabase, type TestDatabase } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../src/runtime.js';

const TOKEN = 'vigil-test-clock-token-0123456789abcdef';

/** `POST /api/v1/test/clock` (VIGIL_TEST_CLOCK=1), as black-box tests drive several instances. */
describe('the test clock', () => {
  let db: TestDatabase;
  let runtime: Runtime;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    runtime = await startRuntime({
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      publicUrl: 'http://vigil.test',
      secretKey: Buffer.alloc(32, 3),
      bootstrapToken: TOKEN,
      testClock: true,
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await db?.drop();
  });

  const move = (payload: object) =>
    runtime.app.inject({
      method: 'POST',
      url: '/api/v1/test/clock',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload,
    });

  it('moves on by advance_seconds, and to offset_seconds without ever going back', async () => {
    const before = Date.now();
    const advanced = await move({ advance_seconds: 60 });
    expect(advanced.statusCode).toBe(200);
    expect(advanced.json().offset_seconds).toBe(60);
    expect(Date.parse(advanced.json().now) - before).toBeGreaterThanOrEqual(60_000);

    // The same absolute offset sent twice (a restart racing a jump) moves the clock once.
    expect((await move({ offset_seconds: 300 })).json().offset_seconds).toBe(300);
    expect((await move({ offset_seconds: 300 })).json().offset_seconds).toBe(300);
    // A late, older one (sent to a paused instance) leaves it where it is.
    const stale = await move({ offset_seconds: 120 });
    expect(stale.json().offset_seconds).toBe(300);
    expect(Date.parse(stale.json().now)).toBeGreaterThanOrEqual(before + 300_000);
  });

  it('takes exactly one of the two', async () => {
    for (const payload of [{}, { advance_seconds: 1, offset_seconds: 1 }]) {
      const res = await move(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect((await move({ offset_seconds: -1 })).statusCode).toBe(400);
  });
});
