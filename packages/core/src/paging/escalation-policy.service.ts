import type { Repos } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { type FieldError, notFound, VigilError } from '../shared/errors.js';
import type { PageRequest } from '../shared/page.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import { planFor, unreachableReason } from './escalation-steps.js';
import type { EscalationPolicy, EscalationStep, TargetType } from './paging.js';
import { resolveTarget } from './step-targets.js';

/** Who each step of a policy would page if an incident triggered now (the policy editor shows it). */
export interface PolicyPreview {
  at: string;
  steps: {
    index: number;
    delayMinutes: number;
    targets: {
      type: TargetType;
      id: string;
      name: string;
      people: { id: string; name: string; reachable: boolean; reason: string | null }[];
    }[];
  }[];
}

export interface PolicyInput {
  name: string;
  description?: string;
  teamId?: string | null;
  repeat?: number;
  steps: EscalationStep[];
}

export function createEscalationPolicyService(deps: UseCaseDeps) {
  const { uow, clock, newId } = deps;

  async function mustGet(repos: Repos, id: string): Promise<EscalationPolicy> {
    const policy = await repos.policies.get(id);
    if (!policy) throw notFound('Escalation policy', id);
    return policy;
  }

  /** Every target must exist (and users be active): a policy that pages nobody is caught here. */
  async function check(repos: Repos, input: PolicyInput, exceptId?: string) {
    const existing = await repos.policies.getByName(input.name);
    if (existing && existing.id !== exceptId) {
      throw new VigilError('CONFLICT', `An escalation policy named ${JSON.stringify(input.name)} exists`);
    }
    const errors: FieldError[] = [];
    if (input.teamId && !(await repos.teams.get(input.teamId))) {
      errors.push({ path: '/team_id', message: `team ${JSON.stringify(input.teamId)} does not exist` });
    }
    for (const [i, step] of input.steps.entries()) {
      for (const [j, target] of step.targets.entries()) {
        const path = `/steps/${i}/targets/${j}/id`;
        const found =
          target.type === 'user'
            ? (await repos.users.getMany([target.id])).some((u) => !u.deactivatedAt)
            : target.type === 'schedule'
              ? (await repos.schedules.get(target.id)) !== null
              : (await repos.teams.get(target.id)) !== null;
        if (!found)
          errors.push({ path, message: `${target.type} ${JSON.stringify(target.id)} does not exist` });
      }
    }
    if (errors.length > 0) throw new VigilError('VALIDATION_FAILED', errors[0]!.message, errors);
  }

  return {
    async create(ctx: RequestContext, input: PolicyInput): Promise<EscalationPolicy> {
      return uow.transaction(async (repos) => {
        await check(repos, input);
        const now = toInstant(clock.now());
        const policy: EscalationPolicy = {
          id: newId(),
          name: input.name,
          description: input.description ?? '',
          teamId: input.teamId ?? null,
          repeat: input.repeat ?? 0,
          steps: input.steps,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        await repos.policies.insert(policy);
        await recordAudit(repos, deps, ctx, now, {
          action: 'escalation_policy.create',
          objectType: 'escalation_policy',
          objectId: policy.id,
          after: policy,
        });
        return policy;
      });
    },

    /** Incidents already escalating keep the snapshot they took when they triggered. */
    async update(
      ctx: RequestContext,
      id: string,
      input: Partial<PolicyInput> & { version?: number },
    ): Promise<EscalationPolicy> {
      return uow.transaction(async (repos) => {
        const before = await mustGet(repos, id);
        if (input.version !== undefined && input.version !== before.version) {
          throw new VigilError(
            'CONFLICT',
            `The policy is at version ${before.version}, not ${input.version}: someone changed it; reload it and try again`,
          );
        }
        const merged: PolicyInput = {
          name: input.name ?? before.name,
          description: input.description ?? before.description,
          teamId: input.teamId !== undefined ? input.teamId : before.teamId,
          repeat: input.repeat ?? before.repeat,
          steps: input.steps ?? before.steps,
        };
        await check(repos, merged, id);
        const now = toInstant(clock.now());
        const after: EscalationPolicy = {
          ...before,
          ...merged,
          description: merged.description ?? '',
          teamId: merged.teamId ?? null,
          repeat: merged.repeat ?? 0,
          version: before.version + 1,
          updatedAt: now,
        };
        if (!(await repos.policies.update(after, before.version))) {
          throw new VigilError('CONFLICT', 'The policy changed while saving; reload it and try again');
        }
        await recordAudit(repos, deps, ctx, now, {
          action: 'escalation_policy.update',
          objectType: 'escalation_policy',
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
        const services = await repos.policies.serviceCount(id);
        if (services > 0) {
          throw new VigilError(
            'CONFLICT',
            `${services} service(s) page through this policy; change them first`,
          );
        }
        await repos.policies.delete(id);
        await recordAudit(repos, deps, ctx, toInstant(clock.now()), {
          action: 'escalation_policy.delete',
          objectType: 'escalation_policy',
          objectId: id,
          before,
        });
      });
    },

    get: (id: string) => mustGet(uow.read, id),

    /** Reachable means a high-urgency page would leave for at least one verified contact method. */
    async preview(id: string): Promise<PolicyPreview> {
      const repos = uow.read;
      const policy = await mustGet(repos, id);
      const now = clock.now();
      const steps: PolicyPreview['steps'] = [];
      for (const [index, step] of policy.steps.entries()) {
        const targets: PolicyPreview['steps'][number]['targets'] = [];
        for (const target of step.targets) {
          const people = await resolveTarget(repos, target, now);
          const ids = people.map((p) => p.userId);
          const [users, methods, rules] = await Promise.all([
            repos.users.getMany(ids),
            repos.contactMethods.forUsers(ids),
            repos.notificationRules.forUsers(ids),
          ]);
          const byId = new Map(users.map((u) => [u.id, u]));
          targets.push({
            type: target.type,
            id: target.id,
            name: await targetName(repos, target.type, target.id),
            people: ids.map((userId) => {
              const user = byId.get(userId);
              if (!user || user.deactivatedAt)
                return { id: userId, name: user?.name ?? userId, reachable: false, reason: 'is deactivated' };
              const mine = methods.filter((m) => m.userId === userId);
              const planned = planFor(
                'high',
                rules.filter((r) => r.userId === userId),
                mine,
              ).length;
              return {
                id: userId,
                name: user.name,
                reachable: planned > 0,
                reason: planned > 0 ? null : unreachableReason(mine, planned),
              };
            }),
          });
        }
        steps.push({ index, delayMinutes: step.delayMinutes, targets });
      }
      return { at: toInstant(now), steps };
    },
    list: (page: PageRequest) => uow.read.policies.list(page),
  };
}

async function targetName(repos: Repos, type: TargetType, id: string): Promise<string> {
  if (type === 'user') return (await repos.users.getMany([id]))[0]?.name ?? id;
  if (type === 'schedule') return (await repos.schedules.get(id))?.name ?? id;
  return (await repos.teams.get(id))?.name ?? id;
}

export type EscalationPolicyService = ReturnType<typeof createEscalationPolicyService>;
