import {
  IdParams,
  PageOf,
  PageQuery,
  Team,
  TeamCreate,
  TeamMember,
  TeamMemberPut,
  TeamUpdate,
} from '@vigil/sdk/contract';
import { Type } from 'typebox';
import type { AppDeps } from '../../app.js';
import { contextOf } from '../auth.js';
import { presentPage, presentTeam } from '../present.js';
import { noContent, responses, type TypedApp } from '../typed.js';

const MemberParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  userId: Type.String({ minLength: 1, maxLength: 64 }),
});

export function teamRoutes(app: TypedApp, { services, uow }: AppDeps) {
  const tags = ['teams'];
  app.get(
    '/api/v1/teams',
    { schema: { tags, querystring: PageQuery, response: responses(200, PageOf(Team)) } },
    async (request) =>
      presentPage(
        await uow.read.teams.list({ limit: request.query.limit ?? 50, cursor: request.query.cursor ?? null }),
        presentTeam,
      ),
  );

  app.post(
    '/api/v1/teams',
    { config: { idempotent: true }, schema: { tags, body: TeamCreate, response: responses(201, Team) } },
    async (request, reply) => {
      const team = await services.teams.create(contextOf(request), request.body);
      return reply.code(201).send(presentTeam(team));
    },
  );

  app.get(
    '/api/v1/teams/:id',
    { schema: { tags, params: IdParams, response: responses(200, Team) } },
    async (request) => presentTeam(await services.teams.get(request.params.id)),
  );

  app.patch(
    '/api/v1/teams/:id',
    { schema: { tags, params: IdParams, body: TeamUpdate, response: responses(200, Team) } },
    async (request) =>
      presentTeam(await services.teams.update(contextOf(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/v1/teams/:id',
    { schema: { tags, params: IdParams, response: noContent } },
    async (request, reply) => {
      await services.teams.delete(contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/teams/:id/members',
    {
      schema: {
        tags,
        params: IdParams,
        response: responses(200, Type.Object({ data: Type.Array(TeamMember) })),
      },
    },
    async (request) => {
      await services.teams.get(request.params.id);
      const members = await uow.read.teams.members(request.params.id);
      return { data: members.map((member) => ({ user_id: member.userId, role: member.role })) };
    },
  );

  app.put(
    '/api/v1/teams/:id/members/:userId',
    {
      schema: {
        tags,
        summary: 'Add a member or change their role',
        params: MemberParams,
        body: TeamMemberPut,
        response: responses(200, TeamMember),
      },
    },
    async (request) => {
      const member = await services.teams.putMember(
        contextOf(request),
        request.params.id,
        request.params.userId,
        request.body.role,
      );
      return { user_id: member.userId, role: member.role };
    },
  );

  app.delete(
    '/api/v1/teams/:id/members/:userId',
    { schema: { tags, params: MemberParams, response: noContent } },
    async (request, reply) => {
      await services.teams.removeMember(contextOf(request), request.params.id, request.params.userId);
      return reply.code(204).send(null);
    },
  );
}
