import { createHash } from 'node:crypto';
import {
  createTestDatabase,
  engines,
  ManualClock,
  type SmtpCapture,
  startSmtpCapture,
  type TestDatabase,
} from '@vigil/testkit';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../src/runtime.js';
import { OWNER_TOKEN, PUBLIC_URL, startHarness } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const HOUR_MS = 3_600_000;

/** The `vigil_session=…` pair of a Set-Cookie header, ready to send back as a Cookie header. */
function sessionCookie(response: LightMyRequestResponse): string {
  const header = [response.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('vigil_session='));
  if (!header) throw new Error(`no session cookie in ${JSON.stringify(response.headers)}`);
  return header.split(';')[0]!;
}

describe.each(engines)('browser sign-in on %s', (engine) => {
  let db: TestDatabase;
  let runtime: Runtime;
  let smtp: SmtpCapture;
  const clock = new ManualClock('2026-03-08T06:00:00Z');
  let ipCounter = 0;
  /** Each test signs in from its own address, so the per-IP limit of one test never touches another. */
  const freshIp = () => `10.0.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

  /** inject() with no credentials unless given: `token` for Bearer, `cookie` for a session. */
  const call = (
    options: InjectOptions & { token?: string; cookie?: string; csrf?: string; ip?: string },
  ): Promise<LightMyRequestResponse> => {
    const { token, cookie, csrf, ip, headers, ...rest } = options;
    return runtime.app.inject({
      ...rest,
      ...(ip ? { remoteAddress: ip } : {}),
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(cookie ? { cookie } : {}),
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
        ...headers,
      },
    });
  };

  const login = (email: string, password: string, ip = freshIp()) =>
    call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, ip });

  /** Signs in and returns the cookie and the CSRF token of the new session. */
  async function signIn(email: string, password = PASSWORD) {
    const response = await login(email, password);
    expect(response.statusCode, response.body).toBe(200);
    return { cookie: sessionCookie(response), csrf: response.json().csrf_token as string };
  }

  async function createUser(email: string, role = 'responder', password: string | null = PASSWORD) {
    const response = await call({
      method: 'POST',
      url: '/api/v1/users',
      token: OWNER_TOKEN,
      payload: { name: email.split('@')[0], email, role, ...(password ? { password } : {}) },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; email: string };
  }

  /** The session stamp and slide are written after the answer; give them a moment. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    db = await createTestDatabase(engine);
    runtime = await startRuntime(
      {
        dataDir: db.dataDir,
        databaseUrl: db.databaseUrl,
        publicUrl: PUBLIC_URL,
        secretKey: Buffer.alloc(32, 9),
        bootstrapToken: OWNER_TOKEN,
        testClock: false,
        webDir: null,
        channels: { outboundAllow: [], smtp: { url: smtp.url, from: 'Vigil <vigil@vigil.test>' } },
      },
      { clock },
    );
  });
  afterAll(async () => {
    await runtime.close();
    await db.drop();
    await smtp.close();
  });

  it('signs in with e-mail and password: an HttpOnly SameSite cookie that authenticates the API', async () => {
    const ana = await createUser('ana@example.com');
    const response = await login('Ana@Example.com', PASSWORD);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.user).toMatchObject({ id: ana.id, email: 'ana@example.com', has_password: true });
    expect(body.user).not.toHaveProperty('password_hash');
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // 12 hours without a request; the absolute limit is 30 days.
    expect(body.expires_at).toBe(new Date(clock.now().getTime() + 12 * HOUR_MS).toISOString());

    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/^vigil_session=[A-Za-z0-9_-]{32}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain(`Max-Age=${30 * 24 * 3600}`);
    expect(setCookie).not.toContain('Secure'); // the public URL is http
    expect(response.headers['cache-control']).toBe('no-store');

    const cookie = sessionCookie(response);
    const me = await call({ method: 'GET', url: '/api/v1/me', cookie });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json().email).toBe('ana@example.com');

    const session = await call({ method: 'GET', url: '/api/v1/auth/session', cookie });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ user: { id: ana.id }, csrf_token: body.csrf_token });

    // Only the SHA-256 of the token is stored.
    const token = cookie.slice('vigil_session='.length);
    const row = await runtime.store.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', ana.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('answers a wrong password and an unknown e-mail alike: 401 INVALID_CREDENTIALS, same words', async () => {
    await createUser('bo@example.com');
    await createUser('nopass@example.com', 'responder', null);
    const wrongPassword = await login('bo@example.com', 'not the password at all');
    const unknownEmail = await login('nobody@example.com', PASSWORD);
    const noPassword = await login('nopass@example.com', PASSWORD);
    for (const response of [wrongPassword, unknownEmail, noPassword]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect(unknownEmail.json()).toEqual(wrongPassword.json());
    expect(noPassword.json()).toEqual(wrongPassword.json());
    expect(wrongPassword.json().code).toBe('INVALID_CREDENTIALS');

    const anonymous = await call({ method: 'GET', url: '/api/v1/auth/session' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('UNAUTHENTICATED');
  });

  it('needs X-CSRF-Token on writes through the cookie; Bearer requests need none', async () => {
    await createUser('cy@example.com', 'admin');
    const { cookie, csrf } = await signIn('cy@example.com');

    const without = await call({
      method: 'POST',
      url: '/api/v1/teams',
      cookie,
      payload: { name: 'Payments' },
    });
    expect(without.statusCode).toBe(403);
    expect(without.json().code).toBe('CSRF_FAILED');

    const wrong = await call({
      method: 'POST',
      url: '/api/v1/teams',
      cookie,
      csrf: `${csrf.slice(0, -2)}xx`,
      payload: { name: 'Payments' },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('CSRF_FAILED');

    const right = await call({
      method: 'POST',
      url: '/api/v1/teams',
      cookie,
      csrf,
      payload: { name: 'Payments' },
    });
    expect(right.statusCode, right.body).toBe(201);
    // Reads need no token.
    expect((await call({ method: 'GET', url: '/api/v1/teams', cookie })).statusCode).toBe(200);

    // The token of one session is worth nothing for another.
    const other = await signIn('cy@example.com');
    const crossed = await call({
      method: 'POST',
      url: '/api/v1/teams',
      cookie: other.cookie,
      csrf,
      payload: { name: 'Crossed' },
    });
    expect(crossed.json().code).toBe('CSRF_FAILED');

    const bearer = await call({
      method: 'POST',
      url: '/api/v1/teams',
      token: OWNER_TOKEN,
      payload: { name: 'Billing' },
    });
    expect(bearer.statusCode, bearer.body).toBe(201);
    // A request with an Authorization header is judged by it alone, cookie or not.
    const both = await call({
      method: 'POST',
      url: '/api/v1/teams',
      token: OWNER_TOKEN,
      cookie,
      payload: { name: 'Search' },
    });
    expect(both.statusCode).toBe(201);
    expect(both.json().name).toBe('Search');
  });

  it('acts with the role of the session’s user', async () => {
    await createUser('di@example.com', 'observer');
    const { cookie, csrf } = await signIn('di@example.com');
    const refused = await call({
      method: 'POST',
      url: '/api/v1/teams',
      cookie,
      csrf,
      payload: { name: 'X' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('FORBIDDEN');
    expect((await call({ method: 'GET', url: '/api/v1/teams', cookie })).statusCode).toBe(200);
  });

  it('signs out: the cookie is cleared and stops working', async () => {
    await createUser('ed@example.com');
    const { cookie, csrf } = await signIn('ed@example.com');

    const noToken = await call({ method: 'POST', url: '/api/v1/auth/logout', cookie, payload: {} });
    expect(noToken.statusCode).toBe(403);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie })).statusCode).toBe(200);

    const out = await call({ method: 'POST', url: '/api/v1/auth/logout', cookie, csrf, payload: {} });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^vigil_session=; .*Max-Age=0/);

    const after = await call({ method: 'GET', url: '/api/v1/me', cookie });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('UNAUTHENTICATED');
    expect(String(after.headers['set-cookie'])).toContain('Max-Age=0');
    // Signing out again (or without a session) is harmless.
    expect((await call({ method: 'POST', url: '/api/v1/auth/logout', payload: {} })).statusCode).toBe(204);
  });

  it('signs out everywhere, with a session or with an API key', async () => {
    const fay = await createUser('fay@example.com');
    const first = await signIn('fay@example.com');
    const second = await signIn('fay@example.com');
    const bystander = await signIn('ana@example.com');

    const everywhere = await call({
      method: 'POST',
      url: '/api/v1/auth/logout-everywhere',
      cookie: first.cookie,
      csrf: first.csrf,
      payload: {},
    });
    expect(everywhere.statusCode).toBe(204);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie: first.cookie })).statusCode).toBe(401);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie: second.cookie })).statusCode).toBe(401);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie: bystander.cookie })).statusCode).toBe(200);

    const key = await call({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: OWNER_TOKEN,
      payload: { name: 'fay cli', user_id: fay.id },
    });
    const third = await signIn('fay@example.com');
    const byKey = await call({
      method: 'POST',
      url: '/api/v1/auth/logout-everywhere',
      token: key.json().token,
      payload: {},
    });
    expect(byKey.statusCode).toBe(204);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie: third.cookie })).statusCode).toBe(401);
    // API keys stay valid.
    expect((await call({ method: 'GET', url: '/api/v1/me', token: key.json().token })).statusCode).toBe(200);
    const audit = await call({
      method: 'GET',
      url: `/api/v1/audit-log?object_id=${fay.id}`,
      token: OWNER_TOKEN,
    });
    const actions = (audit.json().data as { action: string }[]).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['session.login', 'session.logout_everywhere']));
  });

  it('refuses sign-in for an address after 10 failures in 15 minutes: 429 with Retry-After', async () => {
    await createUser('gus@example.com');
    for (let attempt = 0; attempt < 10; attempt++) {
      const response = await login('gus@example.com', `wrong password ${attempt}`);
      expect(response.statusCode).toBe(401);
    }
    // From any address, with the right password too: the lock is checked before the password.
    const locked = await login('GUS@example.com', PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // Other people are not locked out.
    expect((await login('ana@example.com', PASSWORD)).statusCode).toBe(200);

    clock.advance(15 * 60_000 + 1_000);
    expect((await login('gus@example.com', PASSWORD)).statusCode).toBe(200);
  });

  it('refuses sign-in from one IP after 30 failures in 15 minutes, whatever the address', async () => {
    const ip = freshIp();
    for (let attempt = 0; attempt < 30; attempt++) {
      expect((await login(`guess${attempt}@example.com`, 'some password', ip)).statusCode).toBe(401);
    }
    const locked = await login('ana@example.com', PASSWORD, ip);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
    expect((await login('ana@example.com', PASSWORD)).statusCode).toBe(200);
    clock.advance(15 * 60_000 + 1_000);
  });

  it('ends a session after 12 idle hours, slides it with use, and ends it when the user is deactivated', async () => {
    const hal = await createUser('hal@example.com');
    const { cookie } = await signIn('hal@example.com');
    for (let i = 0; i < 3; i++) {
      clock.advance(11 * HOUR_MS);
      expect((await call({ method: 'GET', url: '/api/v1/me', cookie })).statusCode).toBe(200);
      await settle();
    }
    const session = await call({ method: 'GET', url: '/api/v1/auth/session', cookie });
    expect(session.json().expires_at).toBe(new Date(clock.now().getTime() + 12 * HOUR_MS).toISOString());
    clock.advance(12 * HOUR_MS + 1_000);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie })).statusCode).toBe(401);

    const again = await signIn('hal@example.com');
    const removed = await call({ method: 'DELETE', url: `/api/v1/users/${hal.id}`, token: OWNER_TOKEN });
    expect(removed.statusCode).toBe(204);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie: again.cookie })).statusCode).toBe(401);
    expect((await login('hal@example.com', PASSWORD)).statusCode).toBe(401);
  });

  it('a user changes their own password with the current one; other browsers are signed out', async () => {
    const ivy = await createUser('ivy@example.com');
    const here = await signIn('ivy@example.com');
    const elsewhere = await signIn('ivy@example.com');
    const patch = (payload: object) =>
      call({ method: 'PATCH', url: `/api/v1/users/${ivy.id}`, ...here, payload });

    const missing = await patch({ password: 'a brand new password' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([{ path: '/current_password', message: expect.any(String) }]);
    const wrong = await patch({ password: 'a brand new password', current_password: 'not it at all' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].path).toBe('/current_password');
    const short = await patch({ password: 'short', current_password: PASSWORD });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0].path).toBe('/password');

    const changed = await patch({ password: 'a brand new password', current_password: PASSWORD });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie: here.cookie })).statusCode).toBe(200);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie: elsewhere.cookie })).statusCode).toBe(401);
    expect((await login('ivy@example.com', PASSWORD)).statusCode).toBe(401);
    expect((await login('ivy@example.com', 'a brand new password')).statusCode).toBe(200);

    // An admin sets someone else's password without knowing the old one.
    const byAdmin = await call({
      method: 'PATCH',
      url: `/api/v1/users/${ivy.id}`,
      token: OWNER_TOKEN,
      payload: { password: 'set by the admin 123' },
    });
    expect(byAdmin.statusCode).toBe(200);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie: here.cookie })).statusCode).toBe(401);
  });

  it('resets a password by e-mail: one link, one hour, one use; every session ends', async () => {
    await createUser('jo@example.com');
    const before = await signIn('jo@example.com');

    const asked = await call({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email: 'JO@example.com' },
    });
    expect(asked.statusCode).toBe(202);
    const unknown = await call({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email: 'nobody@example.com' },
    });
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json()).toEqual(asked.json());

    const mail = await smtp.mails.waitAndTake((m) => m.envelope.rcptTo.includes('jo@example.com'));
    expect(mail.subject).toBe('[Vigil] Set a new password');
    const link = /http:\/\/vigil\.test\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text);
    expect(link, mail.text).not.toBeNull();
    const token = link![1]!;
    expect(mail.html).toContain(`/reset-password?token=${token}`);

    const confirm = (password: string, t = token) =>
      call({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token: t, password } });
    const short = await confirm('too short');
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '/password' }] });

    const done = await confirm('my new long password');
    expect(done.statusCode, done.body).toBe(204);
    expect((await call({ method: 'GET', url: '/api/v1/me', cookie: before.cookie })).statusCode).toBe(401);
    expect((await login('jo@example.com', PASSWORD)).statusCode).toBe(401);
    expect((await login('jo@example.com', 'my new long password')).statusCode).toBe(200);

    const twice = await confirm('another new password');
    expect(twice.statusCode).toBe(400);
    expect(twice.json().code).toBe('PASSWORD_RESET_INVALID');
    const madeUp = await confirm('another new password', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(madeUp.statusCode).toBe(400);
    expect(madeUp.json().code).toBe('PASSWORD_RESET_INVALID');

    // A link older than an hour is refused.
    await call({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'jo@example.com' } });
    const late = await smtp.mails.waitAndTake((m) => m.envelope.rcptTo.includes('jo@example.com'));
    const lateToken = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(late.text)![1]!;
    clock.advance(HOUR_MS + 1_000);
    const expired = await confirm('my newest long password', lateToken);
    expect(expired.statusCode).toBe(400);
    expect(expired.json().code).toBe('PASSWORD_RESET_INVALID');

    // Nothing was mailed for the unknown address.
    await settle();
    smtp.mails.assertNothingElse();
  });
});

describe.each(engines)('the setup link on %s', (engine) => {
  it('creates the owner with a password and leaves the browser signed in', async () => {
    const h = await startHarness(engine, { bootstrap: false });
    try {
      const token = new URL(h.runtime.setupUrl!).searchParams.get('token')!;
      const noPassword = await h.request({
        method: 'POST',
        url: '/setup',
        token: null,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${token}&name=Olga&email=olga%40example.com`,
      });
      expect(noPassword.statusCode).toBe(400);

      const done = await h.request({
        method: 'POST',
        url: '/setup',
        token: null,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${token}&name=Olga&email=olga%40example.com&password=correct+horse+battery`,
      });
      expect(done.statusCode, done.body).toBe(200);
      expect(done.body).toContain('<a href="/"><strong>Continue to Vigil</strong></a>');
      const apiKey = /<code>(vgl_[A-Za-z0-9_-]+)<\/code>/.exec(done.body)![1]!;
      const setCookie = String(done.headers['set-cookie']);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Lax');

      const cookie = sessionCookie(done);
      const session = await h.request({
        method: 'GET',
        url: '/api/v1/auth/session',
        token: null,
        headers: { cookie },
      });
      expect(session.statusCode).toBe(200);
      expect(session.json().user).toMatchObject({ name: 'Olga', role: 'owner', has_password: true });
      expect((await h.request({ method: 'GET', url: '/api/v1/me', token: apiKey })).statusCode).toBe(200);

      const signIn = await h.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        token: null,
        payload: { email: 'olga@example.com', password: 'correct horse battery' },
      });
      expect(signIn.statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });
});
