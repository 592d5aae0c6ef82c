import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PagingHarness, startPagingHarness } from './paging-harness.js';

const ANA_PHONE = '+15550000001';
const MAYA_PHONE = '+15550000002';

/**
 * A new user's path through paging, with every outside service a real fake server: an alert comes
 * in, the on-call person gets SMS, e-mail and a Slack message; nobody answers, so the second step
 * pages the manager; the manager replies "1a" to the SMS; the incident is acknowledged, the Slack
 * message changes to "Acknowledged by Maya", and nothing further is sent. Any other message fails it.
 */
describe.each(engines)('paging, end to end with fakes, on %s', (engine) => {
  let h: PagingHarness;
  beforeAll(async () => {
    h = await startPagingHarness(engine);
  });
  afterAll(() => h?.close());

  it('pages the on-call person, escalates to the manager, and stops when the manager acknowledges by SMS', async () => {
    const { api, cycle, assertQuiet, smtp, twilio, slack, clock, url } = h;
    // People, each proving their phone and address with the code Vigil sends them.
    const ana = await api('POST', '/api/v1/users', {
      name: 'Ana',
      email: 'ana@example.com',
      role: 'responder',
    });
    const maya = await api('POST', '/api/v1/users', {
      name: 'Maya',
      email: 'maya@example.com',
      role: 'manager',
    });
    const verify = h.verifiedContact;
    await verify(ana.id, 'sms', ANA_PHONE);
    await verify(ana.id, 'email', 'ana@example.com');
    await api('POST', `/api/v1/users/${ana.id}/contact-methods`, { type: 'slack', address: 'UANA00001' });
    await verify(maya.id, 'sms', MAYA_PHONE);
    assertQuiet();

    const schedule = await api('POST', '/api/v1/schedules', {
      name: 'Primary',
      time_zone: 'Europe/London',
      layers: [
        {
          name: 'weekly',
          users: [ana.id],
          rotation: { type: 'weekly', shift_length: 1, handoff_at: '2026-03-02T09:00' },
        },
      ],
    });
    const policy = await api('POST', '/api/v1/escalation-policies', {
      name: 'Checkout',
      steps: [
        { delay_minutes: 5, targets: [{ type: 'schedule', id: schedule.id }] },
        { delay_minutes: 10, targets: [{ type: 'user', id: maya.id }] },
      ],
    });
    const service = await api('POST', '/api/v1/services', {
      name: 'Checkout',
      escalation_policy_id: policy.id,
    });
    const integration = await api('POST', `/api/v1/services/${service.id}/integrations`, {
      type: 'events_v2',
    });

    // The alert.
    const enqueue = await h.runtime.app.inject({
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
    const mail = await smtp.mails.waitAndTake((m) => m.to.includes('ana@example.com'));
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
    expect(timeline.data.map((e: { type: string }) => e.type)).toEqual([
      'triggered',
      'paged',
      'paged',
      'acknowledged',
    ]);
    expect(timeline.data[1].message).toMatch(
      /Step 1 of 2: paging Ana \(on call for Primary\) by SMS, e-mail, Slack/,
    );
    expect(timeline.data[2].message).toMatch(/Step 2 of 2: paging Maya \(named in the policy\) by SMS/);
    const notifications = await api('GET', '/api/v1/incidents/1/notifications');
    expect(
      notifications.data.map(
        (n: { channel: string; kind: string; state: string }) => `${n.kind}:${n.channel}:${n.state}`,
      ),
    ).toEqual([
      'page:sms:sent',
      'page:email:delivered',
      'page:slack:delivered',
      'page:sms:sent',
      'update:slack:delivered',
    ]);
  });
});
