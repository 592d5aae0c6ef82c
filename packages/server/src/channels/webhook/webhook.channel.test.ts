import { ManualClock, startWebhookSink, type WebhookSink } from '@vigil/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '../standard-webhooks.js';
import {
  strictHttp,
  TEST_LINKS,
  TEST_NOTICE,
  testHttp,
  testNotice,
  testPage,
  testUpdate,
} from '../test-fixtures.js';
import { createWebhookChannel } from './webhook.channel.js';

const secret = generateWebhookSecret();
const clock = new ManualClock('2026-03-08T06:00:00Z');

let sink: WebhookSink;
beforeAll(async () => {
  sink = await startWebhookSink({ secret, clock });
});
afterAll(() => sink.close());
afterEach(() => {
  sink.reset();
  sink.deliveries.assertNothingElse();
});

const channel = (timeoutMs?: number) =>
  createWebhookChannel({ http: testHttp(), clock, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
const to = () => `${sink.url}/hooks/vigil`;
const withSecret = <T extends { contact: object }>(message: T): T => ({
  ...message,
  contact: { ...message.contact, secret },
});

describe('webhook channel', () => {
  it('posts a signed incident.triggered event the receiver can verify', async () => {
    const page = withSecret(testPage('webhook', to()));
    const result = await channel().send(page);
    expect(result).toEqual({ outcome: 'delivered', reason: 'the webhook answered HTTP 204' });

    const delivery = await sink.deliveries.waitAndTake();
    expect(delivery.verified).toBe(true);
    expect(delivery.webhookId).toBe(page.id);
    expect(delivery.webhookTimestamp).toBe(Math.floor(clock.now().getTime() / 1000));
    expect(delivery.path).toBe('/hooks/vigil');
    expect(delivery.json).toEqual({
      type: 'incident.triggered',
      timestamp: '2026-03-08T06:00:00.000Z',
      data: {
        incident: {
          id: page.incident!.id,
          number: 42,
          title: 'Disk full on db-1',
          status: 'triggered',
          urgency: 'high',
          priority: 'P1',
          severity: 'critical',
          service_name: 'Checkout',
          html_url: 'https://vigil.example.com/incidents/42',
          created_at: '2026-03-08T06:00:00.000Z',
          changed_by: null,
        },
        links: TEST_LINKS,
      },
    });
  });

  it('sends acknowledged and resolved events, and a test event', async () => {
    const page = withSecret(testPage('webhook', to()));
    await channel().send(testUpdate(page, 'acknowledged', 'Ana'));
    await channel().send(testUpdate(page, 'resolved', 'Ana'));
    await channel().send({ ...page, kind: 'test', incident: undefined });
    const types = [];
    for (let i = 0; i < 3; i++) {
      const delivery = await sink.deliveries.waitAndTake();
      expect(delivery.verified).toBe(true);
      types.push((delivery.json as { type: string }).type);
    }
    expect(types).toEqual(['incident.acknowledged', 'incident.resolved', 'test']);
  });

  it('posts a signed notice event with the title, body and link', async () => {
    const notice = withSecret(testNotice('webhook', to()));
    expect((await channel().send(notice)).outcome).toBe('delivered');
    await channel().send(
      withSecret(testNotice('webhook', to(), { notice: { title: 'Payments has a gap', body: 'Sat 02:00' } })),
    );
    const delivery = await sink.deliveries.waitAndTake();
    expect(delivery.verified).toBe(true);
    expect(delivery.webhookId).toBe(notice.id);
    expect(delivery.json).toEqual({
      type: 'notice',
      timestamp: '2026-03-08T06:00:00.000Z',
      data: { title: TEST_NOTICE.title, body: TEST_NOTICE.body, url: TEST_NOTICE.url },
    });
    expect((await sink.deliveries.waitAndTake()).json).toMatchObject({
      type: 'notice',
      data: { title: 'Payments has a gap', body: 'Sat 02:00', url: null },
    });
    expect(await channel().send(withSecret(testNotice('webhook', to(), { notice: undefined })))).toEqual({
      outcome: 'permanent',
      reason: 'the notice message has no notice',
    });
  });

  it('keeps webhook-id across retries; 503 and 429 are temporary', async () => {
    const page = withSecret(testPage('webhook', to()));
    sink.failNext(1, { status: 503 });
    sink.failNext(1, { status: 429, retryAfterSeconds: 9 });
    expect((await channel().send(page)).outcome).toBe('temporary');
    expect(await channel().send(page)).toMatchObject({ outcome: 'temporary', retryAfterMs: 9_000 });
    clock.advance(30_000);
    expect((await channel().send(page)).outcome).toBe('delivered');
    const attempts = sink.requestLog.slice(-3);
    expect(attempts.map((r) => r.headers['webhook-id'])).toEqual([page.id, page.id, page.id]);
    expect(attempts.map((r) => r.status)).toEqual([503, 429, 204]);
    expect((await sink.deliveries.waitAndTake()).verified).toBe(true);
  });

  it('does not follow redirects, treats 4xx as permanent and a hang as temporary', async () => {
    const page = withSecret(testPage('webhook', to()));
    sink.redirectNext(1, 'http://169.254.169.254/latest/meta-data');
    const redirected = await channel().send(page);
    expect(redirected.outcome).toBe('permanent');
    expect(redirected.reason).toMatch(/^the webhook answered HTTP 302: redirects are not followed/);
    expect(sink.requestLog.filter((r) => r.path.includes('meta-data'))).toEqual([]);

    sink.failNext(1, { status: 410, body: 'gone' });
    expect(await channel().send(page)).toEqual({
      outcome: 'permanent',
      reason: 'the webhook answered HTTP 410: gone',
    });

    sink.hangNext(1);
    const hung = await channel(200).send(page);
    expect(hung.outcome).toBe('temporary');
    expect(hung.reason).toMatch(/did not respond within 200 ms/);
  });

  it('refuses what it cannot sign or may not call', async () => {
    const unsigned = await channel().send(testPage('webhook', to()));
    expect(unsigned).toEqual({ outcome: 'permanent', reason: 'the webhook has no signing secret' });
    const guarded = createWebhookChannel({ http: strictHttp() });
    const refused = await guarded.send(withSecret(testPage('webhook', to())));
    expect(refused.outcome).toBe('permanent');
    expect(refused.reason).toMatch(/loopback address; add it to VIGIL_OUTBOUND_ALLOW/);
    expect(channel().checkAddress('javascript:alert(1)')).not.toBeNull();
    expect(channel().checkAddress('https://example.com/hook')).toBeNull();
  });
});
