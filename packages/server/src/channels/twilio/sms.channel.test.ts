import { startTwilioFake, type TwilioFake } from '@vigil/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { strictHttp, testHttp, testIncident, testNotice, testPage, testUpdate } from '../test-fixtures.js';
import { createTwilioSmsChannel, parseSmsReply, SMS_SEGMENT, smsText } from './sms.channel.js';

const accountSid = 'AC0123456789abcdef0123456789abcdef';
const authToken = 'twilio-auth-token-0123456789';
const to = '+4915112345678';

let twilio: TwilioFake;
beforeAll(async () => {
  twilio = await startTwilioFake({ accountSid, authToken });
});
afterAll(() => twilio.close());
afterEach(() => {
  twilio.reset();
  twilio.messages.assertNothingElse();
});

const channel = (overrides: { authToken?: string; timeoutMs?: number } = {}) =>
  createTwilioSmsChannel({
    accountSid,
    authToken: overrides.authToken ?? authToken,
    from: '+15005550006',
    baseUrl: twilio.url,
    statusCallbackUrl: 'https://vigil.example.com/webhooks/twilio/status',
    http: testHttp(),
    ...(overrides.timeoutMs === undefined ? {} : { timeoutMs: overrides.timeoutMs }),
  });

describe('Twilio SMS channel', () => {
  it('texts a page in one segment with the reply code, and returns the message SID', async () => {
    const page = testPage('sms', to);
    const result = await channel().send(page);
    const sms = await twilio.messages.waitAndTake();
    expect(sms.body).toBe('Vigil #42 [P1] Disk full on db-1 (Checkout). Reply 3a to ack, 3r to resolve');
    expect(sms.to).toBe(to);
    expect(sms.from).toBe('+15005550006');
    expect(sms.statusCallback).toBe('https://vigil.example.com/webhooks/twilio/status');
    expect(result).toEqual({ outcome: 'sent', reason: 'Twilio answered HTTP 201', providerId: sms.sid });
    const request = twilio.requestLog.at(-1)!;
    expect(request.headers['i-twilio-idempotency-token']).toBe(page.id);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('shortens a long title, not the reply instructions, and keeps to GSM characters', () => {
    const incident = testIncident({
      title: `“Checkout” latency – p99 above 2 s… ${'on every node of the cluster '.repeat(8)}`,
      priority: null,
    });
    const text = smsText(testPage('sms', to, { incident, replyCode: 17 }))!;
    expect(text.length).toBeLessThanOrEqual(SMS_SEGMENT);
    expect(text).toMatch(/^Vigil #42 \[high\] "Checkout" latency - p99 above 2 s\.\.\. on every/);
    expect(text).toMatch(/\.\.\. \(Checkout\)\. Reply 17a to ack, 17r to resolve$/);
    expect(text).toMatch(/^[\x20-\x7e]+$/);
  });

  it('texts updates, offering to resolve while acknowledged', async () => {
    const page = testPage('sms', to);
    expect(smsText(testUpdate(page, 'acknowledged', 'Bo'))).toBe(
      'Vigil #42 acknowledged by Bo: Disk full on db-1. Reply 3r to resolve',
    );
    expect(smsText(testUpdate(page, 'resolved', 'Bo'))).toBe('Vigil #42 resolved by Bo: Disk full on db-1');
    expect(smsText({ ...page, kind: 'verification', verificationCode: '482913' })).toBe(
      'Your Vigil verification code is 482913',
    );
    expect(smsText({ ...page, kind: 'test' })).toBe('Vigil test: SMS notifications to this number work.');
  });

  it('texts a notice as "Vigil: title. body", without a reply code', async () => {
    const result = await channel().send(testNotice('sms', to));
    expect(result.outcome).toBe('sent');
    const sms = await twilio.messages.waitAndTake();
    expect(sms.body).toBe(
      'Vigil: You are on call for Payments. From now until Mon 9 Mar 09:00 (Europe/London). Bo hands over to you.',
    );
    expect(smsText(testNotice('sms', to, { notice: { title: 'Payments has a gap!', body: '' } }))).toBe(
      'Vigil: Payments has a gap!',
    );
  });

  it('keeps a notice to one GSM segment: the body is shortened, the title kept', () => {
    const long = smsText(
      testNotice('sms', to, {
        notice: {
          title: 'Payments has nobody on call on Sat 14 Mar 02:00–06:00',
          body: `Nobody is on call for Payments in this window. ${'Add a cover shift or an override. '.repeat(6)}`,
        },
      }),
    )!;
    expect(long.length).toBeLessThanOrEqual(SMS_SEGMENT);
    expect(long).toMatch(/^Vigil: Payments has nobody on call on Sat 14 Mar 02:00-06:00\. Nobody is on call/);
    expect(long).toMatch(/\.\.\.$/);
    expect(long).toMatch(/^[\x20-\x7e]+$/);

    const hugeTitle = smsText(
      testNotice('sms', to, { notice: { title: 'Cover '.repeat(40), body: 'Ana asks who can cover.' } }),
    )!;
    expect(hugeTitle.length).toBeLessThanOrEqual(SMS_SEGMENT);
    expect(hugeTitle).toMatch(/^Vigil: Cover Cover .*\.\.\.$/);
    expect(hugeTitle).not.toContain('Ana asks');
  });

  it('refuses a notice without its notice, without sending', async () => {
    expect(await channel().send(testNotice('sms', to, { notice: undefined }))).toEqual({
      outcome: 'permanent',
      reason: 'the notice message has no notice',
    });
  });

  it('maps 503 and 429 to temporary, honouring Retry-After', async () => {
    twilio.failNext(1, { status: 503 });
    const unavailable = await channel().send(testPage('sms', to));
    expect(unavailable.outcome).toBe('temporary');
    expect(unavailable.reason).toMatch(/^Twilio answered HTTP 503/);

    twilio.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const limited = await channel().send(testPage('sms', to));
    expect(limited).toMatchObject({ outcome: 'temporary', retryAfterMs: 7_000 });
  });

  it("maps 400 and 401 to permanent with Twilio's message, never the auth token", async () => {
    twilio.failNext(1, {
      status: 400,
      body: { code: 21211, message: `Invalid 'To' Phone Number: ${to}`, status: 400 },
    });
    const invalid = await channel().send(testPage('sms', to));
    expect(invalid).toEqual({
      outcome: 'permanent',
      reason: `Twilio answered HTTP 400 (error 21211): Invalid 'To' Phone Number: ${to}`,
    });

    const wrongToken = 'wrong-token-0123456789';
    const unauthorized = await channel({ authToken: wrongToken }).send(testPage('sms', to));
    expect(unauthorized).toEqual({
      outcome: 'permanent',
      reason: 'Twilio answered HTTP 401 (error 20003): Authenticate',
    });
  });

  it('gives up on a hung API within the deadline, as temporary', async () => {
    twilio.hangNext(1);
    const started = Date.now();
    const result = await channel({ timeoutMs: 200 }).send(testPage('sms', to));
    expect(result.outcome).toBe('temporary');
    expect(result.reason).toMatch(/did not respond within 200 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('goes through the SSRF guard like every HTTP channel', async () => {
    const guarded = createTwilioSmsChannel({
      accountSid,
      authToken,
      from: '+15005550006',
      baseUrl: twilio.url,
      http: strictHttp(),
    });
    const result = await guarded.send(testPage('sms', to));
    expect(result.outcome).toBe('permanent');
    expect(result.reason).toMatch(/loopback/);
  });

  it('refuses numbers that are not E.164', async () => {
    const sms = channel();
    expect(sms.checkAddress('+4915112345678')).toBeNull();
    expect(sms.checkAddress('+12025550123')).toBeNull();
    for (const bad of [
      '015112345678',
      '+0151123456',
      '+1234567',
      '+1234567890123456',
      '+49 151 1234',
      'tel:+4915112345678',
    ])
      expect(sms.checkAddress(bad), bad).not.toBeNull();
    expect((await sms.send(testPage('sms', '0151 12345678'))).outcome).toBe('permanent');
    expect(twilio.requestLog.filter((r) => r.body.includes('0151'))).toEqual([]);
  });
});

describe('parseSmsReply', () => {
  it.each([
    ['3a', 3, 'acknowledge'],
    ['3 a', 3, 'acknowledge'],
    ['3 ack', 3, 'acknowledge'],
    ['3 ACK', 3, 'acknowledge'],
    ['  12A. ', 12, 'acknowledge'],
    ['ack 3', 3, 'acknowledge'],
    ['3r', 3, 'resolve'],
    ['3 res', 3, 'resolve'],
    ['3 resolve', 3, 'resolve'],
    ['3 Resolved!', 3, 'resolve'],
    ['ack', null, 'acknowledge'],
    ['a', null, 'acknowledge'],
    ['Ack', null, 'acknowledge'],
    ['r', null, 'resolve'],
    ['resolve', null, 'resolve'],
  ] as const)('reads %j', (body, code, action) => {
    expect(parseSmsReply(body)).toEqual({ code, action });
  });

  it.each(['', 'hello', '3', '3x', 'a3b', 'ack ack', 'constructor', '3 toString', 'yes please ack'])(
    'does not guess at %j',
    (body) => {
      expect(parseSmsReply(body)).toBeNull();
    },
  );
});
