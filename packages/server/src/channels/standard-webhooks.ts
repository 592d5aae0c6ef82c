import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signing for our own outbound webhooks, per Standard Webhooks v1 (wire-formats.md §13), so that
 * receivers can verify with any of the reference libraries. Only the symmetric `v1` scheme:
 * HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed by the base64-decoded part of `whsec_…`.
 */

const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24–64 random bytes; we generate the lower bound, as the reference tools do. */
const SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export class WebhookSecretError extends Error {}

export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** `v1,<base64 signature>` for one secret. The body must be the exact bytes that are sent. */
export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0)
    throw new RangeError(`webhook-timestamp must be whole Unix seconds, not ${timestampSeconds}`);
  const mac = createHmac('sha256', webhookKey(secret));
  mac.update(`${id}.${timestampSeconds}.`, 'utf8');
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The three headers of one delivery attempt. `id` stays the same across retries (receivers
 * dedupe on it); `timestampSeconds` is the time of this attempt. Several secrets (during a
 * rotation) give space-separated signatures, any of which a receiver accepts.
 */
export function webhookHeaders(
  secrets: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): WebhookHeaders {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new WebhookSecretError('at least one webhook secret is needed to sign');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': list.map((secret) => signWebhook(secret, id, timestampSeconds, body)).join(' '),
  };
}

function webhookKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // Buffer.from(…, 'base64') skips characters it does not know; check first so a mangled secret
  // fails loudly instead of signing with a different key than the receiver holds.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded))
    throw new WebhookSecretError(`a webhook secret must be ${SECRET_PREFIX} followed by base64`);
  const key = Buffer.from(encoded, 'base64');
  if (key.length < SECRET_BYTES || key.length > MAX_SECRET_BYTES)
    throw new WebhookSecretError(
      `a webhook secret must hold ${SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes, not ${key.length}`,
    );
  return key;
}
