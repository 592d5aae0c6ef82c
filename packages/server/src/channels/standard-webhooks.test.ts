import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  signWebhook,
  WebhookSecretError,
  webhookHeaders,
} from './standard-webhooks.js';

// The test vector of Standard Webhooks v1 (wire-formats.md §13).
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const timestamp = 1614265330;
const body = '{"test": 2432232314}';
const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('Standard Webhooks signing', () => {
  it('matches the published test vector, for a string or the same bytes', () => {
    expect(signWebhook(secret, id, timestamp, body)).toBe(expected);
    expect(signWebhook(secret, id, timestamp, Buffer.from(body))).toBe(expected);
    expect(signWebhook(secret.slice('whsec_'.length), id, timestamp, body)).toBe(expected);
  });

  it('changes with the body, the id and the timestamp', () => {
    expect(signWebhook(secret, id, timestamp, '{"test": 2432232315}')).not.toBe(expected);
    expect(signWebhook(secret, 'msg_other', timestamp, body)).not.toBe(expected);
    expect(signWebhook(secret, id, timestamp + 1, body)).not.toBe(expected);
  });

  it('builds the three headers, with one signature per secret during a rotation', () => {
    expect(webhookHeaders(secret, id, timestamp, body)).toEqual({
      'webhook-id': id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': expected,
    });
    const next = generateWebhookSecret();
    const signatures = webhookHeaders([secret, next], id, timestamp, body)['webhook-signature'].split(' ');
    expect(signatures).toEqual([expected, signWebhook(next, id, timestamp, body)]);
    expect(() => webhookHeaders([], id, timestamp, body)).toThrow(WebhookSecretError);
  });

  it('generates whsec_ secrets of 24 random bytes', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(a);
    expect(signWebhook(a, id, timestamp, body)).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('refuses a mangled or too short secret and a timestamp that is not whole seconds', () => {
    expect(() => signWebhook('whsec_not base64!', id, timestamp, body)).toThrow(WebhookSecretError);
    expect(() => signWebhook('whsec_c2hvcnQ=', id, timestamp, body)).toThrow('24 to 64 bytes, not 5');
    expect(() => signWebhook(`whsec_${Buffer.alloc(65).toString('base64')}`, id, timestamp, body)).toThrow(
      WebhookSecretError,
    );
    expect(() => signWebhook(secret, id, Date.now(), body)).not.toThrow();
    expect(() => signWebhook(secret, id, 1614265330.5, body)).toThrow(RangeError);
  });
});
