import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { startWebhookSink } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyHttpOutcome,
  createOutboundHttp,
  MAX_RETRY_AFTER_MS,
  OutboundError,
  type OutboundResponse,
  parseRetryAfterMs,
} from './outbound-http.js';
import { createSsrfGuard, type HostResolver } from './ssrf-guard.js';
import { generateWebhookSecret, webhookHeaders } from './standard-webhooks.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on a loopback address that records what it got and answers by path. */
async function startReceiver(host: string) {
  const seen: Seen[] = [];
  const openSockets = new Set<Socket>();
  const closedSockets: Socket[] = [];
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/ok': (res) => res.writeHead(200, { 'content-type': 'text/plain', 'x-twice': ['a', 'b'] }).end('hello'),
    '/redirect': (res) => res.writeHead(302, { location: '/ok' }).end(),
    '/big': (res) => res.writeHead(200).end('x'.repeat(1024 * 1024)),
    '/accents': (res) => res.writeHead(200).end('é'.repeat(2000)),
    '/hang': () => {}, // never answers
    '/slow-body': (res) => res.writeHead(200).write('partial'), // headers, then nothing
    '/unavailable': (res) => res.writeHead(503, { 'retry-after': '7' }).end('  down for\n maintenance '),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      (routes[req.url!] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
    });
  });
  server.on('connection', (socket) => {
    openSockets.add(socket);
    socket.on('close', () => {
      openSockets.delete(socket);
      closedSockets.push(socket);
    });
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    seen,
    openSockets,
    closedSockets,
    close: async () => {
      for (const socket of openSockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

async function ipv6Available(): Promise<boolean> {
  const probe = createTcpServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}
const hasIpv6 = await ipv6Available();

async function failureOf(promise: Promise<unknown>): Promise<OutboundError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return error as OutboundError;
}

/** Waits (bounded) until `condition` holds: for effects that land a tick after a promise settles. */
async function eventually(condition: () => boolean, withinMs = 1000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('outbound HTTP', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let base: string;
  const http = createOutboundHttp({
    guard: createSsrfGuard({ allow: ['127.0.0.1/32', '::1'] }),
    maxResponseBytes: 1024,
    defaultTimeoutMs: 2000,
  });

  beforeAll(async () => {
    receiver = await startReceiver('127.0.0.1');
    base = `http://127.0.0.1:${receiver.port}`;
  });
  afterAll(() => receiver.close());

  it('sends the method, headers and body, and returns status, headers, body and duration', async () => {
    const response = await http.request({
      method: 'POST',
      url: `${base}/ok`,
      headers: { 'Content-Type': 'application/json', 'X-Token': 'abc' },
      body: '{"née":1}',
    });
    expect(response).toMatchObject({ status: 200, body: 'hello', bodyTruncated: false });
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers['x-twice']).toBe('a, b');
    expect(response.durationMs).toBeGreaterThanOrEqual(0);
    const seen = receiver.seen.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', path: '/ok', body: '{"née":1}' });
    expect(seen.headers).toMatchObject({
      host: `127.0.0.1:${receiver.port}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength('{"née":1}')),
      'user-agent': 'Vigil',
      'x-token': 'abc',
    });
    expect(classifyHttpOutcome(response, new Date())).toEqual({ outcome: 'success', reason: 'HTTP 200' });
  });

  it('returns a redirect as it is, without following it', async () => {
    const before = receiver.seen.length;
    const response = await http.request({ method: 'GET', url: `${base}/redirect` });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/ok');
    expect(receiver.seen.slice(before).map((s) => s.path)).toEqual(['/redirect']);
    expect(classifyHttpOutcome(response, new Date())).toEqual({
      outcome: 'permanent',
      reason: 'HTTP 302: redirects are not followed (Location: /ok)',
    });
  });

  it('cuts a large response at maxResponseBytes and closes the connection', async () => {
    const response = await http.request({ method: 'GET', url: `${base}/big` });
    expect(response.body).toBe('x'.repeat(1024));
    expect(response.bodyTruncated).toBe(true);
    await eventually(() => receiver.openSockets.size === 0);
  });

  it('does not cut a character in half at the limit', async () => {
    const response = await http.request({ method: 'GET', url: `${base}/accents` });
    expect(response.body).toBe('é'.repeat(512)); // 1024 bytes of two-byte characters
    const odd = createOutboundHttp({
      guard: createSsrfGuard({ allow: ['127.0.0.1'] }),
      maxResponseBytes: 1023,
    });
    expect((await odd.request({ method: 'GET', url: `${base}/accents` })).body).toBe('é'.repeat(511));
  });

  it('gives up on a server that never answers, within the timeout, and closes the socket', async () => {
    const closedBefore = receiver.closedSockets.length;
    const startedAt = performance.now();
    const error = await failureOf(
      http.request({ method: 'POST', url: `${base}/hang`, body: '{}', timeoutMs: 200 }),
    );
    const elapsed = performance.now() - startedAt;
    expect(error.kind).toBe('timeout');
    expect(error.reason).toBe(
      `127.0.0.1:${receiver.port} did not respond within 200 ms (waiting for the response)`,
    );
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(700);
    await eventually(() => receiver.closedSockets.length > closedBefore && receiver.openSockets.size === 0);
    expect(classifyHttpOutcome(error, new Date()).outcome).toBe('temporary');
  });

  it('gives up on a response body that stops halfway', async () => {
    const error = await failureOf(http.request({ method: 'GET', url: `${base}/slow-body`, timeoutMs: 150 }));
    expect(error.kind).toBe('timeout');
    expect(error.reason).toContain('(reading the response)');
    await eventually(() => receiver.openSockets.size === 0);
  });

  it('counts a hung name lookup against the same deadline', async () => {
    const hungResolver: HostResolver = () => new Promise(() => {});
    const hung = createOutboundHttp({ guard: createSsrfGuard({ allow: [], resolve: hungResolver }) });
    const error = await failureOf(
      hung.request({ method: 'GET', url: 'https://hooks.example/', timeoutMs: 100 }),
    );
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(error.reason).toBe('hooks.example did not respond within 100 ms (resolving the host name)');
  });

  it('refuses a private address that is not allowed, without connecting', async () => {
    const strict = createOutboundHttp({ guard: createSsrfGuard({ allow: [] }) });
    const before = receiver.seen.length;
    const error = await failureOf(strict.request({ method: 'POST', url: `${base}/ok`, body: 'x' }));
    expect(error.kind).toBe('refused');
    expect(error.reason).toBe('127.0.0.1 is a loopback address; add it to VIGIL_OUTBOUND_ALLOW to allow it');
    expect(receiver.seen.length).toBe(before);
    expect(classifyHttpOutcome(error, new Date())).toEqual({ outcome: 'permanent', reason: error.reason });
  });

  it('reports a closed port and an unknown host as network errors', async () => {
    const probe = createTcpServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const refused = await failureOf(http.request({ method: 'GET', url: `http://127.0.0.1:${port}/` }));
    expect(refused).toMatchObject({
      kind: 'network',
      reason: `could not reach 127.0.0.1:${port}: the connection was refused (ECONNREFUSED)`,
    });

    const unknown = createOutboundHttp({ guard: createSsrfGuard({ allow: [], resolve: async () => [] }) });
    const error = await failureOf(unknown.request({ method: 'GET', url: 'https://nowhere.example/' }));
    expect(error).toMatchObject({ kind: 'network', reason: 'nowhere.example could not be resolved' });
  });

  it('refuses a request Node cannot send (a header value with a line break)', async () => {
    const error = await failureOf(
      http.request({ method: 'GET', url: `${base}/ok`, headers: { 'x-evil': 'a\r\nInjected: 1' } }),
    );
    expect(error.kind).toBe('refused');
    expect(error.reason).toMatch(/^the request is invalid: /);
  });

  it('connects to the address the guard checked, keeping the host name for Host (no second lookup)', async () => {
    // hooks.test cannot resolve through real DNS (.test is reserved): if this works, the connection
    // used the checked address.
    let lookups = 0;
    const resolve: HostResolver = async () => {
      lookups += 1;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const pinned = createOutboundHttp({ guard: createSsrfGuard({ allow: ['hooks.test'], resolve }) });
    const response = await pinned.request({
      method: 'GET',
      url: `http://hooks.test:${receiver.port}/ok?x=1#frag`,
    });
    expect(response.status).toBe(404); // the path includes the query, not the fragment
    expect(receiver.seen.at(-1)).toMatchObject({ path: '/ok?x=1' });
    expect(receiver.seen.at(-1)!.headers.host).toBe(`hooks.test:${receiver.port}`);
    expect(lookups).toBe(1);
  });

  it('over https, connects to the checked address and sends the host name as SNI', async () => {
    // A plain TCP listener sees the TLS ClientHello, whose server_name extension is plain text.
    const hellos: Buffer[] = [];
    const tcp = createTcpServer((socket) =>
      socket.once('data', (data: Buffer) => {
        hellos.push(data);
        socket.destroy();
      }),
    ).listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    try {
      const { port } = tcp.address() as AddressInfo;
      const pinned = createOutboundHttp({
        guard: createSsrfGuard({
          allow: ['hooks.test'],
          resolve: async () => [{ address: '127.0.0.1', family: 4 }],
        }),
      });
      const error = await failureOf(
        pinned.request({ method: 'GET', url: `https://hooks.test:${port}/`, timeoutMs: 1000 }),
      );
      expect(error.kind).toBe('network');
      expect(hellos).toHaveLength(1);
      expect(hellos[0]!.includes(Buffer.from('hooks.test'))).toBe(true);
    } finally {
      tcp.close();
    }
  });

  it.skipIf(!hasIpv6)('reaches an allowed IPv6 loopback receiver', async () => {
    const v6 = await startReceiver('::1');
    try {
      const response = await http.request({ method: 'GET', url: `http://[::1]:${v6.port}/ok` });
      expect(response.status).toBe(200);
      expect(v6.seen.at(-1)!.headers.host).toBe(`[::1]:${v6.port}`);
      const strict = createOutboundHttp({ guard: createSsrfGuard({ allow: ['127.0.0.1'] }) });
      const error = await failureOf(strict.request({ method: 'GET', url: `http://[::1]:${v6.port}/ok` }));
      expect(error.reason).toBe('::1 is a loopback address; add it to VIGIL_OUTBOUND_ALLOW to allow it');
    } finally {
      await v6.close();
    }
  });

  it('delivers a Standard Webhooks request that a consumer verifies', async () => {
    const secret = generateWebhookSecret();
    const sink = await startWebhookSink({ secret });
    try {
      const body = JSON.stringify({ type: 'incident.triggered', data: { id: 'inc_1' } });
      const headers = webhookHeaders(secret, 'msg_1', Math.floor(Date.now() / 1000), body);
      const response = await http.request({
        method: 'POST',
        url: `${sink.url}/hook`,
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(204);
      const delivery = await sink.deliveries.waitFor(undefined, { timeoutMs: 1000 });
      expect(delivery).toMatchObject({ verified: true, webhookId: 'msg_1', body });
    } finally {
      await sink.close();
    }
  });
});

describe('classifying an outcome', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const response = (status: number, headers: Record<string, string> = {}, body = ''): OutboundResponse => ({
    status,
    headers,
    body,
    bodyTruncated: false,
    durationMs: 5,
  });

  it('calls 2xx success, redirects and other 4xx permanent, 408/425/429/5xx temporary', () => {
    for (const status of [200, 201, 202, 204, 299])
      expect(classifyHttpOutcome(response(status), now).outcome).toBe('success');
    for (const status of [300, 301, 302, 303, 307, 308, 400, 401, 403, 404, 410, 413, 422])
      expect(classifyHttpOutcome(response(status), now).outcome, String(status)).toBe('permanent');
    for (const status of [408, 425, 429, 500, 502, 503, 504, 599])
      expect(classifyHttpOutcome(response(status), now).outcome, String(status)).toBe('temporary');
    expect(classifyHttpOutcome(response(101), now).outcome).toBe('permanent');
  });

  it('puts a short, one-line excerpt of the reply in the reason', () => {
    expect(classifyHttpOutcome(response(400, {}, '{"error":\n  "invalid_payload"}'), now).reason).toBe(
      'HTTP 400: {"error": "invalid_payload"}',
    );
    const long = classifyHttpOutcome(response(500, {}, 'y'.repeat(500)), now).reason;
    expect(long).toBe(`HTTP 500: ${'y'.repeat(200)}…`);
  });

  it('honours Retry-After given in seconds or as an HTTP date, capped at an hour', () => {
    expect(classifyHttpOutcome(response(429, { 'retry-after': '120' }), now)).toEqual({
      outcome: 'temporary',
      reason: 'HTTP 429',
      retryAfterMs: 120_000,
    });
    expect(
      classifyHttpOutcome(response(503, { 'retry-after': 'Sun, 01 Mar 2026 12:01:30 GMT' }), now)
        .retryAfterMs,
    ).toBe(90_000);
    expect(classifyHttpOutcome(response(503, { 'retry-after': '86400' }), now).retryAfterMs).toBe(
      MAX_RETRY_AFTER_MS,
    );
    expect(classifyHttpOutcome(response(503), now)).not.toHaveProperty('retryAfterMs');
    // Retry-After on a permanent failure changes nothing.
    expect(classifyHttpOutcome(response(400, { 'retry-after': '5' }), now)).not.toHaveProperty(
      'retryAfterMs',
    );
  });

  it('reads all three HTTP-date forms and ignores what is not a delay', () => {
    expect(parseRetryAfterMs('Sunday, 01-Mar-26 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterMs('Sun Mar  1 12:00:20 2026', now)).toBe(20_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0); // in the past
    for (const junk of [undefined, '', '-5', '1.5', 'soon', 'Sun, 99 Foo 2026 GMT'])
      expect(parseRetryAfterMs(junk, now), String(junk)).toBeUndefined();
  });

  it('takes Retry-After from a real response', async () => {
    const receiver = await startReceiver('127.0.0.1');
    try {
      const http = createOutboundHttp({ guard: createSsrfGuard({ allow: ['127.0.0.1'] }) });
      const result = await http.request({
        method: 'POST',
        url: `http://127.0.0.1:${receiver.port}/unavailable`,
      });
      expect(classifyHttpOutcome(result, now)).toEqual({
        outcome: 'temporary',
        reason: 'HTTP 503: down for maintenance',
        retryAfterMs: 7000,
      });
    } finally {
      await receiver.close();
    }
  });

  it('calls timeouts and network errors temporary and refusals permanent', () => {
    expect(classifyHttpOutcome(new OutboundError('timeout', 't'), now)).toEqual({
      outcome: 'temporary',
      reason: 't',
    });
    expect(classifyHttpOutcome(new OutboundError('network', 'n'), now)).toEqual({
      outcome: 'temporary',
      reason: 'n',
    });
    expect(classifyHttpOutcome(new OutboundError('refused', 'r'), now)).toEqual({
      outcome: 'permanent',
      reason: 'r',
    });
  });
});
