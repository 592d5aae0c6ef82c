import {
  type ClientRequest,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { HostLookupFailed, OutboundRefused, type SsrfGuard, type VettedTarget } from './ssrf-guard.js';

/**
 * The one outbound HTTP path of every channel (Slack, Teams, webhooks, SIGNL4, Twilio-compatible
 * APIs, …). Each request passes the SSRF guard and connects to the address the guard checked;
 * redirects are never followed (a redirect could point anywhere, past the guard); one deadline
 * covers resolving, connecting, waiting and reading, so a hung receiver cannot hold a sender.
 */
export interface OutboundHttp {
  /** Resolves with any HTTP status (3xx included); rejects with OutboundError only. */
  request(request: OutboundRequest): Promise<OutboundResponse>;
}

export interface OutboundRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export interface OutboundResponse {
  status: number;
  /** Lower-case names; a repeated header is joined with ", ". */
  headers: Record<string, string>;
  /** UTF-8, cut at maxResponseBytes: replies are kept for diagnosis, not as data. */
  body: string;
  bodyTruncated: boolean;
  durationMs: number;
}

export type OutboundErrorKind = 'refused' | 'timeout' | 'network';

/** Why no HTTP response arrived; `reason` is written for the person reading the delivery log. */
export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  constructor(
    readonly kind: OutboundErrorKind,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export const DEFAULT_USER_AGENT = 'Vigil';

interface Settings {
  guard: SsrfGuard;
  userAgent: string;
  defaultTimeoutMs: number;
  maxResponseBytes: number;
}

export function createOutboundHttp(options: {
  guard: SsrfGuard;
  userAgent?: string;
  defaultTimeoutMs?: number;
  maxResponseBytes?: number;
}): OutboundHttp {
  const settings: Settings = {
    guard: options.guard,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
    maxResponseBytes: options.maxResponseBytes ?? 64 * 1024,
  };
  return { request: (request) => send(request, settings) };
}

const PHASE_TEXT = {
  resolving: 'resolving the host name',
  connecting: 'connecting',
  waiting: 'waiting for the response',
  reading: 'reading the response',
} as const;

function send(request: OutboundRequest, settings: Settings): Promise<OutboundResponse> {
  const startedAt = performance.now();
  const timeoutMs = request.timeoutMs ?? settings.defaultTimeoutMs;
  const host = hostForMessages(request.url);

  return new Promise((resolve, reject) => {
    let phase: keyof typeof PHASE_TEXT = 'resolving';
    let clientRequest: ClientRequest | undefined;
    let settled = false;

    const finish = (outcome: OutboundResponse | OutboundError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Always close the socket: connections are not reused (agent: false), and a hung or
      // half-read response must not keep one open.
      clientRequest?.destroy();
      if (outcome instanceof OutboundError) reject(outcome);
      else resolve(outcome);
    };

    const timer = setTimeout(
      () =>
        finish(
          new OutboundError(
            'timeout',
            `${host} did not respond within ${timeoutMs} ms (${PHASE_TEXT[phase]})`,
          ),
        ),
      timeoutMs,
    );

    const readResponse = (response: IncomingMessage) => {
      phase = 'reading';
      const decoder = new StringDecoder('utf8');
      let body = '';
      let received = 0;
      const complete = (truncated: boolean) =>
        finish({
          status: response.statusCode ?? 0,
          headers: flattenHeaders(response.headers),
          // StringDecoder holds back a character cut in half at the limit instead of mangling it.
          body: truncated ? body : body + decoder.end(),
          bodyTruncated: truncated,
          durationMs: Math.round(performance.now() - startedAt),
        });
      response.on('data', (chunk: Buffer) => {
        const room = settings.maxResponseBytes - received;
        if (chunk.length > room) {
          body += decoder.write(chunk.subarray(0, room));
          complete(true);
          return;
        }
        body += decoder.write(chunk);
        received += chunk.length;
      });
      response.on('end', () => complete(false));
      response.on('error', (error) => finish(networkError(host, error)));
      response.on('close', () => {
        if (!response.complete)
          finish(
            new OutboundError('network', `${host} closed the connection before the response was complete`),
          );
      });
    };

    settings.guard.check(request.url).then(
      (target) => {
        if (settled) return;
        phase = 'connecting';
        try {
          clientRequest = open(target, request, settings.userAgent);
        } catch (error) {
          // Node checks methods and header values synchronously; a bad one is a configuration error.
          finish(new OutboundError('refused', `the request is invalid: ${(error as Error).message}`));
          return;
        }
        clientRequest.on('socket', (socket) =>
          socket.once('connect', () => {
            phase = 'waiting';
          }),
        );
        clientRequest.on('response', readResponse);
        clientRequest.on('error', (error) => finish(networkError(host, error)));
        clientRequest.end(request.body);
      },
      (error: unknown) => finish(guardError(host, error)),
    );
  });
}

function open(target: VettedTarget, request: OutboundRequest, userAgent: string): ClientRequest {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['user-agent'] ??= userAgent;
  if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);

  // The connection goes to the address the guard checked, whatever DNS says now (no rebinding).
  // Node asks with `all: true` when it may try several addresses (autoSelectFamily).
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const common = {
    method: request.method,
    // The original host name (not the address) so that Host, SNI and the certificate check match.
    hostname: target.hostname,
    port: target.port,
    path: `${target.url.pathname}${target.url.search}`,
    headers,
    lookup,
    agent: false as const,
  };
  if (target.url.protocol !== 'https:') return httpRequest(common);
  // SNI must not carry an IP address (RFC 6066); Node then checks the certificate against the IP.
  return httpsRequest(isIP(target.hostname) ? common : { ...common, servername: target.hostname });
}

function guardError(host: string, error: unknown): OutboundError {
  if (error instanceof OutboundRefused) return new OutboundError('refused', error.reason);
  if (error instanceof HostLookupFailed) return new OutboundError('network', error.message);
  return networkError(host, error as NodeJS.ErrnoException);
}

const NETWORK_ERROR_TEXT: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
};

function networkError(host: string, error: NodeJS.ErrnoException): OutboundError {
  const code = error.code;
  const text = (code && NETWORK_ERROR_TEXT[code]) ?? error.message;
  return new OutboundError('network', `could not reach ${host}: ${text}${code ? ` (${code})` : ''}`);
}

function hostForMessages(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the receiver';
  }
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

// ---------------------------------------------------------------------------------------------
// What a result means for delivery

export interface HttpOutcome {
  outcome: 'success' | 'temporary' | 'permanent';
  reason: string;
  /** The receiver's Retry-After, when it gave one on a temporary failure (capped). */
  retryAfterMs?: number;
}

/** A Retry-After beyond this is treated as this: a receiver must not park a page for a day. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * Success, or a failure worth retrying (temporary) or not (permanent). Redirects count as
 * permanent failures because they are never followed (Standard Webhooks says the same).
 */
export function classifyHttpOutcome(result: OutboundResponse | OutboundError, now: Date): HttpOutcome {
  if (result instanceof OutboundError)
    return { outcome: result.kind === 'refused' ? 'permanent' : 'temporary', reason: result.reason };

  const { status } = result;
  if (status >= 200 && status < 300) return { outcome: 'success', reason: `HTTP ${status}` };
  if (status >= 300 && status < 400) {
    const location = result.headers.location;
    return {
      outcome: 'permanent',
      reason: `HTTP ${status}: redirects are not followed${location ? ` (Location: ${location})` : ''}`,
    };
  }
  const reason = `HTTP ${status}${excerpt(result.body)}`;
  if (status === 408 || status === 425 || status === 429 || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfterMs(result.headers['retry-after'], now);
    return retryAfterMs === undefined
      ? { outcome: 'temporary', reason }
      : { outcome: 'temporary', reason, retryAfterMs };
  }
  return { outcome: 'permanent', reason };
}

/**
 * Retry-After as delay-seconds or as an HTTP-date (RFC 9110 §10.2.3), in ms from `now`, between 0
 * and MAX_RETRY_AFTER_MS; undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let delayMs: number;
  if (/^\d+$/.test(text)) {
    delayMs = Number(text) * 1000;
  } else if (/^[A-Za-z]{3}/.test(text)) {
    // All three HTTP-date forms start with a day name; this keeps Date.parse's leniency ("1.5"
    // is a date to it) out. The asctime form has no zone but means GMT.
    const at = Date.parse(/\b(GMT|UTC)$/i.test(text) ? text : `${text} GMT`);
    if (Number.isNaN(at)) return undefined;
    delayMs = at - now.getTime();
  } else {
    return undefined;
  }
  return Math.min(Math.max(delayMs, 0), MAX_RETRY_AFTER_MS);
}

function excerpt(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (!text) return '';
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}
