import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PagingHarness, servicePaging, startPagingHarness, trigger } from './paging-harness.js';

const PEOPLE = [1, 2, 3, 4, 5];
const phone = (n: number) => `+1555000001${n}`;

/**
 * The SMS provider fails every way it can — 503, then hanging, then 429 with Retry-After — and then
 * recovers: every page is delivered exactly once afterwards, e-mail is not held up meanwhile, and a
 * restart between the decision to page and the send loses nothing.
 */
describe.each(engines)('paging through a provider outage on %s', (engine) => {
  let h: PagingHarness;
  /** One person and one service per incident, so each page is its own message (no summaries). */
  const routingKeys: string[] = [];

  beforeAll(async () => {
    h = await startPagingHarness(engine, { outboundTimeoutMs: 1_500 });
    for (const n of PEOPLE) {
      const user = await h.api('POST', '/api/v1/users', {
        name: `P${n}`,
        email: `p${n}@example.com`,
        role: 'responder',
      });
      await h.verifiedContact(user.id, 'sms', phone(n));
      await h.verifiedContact(user.id, 'email', `p${n}@example.com`);
      routingKeys.push((await servicePaging(h, `Payments ${n}`, [user.id], 30)).routingKey);
    }
  });
  afterAll(() => h?.close());

  it('delivers every page exactly once after 503s, a hang and 429s, without holding up e-mail', async () => {
    h.twilio.failNext(3, { status: 503 });
    h.twilio.hangNext(2);
    h.twilio.failNext(2, { status: 429, retryAfterSeconds: 120 });
    for (const n of PEOPLE) await trigger(h, routingKeys[n - 1]!, `outage-${n}`, `Payments outage ${n}`);

    // First cycle: all five e-mails arrive while SMS requests fail or hang.
    const started = Date.now();
    await h.runtime.paging.engine.runOnce();
    for (let i = 1; i <= 5; i++)
      await h.smtp.mails.waitAndTake((m) => m.subject.includes(`Payments outage ${i}`));
    expect(Date.now() - started).toBeLessThan(1_500); // sooner than the hung SMS requests time out
    await h.runtime.paging.engine.drain();

    // Time passes; retries follow their backoff (and the 429's Retry-After) until the provider is back.
    for (let minute = 0; minute < 120 && h.twilio.messages.untaken.length < 5; minute += 5) {
      h.clock.advance(5 * 60_000);
      await h.cycle();
    }
    for (const n of PEOPLE)
      h.twilio.messages.take((m) => m.to === phone(n) && m.body.includes(`Payments outage ${n}`));
    h.clock.advance(60 * 60_000);
    await h.cycle();
    h.assertQuiet();

    const attempts = h.twilio.requestLog.filter((r) => r.path.endsWith('/Messages.json')).length;
    expect(attempts).toBeGreaterThanOrEqual(5 + 7);
    for (let n = 1; n <= 5; n++) {
      const list = await h.api('GET', `/api/v1/incidents/${n}/notifications`);
      const sms = list.data.filter((x: { channel: string }) => x.channel === 'sms');
      expect(sms).toHaveLength(1);
      expect(sms[0].state).toBe('sent');
    }
  });

  it('loses nothing when Vigil restarts between deciding to page and sending', async () => {
    await trigger(h, routingKeys[0]!, 'restart-1', 'Payments restart');
    // The decision commits (with its outbox rows); the process dies before the sender runs.
    await h.runtime.paging.escalation.run(h.clock.now());
    await h.restart();
    await h.cycle();
    h.twilio.messages.take((m) => m.body.includes('Payments restart'));
    h.smtp.mails.take((m) => m.subject.includes('Payments restart'));
    h.clock.advance(10 * 60_000);
    await h.cycle();
    h.assertQuiet();
  });
});
