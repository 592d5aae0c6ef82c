import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PagingHarness, servicePaging, startPagingHarness, trigger } from './paging-harness.js';

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

/**
 * A burst to one person is not a burst of texts: pages due together go as one summary, and after
 * three messages in a minute the next low-urgency ones wait for the minute to end and go together.
 */
describe.each(engines)('bundling a burst of pages on %s', (engine) => {
  let h: PagingHarness;
  let routingKey: string;
  const PHONE = '+15550000099';

  beforeAll(async () => {
    h = await startPagingHarness(engine);
    const bo = await h.api('POST', '/api/v1/users', {
      name: 'Bo',
      email: 'bo@example.com',
      role: 'responder',
    });
    await h.verifiedContact(bo.id, 'sms', PHONE);
    ({ routingKey } = await servicePaging(h, 'Storage', [bo.id], 30));
  });
  afterAll(() => h?.close());

  it('sends pages due together as one summary, and holds low-urgency pages after three messages a minute', async () => {
    // Low urgency (severity warning) throughout, except where said.
    for (let i = 1; i <= 4; i++) await trigger(h, routingKey, `disk-${i}`, `Disk ${i} full`, 'warning');
    await h.cycle();
    const summary = h.twilio.messages.take((m) => m.to === PHONE);
    expect(summary.body).toMatch(
      /4 incidents need attention: #1 Disk 1 full; #2 Disk 2 full; #3 Disk 3 full; #4 Disk 4 full/,
    );
    h.assertQuiet();

    // Two more pages, one at a time, within the minute: sent. The next two are held, then go together.
    for (const i of [5, 6]) {
      h.clock.advance(5_000);
      await trigger(h, routingKey, `disk-${i}`, `Disk ${i} full`, 'warning');
      await h.cycle();
      h.twilio.messages.take((m) => m.body.includes(`Disk ${i} full`));
    }
    for (const i of [7, 8]) {
      h.clock.advance(5_000);
      await trigger(h, routingKey, `disk-${i}`, `Disk ${i} full`, 'warning');
      await h.cycle();
    }
    // A high-urgency page is never held or merged, however many went before it.
    h.clock.advance(1_000);
    await trigger(h, routingKey, 'disk-9', 'Disk 9 full');
    await h.cycle();
    h.twilio.messages.take((m) => m.body.includes('Disk 9 full'));
    h.assertQuiet();
    const held = await h.api('GET', '/api/v1/incidents/7/notifications');
    expect(held.data[0].reason).toMatch(/^held: 3 messages went to this contact method in the last minute/);
    h.clock.advance(60_000);
    await h.cycle();
    const later = h.twilio.messages.take((m) => m.to === PHONE);
    expect(later.body).toMatch(/2 incidents need attention: #7 Disk 7 full; #8 Disk 8 full/);
    h.assertQuiet();
    const sent = await h.api('GET', '/api/v1/incidents/8/notifications');
    expect(sent.data[0]).toMatchObject({ state: 'sent' });
    expect(sent.data[0].reason).toContain('(one summary of 2 pages)');
  });
});

/** A step that reaches nobody escalates at once, and the admins hear about it. */
describe.each(engines)('a step that reaches nobody on %s', (engine) => {
  let h: PagingHarness;
  beforeAll(async () => {
    h = await startPagingHarness(engine);
  });
  afterAll(() => h?.close());

  it('escalates at once to the next step, says why on the timeline, and tells the admins', async () => {
    const admin = await h.api('GET', '/api/v1/me');
    await h.verifiedContact(admin.id, 'email', 'admin@example.com');
    const ghost = await h.api('POST', '/api/v1/users', {
      name: 'Ghost',
      email: 'ghost@example.com',
      role: 'responder',
    });
    const cy = await h.api('POST', '/api/v1/users', {
      name: 'Cy',
      email: 'cy@example.com',
      role: 'responder',
    });
    await h.verifiedContact(cy.id, 'sms', '+15550000077');
    const { routingKey } = await servicePaging(h, 'Billing', [ghost.id, cy.id], 10);
    await trigger(h, routingKey, 'billing-1', 'Billing queue stuck');
    await h.cycle();
    expect(h.twilio.messages.take((m) => m.to === '+15550000077').body).toContain('Billing queue stuck');
    const notice = await h.smtp.mails.waitAndTake((m) => m.to.includes('admin@example.com'));
    expect(notice.subject).toContain('Incident #1: step 1 of 2 of its escalation policy reached nobody');
    expect(notice.text).toContain('Ghost has no contact method');
    h.assertQuiet();
    const timeline = await h.api('GET', '/api/v1/incidents/1/timeline');
    expect(timeline.data.map((e: { message: string }) => e.message)).toEqual([
      'Triggered by Events API v2: Billing queue stuck',
      'Step 1 of 2: cannot reach Ghost has no contact method',
      'Step 1 of 2 reached nobody; escalating at once',
      'Step 2 of 2: paging Cy (named in the policy) by SMS',
    ]);
  });
});

/** Quiet hours hold low-urgency pages until they end; high urgency goes through at once. */
describe.each(engines)('quiet hours on %s', (engine) => {
  let h: PagingHarness;
  beforeAll(async () => {
    h = await startPagingHarness(engine);
  });
  afterAll(() => h?.close());

  it('holds a low-urgency page until the quiet hours end, and not a high-urgency one', async () => {
    const di = await h.api('POST', '/api/v1/users', {
      name: 'Di',
      email: 'di@example.com',
      role: 'responder',
    });
    await h.verifiedContact(di.id, 'sms', '+15550000055');
    const updated = await h.api('PATCH', `/api/v1/users/${di.id}`, {
      time_zone: 'Europe/Lisbon',
      quiet_hours: { start: '22:00', end: '07:00' },
    });
    expect(updated.quiet_hours).toEqual({ start: '22:00', end: '07:00' });
    const { routingKey } = await servicePaging(h, 'Reports', [di.id], 30);
    // 06:00Z is 06:00 in Lisbon (WET): quiet until 07:00.
    await trigger(h, routingKey, 'slow-report', 'Nightly report is slow', 'warning');
    await h.cycle();
    h.assertQuiet();
    const held = await h.api('GET', '/api/v1/incidents/1/notifications');
    expect(held.data[0]).toMatchObject({ state: 'queued', send_after: '2026-03-08T07:00:00.000Z' });
    expect(held.data[0].reason).toContain("held for Di's quiet hours");

    await trigger(h, routingKey, 'db-down', 'Database down', 'critical');
    await h.cycle();
    expect(h.twilio.messages.take((m) => m.to === '+15550000055').body).toContain('Database down');
    h.assertQuiet();

    h.clock.advance(60 * 60_000);
    await h.cycle();
    expect(h.twilio.messages.take((m) => m.to === '+15550000055').body).toContain('Nightly report is slow');
    h.assertQuiet();
  });
});
