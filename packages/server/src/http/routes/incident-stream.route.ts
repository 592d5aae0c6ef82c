import { IncidentStreamQuery, Problem } from '@vigil/sdk/contract';
import { Type } from 'typebox';
import type { AppDeps } from '../../app.js';
import { decodePosition, type FeedPosition, sseEvent } from '../incident-feed.js';
import type { TypedApp } from '../typed.js';

/** A comment line every so often keeps proxies and load balancers from closing a quiet stream. */
export const KEEPALIVE_MS = 15_000;
/** A client this far behind (unread bytes in the socket buffer) is dropped; it reconnects and resumes. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How soon a browser's EventSource reconnects after the stream ends. */
const RETRY_MS = 1_000;

/**
 * GET /api/v1/incidents/stream: the live incident board's server-sent events (docs/incident-board.md).
 * The reply is hijacked from Fastify and written straight to the socket, so nothing buffers or
 * compresses it; the feed (incident-feed.ts) does the reading, this only frames and delivers.
 */
export function incidentStreamRoutes(app: TypedApp, { incidentFeed }: AppDeps) {
  app.get(
    '/api/v1/incidents/stream',
    {
      // A HEAD request would open a stream that sends nothing.
      exposeHeadRoute: false,
      schema: {
        tags: ['incidents'],
        summary: 'Live incident changes (server-sent events)',
        description:
          'A `text/event-stream`. First `event: ready` (its `id` is where the stream starts); then one `event: incident` per change, with the incident as `GET /api/v1/incidents/{id}` presents it and an `id` to resume from (`Last-Event-ID`); `event: reset` when a resume cannot be served (reload the list); a `: keepalive` comment every 15 s. Delivery is at least once: keep the highest `version` of each incident.',
        querystring: IncidentStreamQuery,
        response: {
          200: {
            description: 'Server-sent events',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          '4xx': Problem,
        },
      } as never,
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const resumeFrom =
        (typeof header === 'string' && header.trim()) ||
        (request.query as { last_event_id?: string }).last_event_id;
      const from: FeedPosition | null = resumeFrom ? decodePosition(resumeFrom) : null;

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // nginx buffers proxied responses unless told not to.
        'x-accel-buffering': 'no',
        // The socket closes when the stream ends, so app.close() is not held by an idle connection.
        connection: 'close',
      });
      res.write(`retry: ${RETRY_MS}\n\n`);
      if (resumeFrom && !from) {
        res.write(sseEvent('reset', JSON.stringify({ reason: 'unknown Last-Event-ID' })));
      }

      let ended = false;
      let unsubscribe: (() => void) | null = null;
      const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
      keepalive.unref();
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(keepalive);
        unsubscribe?.();
        res.end();
      };
      function write(text: string) {
        if (ended) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          request.log.warn('incident stream: the client does not keep up; closing (it will resume)');
          end();
          return;
        }
        res.write(text);
      }
      res.on('close', end);

      try {
        const stop = await incidentFeed.subscribe({ write, end }, from);
        if (ended) stop();
        else unsubscribe = stop;
      } catch (error) {
        // The stream cannot start (the database is away): end it; the client retries after RETRY_MS.
        request.log.warn({ err: error }, 'incident stream: could not start');
        end();
      }
    },
  );
}
