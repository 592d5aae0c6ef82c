import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FailureControls } from './failure-controls.js';
import { type LoggedRequest, startHttpFake } from './http-fake.js';
import { Recorder, truncate } from './recorder.js';

/**
 * A customer's endpoint for our outbound webhooks: records every delivery and checks it the way a
 * Standard Webhooks consumer would (wire-formats.md §13), so tests can assert `verified` instead of
 * re-implementing the scheme.
 */

export interface WebhookSinkOptions {
  /** `whsec_<base64>`: the secret the app signs with. */
  secret: string;
  /** The clock `webhook-timestamp` is checked against; pass the app's `ManualClock` if it has one. */
  clock?: { now(): Date };
  /** Allowed distance between `webhook-timestamp` and the clock; 5 minutes, as the reference library. */
  toleranceSeconds?: number;
}

export interface WebhookDelivery {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The body parsed, when it is JSON. */
  json: unknown;
  webhookId: string | undefined;
  webhookTimestamp: number | undefined;
  verified: boolean;
  /** Why `verified` is false. */
  verifyError: string | undefined;
  receivedAt: Date;
}

export interface WebhookSink extends Omit<FailureControls, 'intercept'> {
  url: string;
  port: number;
  /** Deliveries answered 2xx; failed, redirected and hung attempts are only in `requestLog`. */
  deliveries: Recorder<WebhookDelivery>;
  requestLog: LoggedRequest[];
  close(): Promise<void>;
}

/** `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed by the base64-decoded `whsec_` secret. */
export function standardWebhookSignature(
  secret: string,
  id: string,
  timestamp: number | string,
  body: string | Buffer,
): string {
  const mac = createHmac('sha256', standardWebhookKey(secret));
  mac.update(`${id}.${timestamp}.`, 'utf8');
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

function standardWebhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

export async function startWebhookSink(options: WebhookSinkOptions): Promise<WebhookSink> {
  const clock = options.clock ?? { now: () => new Date() };
  const tolerance = options.toleranceSeconds ?? 300;
  const deliveries = new Recorder<WebhookDelivery>(
    'webhook deliveries',
    (d) => `${d.method} ${d.path} id=${d.webhookId} verified=${d.verified}: ${truncate(d.body, 200)}`,
  );

  function verify(headers: Record<string, string | string[] | undefined>, body: Buffer): string | undefined {
    const id = single(headers['webhook-id']);
    const timestamp = single(headers['webhook-timestamp']);
    const signatures = single(headers['webhook-signature']);
    if (!id || !timestamp || !signatures) return 'missing webhook-id, webhook-timestamp or webhook-signature';
    if (!/^\d+$/.test(timestamp)) return `webhook-timestamp is not Unix seconds: ${timestamp}`;
    const skew = Math.abs(clock.now().getTime() / 1000 - Number(timestamp));
    if (skew > tolerance) return `webhook-timestamp is ${Math.round(skew)} s away from now`;
    const expected = Buffer.from(standardWebhookSignature(options.secret, id, timestamp, body));
    const matches = signatures
      .split(' ')
      .filter((candidate) => candidate.startsWith('v1,'))
      .some((candidate) => {
        const given = Buffer.from(candidate);
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
    return matches ? undefined : 'no v1 signature matches';
  }

  const http = await startHttpFake((req, res, rawBody) => {
    const verifyError = verify(req.headers, rawBody);
    const body = rawBody.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const timestamp = single(req.headers['webhook-timestamp']);
    deliveries.record({
      method: req.method ?? 'POST',
      path: req.url ?? '/',
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
      ) as Record<string, string>,
      body,
      json,
      webhookId: single(req.headers['webhook-id']),
      webhookTimestamp: timestamp === undefined ? undefined : Number(timestamp),
      verified: verifyError === undefined,
      verifyError,
      receivedAt: new Date(),
    });
    res.writeHead(204).end();
  });

  const { intercept: _intercept, ...controls } = http.controls;
  return {
    ...controls,
    url: http.url,
    port: http.port,
    deliveries,
    requestLog: http.requestLog,
    close: http.close,
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
