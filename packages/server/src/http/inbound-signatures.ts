import { createHmac, timingSafeEqual } from 'node:crypto';

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1, keyed by the auth token, over the full URL Twilio
 * called followed by each POST parameter's name and value, sorted by name.
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);
  return equal(createHmac('sha1', authToken).update(data, 'utf8').digest('base64'), signature);
}

/** Requests older than this (or from the future by as much) are replays (Slack's advice). */
export const SLACK_WINDOW_SECONDS = 300;

/** Slack's `v0` signature over `v0:{timestamp}:{raw body}`, within the 5-minute window. */
export function verifySlackSignature(
  signingSecret: string,
  timestamp: string | undefined,
  rawBody: string,
  signature: string | undefined,
  nowSeconds: number,
): 'ok' | 'stale' | 'invalid' {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return 'invalid';
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_WINDOW_SECONDS) return 'stale';
  const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  return equal(expected, signature) ? 'ok' : 'invalid';
}
