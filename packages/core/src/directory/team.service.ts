import type { Repos } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { invalidField, notFound, VigilError } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import type { Team, TeamMember, TeamMemberRole } from './directory.js';

export interface TeamInput {
  name: string;
  description?: string;
}

export function createTeamService(deps: UseCaseDeps) {
  const { uow, clock, newId } = deps;

  async function checkNameFree(repos: Repos, name: string, exceptId?: string) {
    const existing = await repos.teams.getByName(name);
    if (existing && existing.id !== exceptId)
      throw new VigilError('CONFLICT', `A team named ${JSON.stringify(name)} exists`);
  }

  async function mustGet(repos: Repos, id: string): Promise<Team> {
    const team = await repos.teams.get(id);
    if (!team) throw notFound('Team', id);
    return team;
  }

  return {
    async create(ctx: RequestContext, input: TeamInput): Promise<Team> {
      return uow.transaction(async (repos) => {
        await checkNameFree(repos, input.name);
        const now = toInstant(clock.now());
        const team: Team = {
          id: newId(),
          name: input.name,
          description: input.description ?? '',
          createdAt: now,
          updatedAt: now,
        };
        await repos.teams.insert(team);
        await recordAudit(repos, deps, ctx, now, {
          action: 'team.create',
          objectType: 'team',
          objectId: team.id,
          after: team,
        });
        return team;
      });
    },

    async update(ctx: RequestContext, id: string, input: Partial<TeamInput>): Promise<Team> {
      return uow.transaction(async (repos) => {
        const before = await mustGet(repos, id);
        if (input.name !== undefined) await checkNameFree(repos, input.name, id);
        const now = toInstant(clock.now());
        const after: Team = { ...before, ...definedOnly(input), updatedAt: now };
        await repos.teams.update(after);
        await recordAudit(repos, deps, ctx, now, {
          action: 'team.update',
          objectType: 'team',
          objectId: id,
          before,
          after,
        });
        return after;
      });
    },

    async delete(ctx: RequestContext, id: string): Promise<void> {
      await uow.transaction(async (repos) => {
        const before = await mustGet(repos, id);
        const services = await repos.services.countForTeam(id);
        if (services > 0)
          throw new VigilError('CONFLICT', `The team owns ${services} service(s); move them first`);
        const policies = await repos.policies.usingTarget('team', id);
        if (policies.length > 0) {
          throw new VigilError(
            'CONFLICT',
            `Escalation policies page this team (${policies.map((p) => p.name).join(', ')}); change them first`,
          );
        }
        await repos.teams.delete(id);
        const now = toInstant(clock.now());
        await recordAudit(repos, deps, ctx, now, {
          action: 'team.delete',
          objectType: 'team',
          objectId: id,
          before,
        });
      });
    },

    async putMember(
      ctx: RequestContext,
      teamId: string,
      userId: string,
      role: TeamMemberRole,
    ): Promise<TeamMember> {
      return uow.transaction(async (repos) => {
        await mustGet(repos, teamId);
        const user = await repos.users.get(userId);
        if (!user || user.deactivatedAt)
          throw invalidField('/user_id', `user ${JSON.stringify(userId)} does not exist`);
        const member: TeamMember = { teamId, userId, role };
        await repos.teams.putMember(member);
        await recordAudit(repos, deps, ctx, toInstant(clock.now()), {
          action: 'team.member.put',
          objectType: 'team',
          objectId: teamId,
          after: member,
        });
        return member;
      });
    },

    async removeMember(ctx: RequestContext, teamId: string, userId: string): Promise<void> {
      await uow.transaction(async (repos) => {
        await mustGet(repos, teamId);
        if (!(await repos.teams.removeMember(teamId, userId))) throw notFound('Team member', userId);
        await recordAudit(repos, deps, ctx, toInstant(clock.now()), {
          action: 'team.member.remove',
          objectType: 'team',
          objectId: teamId,
          before: { teamId, userId },
        });
      });
    },

    async get(id: string): Promise<Team> {
      return mustGet(uow.read, id);
    },
  };
}

/** Drops keys whose value is undefined, so a PATCH changes only what it names. */
export function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export type TeamService = ReturnType<typeof createTeamService>;
