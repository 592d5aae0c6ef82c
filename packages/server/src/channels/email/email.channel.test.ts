import { createServer, type Socket } from 'node:net';
import { type SmtpCapture, startSmtpCapture } from '@vigil/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  TEST_LINKS,
  TEST_NOTICE,
  testIncident,
  testNotice,
  testPage,
  testUpdate,
} from '../test-fixtures.js';
import { checkEmailAddress, createEmailChannel, threadRoot } from './email.channel.js';

let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
});
afterAll(() => smtp.close());
afterEach(() => smtp.mails.assertNothingElse());

const from = 'Vigil <pager@vigil.example.com>';
const channel = () => createEmailChannel({ smtpUrl: smtp.url, from, timeoutMs: 2_000 });

describe('e-mail channel', () => {
  it('sends a page a person can act on: subject, facts, acknowledge and resolve links, the incident', async () => {
    const page = testPage('email', 'ana@example.com');
    const result = await channel().send(page);
    expect(result).toMatchObject({ outcome: 'delivered' });
    expect(result.reason).toMatch(/^SMTP server accepted the mail/);

    const mail = await smtp.mails.waitAndTake();
    expect(mail.subject).toBe('[Vigil] #42 triggered: Disk full on db-1');
    expect(mail.from).toBe('pager@vigil.example.com');
    expect(mail.envelope.rcptTo).toEqual(['ana@example.com']);
    expect(mail.text).toContain('#42 Disk full on db-1');
    expect(mail.text).toContain('Service: Checkout');
    expect(mail.text).toContain('Urgency: High');
    expect(mail.text).toContain('Priority: P1');
    expect(mail.text).toContain(`Acknowledge: ${TEST_LINKS.acknowledge}`);
    expect(mail.text).toContain(`Resolve: ${TEST_LINKS.resolve}`);
    expect(mail.text).toContain('Open the incident: https://vigil.example.com/incidents/42');
    expect(mail.html).toContain(`href="${TEST_LINKS.acknowledge}"`);
    expect(mail.html).toContain(`href="${TEST_LINKS.resolve}"`);
    expect(mail.html).toContain('>Acknowledge</a>');
    expect(mail.headers['auto-submitted']).toBe('auto-generated');
    expect(mail.headers['x-priority']).toMatch(/^1/);
    expect(mail.headers['message-id']).toBe(`<${page.id}@vigil.example.com>`);
    expect(result.providerId).toBe(`<${page.id}@vigil.example.com>`);
  });

  it('escapes what comes from the incident in the HTML', async () => {
    const incident = testIncident({ title: '<script>alert("x")</script> & more', serviceName: 'A<b>' });
    await channel().send(testPage('email', 'ana@example.com', { incident }));
    const mail = await smtp.mails.waitAndTake();
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(mail.html).toContain('A&lt;b&gt;');
    expect(mail.subject).toBe('[Vigil] #42 triggered: <script>alert("x")</script> & more');
  });

  it('threads updates with the page and says who acknowledged or resolved', async () => {
    const page = testPage('email', 'ana@example.com');
    await channel().send(page);
    const acknowledged = testUpdate(page, 'acknowledged', 'Bo');
    await channel().send(acknowledged);
    await channel().send(testUpdate(page, 'resolved', 'Bo'));

    const root = threadRoot(page.incident!.id, 'vigil.example.com');
    const [first, ack, resolved] = [
      await smtp.mails.waitAndTake(),
      await smtp.mails.waitAndTake(),
      await smtp.mails.waitAndTake(),
    ];
    expect(first!.headers.references).toBe(root);
    expect(first!.headers['in-reply-to']).toBeUndefined();
    expect(ack!.headers['in-reply-to']).toBe(root);
    expect(ack!.headers.references).toBe(root);
    expect(ack!.headers['message-id']).not.toBe(first!.headers['message-id']);

    expect(ack!.subject).toBe('[Vigil] #42 acknowledged by Bo: Disk full on db-1');
    expect(ack!.text.split('\n')[0]).toBe('Acknowledged by Bo.');
    // Acknowledged: only resolving is left to do.
    expect(ack!.text).not.toContain(TEST_LINKS.acknowledge);
    expect(ack!.text).toContain(`Resolve: ${TEST_LINKS.resolve}`);

    expect(resolved!.subject).toBe('[Vigil] #42 resolved by Bo: Disk full on db-1');
    expect(resolved!.text).not.toContain(TEST_LINKS.resolve);
    expect(resolved!.html).not.toContain('>Resolve</a>');
  });

  it('sends test and verification messages', async () => {
    const base = testPage('email', 'ana@example.com');
    await channel().send({ ...base, kind: 'test', incident: undefined, links: undefined });
    await channel().send({ ...base, kind: 'verification', incident: undefined, verificationCode: '482913' });
    const test = await smtp.mails.waitAndTake();
    expect(test.subject).toBe('[Vigil] Test notification');
    expect(test.text).toContain('E-mail notifications to this address work');
    const verification = await smtp.mails.waitAndTake();
    expect(verification.subject).toBe('[Vigil] Verification code 482913');
    expect(verification.text).toContain('Your Vigil verification code is 482913');
  });

  it('sends a summary of several incidents', async () => {
    const incidents = [testIncident(), testIncident({ id: 'inc_2', number: 43, title: 'Latency high' })];
    await channel().send({ ...testPage('email', 'ana@example.com'), kind: 'summary', incidents });
    const mail = await smtp.mails.waitAndTake();
    expect(mail.subject).toBe('[Vigil] 2 incidents need attention');
    expect(mail.text).toContain('#43 Latency high (Checkout, Triggered)');
  });

  it('sends a notice: the title as subject, the body as written, a link into Vigil, no incident', async () => {
    const result = await channel().send(testNotice('email', 'ana@example.com'));
    expect(result.outcome).toBe('delivered');
    const mail = await smtp.mails.waitAndTake();
    expect(mail.subject).toBe('[Vigil] You are on call for Payments');
    expect(mail.text).toBe(
      [
        'You are on call for Payments',
        '',
        'From now until Mon 9 Mar 09:00 (Europe/London).',
        'Bo hands over to you.',
        '',
        `Open in Vigil: ${TEST_NOTICE.url}`,
      ].join('\n'),
    );
    expect(mail.html).toContain('>You are on call for Payments</h1>');
    expect(mail.html).toContain('From now until Mon 9 Mar 09:00 (Europe/London).\nBo hands over to you.');
    expect(mail.html).toContain(`href="${TEST_NOTICE.url}"`);
    expect(mail.html).toContain('>Open in Vigil</a>');
    expect(mail.html).not.toContain('Acknowledge');
    expect(mail.headers.references).toBeUndefined();
    expect(mail.headers['x-vigil-incident-id']).toBeUndefined();
    expect(mail.headers['x-priority']).toBeUndefined();
  });

  it('escapes a notice, leaves out a missing or unsafe link, and refuses a notice without one', async () => {
    await channel().send(
      testNotice('email', 'ana@example.com', {
        notice: { title: 'Payments <EU> has nobody on call', body: 'Sat 14 Mar 02:00–06:00 & "later"' },
      }),
    );
    await channel().send(
      testNotice('email', 'ana@example.com', {
        notice: { title: 'Ana asks who can cover Payments', body: '', url: 'javascript:alert(1)' },
      }),
    );
    const gap = await smtp.mails.waitAndTake();
    expect(gap.subject).toBe('[Vigil] Payments <EU> has nobody on call');
    expect(gap.html).toContain('Payments &lt;EU&gt; has nobody on call');
    expect(gap.html).toContain('Sat 14 Mar 02:00–06:00 &amp; &quot;later&quot;');
    expect(gap.html).not.toContain('<EU>');
    expect(gap.text).not.toContain('Open in Vigil');
    const cover = await smtp.mails.waitAndTake();
    expect(cover.text).toBe('Ana asks who can cover Payments');
    expect(cover.html).not.toContain('javascript:');

    expect(await channel().send(testNotice('email', 'ana@example.com', { notice: undefined }))).toEqual({
      outcome: 'permanent',
      reason: 'the notice message has no notice',
    });
  });

  it('authenticates with the credentials of the URL and never repeats the password', async () => {
    const url = smtp.url.replace('smtp://', 'smtp://pager:s3cret-pass@');
    const authed = createEmailChannel({ smtpUrl: url, from, timeoutMs: 2_000 });
    expect((await authed.send(testPage('email', 'ana@example.com'))).outcome).toBe('delivered');
    expect((await smtp.mails.waitAndTake()).authUser).toBe('pager');

    smtp.rejectNext(1, { code: 550, message: 'No such user here' });
    const refused = await authed.send(testPage('email', 'ghost@example.com'));
    expect(refused.outcome).toBe('permanent');
    expect(refused.reason).not.toContain('s3cret-pass');
  });

  it('maps SMTP 4xx to temporary and 5xx to permanent, with the server reply as the reason', async () => {
    smtp.rejectNext(1, { code: 451, message: 'Try again later' });
    const later = await channel().send(testPage('email', 'ana@example.com'));
    expect(later).toEqual({
      outcome: 'temporary',
      reason: expect.stringMatching(/^SMTP 451 .*Try again later/),
    });

    smtp.rejectNext(1, { code: 550, message: 'Mailbox unavailable' });
    const never = await channel().send(testPage('email', 'ana@example.com'));
    expect(never).toEqual({
      outcome: 'permanent',
      reason: expect.stringMatching(/^SMTP 550 .*Mailbox unavailable/),
    });
  });

  it('treats a refused connection and a silent server as temporary', async () => {
    const refused = createEmailChannel({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, from });
    const result = await refused.send(testPage('email', 'ana@example.com'));
    expect(result.outcome).toBe('temporary');
    expect(result.reason).toMatch(/could not talk to the SMTP server: .*ECONNREFUSED/);

    // A server that accepts the connection and never greets.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const hung = createEmailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, from, timeoutMs: 200 });
      const started = Date.now();
      const timedOut = await hung.send(testPage('email', 'ana@example.com'));
      expect(timedOut.outcome).toBe('temporary');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses addresses that are not e-mail addresses, without sending', async () => {
    expect(checkEmailAddress('ana@example.com')).toBeNull();
    expect(checkEmailAddress('ana.b+pager@mail.example.co.uk')).toBeNull();
    for (const bad of [
      'ana',
      'ana@',
      '@example.com',
      'ana@example',
      'a na@example.com',
      'ana@example.com\r\nBcc: x@y.z',
    ])
      expect(checkEmailAddress(bad), bad).not.toBeNull();
    const result = await channel().send(testPage('email', 'not-an-address'));
    expect(result.outcome).toBe('permanent');
  });
});
