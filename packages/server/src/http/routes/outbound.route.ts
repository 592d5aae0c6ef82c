import {
  addressHint,
  createOutboundIntegrationService,
  eventsOfKind,
  type OutboundDelivery,
  type OutboundIntegration,
  secretHint,
} from '@vigil/core';
import * as api from '@vigil/sdk/contract';
import type { AppDeps } from '../../app.js';
import { noChannels } from '../../config.js';
import { createOutboundSinks } from '../../engine/outbound-sinks.js';
import { newId } from '../../ids.js';
import { contextOf } from '../auth.js';
import { presentPage } from '../present.js';
import { noContent, responses, type TypedApp } from '../typed.js';

/** Never the address or the key: hints only (they were shown once, in the request that set them). */
export const presentOutboundIntegration = (i: OutboundIntegration): api.OutboundIntegration => ({
  id: i.id,
  service_id: i.serviceId,
  kind: i.kind,
  name: i.name,
  enabled: i.enabled,
  events: [...eventsOfKind[i.kind]],
  address_hint: addressHint(i),
  api_key_hint: i.secret === null ? null : secretHint(i.secret),
  account_id: i.accountId,
  region: i.region,
  created_at: i.createdAt,
  updated_at: i.updatedAt,
});

export const presentOutboundDelivery = (d: OutboundDelivery): api.OutboundDelivery => ({
  id: d.id,
  integration_id: d.integrationId,
  incident_id: d.incidentId,
  event: d.event,
  state: d.state,
  reason: d.reason,
  attempts: d.attempts,
  next_attempt_at: d.nextAttemptAt,
  provider_id: d.providerId,
  created_at: d.createdAt,
  updated_at: d.updatedAt,
  sent_at: d.sentAt,
});

/** The API's fields as the use case's input; absent stays absent (a PATCH changes only those). */
const input = (body: api.OutboundIntegrationUpdate) => ({
  ...(body.name !== undefined ? { name: body.name } : {}),
  ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
  ...(body.address !== undefined ? { address: body.address } : {}),
  ...(body.api_key !== undefined ? { apiKey: body.api_key } : {}),
  ...(body.account_id !== undefined ? { accountId: body.account_id } : {}),
  ...(body.region !== undefined ? { region: body.region } : {}),
});

/**
 * SIGNL4 and New Relic per service (docs/paging.md, "Telling other systems"). Reading needs
 * `manager` like writing: an integration is made of secrets, even if only hints are shown.
 */
export function outboundRoutes(app: TypedApp, { uow, clock, secrets, config }: AppDeps) {
  const outbound = createOutboundIntegrationService({
    uow,
    clock,
    secrets,
    newId: () => newId(clock.now().getTime()),
    targets: createOutboundSinks(config.channels ?? noChannels, { publicUrl: config.publicUrl, clock }),
  });
  const tags = ['outbound integrations'];

  app.get(
    '/api/v1/services/:id/outbound-integrations',
    {
      schema: {
        tags,
        params: api.IdParams,
        querystring: api.PageQuery,
        response: responses(200, api.PageOf(api.OutboundIntegration)),
      },
    },
    async (request) =>
      presentPage(
        await outbound.listForService(request.params.id, {
          limit: request.query.limit ?? 50,
          cursor: request.query.cursor ?? null,
        }),
        presentOutboundIntegration,
      ),
  );

  app.post(
    '/api/v1/services/:id/outbound-integrations',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Tell SIGNL4 or New Relic about every incident of the service',
        params: api.IdParams,
        body: api.OutboundIntegrationCreate,
        response: responses(201, api.OutboundIntegration),
      },
    },
    async (request, reply) => {
      const created = await outbound.create(contextOf(request), request.params.id, {
        kind: request.body.kind,
        ...input(request.body),
      });
      return reply.code(201).send(presentOutboundIntegration(created));
    },
  );

  app.get(
    '/api/v1/outbound-integrations/:id',
    { schema: { tags, params: api.IdParams, response: responses(200, api.OutboundIntegration) } },
    async (request) => presentOutboundIntegration(await outbound.get(request.params.id)),
  );

  app.patch(
    '/api/v1/outbound-integrations/:id',
    {
      schema: {
        tags,
        params: api.IdParams,
        body: api.OutboundIntegrationUpdate,
        response: responses(200, api.OutboundIntegration),
      },
    },
    async (request) =>
      presentOutboundIntegration(
        await outbound.update(contextOf(request), request.params.id, input(request.body)),
      ),
  );

  app.delete(
    '/api/v1/outbound-integrations/:id',
    { schema: { tags, params: api.IdParams, response: noContent } },
    async (request, reply) => {
      await outbound.delete(contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/outbound-integrations/:id/test',
    {
      schema: {
        tags,
        summary: 'Send a test event now and answer what the provider said',
        params: api.IdParams,
        response: responses(200, api.OutboundTestResult),
      },
    },
    async (request) => outbound.test(request.params.id),
  );

  app.get(
    '/api/v1/incidents/:id/outbound-deliveries',
    {
      schema: {
        tags,
        summary: 'What SIGNL4 and New Relic were sent about the incident, oldest first',
        params: api.IdParams,
        querystring: api.PageQuery,
        response: responses(200, api.PageOf(api.OutboundDelivery)),
      },
    },
    async (request) =>
      presentPage(
        await outbound.deliveries(request.params.id, {
          limit: request.query.limit ?? 50,
          cursor: request.query.cursor ?? null,
        }),
        presentOutboundDelivery,
      ),
  );
}
