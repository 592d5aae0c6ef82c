import { randomUUID } from 'node:crypto';
import {
  type AlertEvent,
  type IngestItem,
  type IngestOutcome,
  type Integration,
  type IntegrationType,
  VigilError,
} from '@vigil/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import secureJsonParse from 'secure-json-parse';
import type { AppDeps } from '../app.js';
import { sendProblem } from '../http/errors.js';
import type { GroupCommit } from '../store/group-commit.js';
import { parseAlertmanagerWebhook } from './alertmanager/alertmanager.adapter.js';
import { parseChangeEvent, parseEventsV2 } from './events-v2/events-v2.adapter.js';
import { parseGeneric } from './generic/generic.adapter.js';
import { GRAFANA_SIGNATURE_HEADERS, verifyGrafanaSignature } from './grafana-signature.js';
import type { IntegrationKeyLookup } from './integration-keys.js';
import { InvalidEvent } from './invalid-event.js';
import { parseNewRelic } from './newrelic/newrelic.adapter.js';
import { opsgenieAction, parseOpsgenieCreate } from './opsgenie/opsgenie.adapter.js';
import type { RateLimiter } from './rate-limiter.js';

/** Each peer's own error shape (specs/api.md, "Answers follow the peer's own contract"). */
type Envelope = 'pagerduty' | 'opsgenie' | 'problem';

declare module 'fastify' {
  interface FastifyContextConfig {
    envelope?: Envelope;
  }
  interface FastifyRequest {
    rawBody?: string;
    /**
     * Set by ingest when every event only counted a repeat or was ignored: no incident changed and
     * no paging work became due, so the after-write hooks (engine nudge, board refresh) skip it.
     */
    changedNothing?: boolean;
  }
}

/** Why an ingest request is refused, in a form every envelope can render. */
class IngestRefusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly errors: string[] = [reason],
    readonly retryAfterSeconds?: number,
  ) {
    super(reason);
  }
}

export interface IngestDeps {
  app: AppDeps;
  queue: GroupCommit<IngestItem[], IngestOutcome[]>;
  keys: IntegrationKeyLookup;
  limiter: RateLimiter;
  /** Events per minute per integration when the integration sets no limit of its own. */
  defaultRateLimitPerMinute: number;
}

const problemCodes: Record<number, Parameters<typeof sendProblem>[1]> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/** Opsgenie's `took`: seconds since the request started, to the millisecond. */
const tookSeconds = (reply: FastifyReply) => Math.round(reply.elapsedTime) / 1000;

function refuse(reply: FastifyReply, envelope: Envelope, refusal: IngestRefusal) {
  if (refusal.retryAfterSeconds !== undefined) reply.header('retry-after', String(refusal.retryAfterSeconds));
  reply.code(refusal.status);
  if (envelope === 'pagerduty') {
    if (refusal.status === 429)
      return reply.send({
        status: 'throttle event',
        message: 'Requests for this service are arriving too quickly. Please retry later.',
      });
    return reply.send({
      status: 'invalid event',
      message: refusal.status === 413 ? 'Request too large' : 'Event object is invalid',
      errors: refusal.errors,
    });
  }
  if (envelope === 'opsgenie') {
    return reply.send({
      message: refusal.reason,
      took: tookSeconds(reply),
      requestId: randomUUID(),
    });
  }
  return sendProblem(
    reply,
    problemCodes[refusal.status] ?? 'VALIDATION_FAILED',
    refusal.reason,
    refusal.errors.map((message) => ({ path: '/', message })),
  );
}

/**
 * The ingest endpoints (specs/api.md, "Ingest endpoints"): authenticated by integration key only,
 * answering in each peer's own envelope, and 2xx only once the events are committed.
 */
export async function ingestRoutes(scope: FastifyInstance, deps: IngestDeps) {
  const { queue, keys, limiter, app } = deps;

  // Keep the raw text (Grafana signs it) and accept any content type: senders label JSON oddly.
  const parse = (
    request: FastifyRequest,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(
        null,
        secureJsonParse.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }),
      );
    } catch (error) {
      done(
        Object.assign(new InvalidEvent([`The body is not valid JSON: ${(error as Error).message}`]), {
          statusCode: 400,
        }),
      );
    }
  };
  scope.decorateRequest('changedNothing', false);
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string' }, parse);

  scope.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const envelope = request.routeOptions.config.envelope ?? 'problem';
    if (error instanceof IngestRefusal) return refuse(reply, envelope, error);
    if (error instanceof InvalidEvent)
      return refuse(
        reply,
        envelope,
        new IngestRefusal(envelope === 'opsgenie' ? 422 : 400, error.message, error.errors),
      );
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return refuse(reply, envelope, new IngestRefusal(413, 'The body is larger than 512 KB'));
    if (error instanceof VigilError && error.status < 500)
      return refuse(reply, envelope, new IngestRefusal(error.status, error.message));
    if (error.statusCode && error.statusCode < 500)
      return refuse(reply, envelope, new IngestRefusal(error.statusCode, error.message));
    request.log.error({ err: error }, 'ingest failed');
    reply.code(500);
    if (envelope === 'pagerduty') return reply.send({ status: 'error', message: 'Internal error; retry' });
    if (envelope === 'opsgenie') {
      return reply.send({
        message: 'Internal error; retry',
        took: tookSeconds(reply),
        requestId: randomUUID(),
      });
    }
    return sendProblem(reply, 'INTERNAL', 'Internal error; retry');
  });

  async function integrationFor(
    key: string | undefined,
    type: IntegrationType,
    request: FastifyRequest,
  ): Promise<Integration> {
    const owner = key ? await keys.find(key) : null;
    if (!owner) {
      // PagerDuty answers an unknown routing key with 400; the others say 401.
      const pagerDuty = request.routeOptions.config.envelope === 'pagerduty';
      throw new IngestRefusal(pagerDuty ? 400 : 401, 'The integration key is not valid', [
        pagerDuty ? 'Invalid routing key' : 'Invalid integration key',
      ]);
    }
    const { integration, service } = owner;
    if (integration.type !== type) {
      throw new IngestRefusal(
        400,
        `This key belongs to an integration of type ${integration.type}; send its events to that integration's URL`,
      );
    }
    if (service?.status === 'disabled') {
      // Refused out loud rather than accepted and dropped: the sender's logs show why.
      throw new IngestRefusal(409, `The service ${service.name} is disabled; enable it to receive alerts`);
    }
    return integration;
  }

  function checkRate(integration: Integration, events: number) {
    const perMinute = integration.rateLimitPerMinute ?? deps.defaultRateLimitPerMinute;
    const verdict = limiter.take(integration.id, perMinute, events, app.clock.now().getTime());
    if (!verdict.ok) {
      app.metrics.ingestRateLimited.inc({ integration_type: integration.type });
      throw new IngestRefusal(
        429,
        `Over this integration's limit of ${perMinute} events a minute`,
        undefined,
        verdict.retryAfterSeconds,
      );
    }
  }

  /** Rate check, then group commit: resolves once every event is durably written. */
  async function ingest(
    request: FastifyRequest,
    integration: Integration,
    events: AlertEvent[],
  ): Promise<IngestOutcome[]> {
    checkRate(integration, Math.max(1, events.length));
    const source = {
      integrationId: integration.id,
      integrationName: integration.name,
      integrationType: integration.type,
      serviceId: integration.serviceId,
    };
    const outcomes = await queue.submit(events.map((event) => ({ source, event })));
    // One counter update per result, not per event (a labelled inc is a hash lookup each).
    let changed = false;
    let previous: IngestOutcome['result'] | null = null;
    let run = 0;
    for (const outcome of outcomes) {
      if (outcome.result !== 'deduplicated' && outcome.result !== 'ignored') changed = true;
      if (outcome.result === previous) {
        run++;
        continue;
      }
      if (previous !== null)
        app.metrics.ingestEvents.inc({ integration_type: integration.type, result: previous }, run);
      previous = outcome.result;
      run = 1;
    }
    if (previous !== null)
      app.metrics.ingestEvents.inc({ integration_type: integration.type, result: previous }, run);
    if (!changed) request.changedNothing = true;
    return outcomes;
  }

  const bearer = (request: FastifyRequest) => {
    const header = request.headers.authorization;
    return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  };

  const tags = ['ingest'];

  scope.post(
    '/v2/enqueue',
    {
      config: { envelope: 'pagerduty' },
      schema: { tags, summary: 'PagerDuty Events API v2 (trigger, acknowledge, resolve)' },
    },
    async (request, reply) => {
      const { routingKey, event } = parseEventsV2(request.body);
      const integration = await integrationFor(routingKey, 'events_v2', request);
      await ingest(request, integration, [event]);
      return reply
        .code(202)
        .send({ status: 'success', message: 'Event processed', dedup_key: event.dedupKey });
    },
  );

  scope.post(
    '/v2/change/enqueue',
    { config: { envelope: 'pagerduty' }, schema: { tags, summary: 'PagerDuty change events' } },
    async (request, reply) => {
      const change = parseChangeEvent(request.body);
      const integration = await integrationFor(change.routingKey, 'events_v2', request);
      checkRate(integration, 1);
      await app.services.changeEvents.record({
        integrationId: integration.id,
        integrationName: integration.name,
        serviceId: integration.serviceId,
        summary: change.summary,
        source: change.source,
        happenedAt: change.timestamp,
        customDetails: change.customDetails,
        links: change.links,
      });
      return reply.code(202).send({ status: 'success', message: 'Change event processed' });
    },
  );

  const genieKey = (request: FastifyRequest) => {
    const header = request.headers.authorization;
    return header?.toLowerCase().startsWith('genie') ? header.replace(/^geniekey\s+/i, '').trim() : undefined;
  };
  const accepted = (reply: FastifyReply) =>
    reply.code(202).send({
      result: 'Request will be processed',
      took: tookSeconds(reply),
      requestId: randomUUID(),
    });

  scope.post(
    '/v2/alerts',
    { config: { envelope: 'opsgenie' }, schema: { tags, summary: 'Opsgenie Alert API: create' } },
    async (request, reply) => {
      const integration = await integrationFor(genieKey(request), 'opsgenie', request);
      await ingest(request, integration, [parseOpsgenieCreate(request.body)]);
      return accepted(reply);
    },
  );

  scope.post(
    '/v2/alerts/:identifier/:action',
    {
      config: { envelope: 'opsgenie' },
      schema: { tags, summary: 'Opsgenie Alert API: close or acknowledge by alias or id' },
    },
    async (request, reply) => {
      const { identifier, action } = request.params as { identifier: string; action: string };
      if (action !== 'close' && action !== 'acknowledge')
        throw new IngestRefusal(404, `Unknown alert action ${action}`);
      const integration = await integrationFor(genieKey(request), 'opsgenie', request);
      const type = (request.query as Record<string, unknown>).identifierType ?? 'id';
      let dedupKey: string | null = identifier;
      if (type === 'id') {
        // Opsgenie's default identifier is the alert's id: ours, scoped to this integration.
        const alert = await app.uow.read.alerts.get(identifier);
        // Only a firing alert: an old, resolved alert's id must not act on a newer one with its alias.
        dedupKey =
          alert && alert.integrationId === integration.id && alert.status === 'firing'
            ? alert.dedupKey
            : null;
      } else if (type !== 'alias') {
        throw new IngestRefusal(422, 'identifierType must be id or alias');
      }
      // An unknown identifier is accepted and ignored, as Opsgenie's asynchronous API does.
      if (dedupKey !== null) await ingest(request, integration, [opsgenieAction(action, dedupKey)]);
      return accepted(reply);
    },
  );

  const webhookTypes = ['alertmanager', 'grafana', 'newrelic', 'generic'] as const;
  type WebhookType = (typeof webhookTypes)[number];

  async function webhook(
    request: FastifyRequest,
    reply: FastifyReply,
    type: string,
    key: string | undefined,
  ) {
    if (!webhookTypes.includes(type as WebhookType))
      throw new IngestRefusal(404, `Unknown integration type ${type}`);
    const integration = await integrationFor(key, type as WebhookType, request);
    let events: AlertEvent[];
    let truncated = 0;
    if (type === 'alertmanager' || type === 'grafana') {
      if (type === 'grafana') checkGrafanaSignature(integration, request);
      const batch = parseAlertmanagerWebhook(request.body, type);
      events = batch.events;
      truncated = batch.truncatedAlerts;
    } else if (type === 'newrelic') {
      events = [parseNewRelic(request.body)];
    } else {
      events = [parseGeneric(request.body, (integration.config.mapping ?? {}) as never)];
    }
    const outcomes = await ingest(request, integration, events);
    const counts: Record<string, number> = {};
    for (const outcome of outcomes) counts[outcome.result] = (counts[outcome.result] ?? 0) + 1;
    return reply.code(202).send({
      status: 'success',
      events: outcomes.length,
      ...counts,
      ...(truncated ? { truncated_alerts: truncated } : {}),
    });
  }

  function checkGrafanaSignature(integration: Integration, request: FastifyRequest) {
    const secret = integration.config.signing_secret;
    if (typeof secret !== 'string' || secret === '') return;
    const header = GRAFANA_SIGNATURE_HEADERS.map((name) => request.headers[name]).find(
      (value) => typeof value === 'string',
    ) as string | undefined;
    const timestampHeader = integration.config.timestamp_header;
    const timestamp =
      typeof timestampHeader === 'string' && timestampHeader
        ? request.headers[timestampHeader.toLowerCase()]
        : undefined;
    const verdict = verifyGrafanaSignature({
      secret,
      rawBody: request.rawBody ?? '',
      signature: header,
      timestamp:
        typeof timestampHeader === 'string' && timestampHeader
          ? typeof timestamp === 'string'
            ? timestamp
            : ''
          : undefined,
      nowSeconds: Math.floor(app.clock.now().getTime() / 1000),
    });
    if (!verdict.ok) throw new IngestRefusal(401, `Signature check failed: ${verdict.reason}`);
  }

  scope.post(
    '/integrations/:type/:key',
    { schema: { tags, summary: 'Alertmanager, Grafana, New Relic and generic webhooks (key in the path)' } },
    async (request, reply) => {
      const { type, key } = request.params as { type: string; key: string };
      return webhook(request, reply, type, key);
    },
  );

  scope.post(
    '/integrations/:type',
    { schema: { tags, summary: 'The same, with the key as a Bearer token' } },
    async (request, reply) => {
      const { type } = request.params as { type: string };
      return webhook(request, reply, type, bearer(request));
    },
  );
}
