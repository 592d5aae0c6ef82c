import { type SlackFake, startSlackFake } from '@vigil/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_LINKS, TEST_NOTICE, testHttp, testNotice, testPage, testUpdate } from '../test-fixtures.js';
import { createSlackChannel, parseProviderId } from './slack.channel.js';
import { SLACK_ACTION_IDS } from './slack-blocks.js';

const botToken = 'xoxb-test-bot-token-1234567890';

let slack: SlackFake;
beforeAll(async () => {
  slack = await startSlackFake({ botToken, signingSecret: 'signing-secret' });
});
afterAll(() => slack.close());
afterEach(() => {
  slack.reset();
  slack.webhooks.assertNothingElse();
  slack.apiCalls.assertNothingElse();
});

const channel = (overrides: { botToken?: string; timeoutMs?: number } = {}) =>
  createSlackChannel({
    http: testHttp(),
    botToken: overrides.botToken ?? botToken,
    apiBaseUrl: slack.apiUrl,
    ...(overrides.timeoutMs === undefined ? {} : { timeoutMs: overrides.timeoutMs }),
  });

type Block = { type: string; [key: string]: any };
const buttonsOf = (blocks: Block[]) =>
  blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements.map((e: any) => e.action_id));
const fieldsOf = (blocks: Block[]) =>
  blocks.filter((b) => b.type === 'section' && b.fields).flatMap((b) => b.fields.map((f: any) => f.text));

describe('Slack app channel', () => {
  it('posts a page with the incident and Acknowledge / Resolve buttons carrying the incident id', async () => {
    const page = testPage('slack', 'C0INCIDENTS');
    const result = await channel().send(page);
    const call = await slack.apiCalls.waitAndTake();
    expect(call.method).toBe('chat.postMessage');
    expect(result).toEqual({
      outcome: 'delivered',
      reason: 'Slack posted the message',
      providerId: `C0INCIDENTS:${call.ts}`,
    });
    expect(slack.requestLog.at(-1)!.headers.authorization).toBe(`Bearer ${botToken}`);

    const { payload } = slack.message('C0INCIDENTS', call.ts);
    expect(payload.text).toBe('#42 Disk full on db-1: Triggered (Checkout)');
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '#42 Disk full on db-1', emoji: true },
    });
    expect(fieldsOf(payload.blocks)).toEqual([
      '*Status*\nTriggered',
      '*Service*\nCheckout',
      '*Urgency*\nHigh',
      '*Priority*\nP1',
    ]);
    const actions = payload.blocks.find((b: Block) => b.type === 'actions');
    expect(actions.elements.map((e: any) => [e.action_id, e.text.text, e.value])).toEqual([
      [SLACK_ACTION_IDS.acknowledge, 'Acknowledge', page.incident!.id],
      [SLACK_ACTION_IDS.resolve, 'Resolve', page.incident!.id],
    ]);
    expect(JSON.stringify(payload.blocks)).toContain(
      '<https://vigil.example.com/incidents/42|Open #42 in Vigil>',
    );
  });

  it('replaces the page in place: Resolve stays while acknowledged, no buttons once resolved', async () => {
    const page = testPage('slack', 'C0INCIDENTS');
    const posted = await channel().send(page);
    const { ts } = await slack.apiCalls.waitAndTake();

    const acked = await channel().send(
      testUpdate(page, 'acknowledged', 'Ana', { previousProviderId: posted.providerId! }),
    );
    expect(acked).toEqual({
      outcome: 'delivered',
      reason: 'Slack updated the message',
      providerId: posted.providerId,
    });
    expect((await slack.apiCalls.waitAndTake()).method).toBe('chat.update');
    let message = slack.message('C0INCIDENTS', ts);
    expect(fieldsOf(message.payload.blocks)[0]).toBe('*Status*\nAcknowledged by Ana');
    expect(buttonsOf(message.payload.blocks)).toEqual([SLACK_ACTION_IDS.resolve]);

    await channel().send(testUpdate(page, 'resolved', 'Bo', { previousProviderId: posted.providerId! }));
    await slack.apiCalls.waitAndTake();
    message = slack.message('C0INCIDENTS', ts);
    expect(message.payload.text).toBe('#42 Disk full on db-1: Resolved by Bo (Checkout)');
    expect(buttonsOf(message.payload.blocks)).toEqual([]);
    expect(message.history).toHaveLength(3);
    // Still one message in the channel: updated, not reposted.
    expect(slack.messagesIn('C0INCIDENTS').filter((m) => m.ts === ts)).toHaveLength(1);
  });

  it('posts the update anew when the original message is gone, or was never known', async () => {
    const page = testPage('slack', 'C0GONE');
    const gone = await channel().send(
      testUpdate(page, 'acknowledged', 'Ana', { previousProviderId: 'C0GONE:1.000001' }),
    );
    expect(gone.outcome).toBe('delivered');
    expect(slack.apiCalls.all.at(-1)!.method).toBe('chat.postMessage');
    slack.apiCalls.take((c) => c.method === 'chat.postMessage');

    await channel().send(testUpdate(page, 'acknowledged', 'Ana'));
    const followUp = await slack.apiCalls.waitAndTake();
    expect(followUp.method).toBe('chat.postMessage');
    expect(followUp.payload.text).toBe('#42 Disk full on db-1: Acknowledged by Ana (Checkout)');
    expect(buttonsOf(followUp.payload.blocks)).toEqual([SLACK_ACTION_IDS.resolve]);
  });

  it('maps ok:false errors: invalid_auth and channel_not_found permanent, ratelimited temporary', async () => {
    const badToken = 'xoxb-wrong-token-0987654321';
    const unauthorized = await channel({ botToken: badToken }).send(testPage('slack', 'C0INCIDENTS'));
    expect(unauthorized).toEqual({
      outcome: 'permanent',
      reason: 'Slack refused chat.postMessage: invalid_auth',
    });

    slack.failNext(1, { status: 200, body: { ok: false, error: 'channel_not_found' } });
    expect(await channel().send(testPage('slack', 'C0MISSING'))).toEqual({
      outcome: 'permanent',
      reason: 'Slack refused chat.postMessage: channel_not_found',
    });

    slack.failNext(1, {
      status: 200,
      body: { ok: false, error: 'ratelimited' },
      headers: { 'retry-after': '4' },
    });
    expect(await channel().send(testPage('slack', 'C0INCIDENTS'))).toEqual({
      outcome: 'temporary',
      reason: 'Slack refused chat.postMessage: ratelimited',
      retryAfterMs: 4_000,
    });
  });

  it('maps HTTP 429 and 503 to temporary, and a hang to a temporary timeout', async () => {
    slack.failNext(1, { status: 429, retryAfterSeconds: 30 });
    expect(await channel().send(testPage('slack', 'C0INCIDENTS'))).toMatchObject({
      outcome: 'temporary',
      retryAfterMs: 30_000,
      reason: expect.stringMatching(/^Slack answered HTTP 429/),
    });
    slack.failNext(1, { status: 503 });
    expect((await channel().send(testPage('slack', 'C0INCIDENTS'))).outcome).toBe('temporary');

    slack.hangNext(1);
    const hung = await channel({ timeoutMs: 200 }).send(testPage('slack', 'C0INCIDENTS'));
    expect(hung.outcome).toBe('temporary');
    expect(hung.reason).toMatch(/did not respond within 200 ms/);
  });

  it('posts a notice: the title in bold, the body, a link into Vigil and no incident buttons', async () => {
    const result = await channel().send(testNotice('slack', 'U024BE7LH'));
    expect(result.outcome).toBe('delivered');
    const call = await slack.apiCalls.waitAndTake();
    expect(call.method).toBe('chat.postMessage');
    expect(call.payload.text).toBe('You are on call for Payments');
    expect(call.payload.blocks).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*You are on call for Payments*\nFrom now until Mon 9 Mar 09:00 (Europe/London).\nBo hands over to you.',
        },
      },
      {
        type: 'actions',
        block_id: 'vigil_notice',
        elements: [
          {
            type: 'button',
            action_id: 'vigil_open_link',
            text: { type: 'plain_text', text: 'Open in Vigil', emoji: true },
            url: TEST_NOTICE.url,
          },
        ],
      },
    ]);
    expect(buttonsOf(call.payload.blocks)).not.toContain(SLACK_ACTION_IDS.acknowledge);

    expect(await channel().send(testNotice('slack', 'C0INCIDENTS', { notice: undefined }))).toEqual({
      outcome: 'permanent',
      reason: 'the notice message has no notice',
    });
  });

  it('reads back its provider ids', () => {
    expect(parseProviderId('D0123ABC:1712345678.000100')).toEqual({
      channel: 'D0123ABC',
      ts: '1712345678.000100',
    });
    expect(parseProviderId('garbage')).toBeUndefined();
    expect(parseProviderId(undefined)).toBeUndefined();
  });
});

describe('Slack incoming webhook', () => {
  it('posts a page with link buttons to the signed pages', async () => {
    const url = slack.webhookUrl();
    const result = await channel().send(testPage('slack', url));
    expect(result).toEqual({ outcome: 'delivered', reason: 'Slack answered HTTP 200' });
    const post = await slack.webhooks.waitAndTake();
    expect(post.payload.text).toBe('#42 Disk full on db-1: Triggered (Checkout)');
    const actions = post.payload.blocks.find((b: Block) => b.type === 'actions');
    expect(actions.elements.map((e: any) => [e.text.text, e.url])).toEqual([
      ['Acknowledge', TEST_LINKS.acknowledge],
      ['Resolve', TEST_LINKS.resolve],
    ]);
  });

  it('follows up on an update with a short message, since webhooks cannot edit', async () => {
    const url = slack.webhookUrl();
    const page = testPage('slack', url);
    await channel().send(testUpdate(page, 'acknowledged', 'Ana'));
    await channel().send(testUpdate(page, 'resolved', 'Ana'));
    const acked = await slack.webhooks.waitAndTake();
    expect(acked.payload.blocks[0].text.text).toBe(
      '*<https://vigil.example.com/incidents/42|#42 Disk full on db-1>*: Acknowledged by Ana',
    );
    expect(buttonsOf(acked.payload.blocks)).toEqual(['vigil_resolve_link']);
    const resolved = await slack.webhooks.waitAndTake();
    expect(resolved.payload.text).toBe('#42 Disk full on db-1: Resolved by Ana (Checkout)');
    expect(buttonsOf(resolved.payload.blocks)).toEqual([]);
  });

  it('posts a notice, escaped, with a link only when it has one', async () => {
    const url = slack.webhookUrl();
    await channel().send(testNotice('slack', url));
    await channel().send(
      testNotice('slack', url, {
        notice: { title: 'Payments <EU> has nobody on call', body: 'Sat 14 Mar 02:00–06:00 & later' },
      }),
    );
    const handOff = await slack.webhooks.waitAndTake();
    expect(handOff.payload.blocks[0].text.text).toBe(
      '*You are on call for Payments*\nFrom now until Mon 9 Mar 09:00 (Europe/London).\nBo hands over to you.',
    );
    expect(buttonsOf(handOff.payload.blocks)).toEqual(['vigil_open_link']);
    const gap = await slack.webhooks.waitAndTake();
    expect(gap.payload.blocks).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Payments &lt;EU&gt; has nobody on call*\nSat 14 Mar 02:00–06:00 &amp; later',
        },
      },
    ]);
    expect(await channel().send(testNotice('slack', url, { notice: undefined }))).toEqual({
      outcome: 'permanent',
      reason: 'the notice message has no notice',
    });
  });

  it('maps errors without ever showing the webhook URL', async () => {
    const url = slack.webhookUrl('T0VIGIL/B0VIGIL/supersecretwebhooktoken');
    slack.failNext(1, { status: 404, body: 'channel_not_found' });
    const missing = await channel().send(testPage('slack', url));
    expect(missing).toEqual({ outcome: 'permanent', reason: 'Slack answered HTTP 404: channel_not_found' });

    slack.failNext(1, { status: 429, retryAfterSeconds: 1 });
    expect(await channel().send(testPage('slack', url))).toMatchObject({
      outcome: 'temporary',
      retryAfterMs: 1_000,
    });

    slack.redirectNext(1, `${url}/elsewhere`);
    const redirected = await channel().send(testPage('slack', url));
    expect(redirected.outcome).toBe('permanent');
    expect(redirected.reason).toMatch(/redirects are not followed/);
    expect(redirected.reason).not.toContain('supersecretwebhooktoken');
  });
});

describe('Slack addresses', () => {
  it('takes webhook URLs always, and ids only with the app configured', async () => {
    const withApp = channel();
    const withoutApp = createSlackChannel({ http: testHttp() });
    expect(withApp.checkAddress(slack.webhookUrl())).toBeNull();
    expect(withoutApp.checkAddress('https://hooks.slack.com/services/T/B/x')).toBeNull();
    expect(withApp.checkAddress('C0INCIDENTS')).toBeNull();
    expect(withApp.checkAddress('U024BE7LH')).toBeNull();
    expect(withoutApp.checkAddress('C0INCIDENTS')).toMatch(/needs the Slack app/);
    for (const bad of [
      '#incidents',
      'c0lower',
      'ftp://hooks.slack.com/x',
      'https://user:pw@hooks.slack.com/x',
    ])
      expect(withApp.checkAddress(bad), bad).not.toBeNull();
    expect(withoutApp.capabilities.updatesInPlace).toBe(false);
    expect(withApp.capabilities.updatesInPlace).toBe(true);
    expect((await withoutApp.send(testPage('slack', 'C0INCIDENTS'))).outcome).toBe('permanent');
  });
});
