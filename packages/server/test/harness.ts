import type { Role } from '@vigil/core';
import { createTestDatabase, type Engine, ManualClock, type TestDatabase } from '@vigil/testkit';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type Runtime, startRuntime } from '../src/runtime.js';

export const OWNER_TOKEN = 'vigil-test-bootstrap-token-0123456789abcdef';
export const PUBLIC_URL = 'http://vigil.test';

/**
 * A whole Vigil on a fresh database of one engine, driven through inject(): the owner's API key is
 * the bootstrap token, and `as(role)` makes a user of any role with a key of their own.
 */
export interface Harness {
  engine: Engine;
  app: FastifyInstance;
  runtime: Runtime;
  clock: ManualClock;
  db: TestDatabase;
  /** inject() with the owner's key unless `token` says otherwise (null: no Authorization header). */
  request(options: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  /** Creates (once per role) a user with that role and returns their API key. */
  tokenFor(role: Role): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(engine: Engine, options: { bootstrap?: boolean } = {}): Promise<Harness> {
  const db = await createTestDatabase(engine);
  const clock = new ManualClock('2026-03-08T06:00:00Z');
  const runtime = await startRuntime(
    {
      dataDir: db.dataDir,
      databaseUrl: db.databaseUrl,
      publicUrl: PUBLIC_URL,
      secretKey: Buffer.alloc(32, 9),
      bootstrapToken: options.bootstrap === false ? undefined : OWNER_TOKEN,
      testClock: false,
    },
    { clock },
  );
  const app = runtime.app;
  const tokens = new Map<Role, string>([['owner', OWNER_TOKEN]]);

  const request: Harness['request'] = ({ token, headers, ...rest }) => {
    const auth = token === null ? {} : { authorization: `Bearer ${token ?? OWNER_TOKEN}` };
    return app.inject({ ...rest, headers: { ...auth, ...headers } });
  };

  return {
    engine,
    app,
    runtime,
    clock,
    db,
    request,
    async tokenFor(role) {
      const known = tokens.get(role);
      if (known) return known;
      const user = await request({
        method: 'POST',
        url: '/api/v1/users',
        payload: { name: `A ${role}`, email: `${role}@example.com`, role },
      });
      if (user.statusCode !== 201) throw new Error(`creating a ${role}: ${user.body}`);
      const key = await request({
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: `${role} key`, user_id: user.json().id },
      });
      if (key.statusCode !== 201) throw new Error(`key for a ${role}: ${key.body}`);
      const token = key.json().token as string;
      tokens.set(role, token);
      return token;
    },
    async close() {
      await runtime.close();
      await db.drop();
    },
  };
}
