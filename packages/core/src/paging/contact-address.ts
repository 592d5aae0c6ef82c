import type { ContactType } from './paging.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{7,14}$/;
const SLACK_ID = /^[CDGUW][A-Z0-9]{6,20}$/;

function httpsUrl(address: string): boolean {
  try {
    const url = new URL(address);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Whether an address is well formed for its type; the message says what is expected. Reachability
 * (SSRF rules, the provider) is the channel's business when it sends.
 */
export function checkContactAddress(type: ContactType, address: string): string | null {
  switch (type) {
    case 'email':
      return EMAIL.test(address) ? null : 'must be an e-mail address';
    case 'sms':
    case 'voice':
      return E164.test(address) ? null : 'must be a phone number in E.164 form, e.g. +14155550123';
    case 'slack':
      return SLACK_ID.test(address) || httpsUrl(address)
        ? null
        : 'must be a Slack member or channel ID (U…, C…) or an incoming-webhook URL';
    case 'teams':
    case 'webhook':
      return httpsUrl(address) ? null : 'must be an http(s) URL';
    case 'push': {
      try {
        const subscription = JSON.parse(address) as {
          endpoint?: unknown;
          keys?: { p256dh?: unknown; auth?: unknown };
        };
        return typeof subscription.endpoint === 'string' &&
          httpsUrl(subscription.endpoint) &&
          typeof subscription.keys?.p256dh === 'string' &&
          typeof subscription.keys?.auth === 'string'
          ? null
          : 'must be a PushSubscription JSON with endpoint and keys';
      } catch {
        return 'must be a PushSubscription JSON with endpoint and keys';
      }
    }
  }
}
