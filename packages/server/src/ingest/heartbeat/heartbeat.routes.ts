import { createHeartbeatService, type Integration, VigilError } from '@vigil/core';
import { HeartbeatKeyParams, HeartbeatPingAnswer } from '@vigil/sdk/contract';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { sendProblem } from '../../http/errors.js';
import { responses } from '../../http/typed.js';
import { newId } from '../../ids.js';
import { RateLimiter } from '../rate-limiter.js';

export interface HeartbeatRouteDeps {
  app: AppDeps;
  /** Pings per minute per integration when the integration sets no limit of its own. */
  defaultRateLimitPerMinute: number;
}

/**
 * Heartbeat pings (docs/ingest.md, "Heartbeats"): `GET` or `POST /heartbeat/{key}`, or `POST
 * /heartbeat` with the key as a Bearer token. Authenticated by the integration key only, answered
 * with 202 once the ping is committed; refusals are problem details like the other ingest
 * endpoints that have no peer envelope. The body is ignored, whatever it holds: a job that ran must
 * never page someone because of what its `curl` sent.
 */
export async function heartbeatRoutes(scope: FastifyInstance, deps: HeartbeatRouteDeps) {
  const { app } = deps;
  const limiter = new RateLimiter();
  const heartbeats = createHeartbeatService({
    uow: app.uow,
    clock: app.clock,
    newId: () => newId(app.clock.now().getTime()),
  });

  // Any content type, never parsed: cron's `curl -d …` labels its body as a form.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
  scope.decorateRequest('changedNothing', false);

  scope.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof VigilError && error.status < 500) {
      return sendProblem(reply, error.code, error.message, error.errors);
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendProblem(reply, 'PAYLOAD_TOO_LARGE', 'The body is larger than 512 KB');
    if (error.statusCode && error.statusCode < 500)
      return sendProblem(reply, 'VALIDATION_FAILED', error.message);
    request.log.error({ err: error }, 'heartbeat ping failed');
    return sendProblem(reply, 'INTERNAL', 'Internal error; retry');
  });

  async function heartbeatFor(key: string | undefined): Promise<Integration> {
    const owner = key ? await app.integrationKeys.find(key) : null;
    if (!owner) throw new VigilError('NOT_FOUND', 'No heartbeat integration has this key');
    const { integration, service } = owner;
    if (integration.type !== 'heartbeat') {
      throw new VigilError(
        'VALIDATION_FAILED',
        `This key belongs to an integration of type ${integration.type}; send its events to that integration's URL`,
      );
    }
    if (service?.status === 'disabled') {
      throw new VigilError('CONFLICT', `The service ${service.name} is disabled; enable it to receive pings`);
    }
    return integration;
  }

  async function ping(request: FastifyRequest, reply: FastifyReply, key: string | undefined) {
    const integration = await heartbeatFor(key);
    const perMinute = integration.rateLimitPerMinute ?? deps.defaultRateLimitPerMinute;
    const verdict = limiter.take(integration.id, perMinute, 1, app.clock.now().getTime());
    if (!verdict.ok) {
      app.metrics.ingestRateLimited.inc({ integration_type: integration.type });
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      throw new VigilError('RATE_LIMITED', `Over this integration's limit of ${perMinute} pings a minute`);
    }
    const result = await heartbeats.ping(integration);
    // Only a ping that resolved an alert changed incidents (the engine and the boards look now).
    if (!result.recovered) request.changedNothing = true;
    return reply.code(202).send({
      status: 'ok',
      last_ping_at: result.lastPingAt,
      ping_due_at: result.pingDueAt,
      recovered: result.recovered,
    });
  }

  const tags = ['ingest'];
  const withKey = { params: HeartbeatKeyParams, response: responses(202, HeartbeatPingAnswer) };

  scope.post(
    '/heartbeat/:key',
    { schema: { tags, summary: 'Heartbeat ping (key in the path; any body, ignored)', ...withKey } },
    (request, reply) => ping(request, reply, (request.params as { key: string }).key),
  );
  scope.get(
    '/heartbeat/:key',
    { schema: { tags, summary: 'Heartbeat ping by GET, for `curl URL` in a crontab', ...withKey } },
    (request, reply) => ping(request, reply, (request.params as { key: string }).key),
  );
  scope.post(
    '/heartbeat',
    {
      schema: {
        tags,
        summary: 'Heartbeat ping with the key as a Bearer token',
        response: responses(202, HeartbeatPingAnswer),
      },
    },
    (request, reply) => {
      const header = request.headers.authorization;
      if (!header?.startsWith('Bearer '))
        throw new VigilError('UNAUTHENTICATED', 'Send the key as Authorization: Bearer <key>');
      return ping(request, reply, header.slice(7).trim());
    },
  );
}
