import {
  engines,
  freePort,
  ManualClock,
  type SlackFake,
  type SmtpCapture,
  startSlackFake,
  startSmtpCapture,
  startTwilioFake,
  type TestDatabase,
  type TwilioFake,
  createTestDatabase,
} from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../src/runtime.js';

const TOKEN = 'vigil-paging-scenario-token-0123456789abcdef';
const TWILIO = { accountSid: 'AC0000000000000000000000000000test', authToken: 'twilio-test-auth-token', from: '+15550000000' };
const SLACK = { botToken: 'xoxb-test-token', signingSecret: 'slack-signing-secret-for-tests' };
const ANA_PHONE = '+15550000001';
const MAYA_PHONE = '+15550000002';

/**
 * A new user's path through paging, with every outside service a real fake server: an alert comes
 * in, the on-call person gets SMS, e-mail and a Slack message; nobody answers, so the second step
 * pages the manager; the manager replies "1a" to the SMS; the incident is acknowledged, the Slack
 * message changes to "Acknowledged by Maya", and nothing further is sent. Any other message fails it.
 */
describe.each(engines)('paging, end to end with fakes, on %s', (engine) => {
  let db: TestDatabase;
  let runtime: Runtime;
  let clock: ManualClock;
  let smtp: SmtpCapture;
  let twilio: TwilioFake;
  let slack: SlackFake;
  let url: string;

  const api = async (method: string, path: string, payload?: unknown) => {
    const res = await runtime.app.inject({
      method: method as 'GET',
      url: path,
      headers: { authorization: `Bearer ${TOKEN}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
    return res.body ? res.json() : null;
  };

  /** One engine cycle with every send it starts finished: what the next second of real time does. */
  const cycle = async () => {
    await runtime.paging.engine.runOnce();
    await runtime.paging.engine.drain();
    await runtime.paging.engine.runOnce();
    await runtime.paging.engine.drain();
  };

  const assertQuiet = () => {
    smtp.mails.assertNothingElse();
    twilio.messages.assertNothingElse();
    twilio.calls.assertNothingElse();
    slack.apiCalls.assertNothingElse();
  };

  beforeAll(async () => {
    [smtp, twilio, slack] = await Promise.all([
      startSmtpCapture(),
      startTwilioFake(TWILIO),
      startSlackFake(SLACK),
    ]);
    db = await createTestDatabase(engine);
    clock = new ManualClock('2026-03-08T06:00:00Z');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    runtime = await startRuntime(
      {
        dataDir: db.dataDir,
        databaseUrl: db.databaseUrl,
        publicUrl: url,
        secretKey: Buffer.alloc(32, 3),
        bootstrapToken: TOKEN,
        testClock: false,
        channels: {
          outboundAllow: ['127.0.0.1/32'],
          smtp: { url: smtp.url, from: 'Vigil <vigil@example.com>' },
          twilio: { ...TWILIO, baseUrl: twilio.url },
          slack: { ...SLACK, apiBaseUrl: slack.apiUrl },
        },
      },
      { clock },
    );
    await runtime.app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await runtime?.close();
    await db?.drop();
    await Promise.all([smtp?.close(), twilio?.close(), slack?.close()]);
  });

  it('pages the on-call person, escalates to the manager, and stops when the manager acknowledges by SMS', async () => {
    // People, each proving their phone and address with the code Vigil sends them.
    const ana = await api('POST', '/api/v1/users', { name: 'Ana', email: 'ana@example.com', role: 'responder' });
    const maya = await api('POST', '/api/v1/users', { name: 'Maya', email: 'maya@example.com', role: 'manager' });
    const verify = async (userId: string, type: string, address: string) => {
      const method = await api('POST', `/api/v1/users/${userId}/contact-methods`, { type, address });
      await cycle();
      const text =
        type === 'email'
          ? (await smtp.mails.waitAndTake((m) => m.to.includes(address))).text
          : (await twilio.messages.waitAndTake((m) => m.to === address)).body;
      const code = /\b(\d{6})\b/.exec(text)?.[1];
      expect(code, text).toBeDefined();
      const verified = await api('POST', `/api/v1/users/${userId}/contact-methods/${method.id}/verify`, { code });
      expect(verified.verified).toBe(true);
      return method;
    };
    await verify(ana.id, 'sms', ANA_PHONE);
    await verify(ana.id, 'email', 'ana@example.com');
    await api('POST', `/api/v1/users/${ana.id}/contact-methods`, { type: 'slack', address: 'UANA00001' });
    await verify(maya.id, 'sms', MAYA_PHONE);
    assertQuiet();

    const schedule = await api('POST', '/api/v1/schedules', {
      name: 'Primary',
      time_zone: 'Europe/London',
      layers: [{ name: 'weekly', users: [ana.id], rotation: { type: 'weekly', shift_length: 1, handoff_at: '2026-03-02T09:00' } }],
    });
    const policy = await api('POST', '/api/v1/escalation-policies', {
      name: 'Checkout',
      steps: [
        { delay_minutes: 5, targets: [{ type: 'schedule', id: schedule.id }] },
        { delay_minutes: 10, targets: [{ type: 'user', id: maya.id }] },
      ],
    });
    const service = await api('POST', '/api/v1/services', { name: 'Checkout', escalation_policy_id: policy.id });
    const integration = await api('POST', `/api/v1/services/${service.id}/integrations`, { type: 'events_v2' });

    // The alert.
    const enqueue = await runtime.app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: {
        routing_key: integration.key,
        event_action: 'trigger',
        dedup_key: 'checkout-5xx',
        payload: { summary: 'Checkout 5xx rate at 12%', source: 'lb-1', severity: 'critical' },
      },
    });
    expect(enqueue.statusCode).toBe(202);
    await cycle();

    // Step 1: Ana, by SMS, e-mail and Slack (no rules: every usable method at once).
    const sms = twilio.messages.take((m) => m.to === ANA_PHONE);
    expect(sms.body).toMatch(/#1/);
    expect(sms.body).toContain('Checkout 5xx rate at 12%');
    expect(sms.body).toMatch(/1a/);
    const mail = smtp.mails.take((m) => m.to.includes('ana@example.com'));
    expect(mail.subject).toContain('#1');
    expect(mail.text).toContain('/actions/');
    const post = slack.apiCalls.take((c) => c.method === 'chat.postMessage' && c.channel === 'UANA00001');
    expect(JSON.stringify(post.payload.blocks)).toContain('vigil_ack');
    assertQuiet();

    // Nobody answers for 5 minutes: step 2 pages Maya.
    clock.advance(4 * 60_000);
    await cycle();
    assertQuiet();
    clock.advance(60_000);
    await cycle();
    const mayaSms = twilio.messages.take((m) => m.to === MAYA_PHONE);
    expect(mayaSms.body).toContain('Checkout 5xx rate at 12%');
    assertQuiet();

    // Maya replies to the SMS.
    const reply = await twilio.replySms(MAYA_PHONE, '1a', `${url}/webhooks/twilio/sms`);
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('Acknowledged #1');
    await cycle();
    const incident = await api('GET', '/api/v1/incidents/1');
    expect(incident.status).toBe('acknowledged');

    // The Slack message Ana got now says who acknowledged, and has no Acknowledge button.
    const update = slack.apiCalls.take((c) => c.method === 'chat.update');
    expect(update.ts).toBe(post.ts);
    const message = slack.message(post.channel, post.ts);
    expect(JSON.stringify(message.payload)).toContain('Acknowledged by Maya');
    expect(JSON.stringify(message.payload)).not.toContain('vigil_ack');
    assertQuiet();

    // Time passes: nothing more is sent.
    clock.advance(60 * 60_000);
    await cycle();
    assertQuiet();

    const timeline = await api('GET', '/api/v1/incidents/1/timeline');
    expect(timeline.data.map((e: { type: string }) => e.type)).toEqual(['triggered', 'paged', 'paged', 'acknowledged']);
    expect(timeline.data[1].message).toMatch(/Step 1 of 2: paging Ana \(on call for Primary\) by SMS, e-mail, Slack/);
    expect(timeline.data[2].message).toMatch(/Step 2 of 2: paging Maya \(named in the policy\) by SMS/);
    const notifications = await api('GET', '/api/v1/incidents/1/notifications');
    expect(notifications.data.map((n: { channel: string; kind: string; state: string }) => `${n.kind}:${n.channel}:${n.state}`)).toEqual([
      'page:sms:sent',
      'page:email:delivered',
      'page:slack:delivered',
      'page:sms:sent',
      'update:slack:delivered',
    ]);
  });
});
