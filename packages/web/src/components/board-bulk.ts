import type { Incident } from '@vigil/sdk/contract';
import { VigilApiError, vigil } from '../api.js';

export type BulkAction = 'acknowledge' | 'resolve';

/** What happened to one incident of a bulk action. */
export interface BulkResult {
  id: string;
  ok: boolean;
  incident?: Incident;
  error?: string;
}

const MAX = 100;

/**
 * `POST /api/v1/incidents/bulk {action, incident_ids}` in chunks of 100. Should the server not have
 * the bulk route (404/405 without per-incident results), each incident is sent on its own instead.
 */
export async function runBulk(action: BulkAction, ids: string[]): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (let start = 0; start < ids.length; start += MAX) {
    const chunk = ids.slice(start, start + MAX);
    try {
      const body = await vigil.request<unknown>('POST', '/incidents/bulk', {
        body: { action, incident_ids: chunk },
      });
      results.push(...normalise(body, chunk));
    } catch (error) {
      if (error instanceof VigilApiError && (error.status === 404 || error.status === 405)) {
        results.push(...(await oneByOne(action, chunk)));
      } else {
        throw error;
      }
    }
  }
  return results;
}

async function oneByOne(action: BulkAction, ids: string[]): Promise<BulkResult[]> {
  const settled = await Promise.allSettled(
    ids.map((id) =>
      action === 'acknowledge' ? vigil.incidents.acknowledge(id) : vigil.incidents.resolve(id),
    ),
  );
  return settled.map((outcome, i) =>
    outcome.status === 'fulfilled'
      ? { id: ids[i]!, ok: true, incident: outcome.value }
      : { id: ids[i]!, ok: false, error: describe(outcome.reason) },
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const isIncident = (value: unknown): value is Incident =>
  isObject(value) && typeof value.id === 'string' && typeof value.number === 'number';

function describe(error: unknown): string {
  if (error instanceof VigilApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Reads the per-incident results whatever their exact spelling (`results` or `data`, `ok` or `error`). */
function normalise(body: unknown, ids: string[]): BulkResult[] {
  const list: unknown[] = Array.isArray(body)
    ? body
    : isObject(body)
      ? ((Array.isArray(body.results)
          ? body.results
          : Array.isArray(body.data)
            ? body.data
            : []) as unknown[])
      : [];
  if (list.length === 0) return ids.map((id) => ({ id, ok: true }));
  return list.map((raw, i) => {
    const item = isObject(raw) ? raw : {};
    const incident = isIncident(item.incident) ? item.incident : isIncident(item) ? item : undefined;
    const id = text(item.incident_id) ?? incident?.id ?? text(item.id) ?? ids[i] ?? '';
    const error = item.error ?? item.problem;
    const errorText = isObject(error)
      ? (text(error.detail) ?? text(error.message) ?? text(error.title) ?? text(error.code) ?? 'failed')
      : text(error);
    const ok =
      typeof item.ok === 'boolean'
        ? item.ok
        : errorText === undefined && (typeof item.status !== 'number' || item.status < 400);
    return { id, ok, ...(incident ? { incident } : {}), ...(ok ? {} : { error: errorText ?? 'failed' }) };
  });
}
