import type { Repos } from '../ports.js';
import type { Actor, RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { invalidField, notFound, VigilError } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import {
  type Incident,
  type Priority,
  type Severity,
  type TimelineDraft,
  type Urgency,
  urgencyForSeverity,
} from './incident.js';
import * as lifecycle from './incident-lifecycle.js';

/** One incident's outcome in a bulk action: the incident as it is now, or why it was refused. */
export type BulkOutcome =
  | { ref: string; ok: true; incident: Incident }
  | { ref: string; ok: false; error: VigilError };

export interface CreateIncidentInput {
  serviceId: string;
  title: string;
  description?: string;
  priority?: Priority | null;
  severity?: Severity;
  urgency?: Urgency;
  assigneeIds?: string[];
  dedupKey?: string | null;
}

/** Finds an incident by its ID or, when the reference is all digits, by its number. */
export async function findIncident(repos: Repos, ref: string, forUpdate = false): Promise<Incident> {
  const incident = /^\d{1,15}$/.test(ref)
    ? await repos.incidents.getByNumber(Number(ref), forUpdate)
    : await repos.incidents.get(ref, forUpdate);
  if (!incident) throw notFound('Incident', ref);
  return incident;
}

async function activeUserNames(repos: Repos, ids: string[], field: string): Promise<string[]> {
  const users = await repos.users.getMany(ids);
  return ids.map((id, index) => {
    const user = users.find((candidate) => candidate.id === id);
    if (!user || user.deactivatedAt)
      throw invalidField(`${field}/${index}`, `user ${JSON.stringify(id)} does not exist`);
    return user.name;
  });
}

export function createIncidentService(deps: UseCaseDeps) {
  const { uow, clock, newId } = deps;

  async function appendTimeline(
    repos: Repos,
    incidentId: string,
    actor: Actor,
    at: string,
    drafts: TimelineDraft[],
  ) {
    if (drafts.length === 0) return;
    await repos.timeline.append(drafts.map((draft) => ({ ...draft, id: newId(), incidentId, at, actor })));
  }

  /**
   * Loads, changes and saves one incident with its timeline and audit entries in one transaction.
   * The version check makes a concurrent change fail loudly (CONFLICT) instead of being overwritten.
   */
  async function change(
    ctx: RequestContext,
    ref: string,
    action: string,
    apply: (
      incident: Incident,
      repos: Repos,
      now: string,
    ) => Promise<lifecycle.Transition> | lifecycle.Transition,
  ): Promise<Incident> {
    return uow.transaction(async (repos) => {
      const now = toInstant(clock.now());
      const before = await findIncident(repos, ref, true);
      const { incident, entries } = await apply(before, repos, now);
      if (entries.length === 0) return before;
      if (!(await repos.incidents.update(incident, before.version))) {
        throw new VigilError('CONFLICT', `Incident ${before.number} changed at the same time; try again`);
      }
      await appendTimeline(repos, incident.id, ctx.actor, now, entries);
      await recordAudit(repos, deps, ctx, now, {
        action: `incident.${action}`,
        objectType: 'incident',
        objectId: incident.id,
        before: { status: before.status, assigneeIds: before.assigneeIds, priority: before.priority },
        after: { status: incident.status, assigneeIds: incident.assigneeIds, priority: incident.priority },
      });
      return incident;
    });
  }

  const useCases = {
    async create(ctx: RequestContext, input: CreateIncidentInput): Promise<Incident> {
      return uow.transaction(async (repos) => {
        const now = toInstant(clock.now());
        // Locking the service serialises creates on it, so two racing creates cannot both pass the dedup check.
        const service = await repos.services.get(input.serviceId, true);
        if (!service)
          throw invalidField('/service_id', `service ${JSON.stringify(input.serviceId)} does not exist`);
        const assigneeIds = [...new Set(input.assigneeIds ?? [])];
        const names = await activeUserNames(repos, assigneeIds, '/assignee_ids');
        const dedupKey = input.dedupKey ?? null;
        if (dedupKey !== null) {
          const open = await repos.incidents.findOpenByDedupKey(service.id, dedupKey);
          if (open) {
            throw new VigilError(
              'CONFLICT',
              `Incident ${open.number} is open on this service with dedup key ${JSON.stringify(dedupKey)}`,
            );
          }
        }
        const severity = input.severity ?? 'error';
        const incident: Incident = {
          id: newId(),
          number: await repos.incidents.nextNumber(),
          title: input.title,
          description: input.description ?? '',
          status: 'triggered',
          priority: input.priority ?? null,
          severity,
          urgency: input.urgency ?? service.defaultUrgency ?? urgencyForSeverity(severity),
          serviceId: service.id,
          dedupKey,
          alertCount: 0,
          assigneeIds,
          createdAt: now,
          updatedAt: now,
          acknowledgedAt: null,
          resolvedAt: null,
          version: 1,
        };
        await repos.incidents.insert(incident);
        const assigned = names.length > 0 ? `, assigned to ${names.join(', ')}` : '';
        await appendTimeline(repos, incident.id, ctx.actor, now, [
          {
            type: 'triggered',
            message: `Triggered by ${ctx.actor.name} (opened by hand) on ${service.name}${assigned}`,
            data: { source: 'manual', urgency: incident.urgency, severity, priority: incident.priority },
          },
        ]);
        await recordAudit(repos, deps, ctx, now, {
          action: 'incident.create',
          objectType: 'incident',
          objectId: incident.id,
          after: { number: incident.number, title: incident.title, serviceId: service.id },
        });
        return incident;
      });
    },

    acknowledge: (ctx: RequestContext, ref: string) =>
      change(ctx, ref, 'acknowledge', (incident, _repos, now) =>
        lifecycle.acknowledge(incident, ctx.actor, now),
      ),

    /**
     * Resolving an incident resolves its firing alerts too, as in PagerDuty: the next trigger with
     * the same dedup key is a new problem and opens a new incident instead of being counted on a
     * forgotten alert.
     */
    resolve: (ctx: RequestContext, ref: string, resolution?: string) =>
      change(ctx, ref, 'resolve', async (incident, repos, now) => {
        const transition = lifecycle.resolve(incident, ctx.actor, now, resolution);
        if (transition.entries.length > 0) {
          const alerts = await repos.alerts.resolveAllOfIncident(incident.id, now);
          if (alerts > 0) {
            transition.entries.push({
              type: 'note',
              message: `${alerts} firing alert(s) resolved with the incident`,
              data: { alerts_resolved: alerts },
            });
          }
        }
        return transition;
      }),

    /**
     * Acknowledges or resolves many incidents (the incident board), each exactly as the single
     * action does it, in its own transaction with its own timeline and audit entries: one that is
     * missing, resolved or changed at the same time gets its error and does not hold back the rest.
     */
    async bulk(
      ctx: RequestContext,
      action: 'acknowledge' | 'resolve',
      refs: string[],
    ): Promise<BulkOutcome[]> {
      const outcomes: BulkOutcome[] = [];
      for (const ref of refs) {
        try {
          const incident = await (action === 'acknowledge'
            ? useCases.acknowledge(ctx, ref)
            : useCases.resolve(ctx, ref));
          outcomes.push({ ref, ok: true, incident });
        } catch (error) {
          // Only refusals are an incident's outcome; a failing database fails the request.
          if (!(error instanceof VigilError)) throw error;
          outcomes.push({ ref, ok: false, error });
        }
      }
      return outcomes;
    },

    reassign: (ctx: RequestContext, ref: string, assigneeIds: string[]) =>
      change(ctx, ref, 'reassign', async (incident, repos, now) => {
        const unique = [...new Set(assigneeIds)];
        const names = await activeUserNames(repos, unique, '/assignee_ids');
        return lifecycle.reassign(incident, unique, names, ctx.actor, now);
      }),

    edit: (ctx: RequestContext, ref: string, changes: lifecycle.IncidentEdit) =>
      change(ctx, ref, 'update', (incident, _repos, now) =>
        lifecycle.edit(incident, changes, ctx.actor, now),
      ),

    /**
     * Pages the escalation policy's step `step` (0-based) now, by default the next one. An
     * acknowledged incident triggers again: the point of escalating is that someone else acts.
     */
    async escalate(ctx: RequestContext, ref: string, step?: number): Promise<Incident> {
      return uow.transaction(async (repos) => {
        const now = toInstant(clock.now());
        const before = await findIncident(repos, ref, true);
        if (before.status === 'resolved') {
          throw new VigilError(
            'INVALID_TRANSITION',
            `Incident ${before.number} is resolved and cannot be escalated`,
          );
        }
        const escalation = await repos.escalations.get(before.id, true);
        const policy = escalation?.policy;
        if (!escalation || !policy) {
          throw new VigilError(
            'CONFLICT',
            `Incident ${before.number} has no escalation policy to escalate through`,
          );
        }
        const target = step ?? (escalation.state === 'done' ? undefined : escalation.step);
        if (target === undefined) {
          throw new VigilError(
            'CONFLICT',
            'The escalation policy has no further step; name the step to page',
          );
        }
        if (target >= policy.steps.length) {
          throw invalidField('/step', `the policy has ${policy.steps.length} step(s), numbered from 0`);
        }
        const { incident, entries } =
          before.status === 'acknowledged'
            ? lifecycle.unacknowledge(before, `escalated by ${ctx.actor.name}`, now)
            : { incident: before, entries: [] };
        if (entries.length > 0 && !(await repos.incidents.update(incident, before.version))) {
          throw new VigilError('CONFLICT', `Incident ${before.number} changed at the same time; try again`);
        }
        entries.push({
          type: 'escalated',
          message: `Escalated by ${ctx.actor.name} to step ${target + 1} of ${policy.steps.length}`,
          data: { step: target, manual: true },
        });
        await repos.escalations.escalateTo(incident.id, target, escalation.loop, now);
        await appendTimeline(repos, incident.id, ctx.actor, now, entries);
        await recordAudit(repos, deps, ctx, now, {
          action: 'incident.escalate',
          objectType: 'incident',
          objectId: incident.id,
          after: { step: target },
        });
        return incident;
      });
    },

    /** What was sent to whom for an incident, with delivery states and reasons. */
    async notifications(ref: string, page: import('../shared/page.js').PageRequest) {
      const incident = await findIncident(uow.read, ref);
      return uow.read.notifications.listForIncident(incident.id, page);
    },

    /** A note goes on the timeline only; the incident itself does not change. */
    async addNote(ctx: RequestContext, ref: string, body: string) {
      return uow.transaction(async (repos) => {
        const now = toInstant(clock.now());
        const incident = await findIncident(repos, ref);
        const entry = {
          ...lifecycle.note(body, ctx.actor),
          id: newId(),
          incidentId: incident.id,
          at: now,
          actor: ctx.actor,
        };
        await repos.timeline.append([entry]);
        await recordAudit(repos, deps, ctx, now, {
          action: 'incident.note',
          objectType: 'incident',
          objectId: incident.id,
          after: { note_id: entry.id },
        });
        return entry;
      });
    },
  };
  return useCases;
}

export type IncidentService = ReturnType<typeof createIncidentService>;
