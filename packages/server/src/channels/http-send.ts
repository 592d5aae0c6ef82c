import type { SendOutcome, SendResult } from './channel.js';
import {
  classifyHttpOutcome,
  type HttpOutcome,
  OutboundError,
  type OutboundHttp,
  type OutboundRequest,
  type OutboundResponse,
} from './outbound-http.js';

/** What the HTTP channels share: one request through OutboundHttp, and the reason a person reads. */

export type HttpResult = OutboundResponse | OutboundError;

/** The options every HTTP channel takes. */
export interface HttpChannelOptions {
  /** The shared OutboundHttp: every request passes the SSRF guard. */
  http: OutboundHttp;
  /** Deadline of one request; OutboundHttp's default when absent. */
  timeoutMs?: number;
  /** For Retry-After given as a date, and signature timestamps. */
  clock?: { now(): Date };
}

/** Sends once; an OutboundError (refused, timeout, network) comes back as a value, not a rejection. */
export async function requestOnce(http: OutboundHttp, request: OutboundRequest): Promise<HttpResult> {
  try {
    return await http.request(request);
  } catch (error) {
    if (error instanceof OutboundError) return error;
    throw error;
  }
}

/**
 * The SendResult for a classified HTTP result: "Slack answered HTTP 404: channel_not_found", or the
 * OutboundError's own reason ("hooks.slack.com did not respond within 10000 ms …"). `secrets` are cut
 * out of the reason (tokens, and URLs that carry one), because reasons are shown and logged.
 */
export function httpSendResult(
  provider: string,
  result: HttpResult,
  outcome: HttpOutcome,
  options: { success: SendOutcome; providerId?: string | undefined; secrets?: readonly string[] },
): SendResult {
  const text =
    result instanceof OutboundError
      ? `${provider}: ${outcome.reason}`
      : `${provider} answered ${outcome.reason}`;
  const reason = redact(text, options.secrets ?? []);
  if (outcome.outcome === 'success') {
    return options.providerId === undefined
      ? { outcome: options.success, reason }
      : { outcome: options.success, reason, providerId: options.providerId };
  }
  return outcome.retryAfterMs === undefined
    ? { outcome: outcome.outcome, reason }
    : { outcome: outcome.outcome, reason, retryAfterMs: outcome.retryAfterMs };
}

/** classifyHttpOutcome, then httpSendResult: the whole story for channels without their own error format. */
export function classifiedResult(
  provider: string,
  result: HttpResult,
  now: Date,
  options: { success: SendOutcome; providerId?: string | undefined; secrets?: readonly string[] },
): SendResult {
  return httpSendResult(provider, result, classifyHttpOutcome(result, now), options);
}

/** Replaces each secret (long enough to be one) with "…". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 6) out = out.split(secret).join('…');
  }
  return out;
}

/**
 * The parts of a URL that may carry a secret (Slack and SIGNL4 put it in the path, Teams in the
 * query): for `redact`, so neither the URL nor its token ends up in a reason.
 */
export function urlSecrets(address: string): string[] {
  const secrets = [address];
  try {
    const url = new URL(address);
    secrets.push(`${url.pathname}${url.search}`, url.search, url.pathname);
    for (const value of url.searchParams.values()) secrets.push(value);
    for (const segment of url.pathname.split('/')) secrets.push(segment);
  } catch {
    // Not a URL: the whole address is the secret.
  }
  // Short pieces ("/", "/api") are not secrets and cutting them would mangle the reason.
  return secrets.filter((secret) => secret.length >= 12);
}

/** For checkAddress of URL addresses; the guard decides at send time whether the host may be called. */
export function checkHttpUrl(address: string): string | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return 'must be a URL, starting with https://';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain a user name or password';
  return null;
}

/** The JSON of a response body, or undefined. */
export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
