import type { SendResult } from '../channel.js';
import { type HttpChannelOptions, httpSendResult, parseJsonBody, requestOnce } from '../http-send.js';
import { classifyHttpOutcome, OutboundError } from '../outbound-http.js';

/**
 * The one Twilio REST call both SMS and voice make: create a Message or a Call (wire-formats.md §9).
 * Any Twilio-compatible API works: the base URL is configurable, and it is called through
 * OutboundHttp like every other HTTP peer.
 */

export interface TwilioOptions extends HttpChannelOptions {
  accountSid: string;
  authToken: string;
  /** Our number (E.164) or, for SMS, an alphanumeric sender id. */
  from: string;
  /** `https://api.twilio.com` by default. */
  baseUrl?: string;
  /** Where Twilio reports delivery (`/webhooks/twilio/status`); no receipts without it. */
  statusCallbackUrl?: string;
}

/** E.164: `+`, then 8 to 15 digits, the first not 0. */
const E164 = /^\+[1-9]\d{7,14}$/;

export function checkPhoneNumber(address: string): string | null {
  if (E164.test(address)) return null;
  return 'must be a phone number in international format: + and the country code, e.g. +4915112345678';
}

/** POSTs form fields to `…/Accounts/{sid}/{resource}.json`; 201 → sent with the SID as providerId. */
export async function createTwilioResource(
  options: TwilioOptions,
  resource: 'Messages' | 'Calls',
  params: URLSearchParams,
  notificationId: string,
): Promise<SendResult> {
  const base = (options.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/${resource}.json`;
  const result = await requestOnce(options.http, {
    method: 'POST',
    url,
    headers: {
      authorization: `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      // Twilio's REST API takes no idempotency key: this header is the one Twilio itself sends on
      // webhooks it retries. Harmless here; it lets a Twilio-compatible API or a proxy dedupe a retry.
      'i-twilio-idempotency-token': notificationId,
    },
    body: params.toString(),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const now = (options.clock ?? { now: () => new Date() }).now();
  const outcome = classifyHttpOutcome(result, now);
  const secrets = [options.authToken];

  if (outcome.outcome === 'success' && !(result instanceof OutboundError)) {
    const body = parseJsonBody(result.body) as { sid?: unknown; status?: unknown } | undefined;
    const sid = typeof body?.sid === 'string' ? body.sid : undefined;
    return httpSendResult('Twilio', result, outcome, {
      success: 'sent',
      providerId: sid,
      secrets,
    });
  }
  if (!(result instanceof OutboundError)) {
    // Twilio's errors: {"code":21211,"message":"Invalid 'To' Phone Number: …","more_info":…,"status":400}
    const error = parseJsonBody(result.body) as { code?: unknown; message?: unknown } | undefined;
    if (typeof error?.message === 'string') {
      const code =
        typeof error.code === 'number' || typeof error.code === 'string' ? ` (error ${error.code})` : '';
      outcome.reason = `HTTP ${result.status}${code}: ${error.message}`;
    }
  }
  return httpSendResult('Twilio', result, outcome, { success: 'sent', secrets });
}

/** Status callbacks only when we have somewhere to receive them. */
export function statusCallbackParams(options: TwilioOptions, params: URLSearchParams): void {
  if (options.statusCallbackUrl) params.set('StatusCallback', options.statusCallbackUrl);
}
