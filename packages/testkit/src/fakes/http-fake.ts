import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ErrorBody, type FailureControls, failureControls } from './failure-controls.js';

/** One request as it reached a fake, whatever the fake answered (failed and hung attempts too). */
export interface LoggedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** Lower-case names; repeated headers joined by ", ". */
  headers: Record<string, string>;
  body: string;
  at: Date;
  /** The status answered; `undefined` while unanswered, and for good when the request was hung. */
  status: number | undefined;
}

/** A fake's request handler: gets the request with its whole body already read. */
export type FakeHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export interface HttpFake {
  url: string;
  port: number;
  /** Every request in order, including those the failure controls answered or hung: for counting retries. */
  requestLog: LoggedRequest[];
  controls: FailureControls;
  close(): Promise<void>;
}

/**
 * A node:http server on an ephemeral port of 127.0.0.1 that logs every request, lets the failure
 * controls take over first, then hands the rest to the fake's handler. A handler that throws answers
 * 500 with the message, so a bug in a fake shows in the test instead of hanging it.
 */
export async function startHttpFake(handler: FakeHandler, errorBody?: ErrorBody): Promise<HttpFake> {
  const controls = failureControls(errorBody);
  const requestLog: LoggedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const entry: LoggedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: flattenHeaders(req),
        body: body.toString('utf8'),
        at: new Date(),
        status: undefined,
      };
      requestLog.push(entry);
      res.on('finish', () => {
        entry.status = res.statusCode;
      });
      if (controls.intercept(res) !== undefined) return;
      await handler(req, res, body);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requestLog,
    controls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung requests and idle keep-alive sockets would otherwise hold close() open for good.
        server.closeAllConnections();
      }),
  };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Form fields as a plain record; for a repeated name the last value wins (see the raw body for all). */
export function formFields(body: Buffer | string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body.toString()));
}

/** What the app answered when a fake called it (a Twilio or Slack callback). */
export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends a request to the app under test, as the outside service would; redirects are not followed. */
export async function callApp(
  url: string,
  init: { headers: Record<string, string>; body: string; method?: string },
): Promise<AppResponse> {
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers: init.headers,
    body: init.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}
