import type { Urgency } from '../incident/incident.js';
import type { Repos } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { invalidField, notFound, VigilError } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import type { Service, ServiceStatus } from './directory.js';
import { definedOnly } from './team.service.js';

export interface ServiceInput {
  name: string;
  description?: string;
  teamId?: string | null;
  status?: ServiceStatus;
  defaultUrgency?: Urgency | null;
  autoResolve?: boolean;
  escalationPolicyId?: string | null;
  ackTimeoutMinutes?: number | null;
}

export function createServiceService(deps: UseCaseDeps) {
  const { uow, clock, newId } = deps;

  async function checkRefs(repos: Repos, input: Partial<ServiceInput>, exceptId?: string) {
    if (input.name !== undefined) {
      const existing = await repos.services.getByName(input.name);
      if (existing && existing.id !== exceptId)
        throw new VigilError('CONFLICT', `A service named ${JSON.stringify(input.name)} exists`);
    }
    if (input.teamId && !(await repos.teams.get(input.teamId))) {
      throw invalidField('/team_id', `team ${JSON.stringify(input.teamId)} does not exist`);
    }
    if (input.escalationPolicyId && !(await repos.policies.get(input.escalationPolicyId))) {
      throw invalidField(
        '/escalation_policy_id',
        `escalation policy ${JSON.stringify(input.escalationPolicyId)} does not exist`,
      );
    }
  }

  async function mustGet(repos: Repos, id: string): Promise<Service> {
    const service = await repos.services.get(id);
    if (!service) throw notFound('Service', id);
    return service;
  }

  return {
    async create(ctx: RequestContext, input: ServiceInput): Promise<Service> {
      return uow.transaction(async (repos) => {
        await checkRefs(repos, input);
        const now = toInstant(clock.now());
        const service: Service = {
          id: newId(),
          name: input.name,
          description: input.description ?? '',
          teamId: input.teamId ?? null,
          escalationPolicyId: input.escalationPolicyId ?? null,
          ackTimeoutMinutes: input.ackTimeoutMinutes ?? null,
          status: input.status ?? 'active',
          defaultUrgency: input.defaultUrgency ?? null,
          autoResolve: input.autoResolve ?? true,
          createdAt: now,
          updatedAt: now,
        };
        await repos.services.insert(service);
        await recordAudit(repos, deps, ctx, now, {
          action: 'service.create',
          objectType: 'service',
          objectId: service.id,
          after: service,
        });
        return service;
      });
    },

    async update(ctx: RequestContext, id: string, input: Partial<ServiceInput>): Promise<Service> {
      return uow.transaction(async (repos) => {
        const before = await mustGet(repos, id);
        await checkRefs(repos, input, id);
        const now = toInstant(clock.now());
        const after: Service = { ...before, ...definedOnly(input), updatedAt: now };
        await repos.services.update(after);
        await recordAudit(repos, deps, ctx, now, {
          action: 'service.update',
          objectType: 'service',
          objectId: id,
          before,
          after,
        });
        return after;
      });
    },

    /** A service with incidents keeps its history: it can be disabled, not deleted. */
    async delete(ctx: RequestContext, id: string): Promise<void> {
      await uow.transaction(async (repos) => {
        const before = await mustGet(repos, id);
        if (await repos.services.hasHistory(id)) {
          throw new VigilError(
            'CONFLICT',
            'The service has alerts or incidents; set its status to disabled instead',
          );
        }
        await repos.services.delete(id);
        await recordAudit(repos, deps, ctx, toInstant(clock.now()), {
          action: 'service.delete',
          objectType: 'service',
          objectId: id,
          before,
        });
      });
    },

    get: (id: string) => mustGet(uow.read, id),
  };
}

export type ServiceService = ReturnType<typeof createServiceService>;
