import { ApiKey, ApiKeyCreate, ApiKeyCreated, IdParams, PageOf, PageQuery } from '@vigil/sdk/contract';
import { Type } from 'typebox';
import type { AppDeps } from '../../app.js';
import { contextOf, principalOf } from '../auth.js';
import { presentApiKey, presentPage } from '../present.js';
import { noContent, responses, type TypedApp } from '../typed.js';
import { mayManageAllKeys } from './users.route.js';

const ApiKeyListQuery = Type.Object(
  { ...PageQuery.properties, user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);

export function apiKeyRoutes(app: TypedApp, { services, uow }: AppDeps) {
  app.get(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Active API keys: your own, or anyone’s as admin',
        querystring: ApiKeyListQuery,
        response: responses(200, PageOf(ApiKey)),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const userId = mayManageAllKeys(principal.role) ? (request.query.user_id ?? null) : principal.user.id;
      const page = await uow.read.apiKeys.list(userId, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor ?? null,
      });
      return presentPage(page, presentApiKey);
    },
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: { idempotent: true },
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key; its token is shown this once',
        body: ApiKeyCreate,
        response: responses(201, ApiKeyCreated),
      },
    },
    async (request, reply) => {
      const { name, role, expires_at, user_id } = request.body;
      const { key, token } = await services.apiKeys.create(contextOf(request), {
        name,
        role,
        expiresAt: expires_at,
        userId: user_id,
      });
      return reply.code(201).send({ ...presentApiKey(key), token });
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    { schema: { tags: ['api keys'], summary: 'Revoke an API key', params: IdParams, response: noContent } },
    async (request, reply) => {
      await services.apiKeys.revoke(contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
