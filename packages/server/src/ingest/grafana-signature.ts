import { createHmac, timingSafeEqual } from 'node:crypto';

/** Grafana 12+ HMAC signing (specs/wire-formats.md §3): either header name, hex HMAC-SHA256. */
export const GRAFANA_SIGNATURE_HEADERS = [
  'x-grafana-alerting-signature',
  'x-grafana-alert-signature',
] as const;
export const REPLAY_WINDOW_SECONDS = 300;

export function verifyGrafanaSignature(options: {
  secret: string;
  rawBody: string;
  signature: string | undefined;
  timestamp?: string | undefined;
  nowSeconds: number;
}): { ok: true } | { ok: false; reason: string } {
  const { secret, rawBody, signature, timestamp, nowSeconds } = options;
  if (!signature) return { ok: false, reason: 'the signature header is missing' };
  if (timestamp !== undefined) {
    const seconds = Number(timestamp);
    if (!Number.isInteger(seconds) || Math.abs(nowSeconds - seconds) > REPLAY_WINDOW_SECONDS) {
      return { ok: false, reason: 'the timestamp is missing or outside the 5-minute window' };
    }
  }
  const signed = timestamp !== undefined ? `${timestamp}:${rawBody}` : rawBody;
  const expected = createHmac('sha256', secret).update(signed, 'utf8').digest();
  const given = Buffer.from(signature.trim().toLowerCase(), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'the signature does not match' };
  return { ok: true };
}
