import type * as core from '@vigil/core';
import {
  IdParams,
  Integration,
  IntegrationCreate,
  IntegrationUpdate,
  PageOf,
  PageQuery,
  Service,
  ServiceCreate,
  ServiceUpdate,
} from '@vigil/sdk/contract';
import { Type } from 'typebox';
import type { AppDeps } from '../../app.js';
import { contextOf } from '../auth.js';
import { presentIntegration, presentPage, presentService } from '../present.js';
import { noContent, responses, type TypedApp } from '../typed.js';

const ServiceListQuery = Type.Object(
  { ...PageQuery.properties, team_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);

/** The API's service fields as the use case's input (absent fields stay absent: a PATCH changes only those). */
const serviceInput = <B extends Partial<ServiceCreate>>(body: B) => ({
  name: body.name as B['name'],
  description: body.description,
  teamId: body.team_id,
  status: body.status,
  defaultUrgency: body.default_urgency,
  autoResolve: body.auto_resolve,
  escalationPolicyId: body.escalation_policy_id,
  ackTimeoutMinutes: body.ack_timeout_minutes,
});

export function serviceRoutes(app: TypedApp, { services, uow, config, integrationKeys }: AppDeps) {
  const tags = ['services'];
  /** Integrations as the API shows them, with the heartbeat rows of heartbeat ones read in one query. */
  const presentIntegrations = async (values: readonly core.Integration[]) => {
    const ids = values.filter((value) => value.type === 'heartbeat').map((value) => value.id);
    const rows = await uow.read.heartbeats.listFor(ids);
    const heartbeats = new Map(rows.map((row) => [row.integrationId, row]));
    return values.map((value) => presentIntegration(value, config.publicUrl, heartbeats));
  };
  const integration = async (value: core.Integration) => (await presentIntegrations([value]))[0]!;

  app.get(
    '/api/v1/services',
    { schema: { tags, querystring: ServiceListQuery, response: responses(200, PageOf(Service)) } },
    async (request) => {
      const page = await uow.read.services.list(
        { ...(request.query.team_id ? { teamId: request.query.team_id } : {}) },
        { limit: request.query.limit ?? 50, cursor: request.query.cursor ?? null },
      );
      return presentPage(page, presentService);
    },
  );

  app.post(
    '/api/v1/services',
    {
      config: { idempotent: true },
      schema: { tags, body: ServiceCreate, response: responses(201, Service) },
    },
    async (request, reply) => {
      const service = await services.services.create(contextOf(request), serviceInput(request.body));
      return reply.code(201).send(presentService(service));
    },
  );

  app.get(
    '/api/v1/services/:id',
    { schema: { tags, params: IdParams, response: responses(200, Service) } },
    async (request) => presentService(await services.services.get(request.params.id)),
  );

  app.patch(
    '/api/v1/services/:id',
    { schema: { tags, params: IdParams, body: ServiceUpdate, response: responses(200, Service) } },
    async (request) => {
      const service = await services.services.update(
        contextOf(request),
        request.params.id,
        serviceInput(request.body),
      );
      integrationKeys.forget(); // ingest caches the service's status with its keys
      return presentService(service);
    },
  );

  app.delete(
    '/api/v1/services/:id',
    {
      schema: {
        tags,
        summary: 'Delete a service that never had incidents',
        params: IdParams,
        response: noContent,
      },
    },
    async (request, reply) => {
      await services.services.delete(contextOf(request), request.params.id);
      integrationKeys.forget(); // the service's integrations went with it
      return reply.code(204).send(null);
    },
  );

  const integrationTags = ['integrations'];
  app.get(
    '/api/v1/services/:id/integrations',
    {
      schema: {
        tags: integrationTags,
        params: IdParams,
        querystring: PageQuery,
        response: responses(200, PageOf(Integration)),
      },
    },
    async (request) => {
      await services.services.get(request.params.id);
      const page = await uow.read.integrations.listForService(request.params.id, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor ?? null,
      });
      return { data: await presentIntegrations(page.data), next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/api/v1/services/:id/integrations',
    {
      config: { idempotent: true },
      schema: {
        tags: integrationTags,
        summary: 'Connect a monitoring tool: returns the key and the URL to paste into it',
        params: IdParams,
        body: IntegrationCreate,
        response: responses(201, Integration),
      },
    },
    async (request, reply) => {
      const { type, name, rate_limit_per_minute, config: settings } = request.body;
      const created = await services.integrations.create(contextOf(request), request.params.id, {
        type,
        name,
        rateLimitPerMinute: rate_limit_per_minute,
        config: settings,
      });
      return reply.code(201).send(await integration(created));
    },
  );

  app.get(
    '/api/v1/integrations/:id',
    { schema: { tags: integrationTags, params: IdParams, response: responses(200, Integration) } },
    async (request) => integration(await services.integrations.get(request.params.id)),
  );

  app.patch(
    '/api/v1/integrations/:id',
    {
      schema: {
        tags: integrationTags,
        params: IdParams,
        body: IntegrationUpdate,
        response: responses(200, Integration),
      },
    },
    async (request) => {
      const { name, rate_limit_per_minute, config: settings } = request.body;
      const updated = await integration(
        await services.integrations.update(contextOf(request), request.params.id, {
          name,
          rateLimitPerMinute: rate_limit_per_minute,
          config: settings,
        }),
      );
      integrationKeys.forget(); // the cached copy has the old limit and settings
      return updated;
    },
  );

  app.delete(
    '/api/v1/integrations/:id',
    { schema: { tags: integrationTags, params: IdParams, response: noContent } },
    async (request, reply) => {
      await services.integrations.delete(contextOf(request), request.params.id);
      integrationKeys.forget(); // its key stops working on this instance at once
      return reply.code(204).send(null);
    },
  );
}
