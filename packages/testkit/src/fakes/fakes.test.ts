import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { Recorder } from './recorder.js';
import { type SlackFake, slackSignature, startSlackFake } from './slack-fake.js';
import { startSmtpCapture } from './smtp-capture.js';
import { startTeamsFake } from './teams-fake.js';
import { startTwilioFake, type TwilioFake, twilioSignature } from './twilio-fake.js';
import { standardWebhookSignature, startWebhookSink } from './webhook-sink.js';

/** A stand-in for the app under test: records what the fakes call it with and answers 200. */
interface AppRequest {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
async function startApp(answer = '<Response/>') {
  const requests: AppRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'text/xml' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
type App = Awaited<ReturnType<typeof startApp>>;

const form = (fields: Record<string, string>) => ({
  'content-type': 'application/x-www-form-urlencoded',
  body: new URLSearchParams(fields).toString(),
});

describe('Recorder', () => {
  it('waits for, takes and polices what arrives', async () => {
    const recorder = new Recorder<{ n: number }>('numbers');
    const waiting = recorder.waitFor((item) => item.n === 2);
    recorder.record({ n: 1 });
    setTimeout(() => recorder.record({ n: 2 }), 10);
    expect(await waiting).toEqual({ n: 2 });
    expect(recorder.take((item) => item.n === 2)).toEqual({ n: 2 });
    expect(() => recorder.take((item) => item.n === 2)).toThrow(/no matching numbers to take.*\n.*"n":1/s);
    expect(() => recorder.assertNothingElse()).toThrow(/1 unexpected numbers:\n {2}- \{"n":1\}/);
    await expect(recorder.waitFor((item) => item.n === 3, { timeoutMs: 20 })).rejects.toThrow(
      /no matching numbers within 20 ms; received \(untaken; 1 already taken\):\n {2}- \{"n":1\}/,
    );
    expect(await recorder.waitAndTake()).toEqual({ n: 1 });
    recorder.assertNothingElse();
    expect(recorder.all).toHaveLength(2);
  });
});

describe('startSmtpCapture', () => {
  it('captures mail sent with and without AUTH, parsed', async () => {
    const smtp = await startSmtpCapture();
    try {
      const withAuth = nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: false,
        auth: { user: 'pager', pass: 'anything' },
      });
      await withAuth.sendMail({
        from: 'Vigil <pager@vigil.test>',
        to: ['Ana <ana@example.com>', 'ben@example.com'],
        bcc: 'audit@example.com',
        subject: '[P1] checkout-api latency — triggered',
        text: 'Incident 42 was triggered.',
        html: '<p>Incident <b>42</b> was triggered.</p>',
        headers: { 'X-Vigil-Incident': '42' },
      });
      const mail = await smtp.mails.waitAndTake((m) => m.subject.includes('checkout-api'));
      expect(mail.from).toBe('pager@vigil.test');
      expect(mail.to).toEqual(['ana@example.com', 'ben@example.com']);
      expect(mail.envelope.rcptTo).toEqual(['ana@example.com', 'ben@example.com', 'audit@example.com']);
      expect(mail.envelope.mailFrom).toBe('pager@vigil.test');
      expect(mail.subject).toBe('[P1] checkout-api latency — triggered');
      expect(mail.text.trim()).toBe('Incident 42 was triggered.');
      expect(mail.html).toBe('<p>Incident <b>42</b> was triggered.</p>');
      expect(mail.headers['x-vigil-incident']).toBe('42');
      expect(mail.headers['message-id']).toMatch(/^<.+>$/);
      expect(mail.authUser).toBe('pager');
      expect(mail.receivedAt).toBeInstanceOf(Date);

      const anonymous = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false });
      await anonymous.sendMail({ from: 'a@vigil.test', to: 'b@example.com', subject: 'plain', text: 'hi' });
      const plain = smtp.mails.take((m) => m.subject === 'plain');
      expect(plain.authUser).toBeUndefined();
      expect(plain.html).toBeUndefined();
      smtp.mails.assertNothingElse();
    } finally {
      await smtp.close();
    }
  });

  it('refuses the next messages with 4xx or 5xx on demand', async () => {
    const smtp = await startSmtpCapture();
    try {
      const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false });
      const mail = { from: 'a@vigil.test', to: 'b@example.com', subject: 'page', text: 'hi' };
      smtp.rejectNext(1, { code: 451 });
      smtp.rejectNext(1, { code: 550, message: 'Mailbox unavailable' });
      await expect(transport.sendMail(mail)).rejects.toMatchObject({ responseCode: 451 });
      await expect(transport.sendMail(mail)).rejects.toMatchObject({
        responseCode: 550,
        response: expect.stringContaining('Mailbox unavailable'),
      });
      await transport.sendMail(mail);
      expect(smtp.rejected).toHaveLength(2);
      expect(smtp.mails.take().subject).toBe('page');
      smtp.mails.assertNothingElse();
      expect(() => smtp.rejectNext(1, { code: 250 })).toThrow();
    } finally {
      await smtp.close();
    }
  });

  it('closes promptly with a client still connected', async () => {
    const smtp = await startSmtpCapture();
    const pool = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, pool: true });
    await pool.sendMail({ from: 'a@vigil.test', to: 'b@example.com', subject: 'x', text: 'x' });
    const started = Date.now();
    await smtp.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    pool.close();
  });
});

describe('twilioSignature', () => {
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  it('matches wire-formats.md §9', () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });
  it("matches Twilio's published example (TwilioDevEd/api-snippets signature_validation)", () => {
    // Twilio's snippet pairs this signature with Caller/From +14158675310, not +12349013030.
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675310',
      Digits: '1234',
      From: '+14158675310',
      To: '+18005551212',
    };
    expect(twilioSignature('12345', url, params)).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
    expect(twilioSignature('12345', url, new URLSearchParams(params))).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
  });
});

describe('startTwilioFake', () => {
  const accountSid = 'AC00000000000000000000000000000001';
  const authToken = 'twilio-test-token';
  const basic = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  let twilio: TwilioFake;
  let app: App;
  const api = (resource: 'Messages' | 'Calls', fields: Record<string, string>, authorization = basic) => {
    const { 'content-type': contentType, body } = form(fields);
    return fetch(`${twilio.url}/2010-04-01/Accounts/${accountSid}/${resource}.json`, {
      method: 'POST',
      headers: { authorization, 'content-type': contentType },
      body,
    });
  };
  /** Checks a callback's signature independently of the fake's own `twilioSignature`. */
  const signedCorrectly = (request: AppRequest) => {
    const params = new URLSearchParams(request.body);
    const data =
      app.base +
      request.url +
      [...params.keys()]
        .sort()
        .map((name) => name + params.get(name))
        .join('');
    const expected = createHmac('sha1', authToken).update(data).digest('base64');
    return request.headers['x-twilio-signature'] === expected;
  };

  beforeAll(async () => {
    twilio = await startTwilioFake({ accountSid, authToken });
    app = await startApp();
  });
  afterAll(async () => {
    await twilio.close();
    await app.close();
  });
  afterEach(() => {
    twilio.reset();
    twilio.messages.assertNothingElse();
    twilio.calls.assertNothingElse();
  });

  it('accepts an SMS like Twilio and records it', async () => {
    const response = await api('Messages', {
      To: '+4915112345678',
      From: '+15005550006',
      Body: 'Incident 42: checkout-api latency. Reply 1 to ack.',
      StatusCallback: `${app.base}/tw/status`,
    });
    expect(response.status).toBe(201);
    const json = (await response.json()) as any;
    expect(json).toMatchObject({
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      status: 'queued',
      to: '+4915112345678',
      from: '+15005550006',
      direction: 'outbound-api',
      num_segments: '1',
      error_code: null,
      account_sid: accountSid,
    });
    expect(json.uri).toBe(`/2010-04-01/Accounts/${accountSid}/Messages/${json.sid}.json`);
    const sms = await twilio.messages.waitAndTake((m) => m.to === '+4915112345678');
    expect(sms).toMatchObject({ sid: json.sid, body: 'Incident 42: checkout-api latency. Reply 1 to ack.' });
    expect(sms.statusCallback).toBe(`${app.base}/tw/status`);
  });

  it('refuses wrong credentials and bad numbers with Twilio errors', async () => {
    const wrong = `Basic ${Buffer.from(`${accountSid}:nope`).toString('base64')}`;
    const unauthorized = await api(
      'Messages',
      { To: '+15551234567', From: '+15005550006', Body: 'x' },
      wrong,
    );
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ code: 20003, status: 401 });

    const badTo = await api('Messages', { To: '015112345678', From: '+15005550006', Body: 'x' });
    expect(badTo.status).toBe(400);
    expect(await badTo.json()).toEqual({
      code: 21211,
      message: expect.stringContaining("Invalid 'To'"),
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
    const noBody = await api('Messages', { To: '+15551234567', From: '+15005550006' });
    expect(await noBody.json()).toMatchObject({ code: 21602, status: 400 });
    const noInstructions = await api('Calls', { To: '+15551234567', From: '+15005550006' });
    expect(await noInstructions.json()).toMatchObject({ code: 21200, status: 400 });
  });

  it('places calls and plays the callee pressing keys, replying and status callbacks, signed', async () => {
    const twiml =
      '<Response><Gather numDigits="1" action="/tw/ack?i=42"><Say>Incident 42, press 1.</Say></Gather></Response>';
    const response = await api('Calls', {
      To: '+4915112345678',
      From: '+15005550006',
      Twiml: twiml,
      StatusCallback: `${app.base}/tw/call-status`,
    });
    expect(response.status).toBe(201);
    const { sid, status } = (await response.json()) as any;
    expect(sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(status).toBe('queued');
    const call = twilio.calls.take();
    expect(call.twiml).toBe(twiml);

    const answer = await twilio.pressKeys(sid, '1', `${app.base}/tw/ack?i=42`);
    expect(answer).toMatchObject({ status: 200, body: '<Response/>' });
    const gather = app.requests.at(-1)!;
    expect(gather.url).toBe('/tw/ack?i=42');
    expect(Object.fromEntries(new URLSearchParams(gather.body))).toMatchObject({
      Digits: '1',
      CallSid: sid,
      From: '+15005550006',
      To: '+4915112345678',
      AccountSid: accountSid,
    });
    expect(signedCorrectly(gather)).toBe(true);

    await twilio.sendStatus(sid, 'completed');
    const callStatus = app.requests.at(-1)!;
    expect(callStatus.url).toBe('/tw/call-status');
    expect(new URLSearchParams(callStatus.body).get('CallStatus')).toBe('completed');
    expect(signedCorrectly(callStatus)).toBe(true);

    await api('Messages', { To: '+4915112345678', From: '+15005550007', Body: 'Incident 42' });
    const sms = twilio.messages.take();
    await twilio.replySms('+4915112345678', '1', `${app.base}/tw/sms`);
    const reply = app.requests.at(-1)!;
    expect(Object.fromEntries(new URLSearchParams(reply.body))).toMatchObject({
      From: '+4915112345678',
      To: '+15005550007',
      Body: '1',
      AccountSid: accountSid,
      MessageSid: expect.stringMatching(/^SM/),
    });
    expect(signedCorrectly(reply)).toBe(true);

    await twilio.sendStatus(sms.sid, 'undelivered', `${app.base}/tw/status`);
    const smsStatus = new URLSearchParams(app.requests.at(-1)!.body);
    expect(smsStatus.get('MessageStatus')).toBe('undelivered');
    expect(smsStatus.get('MessageSid')).toBe(sms.sid);
    expect(smsStatus.get('ErrorCode')).toBe('30003');
    await expect(twilio.pressKeys('CAnope', '1', app.base)).rejects.toThrow(/no call CAnope/);
  });

  it('fails, rate-limits and recovers on demand', async () => {
    const sms = { To: '+15551234567', From: '+15005550006', Body: 'page' };
    const before = twilio.requestLog.length;
    twilio.failNext(2, { status: 503, retryAfterSeconds: 7 });
    const first = await api('Messages', sms);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(await first.json()).toMatchObject({ status: 503 });
    expect((await api('Messages', sms)).status).toBe(503);
    expect((await api('Messages', sms)).status).toBe(201);
    expect(twilio.requestLog.slice(before).map((r) => r.status)).toEqual([503, 503, 201]);
    twilio.messages.take();

    twilio.failNext(1, {
      status: 400,
      body: { code: 21610, message: 'unsubscribed recipient', status: 400 },
    });
    expect(await (await api('Messages', sms)).json()).toMatchObject({ code: 21610 });

    twilio.setRateLimit({ requests: 1, perMs: 60_000, retryAfterSeconds: 3 });
    expect((await api('Messages', sms)).status).toBe(201);
    const limited = await api('Messages', sms);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toMatchObject({ code: 20429, status: 429 });
    twilio.setRateLimit(null);
    expect((await api('Messages', sms)).status).toBe(201);
    expect(twilio.messages.untaken).toHaveLength(2);
    twilio.messages.clear();
  });

  it('hangs on demand, and close() ends the hung request', async () => {
    const fake = await startTwilioFake({ accountSid, authToken });
    fake.hangNext(1);
    const hung = fetch(`${fake.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: 'POST',
      headers: { authorization: basic, ...form({}) },
      body: form({ To: '+15551234567', From: '+15005550006', Body: 'x' }).body,
    });
    const outcome = hung.then(
      () => 'answered',
      () => 'connection closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.requestLog).toHaveLength(1);
    expect(fake.requestLog[0]!.status).toBeUndefined();
    const started = Date.now();
    await fake.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await outcome).toBe('connection closed');
  });
});

describe('slackSignature', () => {
  it('matches wire-formats.md §7.4', () => {
    expect(
      slackSignature(
        '8f742231b10e8888abcd99yyyzzz85a5',
        1700000000,
        'token=x&payload=%7B%22type%22%3A%22block_actions%22%7D',
      ),
    ).toBe('v0=6c04addde16bbc3e5e7c1bd6c6bf5838a2a21dd56c42dcca6b1cca4431926e14');
  });
  it("matches Slack's worked example (docs: verifying requests from Slack)", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', '1531420618', body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});

describe('startSlackFake', () => {
  const botToken = 'xoxb-vigil-test';
  const signingSecret = 'slack-signing-secret';
  const clock = new ManualClock('2026-03-08T06:00:00Z');
  let slack: SlackFake;
  let app: App;
  const callApi = (method: string, args: unknown, token = botToken) =>
    fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(args),
    }).then(async (r) => ({ status: r.status, headers: r.headers, json: (await r.json()) as any }));
  const incidentMessage = (status: string, actions: string[]) => ({
    channel: 'C0INCIDENTS',
    text: `[P1] checkout-api latency — ${status}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'P1 · checkout-api latency' } },
      {
        type: 'actions',
        block_id: 'inc:42',
        elements: actions.map((id) => ({
          type: 'button',
          action_id: id,
          text: { type: 'plain_text', text: id },
          value: '42',
          ...(id === 'resolve' ? { style: 'danger' } : {}),
        })),
      },
    ],
  });

  beforeAll(async () => {
    slack = await startSlackFake({ botToken, signingSecret, clock });
    app = await startApp('');
  });
  afterAll(async () => {
    await slack.close();
    await app.close();
  });
  afterEach(() => {
    slack.reset();
    slack.webhooks.assertNothingElse();
    slack.apiCalls.assertNothingElse();
  });

  it('receives incoming webhooks', async () => {
    const response = await fetch(slack.webhookUrl('T1/B1/secret'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Incident 42 triggered' }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(slack.webhooks.take()).toMatchObject({
      hook: 'T1/B1/secret',
      payload: { text: 'Incident 42 triggered' },
    });
    const invalid = await fetch(slack.webhookUrl(), { method: 'POST', body: 'not json' });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toBe('invalid_payload');
  });

  it('posts and updates messages through the Web API, keeping history', async () => {
    const posted = await callApi('chat.postMessage', incidentMessage('triggered', ['ack', 'resolve']));
    expect(posted.json).toMatchObject({
      ok: true,
      channel: 'C0INCIDENTS',
      ts: expect.stringMatching(/^\d+\.\d{6}$/),
    });
    const { ts } = posted.json;
    expect(slack.apiCalls.take()).toMatchObject({ method: 'chat.postMessage', ts });

    const updated = await callApi('chat.update', { ...incidentMessage('acknowledged', ['resolve']), ts });
    expect(updated.json).toMatchObject({ ok: true, channel: 'C0INCIDENTS', ts });
    expect(slack.apiCalls.take()).toMatchObject({ method: 'chat.update', ts });
    const message = slack.message('C0INCIDENTS', ts);
    expect(message.payload.text).toBe('[P1] checkout-api latency — acknowledged');
    expect(message.history.map((v) => v.text)).toEqual([
      '[P1] checkout-api latency — triggered',
      '[P1] checkout-api latency — acknowledged',
    ]);
    expect(slack.messagesIn('C0INCIDENTS').map((m) => m.ts)).toContain(ts);

    expect(
      (await callApi('chat.update', { channel: 'C0INCIDENTS', ts: '1.000001', text: 'x' })).json,
    ).toEqual({
      ok: false,
      error: 'message_not_found',
    });
    expect((await callApi('chat.postMessage', { channel: 'C1', text: 'x' }, 'xoxb-wrong')).json).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
  });

  it('answers 429 with Retry-After on demand', async () => {
    slack.failNext(1, { status: 429, retryAfterSeconds: 30 });
    const limited = await callApi('chat.postMessage', { channel: 'C1', text: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.json).toEqual({ ok: false, error: 'ratelimited' });
    expect((await callApi('chat.postMessage', { channel: 'C1', text: 'x' })).json.ok).toBe(true);
    slack.apiCalls.take();
  });

  it('clicks a button on the current message, signed, and takes response_url replies', async () => {
    const { json } = await callApi('chat.postMessage', incidentMessage('triggered', ['ack', 'resolve']));
    slack.apiCalls.take();
    const message = slack.message('C0INCIDENTS', json.ts);
    const answer = await slack.clickButton({
      toUrl: `${app.base}/slack/interactivity`,
      message,
      actionId: 'resolve',
      userId: 'U024BE7LH',
      userName: 'ana',
    });
    expect(answer.status).toBe(200);
    const request = app.requests.at(-1)!;
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const timestamp = request.headers['x-slack-request-timestamp'];
    expect(timestamp).toBe(String(clock.now().getTime() / 1000));
    const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${request.body}`).digest('hex')}`;
    expect(request.headers['x-slack-signature']).toBe(expected);
    const payload = JSON.parse(new URLSearchParams(request.body).get('payload')!);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U024BE7LH', username: 'ana' },
      container: { type: 'message', message_ts: json.ts, channel_id: 'C0INCIDENTS' },
      channel: { id: 'C0INCIDENTS' },
      message: { ts: json.ts, text: '[P1] checkout-api latency — triggered' },
      actions: [{ type: 'button', action_id: 'resolve', block_id: 'inc:42', value: '42', style: 'danger' }],
    });

    // The app replaces the message through response_url, as Slack allows.
    const replaced = await fetch(payload.response_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'Resolved by ana', blocks: [] }),
    });
    expect(replaced.status).toBe(200);
    expect(slack.responseUrlPosts.take()).toMatchObject({ channel: 'C0INCIDENTS', messageTs: json.ts });
    expect(slack.message('C0INCIDENTS', json.ts).payload.text).toBe('Resolved by ana');
    // The buttons are gone now, so a test can no longer click them.
    await expect(
      slack.clickButton({ toUrl: app.base, message, actionId: 'ack', userId: 'U1', userName: 'u' }),
    ).rejects.toThrow(/has no button "ack"; it has: none/);

    await callApi('chat.postMessage', incidentMessage('triggered', ['ack']));
    await slack.clickButton({
      toUrl: app.base,
      message: slack.apiCalls.take(),
      actionId: 'ack',
      value: 'override',
      userId: 'U1',
      userName: 'u',
      staleTimestamp: true,
    });
    const stale = app.requests.at(-1)!;
    expect(Number(stale.headers['x-slack-request-timestamp'])).toBe(clock.now().getTime() / 1000 - 600);
    expect(JSON.parse(new URLSearchParams(stale.body).get('payload')!).actions[0].value).toBe('override');
  });

  it('sends slash commands, signed', async () => {
    await slack.slashCommand({
      toUrl: `${app.base}/slack/commands`,
      command: '/vigil',
      text: 'ack 42',
      userId: 'U1',
    });
    const request = app.requests.at(-1)!;
    const fields = new URLSearchParams(request.body);
    expect(fields.get('command')).toBe('/vigil');
    expect(fields.get('text')).toBe('ack 42');
    expect(fields.get('user_id')).toBe('U1');
    expect(request.headers['x-slack-signature']).toBe(
      slackSignature(signingSecret, request.headers['x-slack-request-timestamp'] as string, request.body),
    );
    await slack.slashCommand({
      toUrl: app.base,
      command: '/vigil',
      text: '',
      userId: 'U1',
      badSignature: true,
    });
    const forged = app.requests.at(-1)!;
    expect(forged.headers['x-slack-signature']).not.toBe(
      slackSignature(signingSecret, forged.headers['x-slack-request-timestamp'] as string, forged.body),
    );
  });
});

describe('startTeamsFake', () => {
  it('records Adaptive Cards, answers 202, and fails on demand', async () => {
    const teams = await startTeamsFake();
    try {
      const card = {
        type: 'AdaptiveCard',
        version: '1.4',
        body: [{ type: 'TextBlock', text: 'P1 · checkout-api latency', wrap: true }],
        actions: [{ type: 'Action.OpenUrl', title: 'Open incident', url: 'https://pager.example.com/i/42' }],
      };
      const post = () =>
        fetch(teams.workflowUrl(), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'message',
            attachments: [
              { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
            ],
          }),
        });
      const accepted = await post();
      expect(accepted.status).toBe(202);
      const recorded = await teams.posts.waitAndTake();
      expect(recorded.cards).toEqual([card]);
      expect(recorded.workflow).toBe('vigil-test/triggers/manual/paths/invoke');

      teams.failNext(1, { status: 429, retryAfterSeconds: 5 });
      const limited = await post();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('5');
      expect((await post()).status).toBe(202);
      teams.posts.take();

      expect((await fetch(teams.workflowUrl(), { method: 'POST', body: '{' })).status).toBe(400);
      teams.posts.assertNothingElse();
    } finally {
      await teams.close();
    }
  });
});

describe('startWebhookSink', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('signs like the Standard Webhooks test vector', () => {
    expect(
      standardWebhookSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('records deliveries and verifies their signatures', async () => {
    const clock = new ManualClock('2021-02-25T15:02:10Z'); // 1614265330
    const sink = await startWebhookSink({ secret, clock });
    const deliver = (headers: Record<string, string>, body = '{"test": 2432232314}') =>
      fetch(`${sink.url}/hooks/vigil`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const good = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    try {
      expect((await deliver(good)).status).toBe(204);
      expect(sink.deliveries.take()).toMatchObject({
        path: '/hooks/vigil',
        json: { test: 2432232314 },
        webhookId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        webhookTimestamp: 1614265330,
        verified: true,
      });

      // During key rotation several signatures arrive; one valid one is enough.
      await deliver({ ...good, 'webhook-signature': `v1,Zm9vYmFy ${good['webhook-signature']} v1a,ignored` });
      expect(sink.deliveries.take().verified).toBe(true);

      await deliver(good, '{"test": 1}');
      expect(sink.deliveries.take()).toMatchObject({
        verified: false,
        verifyError: 'no v1 signature matches',
      });

      clock.advance(10 * 60_000);
      await deliver(good);
      expect(sink.deliveries.take()).toMatchObject({
        verified: false,
        verifyError: expect.stringMatching(/600 s/),
      });

      await deliver({});
      expect(sink.deliveries.take().verifyError).toMatch(/missing/);
      sink.deliveries.assertNothingElse();
    } finally {
      await sink.close();
    }
  });

  it('fails, redirects and hangs on demand', async () => {
    const sink = await startWebhookSink({ secret: 'whsec_dGVzdC1zZWNyZXQtdGVzdC1zZWNyZXQ=' });
    const post = (signal?: AbortSignal) =>
      fetch(sink.url, { method: 'POST', body: '{}', redirect: 'manual', ...(signal ? { signal } : {}) });
    try {
      sink.failNext(1, { status: 410 });
      sink.redirectNext(1, 'http://127.0.0.1:1/elsewhere');
      sink.hangNext(1);
      expect((await post()).status).toBe(410);
      const redirected = await post();
      expect(redirected.status).toBe(302);
      expect(redirected.headers.get('location')).toBe('http://127.0.0.1:1/elsewhere');
      await expect(post(AbortSignal.timeout(150))).rejects.toThrow();
      expect((await post()).status).toBe(204);
      expect(sink.requestLog.map((r) => r.status)).toEqual([410, 302, undefined, 204]);
      expect(sink.deliveries.take().verified).toBe(false);
      sink.deliveries.assertNothingElse();
    } finally {
      await sink.close();
    }
  });
});
