import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PagingHarness, servicePaging, startPagingHarness, trigger } from './paging-harness.js';

/**
 * Slack as a responder uses it: a page with buttons in a DM, the Acknowledge button pressed, the
 * message changing in place; and `/vigil oncall`. Requests are signed by the Slack-like fake exactly
 * as Slack signs them; a stale or forged one changes nothing.
 */
describe.each(engines)('Slack, end to end, on %s', (engine) => {
  let h: PagingHarness;
  let ana: { id: string };

  beforeAll(async () => {
    h = await startPagingHarness(engine);
    ana = await h.api('POST', '/api/v1/users', { name: 'Ana', email: 'ana@example.com', role: 'responder' });
    await h.api('POST', `/api/v1/users/${ana.id}/contact-methods`, { type: 'slack', address: 'UANA00001' });
    await h.api('POST', '/api/v1/schedules', {
      name: 'Primary',
      time_zone: 'UTC',
      layers: [
        {
          name: 'weekly',
          users: [ana.id],
          rotation: { type: 'weekly', shift_length: 1, handoff_at: '2026-03-02T09:00' },
        },
      ],
    });
  });
  afterAll(() => h?.close());

  it('acknowledges from the button, and the message says so in place', async () => {
    const { routingKey } = await servicePaging(h, 'Search', [ana.id]);
    await trigger(h, routingKey, 'search-down', 'Search is down');
    await h.cycle();
    const page = h.slack.apiCalls.take((c) => c.method === 'chat.postMessage' && c.channel === 'UANA00001');
    const toUrl = `${h.url}/webhooks/slack/interactions`;
    const click = { toUrl, message: page, actionId: 'vigil_ack', userId: 'UANA00001', userName: 'ana' };

    const stale = await h.slack.clickButton({ ...click, staleTimestamp: true });
    expect(stale.status).toBe(401);
    const forged = await h.slack.clickButton({ ...click, badSignature: true });
    expect(forged.status).toBe(401);
    expect((await h.api('GET', '/api/v1/incidents/1')).status).toBe('triggered');

    const pressed = await h.slack.clickButton(click);
    expect(pressed.status).toBe(200);
    expect((await h.api('GET', '/api/v1/incidents/1')).status).toBe('acknowledged');
    await h.cycle();
    h.slack.apiCalls.take((c) => c.method === 'chat.update' && c.ts === page.ts);
    const message = JSON.stringify(h.slack.message(page.channel, page.ts).payload);
    expect(message).toContain('Acknowledged by Ana');
    expect(message).not.toContain('vigil_ack');
    expect(message).toContain('vigil_resolve');
    h.assertQuiet();
  });

  it('answers /vigil oncall', async () => {
    const res = await h.slack.slashCommand({
      toUrl: `${h.url}/webhooks/slack/commands`,
      command: '/vigil',
      text: 'oncall',
      userId: 'UANA00001',
    });
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('*Primary*: Ana (weekly)');
  });
});
