import type { FailureControls } from './failure-controls.js';
import { sendBody } from './failure-controls.js';
import { type LoggedRequest, startHttpFake } from './http-fake.js';
import { Recorder, truncate } from './recorder.js';

/**
 * A Teams Workflows ("post to a channel when a webhook request is received") endpoint, wire-formats.md §8.
 * The real flow answers 202 before it runs, so a card it cannot post fails silently; this fake answers 202
 * too and records the cards so tests can look at them.
 */

export interface TeamsPost {
  /** The path after `/workflows/`, which names the flow. */
  workflow: string;
  /** The whole body: `{type: "message", attachments: [...]}`. */
  payload: Record<string, any>;
  /** The Adaptive Cards among the attachments (their `content`). */
  cards: Record<string, any>[];
  /** Body size: Teams refuses to post messages over 28 KB, though the webhook still answers 202. */
  bytes: number;
  receivedAt: Date;
}

export interface TeamsFake extends Omit<FailureControls, 'intercept'> {
  url: string;
  port: number;
  /** A Workflows webhook URL on the fake; the real ones carry a `sig` secret in the query. */
  workflowUrl(name?: string): string;
  posts: Recorder<TeamsPost>;
  requestLog: LoggedRequest[];
  close(): Promise<void>;
}

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

export async function startTeamsFake(): Promise<TeamsFake> {
  const posts = new Recorder<TeamsPost>(
    'Teams workflow posts',
    (p) => `/workflows/${p.workflow}: ${truncate(JSON.stringify(p.cards), 200)}`,
  );
  const http = await startHttpFake(
    (req, res, rawBody) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method !== 'POST' || !path.startsWith('/workflows/')) return sendBody(res, 404, '');
      let payload: unknown;
      try {
        payload = JSON.parse(rawBody.toString('utf8'));
      } catch (error) {
        // What the Logic Apps trigger says about a body that is not JSON.
        return sendBody(res, 400, {
          error: {
            code: 'InvalidRequestContent',
            message: `The request content is not valid JSON: ${error}`,
          },
        });
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        return sendBody(res, 400, {
          error: { code: 'InvalidRequestContent', message: 'expected a JSON object' },
        });
      }
      const body = payload as Record<string, any>;
      const attachments: any[] = Array.isArray(body.attachments) ? body.attachments : [];
      posts.record({
        workflow: path.slice('/workflows/'.length),
        payload: body,
        cards: attachments.filter((a) => a?.contentType === ADAPTIVE_CARD).map((a) => a.content),
        bytes: rawBody.length,
        receivedAt: new Date(),
      });
      res.writeHead(202).end();
    },
    (status) => ({ error: { code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: '' } }),
  );
  const { intercept: _intercept, ...controls } = http.controls;
  return {
    ...controls,
    url: http.url,
    port: http.port,
    workflowUrl: (name = 'vigil-test/triggers/manual/paths/invoke') =>
      `${http.url}/workflows/${name}?api-version=2016-06-01&sig=fake-signature`,
    posts,
    requestLog: http.requestLog,
    close: http.close,
  };
}
