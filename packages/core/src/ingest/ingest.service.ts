import type { Repos } from '../ports.js';
import { toInstant } from '../shared/clock.js';
import { VigilError } from '../shared/errors.js';
import type { UseCaseDeps } from '../shared/use-case.js';
import type { AlertEvent, IngestOutcome, IngestSource } from './alert-event.js';
import { planIngest } from './ingest-plan.js';

export interface IngestItem {
  source: IngestSource;
  event: AlertEvent;
}

/** Raised by the store when an incident changed under the batch; the batch is planned again. */
export class IngestConflict extends VigilError {
  constructor(detail: string) {
    super('CONFLICT', detail);
  }
}

const MAX_ATTEMPTS = 5;

/**
 * Applies a batch of alert events in one transaction: load what the batch touches, decide in
 * memory (planIngest), write in bulk. The caller answers each sender only after this commits.
 */
export function createIngestService(deps: Pick<UseCaseDeps, 'uow' | 'clock' | 'newId'>) {
  const { uow, clock, newId } = deps;

  async function once(repos: Repos, items: IngestItem[]): Promise<IngestOutcome[]> {
    const now = toInstant(clock.now());
    const state = await repos.ingest.loadState(items);
    const plan = planIngest(items, state, now, newId);
    await repos.ingest.apply(plan);
    return plan.outcomes;
  }

  return {
    async applyBatch(items: IngestItem[]): Promise<IngestOutcome[]> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await uow.transaction((repos) => once(repos, items));
        } catch (error) {
          if (!(error instanceof IngestConflict) || attempt >= MAX_ATTEMPTS) throw error;
        }
      }
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
