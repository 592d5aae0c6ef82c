import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  type ECDH,
  randomBytes,
  verify,
} from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  strictHttp,
  TEST_LINKS,
  TEST_NOTICE,
  testHttp,
  testNotice,
  testPage,
  testUpdate,
} from '../test-fixtures.js';
import { createPushChannel, generateVapidKeys, type PushPayload, pushPayload } from './push.channel.js';

/**
 * A push service on 127.0.0.1: push endpoints are plain URLs, so web-push's request can be sent to
 * one like to FCM or Mozilla's autopush. The test then decrypts the body as the browser would.
 */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const received: Received[] = [];
const routes: Record<string, (res: ServerResponse) => void> = {
  '/push/ok': (res) => res.writeHead(201, { location: 'https://push.example/m/abc123' }).end(),
  '/push/gone': (res) => res.writeHead(410).end('subscription expired'),
  '/push/unknown': (res) => res.writeHead(404).end(),
  '/push/busy': (res) => res.writeHead(429, { 'retry-after': '12' }).end(),
  '/push/down': (res) => res.writeHead(503).end('maintenance'),
  '/push/bad-key': (res) => res.writeHead(403).end('invalid JWT'),
  '/push/hang': () => {},
};
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      (routes[req.url!] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const vapid = generateVapidKeys();
const browser = createECDH('prime256v1');
browser.generateKeys();
const authSecret = randomBytes(16);

function subscription(path: string): string {
  return JSON.stringify({
    endpoint: `${base}${path}`,
    expirationTime: null,
    keys: { p256dh: browser.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') },
  });
}

const channel = (timeoutMs?: number) =>
  createPushChannel({
    vapidPublicKey: vapid.publicKey,
    vapidPrivateKey: vapid.privateKey,
    subject: 'mailto:ops@vigil.example.com',
    http: testHttp(),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });

describe('web push channel', () => {
  it('sends an encrypted, VAPID-signed page the browser can read', async () => {
    const page = testPage('push', subscription('/push/ok'));
    const result = await channel().send(page);
    expect(result).toEqual({
      outcome: 'sent',
      reason: 'the push service answered HTTP 201',
      providerId: 'https://push.example/m/abc123',
    });

    const request = received.at(-1)!;
    expect(request.headers.ttl).toBe('3600');
    expect(request.headers.urgency).toBe('high');
    expect(request.headers['content-encoding']).toBe('aes128gcm');
    expect(request.headers.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(request.headers.authorization).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    const jwt = checkVapid(request.headers.authorization!);
    expect(jwt).toMatchObject({ aud: base, sub: 'mailto:ops@vigil.example.com' });

    const payload = JSON.parse(decrypt(request.body, browser, authSecret)) as PushPayload;
    expect(payload).toEqual({
      title: '#42 Disk full on db-1',
      body: 'Triggered · Checkout · high urgency · P1',
      url: 'https://vigil.example.com/incidents/42',
      incident_id: page.incident!.id,
      tag: `incident-${page.incident!.id}`,
      actions: [
        { action: 'acknowledge', title: 'Acknowledge', url: TEST_LINKS.acknowledge },
        { action: 'resolve', title: 'Resolve', url: TEST_LINKS.resolve },
      ],
    });
  });

  it('says who acknowledged, offering only Resolve', () => {
    const update = pushPayload(testUpdate(testPage('push', '{}'), 'acknowledged', 'Ana'))!;
    expect(update.title).toBe('#42 Acknowledged by Ana');
    expect(update.body).toBe('Disk full on db-1');
    expect(update.actions.map((a) => a.action)).toEqual(['resolve']);
  });

  it('sends a notice the browser shows with its title, body and link, at normal urgency', async () => {
    const result = await channel().send(testNotice('push', subscription('/push/ok')));
    expect(result.outcome).toBe('sent');
    const request = received.at(-1)!;
    expect(request.headers.urgency).toBe('normal');
    expect(request.headers.topic).toBeUndefined();
    expect(JSON.parse(decrypt(request.body, browser, authSecret))).toEqual({
      title: 'You are on call for Payments',
      body: 'From now until Mon 9 Mar 09:00 (Europe/London).\nBo hands over to you.',
      url: TEST_NOTICE.url,
      actions: [],
    });
    expect(
      pushPayload(testNotice('push', '{}', { notice: { title: 'Payments has a gap', body: 'Sat 02:00' } })),
    ).toEqual({ title: 'Payments has a gap', body: 'Sat 02:00', actions: [] });

    const before = received.length;
    expect(await channel().send(testNotice('push', subscription('/push/ok'), { notice: undefined }))).toEqual(
      { outcome: 'permanent', reason: 'the notice message has no notice' },
    );
    expect(received.length).toBe(before);
  });

  it('maps 404 and 410 to an expired subscription, 403 to permanent, 429 and 503 to temporary', async () => {
    const send = (path: string) => channel().send(testPage('push', subscription(path)));
    expect(await send('/push/gone')).toEqual({
      outcome: 'permanent',
      reason: 'the push subscription has expired or was unsubscribed (HTTP 410)',
    });
    expect((await send('/push/unknown')).reason).toMatch(/expired or was unsubscribed \(HTTP 404\)/);
    expect(await send('/push/bad-key')).toEqual({
      outcome: 'permanent',
      reason: 'the push service answered HTTP 403: invalid JWT',
    });
    expect(await send('/push/busy')).toMatchObject({ outcome: 'temporary', retryAfterMs: 12_000 });
    const down = await send('/push/down');
    expect(down.outcome).toBe('temporary');
    expect(down.reason).not.toContain(base);

    const hung = await channel(200).send(testPage('push', subscription('/push/hang')));
    expect(hung.outcome).toBe('temporary');
    expect(hung.reason).toMatch(/did not respond within 200 ms/);
  });

  it('checks the endpoint with the SSRF guard before sending', async () => {
    const before = received.length;
    const guarded = createPushChannel({
      vapidPublicKey: vapid.publicKey,
      vapidPrivateKey: vapid.privateKey,
      subject: 'mailto:ops@vigil.example.com',
      http: strictHttp(),
    });
    const refused = await guarded.send(testPage('push', subscription('/push/ok')));
    expect(refused.outcome).toBe('permanent');
    expect(refused.reason).toMatch(/loopback/);
    expect(received.length).toBe(before);
  });

  it('refuses addresses that are not push subscriptions', () => {
    const push = channel();
    expect(push.checkAddress(subscription('/push/ok'))).toBeNull();
    expect(push.checkAddress('https://fcm.googleapis.com/fcm/send/abc')).toMatch(/not the JSON/);
    expect(push.checkAddress(JSON.stringify({ endpoint: 'file:///etc/passwd', keys: {} }))).toMatch(/http/);
    expect(
      push.checkAddress(
        JSON.stringify({ endpoint: 'https://push.example/x', keys: { p256dh: 'abc', auth: 'def' } }),
      ),
    ).toMatch(/p256dh/);
  });
});

/** Checks the VAPID JWT's ES256 signature with the key in `k=` and returns its claims (RFC 8292). */
function checkVapid(header: string): Record<string, unknown> {
  const [, token, key] = /^vapid t=([^,]+), k=(.+)$/.exec(header)!;
  const [head, claims, signature] = token!.split('.') as [string, string, string];
  const point = Buffer.from(key!, 'base64url');
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const valid = verify(
    'sha256',
    Buffer.from(`${head}.${claims}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  expect(valid).toBe(true);
  expect(key).toBe(vapid.publicKey);
  return JSON.parse(Buffer.from(claims, 'base64url').toString());
}

/** RFC 8291 decryption of a single aes128gcm record, as the browser does it. */
function decrypt(body: Buffer, receiver: ECDH, auth: Buffer): string {
  const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const senderPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const prkKey = hmac(auth, receiver.computeSecret(senderPublic));
  const keyInfo = Buffer.concat([
    Buffer.from('WebPush: info\0'),
    receiver.getPublicKey(),
    senderPublic,
    Buffer.from([1]),
  ]);
  const prk = hmac(salt, hmac(prkKey, keyInfo));
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(-16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 and optional zero padding.
  let end = plain.length - 1;
  while (plain[end] === 0) end--;
  expect(plain[end]).toBe(2);
  return plain.subarray(0, end).toString('utf8');
}
