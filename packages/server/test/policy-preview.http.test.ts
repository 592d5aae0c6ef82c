import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

/** GET /escalation-policies/{id}/preview: who each step would page now, and who could not be reached. */
describe.each(engines)('policy preview (%s)', (engine) => {
  let h: Harness;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness(engine);
    for (const name of ['ana', 'ben', 'cy']) {
      const user = await h.request({
        method: 'POST',
        url: '/api/v1/users',
        payload: { name, email: `${name}@example.com`, role: 'responder' },
      });
      ids[name] = user.json().id;
    }
    // Ana can be paged (a webhook needs no verification); Ben has only an unverified SMS; Cy has nothing.
    const hook = await h.request({
      method: 'POST',
      url: `/api/v1/users/${ids.ana}/contact-methods`,
      payload: { type: 'webhook', address: 'https://hooks.example/ana' },
    });
    expect(hook.statusCode, hook.body).toBe(201);
    const sms = await h.request({
      method: 'POST',
      url: `/api/v1/users/${ids.ben}/contact-methods`,
      payload: { type: 'sms', address: '+15555550100' },
    });
    expect(sms.statusCode, sms.body).toBe(201);
    const team = await h.request({ method: 'POST', url: '/api/v1/teams', payload: { name: 'Payments' } });
    ids.team = team.json().id;
    for (const member of ['ben', 'cy']) {
      const put = await h.request({
        method: 'PUT',
        url: `/api/v1/teams/${ids.team}/members/${ids[member]}`,
        payload: { role: 'responder' },
      });
      expect(put.statusCode, put.body).toBe(200);
    }
    const schedule = await h.request({
      method: 'POST',
      url: '/api/v1/schedules',
      payload: {
        name: 'Primary',
        time_zone: 'Europe/Berlin',
        layers: [
          {
            name: 'weekly',
            users: [ids.ana, ids.ben],
            rotation: { type: 'weekly', shift_length: 1, handoff_at: '2026-03-02T09:00' },
          },
        ],
      },
    });
    expect(schedule.statusCode, schedule.body).toBe(201);
    ids.schedule = schedule.json().id;
  });
  afterAll(() => h.close());

  it('shows each step’s people now, with why someone cannot be reached', async () => {
    const policy = await h.request({
      method: 'POST',
      url: '/api/v1/escalation-policies',
      payload: {
        name: 'Payments',
        steps: [
          { delay_minutes: 5, targets: [{ type: 'schedule', id: ids.schedule }] },
          { delay_minutes: 10, targets: [{ type: 'team', id: ids.team }] },
        ],
      },
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const observer = await h.tokenFor('observer');
    const preview = await h.request({
      method: 'GET',
      url: `/api/v1/escalation-policies/${policy.json().id}/preview`,
      token: observer,
    });
    expect(preview.statusCode, preview.body).toBe(200);
    // The harness clock is Sunday 2026-03-08 06:00Z: Ana's week (from Monday 2 March 09:00 Berlin).
    expect(preview.json()).toEqual({
      at: '2026-03-08T06:00:00.000Z',
      steps: [
        {
          index: 0,
          delay_minutes: 5,
          targets: [
            {
              type: 'schedule',
              id: ids.schedule,
              name: 'Primary',
              people: [{ id: ids.ana, name: 'ana', reachable: true, reason: null }],
            },
          ],
        },
        {
          index: 1,
          delay_minutes: 10,
          targets: [
            {
              type: 'team',
              id: ids.team,
              name: 'Payments',
              people: [
                { id: ids.ben, name: 'ben', reachable: false, reason: 'has no verified contact method' },
                { id: ids.cy, name: 'cy', reachable: false, reason: 'has no contact method' },
              ],
            },
          ],
        },
      ],
    });
    const missing = await h.request({ method: 'GET', url: '/api/v1/escalation-policies/nope/preview' });
    expect(missing.statusCode).toBe(404);
  });

  it('gives the web app the push key, or null when push is not configured', async () => {
    const stakeholder = await h.tokenFor('stakeholder');
    const key = await h.request({ method: 'GET', url: '/api/v1/push/public-key', token: stakeholder });
    expect(key.statusCode).toBe(200);
    expect(key.json()).toEqual({ public_key: null });
  });
});
