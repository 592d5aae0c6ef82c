import { startTwilioFake, type TwilioFake } from '@vigil/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testHttp, testIncident, testNotice, testPage } from '../test-fixtures.js';
import { createTwilioVoiceChannel, voiceTwiml } from './voice.channel.js';

const accountSid = 'AC0123456789abcdef0123456789abcdef';
const authToken = 'twilio-auth-token-0123456789';
const to = '+4915112345678';
const gatherUrl = 'https://vigil.example.com/webhooks/twilio/voice';

let twilio: TwilioFake;
beforeAll(async () => {
  twilio = await startTwilioFake({ accountSid, authToken });
});
afterAll(() => twilio.close());
afterEach(() => {
  twilio.reset();
  twilio.calls.assertNothingElse();
});

const channel = () =>
  createTwilioVoiceChannel({
    accountSid,
    authToken,
    from: '+15005550006',
    baseUrl: twilio.url,
    statusCallbackUrl: 'https://vigil.example.com/webhooks/twilio/status',
    voiceGatherUrl: gatherUrl,
    http: testHttp(),
  });

describe('Twilio voice channel', () => {
  it('calls with inline TwiML that reads the incident and gathers 4 or 6', async () => {
    const page = testPage('voice', to);
    const result = await channel().send(page);
    const call = await twilio.calls.waitAndTake();
    expect(result).toEqual({ outcome: 'sent', reason: 'Twilio answered HTTP 201', providerId: call.sid });
    expect(call.to).toBe(to);
    expect(call.url).toBeUndefined();
    expect(call.twiml).toContain(
      `<Gather numDigits="1" action="${gatherUrl}?n=${page.id}" method="POST" timeout="8">`,
    );
    expect(call.twiml).toContain(
      '<Say>This is Vigil. Incident 42, high urgency, priority P1, on Checkout: Disk full on db-1.</Say>',
    );
    expect(call.twiml).toContain('<Say>Press 4 to acknowledge, 6 to resolve.</Say>');
    expect(call.statusCallback).toBe('https://vigil.example.com/webhooks/twilio/status');
    const form = new URLSearchParams(twilio.requestLog.at(-1)!.body);
    expect(form.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
  });

  it('escapes the incident and the gather URL for XML', () => {
    const incident = testIncident({ title: 'Queue <orders> & "payments" stuck', serviceName: "O'Reilly" });
    const twiml = voiceTwiml(
      testPage('voice', to, { id: 'ntf_1', incident }),
      'https://vigil.example.com/voice?tenant=a&x=1',
    )!;
    expect(twiml).toContain('action="https://vigil.example.com/voice?tenant=a&amp;x=1&amp;n=ntf_1"');
    expect(twiml).toContain('on O&apos;Reilly: Queue &lt;orders&gt; &amp; &quot;payments&quot; stuck.');
    expect(twiml).not.toMatch(/<orders>/);
  });

  it('reads a verification code digit by digit and keeps a test call short', () => {
    const base = testPage('voice', to);
    expect(voiceTwiml({ ...base, kind: 'verification', verificationCode: '4829' }, gatherUrl)).toContain(
      'Your Vigil verification code is 4, 8, 2, 9. Again: 4, 8, 2, 9.',
    );
    expect(voiceTwiml({ ...base, kind: 'test' }, gatherUrl)).not.toContain('<Gather');
  });

  it('reads a notice, title then body, and gathers nothing', async () => {
    const result = await channel().send(testNotice('voice', to));
    expect(result.outcome).toBe('sent');
    const call = await twilio.calls.waitAndTake();
    expect(call.twiml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        '<Say>This is Vigil. You are on call for Payments.</Say>' +
        '<Say>From now until Mon 9 Mar 09:00 (Europe/London). Bo hands over to you.</Say>' +
        '<Say>Goodbye.</Say></Response>',
    );
    expect(call.twiml).not.toContain('<Gather');

    const escaped = voiceTwiml(
      testNotice('voice', to, { notice: { title: 'Payments & "Refunds" have a gap', body: 'Sat <02:00>' } }),
      gatherUrl,
    )!;
    expect(escaped).toContain('<Say>This is Vigil. Payments &amp; &quot;Refunds&quot; have a gap.</Say>');
    expect(escaped).toContain('<Say>Sat &lt;02:00&gt;.</Say>');
    expect(await channel().send(testNotice('voice', to, { notice: undefined }))).toEqual({
      outcome: 'permanent',
      reason: 'the notice message has no notice',
    });
  });

  it('maps failures like SMS: 503 temporary, 400 permanent with the reason', async () => {
    twilio.failNext(1, { status: 503, retryAfterSeconds: 2 });
    expect(await channel().send(testPage('voice', to))).toMatchObject({
      outcome: 'temporary',
      retryAfterMs: 2_000,
    });
    twilio.failNext(1, {
      status: 400,
      body: { code: 21215, message: 'Account not authorized to call this number', status: 400 },
    });
    expect(await channel().send(testPage('voice', to))).toEqual({
      outcome: 'permanent',
      reason: 'Twilio answered HTTP 400 (error 21215): Account not authorized to call this number',
    });
    expect(channel().checkAddress('12345')).not.toBeNull();
  });
});
