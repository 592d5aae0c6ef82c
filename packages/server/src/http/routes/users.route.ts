import { roleAtLeast } from '@vigil/core';
import { IdParams, PageOf, PageQuery, User, UserCreate, UserUpdate } from '@vigil/sdk/contract';
import type { AppDeps } from '../../app.js';
import { contextOf, principalOf } from '../auth.js';
import { presentPage, presentUser } from '../present.js';
import { noContent, responses, type TypedApp } from '../typed.js';

export function userRoutes(app: TypedApp, { services, uow }: AppDeps) {
  app.get(
    '/api/v1/me',
    { schema: { tags: ['users'], summary: 'The user behind this API key', response: responses(200, User) } },
    async (request) => presentUser(principalOf(request).user),
  );

  app.get(
    '/api/v1/users',
    { schema: { tags: ['users'], querystring: PageQuery, response: responses(200, PageOf(User)) } },
    async (request) => {
      const page = await uow.read.users.list(
        { limit: request.query.limit ?? 50, cursor: request.query.cursor ?? null },
        false,
      );
      return presentPage(page, presentUser);
    },
  );

  app.post(
    '/api/v1/users',
    {
      config: { idempotent: true },
      schema: { tags: ['users'], body: UserCreate, response: responses(201, User) },
    },
    async (request, reply) => {
      const { name, email, role, time_zone, password } = request.body;
      const user = await services.users.create(contextOf(request), {
        name,
        email,
        role,
        timeZone: time_zone,
        password,
      });
      return reply.code(201).send(presentUser(user));
    },
  );

  app.get(
    '/api/v1/users/:id',
    { schema: { tags: ['users'], params: IdParams, response: responses(200, User) } },
    async (request) => presentUser(await services.users.get(request.params.id)),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a user (yourself, or anyone as admin)',
        params: IdParams,
        body: UserUpdate,
        response: responses(200, User),
      },
    },
    async (request) => {
      const { name, email, role, time_zone, quiet_hours, password, current_password } = request.body;
      const user = await services.users.update(contextOf(request), request.params.id, {
        name,
        email,
        role,
        timeZone: time_zone,
        quietHours: quiet_hours,
        password,
        currentPassword: current_password,
      });
      return presentUser(user);
    },
  );

  app.delete(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Deactivate a user and revoke their API keys',
        params: IdParams,
        response: noContent,
      },
    },
    async (request, reply) => {
      await services.users.deactivate(contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

/** Admins see every key; everyone else sees their own. */
export const mayManageAllKeys = (role: Parameters<typeof roleAtLeast>[0]) => roleAtLeast(role, 'admin');
