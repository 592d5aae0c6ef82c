import type { Actor } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import type { UseCaseDeps } from '../shared/use-case.js';
import type { ChangeEvent } from './change-event.js';

export interface ChangeEventInput {
  integrationId: string;
  integrationName: string;
  serviceId: string;
  summary: string;
  source: string | null;
  happenedAt: string | null;
  customDetails: Record<string, unknown>;
  links: { href: string; text?: string }[];
}

/** How many open incidents of a service get the change on their timeline, at most. */
const MAX_INCIDENTS_NOTED = 200;

export function createChangeEventService(deps: Pick<UseCaseDeps, 'uow' | 'clock' | 'newId'>) {
  const { uow, clock, newId } = deps;
  return {
    /** Records the change and notes it on every incident open on the service at the time. */
    async record(input: ChangeEventInput): Promise<ChangeEvent> {
      return uow.transaction(async (repos) => {
        const now = toInstant(clock.now());
        const change: ChangeEvent = {
          id: newId(),
          integrationId: input.integrationId,
          serviceId: input.serviceId,
          summary: input.summary,
          source: input.source,
          happenedAt: input.happenedAt ?? now,
          receivedAt: now,
          customDetails: input.customDetails,
          links: input.links,
        };
        await repos.changeEvents.insert(change);
        const open = await repos.incidents.list(
          { serviceId: input.serviceId, status: ['triggered', 'acknowledged'] },
          { limit: MAX_INCIDENTS_NOTED, cursor: null },
        );
        const actor: Actor = { type: 'integration', id: input.integrationId, name: input.integrationName };
        await repos.timeline.append(
          open.data.map((incident) => ({
            id: newId(),
            incidentId: incident.id,
            at: now,
            actor,
            type: 'change' as const,
            message: `Change: ${input.summary}${input.source ? ` (${input.source})` : ''}`,
            data: { change_event_id: change.id, links: input.links },
          })),
        );
        return change;
      });
    },
  };
}

export type ChangeEventService = ReturnType<typeof createChangeEventService>;
