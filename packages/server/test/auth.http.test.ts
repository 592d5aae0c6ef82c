import { createHash } from 'node:crypto';
import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe.each(engines)('API keys, users and roles on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('the bootstrap token is the owner’s key', async () => {
    const me = await h.request({ method: 'GET', url: '/api/v1/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ name: 'admin', role: 'owner' });
  });

  it('shows a new key once, stores only its SHA-256, and records when it was last used', async () => {
    const created = await h.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'ci robot' },
    });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key.token).toMatch(/^vgl_[A-Za-z0-9_-]{27}$/);
    expect(key.token_prefix).toBe(key.token.slice(0, 12));
    const row = await h.runtime.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(key.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key.token);

    const listed = await h.request({ method: 'GET', url: '/api/v1/api-keys' });
    expect(JSON.stringify(listed.json())).not.toContain(key.token);

    h.clock.advance(5_000);
    expect((await h.request({ method: 'GET', url: '/api/v1/me', token: key.token })).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the stamp is written after the answer
    const used = await h.runtime.store.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    expect(used.last_used_at).toBe(h.clock.now().toISOString());
  });

  it('refuses a revoked key and an expired key with 401', async () => {
    const key = (
      await h.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: 'short-lived', expires_at: '2026-03-08T07:00:00Z' },
      })
    ).json();
    expect((await h.request({ method: 'GET', url: '/api/v1/me', token: key.token })).statusCode).toBe(200);
    h.clock.set('2026-03-08T07:00:01Z');
    expect((await h.request({ method: 'GET', url: '/api/v1/me', token: key.token })).statusCode).toBe(401);

    const other = (
      await h.request({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'revoke me' } })
    ).json();
    expect((await h.request({ method: 'DELETE', url: `/api/v1/api-keys/${other.id}` })).statusCode).toBe(204);
    const refused = await h.request({ method: 'GET', url: '/api/v1/me', token: other.token });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('UNAUTHENTICATED');
  });

  it('a key never acts above its owner, and nobody grants a role above their own', async () => {
    const managerToken = await h.tokenFor('manager');
    const weaker = await h.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: managerToken,
      payload: { name: 'read only', role: 'observer' },
    });
    expect(weaker.statusCode).toBe(201);
    const write = await h.request({
      method: 'POST',
      url: '/api/v1/services',
      token: weaker.json().token,
      payload: { name: 'Nope' },
    });
    expect(write.statusCode).toBe(403);

    const stronger = await h.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: managerToken,
      payload: { name: 'sneaky', role: 'admin' },
    });
    expect(stronger.statusCode).toBe(400);
    expect(stronger.json().errors[0].path).toBe('/role');

    const adminToken = await h.tokenFor('admin');
    const owner = await h.request({
      method: 'POST',
      url: '/api/v1/users',
      token: adminToken,
      payload: { name: 'O', email: 'o@example.com', role: 'owner' },
    });
    expect(owner.statusCode).toBe(403);
  });

  it('people edit themselves; only admins edit others; the last owner stays an owner', async () => {
    const responderToken = await h.tokenFor('responder');
    const me = (await h.request({ method: 'GET', url: '/api/v1/me', token: responderToken })).json();
    const renamed = await h.request({
      method: 'PATCH',
      url: `/api/v1/users/${me.id}`,
      token: responderToken,
      payload: { name: 'Renamed', time_zone: 'Europe/Berlin' },
    });
    expect(renamed.json()).toMatchObject({ name: 'Renamed', time_zone: 'Europe/Berlin', role: 'responder' });
    const promote = await h.request({
      method: 'PATCH',
      url: `/api/v1/users/${me.id}`,
      token: responderToken,
      payload: { role: 'admin' },
    });
    expect(promote.statusCode).toBe(403);

    const owner = (await h.request({ method: 'GET', url: '/api/v1/me' })).json();
    const other = await h.request({
      method: 'PATCH',
      url: `/api/v1/users/${owner.id}`,
      token: responderToken,
      payload: { name: 'Hacked' },
    });
    expect(other.statusCode).toBe(403);
    const demote = await h.request({
      method: 'PATCH',
      url: `/api/v1/users/${owner.id}`,
      payload: { role: 'admin' },
    });
    expect(demote.statusCode).toBe(409);
  });

  it('deactivating a user revokes their keys; their name stays on the record', async () => {
    const observerToken = await h.tokenFor('observer');
    const observer = (await h.request({ method: 'GET', url: '/api/v1/me', token: observerToken })).json();
    expect((await h.request({ method: 'DELETE', url: `/api/v1/users/${observer.id}` })).statusCode).toBe(204);
    expect((await h.request({ method: 'GET', url: '/api/v1/me', token: observerToken })).statusCode).toBe(
      401,
    );
    expect((await h.request({ method: 'GET', url: `/api/v1/users/${observer.id}` })).statusCode).toBe(404);
    const audit = await h.request({ method: 'GET', url: `/api/v1/audit-log?object_id=${observer.id}` });
    expect(audit.json().data.map((entry: { action: string }) => entry.action)).toEqual([
      'user.deactivate',
      'user.create',
    ]);
  });

  it('e-mail addresses are unique whatever their case', async () => {
    await h.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { name: 'Dup', email: 'Dup@Example.com', role: 'observer' },
    });
    const again = await h.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { name: 'Dup2', email: 'dup@example.COM', role: 'observer' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('teams: members with roles, names unique, a team owning services is not deleted', async () => {
    const team = (await h.request({ method: 'POST', url: '/api/v1/teams', payload: { name: 'SRE' } })).json();
    const user = (
      await h.request({
        method: 'POST',
        url: '/api/v1/users',
        payload: { name: 'M', email: 'm@example.com', role: 'responder' },
      })
    ).json();
    const put = await h.request({
      method: 'PUT',
      url: `/api/v1/teams/${team.id}/members/${user.id}`,
      payload: { role: 'manager' },
    });
    expect(put.json()).toEqual({ user_id: user.id, role: 'manager' });
    const members = await h.request({ method: 'GET', url: `/api/v1/teams/${team.id}/members` });
    expect(members.json().data).toEqual([{ user_id: user.id, role: 'manager' }]);
    expect(
      (await h.request({ method: 'POST', url: '/api/v1/teams', payload: { name: 'SRE' } })).statusCode,
    ).toBe(409);
    await h.request({
      method: 'POST',
      url: '/api/v1/services',
      payload: { name: 'Owned', team_id: team.id },
    });
    expect((await h.request({ method: 'DELETE', url: `/api/v1/teams/${team.id}` })).statusCode).toBe(409);
    expect(
      (await h.request({ method: 'DELETE', url: `/api/v1/teams/${team.id}/members/${user.id}` })).statusCode,
    ).toBe(204);
  });
});

describe.each(engines)('first start on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine, { bootstrap: false });
  });
  afterAll(() => h.close());

  it('prints a one-time setup link that creates the owner and their key', async () => {
    const setupUrl = h.runtime.setupUrl;
    expect(setupUrl).toMatch(/^http:\/\/vigil\.test\/setup\?token=[0-9a-f]{64}$/);
    const token = new URL(setupUrl!).searchParams.get('token')!;

    const form = await h.request({ method: 'GET', url: `/setup?token=${token}`, token: null });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<form method="post" action="/setup">');

    const wrong = await h.request({
      method: 'POST',
      url: '/api/v1/setup',
      token: null,
      payload: { token: 'guess', name: 'Eve', email: 'eve@example.com' },
    });
    expect(wrong.statusCode).toBe(401);

    const done = await h.request({
      method: 'POST',
      url: '/api/v1/setup',
      token: null,
      payload: { token, name: 'Olga', email: 'olga@example.com', password: 'correct horse battery' },
    });
    expect(done.statusCode).toBe(201);
    const { user, api_key } = done.json();
    expect(user).toMatchObject({ name: 'Olga', role: 'owner', has_password: true });
    const me = await h.request({ method: 'GET', url: '/api/v1/me', token: api_key.token });
    expect(me.json().email).toBe('olga@example.com');

    const again = await h.request({
      method: 'POST',
      url: '/api/v1/setup',
      token: null,
      payload: { token, name: 'Mallory', email: 'm@example.com' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('the HTML form creates the owner too (once)', async () => {
    const form = await h.request({
      method: 'POST',
      url: '/setup',
      token: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=x&name=Late&email=late%40example.com&password=correct+horse+battery',
    });
    expect(form.statusCode).toBe(409);
  });
});

describe.each(engines)('effective role of a key on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(engine);
  });
  afterAll(() => h.close());

  it('a read-only key of an owner cannot make stronger keys, promote people or revoke others’ keys', async () => {
    const weak = (
      await h.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: 'dashboard', role: 'observer' },
      })
    ).json().token;
    const escalate = await h.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      token: weak,
      payload: { name: 'escalate', role: 'owner' },
    });
    expect(escalate.statusCode).toBe(400);
    const user = (
      await h.request({
        method: 'POST',
        url: '/api/v1/users',
        payload: { name: 'U', email: 'u@example.com', role: 'responder' },
      })
    ).json();
    const promote = await h.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      token: weak,
      payload: { role: 'admin' },
    });
    expect(promote.statusCode).toBe(403);
    const other = (
      await h.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: 'other', user_id: user.id },
      })
    ).json();
    expect(
      (await h.request({ method: 'DELETE', url: `/api/v1/api-keys/${other.id}`, token: weak })).statusCode,
    ).toBe(404);
    expect((await h.request({ method: 'GET', url: '/api/v1/me', token: other.token })).statusCode).toBe(200);
  });

  it('racing creates of the same name get 201 once and 409 for the rest, never a 500', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        h.request({ method: 'POST', url: '/api/v1/teams', payload: { name: 'Racers' } }),
      ),
    );
    expect(results.map((result) => result.statusCode).sort()).toEqual([201, 409, 409, 409]);
  });

  it('racing manual creates with one dedup key open one incident', async () => {
    const service = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Race' } })
    ).json();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.request({
          method: 'POST',
          url: '/api/v1/incidents',
          payload: { service_id: service.id, title: 't', dedup_key: 'same' },
        }),
      ),
    );
    expect(results.filter((result) => result.statusCode === 201)).toHaveLength(1);
    expect(results.filter((result) => result.statusCode === 409)).toHaveLength(5);
  });

  it('acknowledge and resolve need no body; form bodies are for the setup page only', async () => {
    const service = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Bodyless' } })
    ).json();
    const incident = (
      await h.request({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: { service_id: service.id, title: 't' },
      })
    ).json();
    expect(
      (await h.request({ method: 'POST', url: `/api/v1/incidents/${incident.id}/acknowledge` })).statusCode,
    ).toBe(200);
    expect(
      (await h.request({ method: 'POST', url: `/api/v1/incidents/${incident.id}/resolve` })).json().status,
    ).toBe('resolved');
    const form = await h.request({
      method: 'POST',
      url: '/api/v1/teams',
      payload: 'name=Formed',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(415);
  });

  it('a deleted integration stops accepting but its alerts keep their history', async () => {
    const service = (
      await h.request({ method: 'POST', url: '/api/v1/services', payload: { name: 'Soft' } })
    ).json();
    const integration = (
      await h.request({
        method: 'POST',
        url: `/api/v1/services/${service.id}/integrations`,
        payload: { type: 'events_v2' },
      })
    ).json();
    const event = {
      routing_key: integration.key,
      event_action: 'trigger',
      dedup_key: 'x',
      payload: { summary: 's', source: 'h', severity: 'info' },
    };
    expect(
      (await h.request({ method: 'POST', url: '/v2/enqueue', token: null, payload: event })).statusCode,
    ).toBe(202);
    expect(
      (await h.request({ method: 'DELETE', url: `/api/v1/integrations/${integration.id}` })).statusCode,
    ).toBe(204);
    expect(
      (await h.request({ method: 'POST', url: '/v2/enqueue', token: null, payload: event })).statusCode,
    ).toBe(400);
    const alerts = (
      await h.request({ method: 'GET', url: `/api/v1/alerts?integration_id=${integration.id}` })
    ).json().data;
    expect(alerts).toHaveLength(1);
    expect((await h.request({ method: 'DELETE', url: `/api/v1/services/${service.id}` })).statusCode).toBe(
      409,
    );
  });

  it('a stakeholder reads their own contact methods and rules, not another person’s', async () => {
    const stakeholder = await h.tokenFor('stakeholder');
    const me = (await h.request({ method: 'GET', url: '/api/v1/me', token: stakeholder })).json();
    const added = await h.request({
      method: 'POST',
      url: `/api/v1/users/${me.id}/contact-methods`,
      token: stakeholder,
      payload: { type: 'webhook', address: 'https://hooks.example/stakeholder' },
    });
    expect(added.statusCode, added.body).toBe(201);
    for (const list of ['contact-methods', 'notification-rules']) {
      const own = await h.request({
        method: 'GET',
        url: `/api/v1/users/${me.id}/${list}`,
        token: stakeholder,
      });
      expect(own.statusCode, own.body).toBe(200);
      const owner = (await h.request({ method: 'GET', url: '/api/v1/me' })).json();
      const other = await h.request({
        method: 'GET',
        url: `/api/v1/users/${owner.id}/${list}`,
        token: stakeholder,
      });
      expect(other.statusCode).toBe(403);
      expect(other.json().code).toBe('FORBIDDEN');
    }
    const own = await h.request({
      method: 'GET',
      url: `/api/v1/users/${me.id}/contact-methods`,
      token: stakeholder,
    });
    expect(own.json().data.map((m: { address: string }) => m.address)).toEqual([
      'https://hooks.example/stakeholder',
    ]);
  });
});
