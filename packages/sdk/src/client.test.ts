import { type AddressInfo, createServer } from 'node:net';
import { type Runtime, startRuntime } from '@vigil/server';
import { createTestDatabase, type TestDatabase } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilApiError, VigilClient, VigilNetworkError } from './index.js';

const TOKEN = 'x'.repeat(40);

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let db: TestDatabase;
let runtime: Runtime;
let url: string;
let client: VigilClient;

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  runtime = await startRuntime({
    dataDir: db.dataDir,
    databaseUrl: undefined,
    publicUrl: 'http://127.0.0.1:0',
    secretKey: Buffer.alloc(32, 7),
    bootstrapToken: TOKEN,
    testClock: false,
  });
  await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(runtime.app.server.address() as AddressInfo).port}`;
  client = new VigilClient({ baseUrl: `${url}/`, token: TOKEN });
});

afterAll(async () => {
  await runtime?.close();
  await db?.drop();
});

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('VigilClient', () => {
  it('signs in like a browser: the session cookie authenticates, writes carry the CSRF token', async () => {
    await client.users.create({
      name: 'Web',
      email: 'web@example.com',
      role: 'manager',
      password: 'correct horse battery staple',
    });
    // Node's fetch keeps no cookies; a one-cookie jar stands in for the browser.
    let cookie: string | undefined;
    const sent: Headers[] = [];
    const browserFetch: typeof fetch = async (input, init = {}) => {
      const headers = new Headers(init.headers);
      if (cookie) headers.set('cookie', cookie);
      sent.push(headers);
      const response = await fetch(input, { ...init, headers });
      const setCookie = response.headers.get('set-cookie');
      if (setCookie) cookie = setCookie.split(';')[0];
      return response;
    };
    let csrf: string | undefined;
    const browser = new VigilClient({
      baseUrl: url,
      fetch: browserFetch,
      credentials: 'same-origin',
      csrfToken: () => csrf,
    });
    const signedIn = await browser.auth.login({
      email: 'web@example.com',
      password: 'correct horse battery staple',
    });
    csrf = signedIn.csrf_token;
    expect(signedIn.user.email).toBe('web@example.com');
    expect(sent[0]?.has('authorization')).toBe(false);
    expect((await browser.me()).email).toBe('web@example.com');
    expect((await browser.auth.session()).csrf_token).toBe(csrf);
    const team = await browser.teams.create({ name: 'Web team' });
    expect(sent.at(-1)?.get('x-csrf-token')).toBe(csrf);
    await browser.teams.delete(team.id);
    await browser.auth.logout();
    const error = await rejection(browser.me());
    expect((error as VigilApiError).code).toBe('UNAUTHENTICATED');
    const wrong = await rejection(
      browser.auth.login({ email: 'web@example.com', password: 'wrong password' }),
    );
    expect((wrong as VigilApiError).code).toBe('INVALID_CREDENTIALS');
    // Always accepted: no mail server here, and the answer says nothing about the address either way.
    expect((await browser.auth.requestPasswordReset('web@example.com')).status).toBe('accepted');
    const reset = await rejection(browser.auth.confirmPasswordReset('not-a-token', 'a long new password'));
    expect((reset as VigilApiError).code).toBe('PASSWORD_RESET_INVALID');
  });

  it('reads the user behind the key', async () => {
    const me = await client.me();
    expect(me.role).toBe('owner');
  });

  it('throws VigilApiError with the problem details of a bad body', async () => {
    const error = await rejection(
      client.services.create({ name: '', colour: 'red' } as unknown as Parameters<
        typeof client.services.create
      >[0]),
    );
    expect(error).toBeInstanceOf(VigilApiError);
    const problem = error as VigilApiError;
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.detail).toBeTruthy();
    expect(problem.errors.length).toBeGreaterThan(0);
    expect(problem.errors.map((field) => field.path)).toContain('/colour');
    expect(problem.message).toBe(`${problem.detail} (VALIDATION_FAILED)`);
  });

  it('throws UNAUTHENTICATED for a wrong key and NOT_FOUND for an unknown ID', async () => {
    const stranger = new VigilClient({ baseUrl: url, token: 'y'.repeat(40) });
    expect(await rejection(stranger.me())).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await rejection(client.teams.get('01NOSUCHTEAM'))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
  });

  it('falls back sensibly when an error body is not JSON', async () => {
    const html = new VigilClient({
      baseUrl: 'http://vigil.invalid',
      token: TOKEN,
      fetch: async () =>
        new Response('<html>Bad gateway</html>', {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'content-type': 'text/html' },
        }),
    });
    const error = (await rejection(html.me())) as VigilApiError;
    expect(error).toBeInstanceOf(VigilApiError);
    expect(error).toMatchObject({ status: 502, code: 'HTTP_502', errors: [] });
    expect(error.detail).toContain('502 Bad Gateway');
    expect(error.detail).toContain('Bad gateway');

    const empty = new VigilClient({
      baseUrl: 'http://vigil.invalid',
      token: TOKEN,
      fetch: async () => new Response(null, { status: 401 }),
    });
    expect(await rejection(empty.me())).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('wraps connection failures in VigilNetworkError', async () => {
    const port = await closedPort();
    const offline = new VigilClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN });
    const error = await rejection(offline.me());
    expect(error).toBeInstanceOf(VigilNetworkError);
    expect((error as Error).message).toBe(
      `Could not reach http://127.0.0.1:${port}/api/v1/me: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('sends JSON bodies, the bearer token and Idempotency-Key', async () => {
    const seen: { method: string; url: string; headers: Headers; body: unknown }[] = [];
    const spy = new VigilClient({
      baseUrl: url,
      token: TOKEN,
      fetch: async (input, init) => {
        seen.push({
          method: init?.method ?? 'GET',
          url: String(input),
          headers: new Headers(init?.headers),
          body: init?.body,
        });
        return fetch(input, init);
      },
    });
    const service = await spy.services.create({ name: 'Idempotent' }, { idempotencyKey: 'svc-1' });
    const replay = await spy.services.create({ name: 'Idempotent' }, { idempotencyKey: 'svc-1' });
    expect(replay.id).toBe(service.id);
    const incident = await spy.incidents.create({ service_id: service.id, title: 'Ack me' });
    await spy.incidents.acknowledge(incident.number);
    expect(seen[0]!.headers.get('idempotency-key')).toBe('svc-1');
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    const ack = seen.at(-1)!;
    expect(ack).toMatchObject({
      method: 'POST',
      url: `${url}/api/v1/incidents/${incident.number}/acknowledge`,
    });
    expect(ack.headers.get('content-type')).toBe('application/json');
    expect(ack.body).toBe('{}');
  });

  it('paginates by following next_cursor', async () => {
    const names = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'];
    for (const name of names) await client.teams.create({ name });

    const first = await client.teams.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));

    const pages: number[] = [];
    const seen: string[] = [];
    for await (const team of client.paginate(async (cursor) => {
      const page = await client.teams.list({ limit: 2, cursor });
      pages.push(page.data.length);
      return page;
    }))
      seen.push(team.name);
    expect(seen.sort()).toEqual(names);
    expect(pages.slice(0, 3)).toEqual([2, 2, 1]);
  });

  it('covers a team, its members and its deletion', async () => {
    const me = await client.me();
    const team = await client.teams.create({ name: 'Payments', description: 'Money' });
    expect(await client.teams.update(team.id, { description: 'All the money' })).toMatchObject({
      description: 'All the money',
    });
    expect(await client.teams.putMember(team.id, me.id, 'manager')).toEqual({
      user_id: me.id,
      role: 'manager',
    });
    expect((await client.teams.members(team.id)).data).toEqual([{ user_id: me.id, role: 'manager' }]);
    expect(await client.teams.removeMember(team.id, me.id)).toBeUndefined();
    expect(await client.teams.delete(team.id)).toBeUndefined();
    expect(await rejection(client.teams.get(team.id))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('drives an incident through its life by number', async () => {
    const service = await client.services.create({ name: 'Lifecycle' });
    const incident = await client.incidents.create({ service_id: service.id, title: 'Queue backing up' });
    expect((await client.incidents.acknowledge(incident.number)).status).toBe('acknowledged');
    const note = await client.incidents.addNote(incident.number, 'Scaling the workers');
    expect(note).toMatchObject({ type: 'note', message: 'Scaling the workers' });
    expect((await client.incidents.resolve(incident.id, { resolution: 'Scaled' })).status).toBe('resolved');
    const timeline = await client.incidents.timeline(incident.number);
    expect(timeline.data.map((entry) => entry.type)).toEqual([
      'triggered',
      'acknowledged',
      'note',
      'resolved',
    ]);
    expect((await client.incidents.alerts(incident.number)).data).toEqual([]);
    const resolved = await client.incidents.list({ status: 'resolved', service_id: service.id });
    expect(resolved.data.map((found) => found.id)).toEqual([incident.id]);
    const audit = await client.auditLog.list({ object_id: incident.id });
    expect(audit.data.length).toBeGreaterThan(0);
  });
});
