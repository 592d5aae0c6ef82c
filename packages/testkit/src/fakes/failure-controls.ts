import type { ServerResponse } from 'node:http';

/** How a planned failure answers. */
export interface FailureResponse {
  status: number;
  /** Sent as `Retry-After` (seconds), as 429 and 503 answers do. */
  retryAfterSeconds?: number;
  /** A string is sent as text; anything else as JSON. Without it the fake's own error body for `status`. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RateLimit {
  /** Requests allowed within `perMs`; the next ones get 429 until the window has room again. */
  requests: number;
  perMs: number;
  /** `Retry-After` on the 429; 1 s by default. */
  retryAfterSeconds?: number;
}

/** The answer to a request the controls took over: answered already, or hung on purpose. */
export type Interception = 'answered' | 'hung' | undefined;

/**
 * Outages a test can order from a fake. Planned outcomes form one queue, applied to the next requests in
 * the order they were planned (`failNext(2, …); hangNext(1)` = two failures, then a hang, then normal
 * service); a rate limit applies on top, to whatever the queue lets through.
 */
export interface FailureControls {
  failNext(count: number, response: FailureResponse): void;
  /** Accept the next requests and never answer; the fake's `close()` destroys those sockets. */
  hangNext(count: number): void;
  /** Answer the next requests with a redirect (not followed by a correct client). */
  redirectNext(count: number, location: string, status?: 301 | 302 | 303 | 307 | 308): void;
  /** `null` lifts the limit. */
  setRateLimit(limit: RateLimit | null): void;
  /** Back to normal service: no planned outcomes, no rate limit. */
  reset(): void;
  /** For the fake: takes over the request if an outage is due. */
  intercept(res: ServerResponse): Interception;
}

type Planned =
  | { kind: 'fail'; response: FailureResponse }
  | { kind: 'hang' }
  | { kind: 'redirect'; location: string; status: number };

/** The fake's own error body for a status, e.g. Twilio's JSON error or Slack's `{ok:false}`. */
export type ErrorBody = (status: number) => unknown;

export function failureControls(errorBody: ErrorBody = () => ''): FailureControls {
  const queue: Planned[] = [];
  let rateLimit: RateLimit | null = null;
  let recent: number[] = [];

  const plan = (count: number, planned: Planned) => {
    for (let i = 0; i < count; i++) queue.push(planned);
  };

  return {
    failNext: (count, response) => plan(count, { kind: 'fail', response }),
    hangNext: (count) => plan(count, { kind: 'hang' }),
    redirectNext: (count, location, status = 302) => plan(count, { kind: 'redirect', location, status }),
    setRateLimit(limit) {
      rateLimit = limit;
      recent = [];
    },
    reset() {
      queue.length = 0;
      rateLimit = null;
      recent = [];
    },
    intercept(res) {
      const planned = queue.shift();
      if (planned?.kind === 'hang') return 'hung';
      if (planned?.kind === 'redirect') {
        res.writeHead(planned.status, { location: planned.location }).end();
        return 'answered';
      }
      if (planned?.kind === 'fail') {
        const { status, retryAfterSeconds, headers } = planned.response;
        const body = planned.response.body !== undefined ? planned.response.body : errorBody(status);
        sendBody(res, status, body, {
          ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
          ...headers,
        });
        return 'answered';
      }
      if (rateLimit) {
        const now = Date.now();
        recent = recent.filter((at) => now - at < rateLimit!.perMs);
        if (recent.length >= rateLimit.requests) {
          sendBody(res, 429, errorBody(429), { 'retry-after': String(rateLimit.retryAfterSeconds ?? 1) });
          return 'answered';
        }
        recent.push(now);
      }
      return undefined;
    },
  };
}

/** Sends a string as text/plain, anything else as JSON. */
export function sendBody(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
  } else {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }
}
