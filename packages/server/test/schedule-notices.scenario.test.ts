import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PagingHarness, startPagingHarness } from './paging-harness.js';

/**
 * What a schedule tells people without an incident: the incoming and outgoing person at a hand-off,
 * the schedule's owners about gaps in the next 14 days, and colleagues about cover requests. All by
 * e-mail here (notices never go by SMS or phone); any other message fails the test.
 */
describe.each(engines)('schedule notices on %s', (engine) => {
  let h: PagingHarness;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startPagingHarness(engine);
    for (const [name, role] of [
      ['ana', 'responder'],
      ['ben', 'responder'],
      ['maya', 'manager'],
    ] as const) {
      const user = await h.api('POST', '/api/v1/users', { name, email: `${name}@example.com`, role });
      ids[name] = user.id;
      await h.verifiedContact(user.id, 'email', `${name}@example.com`);
      await h.api('POST', `/api/v1/users/${user.id}/contact-methods`, {
        type: 'sms',
        address: `+1555000010${name.length}`,
      });
      await h.cycle();
      h.twilio.messages.take(); // the verification code, left unanswered: SMS must not get notices anyway
    }
    h.assertQuiet();
  });
  afterAll(() => h?.close());

  const mailTo = (name: string) =>
    h.smtp.mails.waitAndTake((m) => m.to.includes(`${name}@example.com`), { timeoutMs: 2_000 });

  it('tells the incoming and the outgoing person at each hand-off, in the schedule’s zone', async () => {
    // Daily at 09:00 London: ben has Saturday 7 March, ana Sunday 8 March (the clock is 06:00Z on the 8th).
    await h.api('POST', '/api/v1/schedules', {
      name: 'Payments',
      time_zone: 'Europe/London',
      layers: [
        {
          name: 'daily',
          users: [ids.ana, ids.ben],
          rotation: { type: 'daily', shift_length: 1, handoff_at: '2026-03-02T09:00' },
        },
      ],
    });
    await h.cycle();
    h.assertQuiet(); // nothing about the past, and no gaps
    h.clock.advance(3 * 60 * 60_000); // 09:00
    await h.cycle();
    const incoming = await mailTo('ana');
    expect(incoming.subject).toContain('You are on call for Payments');
    expect(incoming.text).toContain('From 2026-03-08 09:00 until 2026-03-09 09:00 (Europe/London)');
    expect(incoming.text).toContain('You take over from ben');
    const outgoing = await mailTo('ben');
    expect(outgoing.subject).toContain('Your on-call shift for Payments has ended');
    h.assertQuiet();
    h.clock.advance(60 * 60_000);
    await h.cycle();
    h.assertQuiet();
  });

  it('warns the schedule’s owners of gaps in the next 14 days, once', async () => {
    const team = await h.api('POST', '/api/v1/teams', { name: 'Office' });
    await h.api('PUT', `/api/v1/teams/${team.id}/members/${ids.maya}`, { role: 'manager' });
    await h.api('POST', '/api/v1/schedules', {
      name: 'Office hours',
      time_zone: 'Europe/Berlin',
      team_id: team.id,
      layers: [
        {
          name: 'weekdays',
          users: [ids.ana],
          rotation: { type: 'weekly', shift_length: 1, handoff_at: '2026-03-02T09:00' },
          restrictions: [{ type: 'daily', start_time: '09:00', end_time: '17:00' }],
        },
      ],
    });
    h.clock.advance(60_000);
    await h.cycle();
    const warning = await mailTo('maya');
    expect(warning.subject).toContain('Office hours has nobody on call 14 times in the next 14 days');
    expect(warning.text).toContain('Gaps (Europe/Berlin): 2026-03-08 17:00 to 2026-03-09 09:00');
    h.assertQuiet();
    h.clock.advance(7 * 60 * 60_000); // checked again, the same gaps: no second warning
    await h.cycle();
    h.assertQuiet();
  });

  it('tells colleagues about a cover request and confirms to both when one takes it', async () => {
    const schedule = (await h.api('GET', '/api/v1/schedules')).data.find(
      (s: { name: string }) => s.name === 'Payments',
    );
    const start = new Date(h.clock.now().getTime() + 24 * 3600_000).toISOString();
    const end = new Date(h.clock.now().getTime() + 30 * 3600_000).toISOString();
    const ana = (await h.api('POST', '/api/v1/api-keys', { name: 'ana', user_id: ids.ana })).token;
    const ben = (await h.api('POST', '/api/v1/api-keys', { name: 'ben', user_id: ids.ben })).token;
    const as = (token: string, method: string, url: string, payload?: object) =>
      h.runtime.app.inject({
        method: method as 'POST',
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
    const ask = await as(ana, 'POST', `/api/v1/schedules/${schedule.id}/cover-requests`, {
      start,
      end,
      message: 'dentist',
    });
    expect(ask.statusCode).toBe(201);
    await h.cycle();
    const asked = await mailTo('ben');
    expect(asked.subject).toContain('ana asks for cover on Payments');
    expect(asked.text).toContain('"dentist"');
    h.assertQuiet();
    expect((await as(ben, 'POST', `/api/v1/shift-requests/${ask.json().id}/accept`)).statusCode).toBe(200);
    await h.cycle();
    expect((await mailTo('ana')).subject).toContain('ben took the cover request');
    expect((await mailTo('ben')).subject).toContain('ben took the cover request');
    h.assertQuiet();
  });
});
