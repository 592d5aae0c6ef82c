import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Incident, Page } from '@vigil/sdk/contract';

export type IncidentStatus = Incident['status'];
export type Priority = NonNullable<Incident['priority']>;

export const STATUSES: IncidentStatus[] = ['triggered', 'acknowledged', 'resolved'];
export const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];
export const OPEN: IncidentStatus[] = ['triggered', 'acknowledged'];

/**
 * The board's filters, as the URL spells them (so a filtered board can be bookmarked and shared):
 * `?status=triggered,acknowledged&service_id=…&team_id=…&priority=P1,P2&q=disk`.
 * No `status` means open incidents (triggered + acknowledged); `status=all` means every status.
 */
export interface BoardFilters {
  /** Empty: any status. */
  status: IncidentStatus[];
  service_id: string;
  team_id: string;
  /** Empty: any priority. */
  priority: Priority[];
  q: string;
}

export function parseFilters(params: URLSearchParams): BoardFilters {
  const statusParam = params.get('status');
  const status =
    statusParam === null
      ? OPEN
      : statusParam === 'all'
        ? []
        : STATUSES.filter((s) => statusParam.split(',').includes(s));
  const priorityParam = params.get('priority') ?? '';
  return {
    status: statusParam !== null && statusParam !== 'all' && status.length === 0 ? OPEN : status,
    service_id: params.get('service_id') ?? '',
    team_id: params.get('team_id') ?? '',
    priority: PRIORITIES.filter((p) => priorityParam.split(',').includes(p)),
    q: (params.get('q') ?? '').trim().slice(0, 200),
  };
}

/** The URL query string for `filters` (defaults left out, so the plain board is just `/`). */
export function filtersToSearch(filters: BoardFilters): string {
  const params = new URLSearchParams();
  const isOpen = filters.status.length === 2 && OPEN.every((s) => filters.status.includes(s));
  if (!isOpen) params.set('status', filters.status.length === 0 ? 'all' : filters.status.join(','));
  if (filters.service_id) params.set('service_id', filters.service_id);
  if (filters.team_id) params.set('team_id', filters.team_id);
  if (filters.priority.length) params.set('priority', filters.priority.join(','));
  if (filters.q) params.set('q', filters.q);
  return params.toString();
}

export const isDefaultFilters = (filters: BoardFilters) => filtersToSearch(filters) === '';

/** The query of `GET /api/v1/incidents` (and, without status, of `/incidents/counts`). */
export function listQuery(filters: BoardFilters): Record<string, string | undefined> {
  return {
    status: filters.status.length ? STATUSES.filter((s) => filters.status.includes(s)).join(',') : undefined,
    ...countsQuery(filters),
  };
}

export function countsQuery(filters: BoardFilters): Record<string, string | undefined> {
  return {
    service_id: filters.service_id || undefined,
    team_id: filters.team_id || undefined,
    priority: filters.priority.length ? filters.priority.join(',') : undefined,
    q: filters.q || undefined,
  };
}

/**
 * Whether `incident` belongs on a board with `filters`: true, false, or undefined when the page
 * cannot tell (a team filter and a service it has not loaded yet) and should ask the server again.
 */
export function matches(
  incident: Incident,
  filters: BoardFilters,
  teamOfService: ReadonlyMap<string, string | null>,
  checkText: boolean,
): boolean | undefined {
  if (filters.status.length && !filters.status.includes(incident.status)) return false;
  if (filters.service_id && incident.service_id !== filters.service_id) return false;
  if (filters.priority.length && !(incident.priority && filters.priority.includes(incident.priority)))
    return false;
  if (checkText && filters.q && !incident.title.toLowerCase().includes(filters.q.toLowerCase())) return false;
  if (filters.team_id) {
    if (!teamOfService.has(incident.service_id)) return undefined;
    if (teamOfService.get(incident.service_id) !== filters.team_id) return false;
  }
  return true;
}

export type BoardData = InfiniteData<Page<Incident>, string | undefined>;
export const boardKey = (filters: BoardFilters) => ['incidents', 'board', filters] as const;

/**
 * Puts a streamed (or just changed) incident into one board's pages: replaced where it is (unless
 * what is there is newer), dropped where it no longer matches, inserted in order (newest number
 * first) where it is new and matches. `unknown`: the page cannot tell whether it matches.
 */
export function mergeIncident(
  data: BoardData,
  incident: Incident,
  filters: BoardFilters,
  teamOfService: ReadonlyMap<string, string | null>,
  allowInsert = true,
): { data: BoardData; inserted: boolean; unknown: boolean } {
  const present = data.pages.some((page) => page.data.some((item) => item.id === incident.id));
  const fits = matches(incident, filters, teamOfService, !present);
  if (fits === undefined) return { data, inserted: false, unknown: true };
  if (present) return { data: replaceOrDrop(data, incident, fits), inserted: false, unknown: false };
  if (!fits || !allowInsert) return { data, inserted: false, unknown: false };
  const next = insert(data, incident);
  return { data: next, inserted: next !== data, unknown: false };
}

/** Every cached board gets the incident; true when it arrived as a new row on any of them. */
export function applyIncident(
  client: QueryClient,
  incident: Incident,
  teamOfService: ReadonlyMap<string, string | null>,
): boolean {
  let inserted = false;
  for (const query of client.getQueryCache().findAll({ queryKey: ['incidents', 'board'] })) {
    const filters = query.queryKey[2] as BoardFilters | undefined;
    const data = query.state.data as BoardData | undefined;
    if (!filters || !data) continue;
    const merged = mergeIncident(data, incident, filters, teamOfService);
    if (merged.unknown) void client.invalidateQueries({ queryKey: query.queryKey, exact: true });
    else if (merged.data !== data) client.setQueryData<BoardData>(query.queryKey, merged.data);
    inserted ||= merged.inserted;
  }
  return inserted;
}

/**
 * Streamed incidents of the last minute. A page fetched while they streamed in may have been
 * answered just before they changed, and would put the older state back: each fetched page is
 * merged with them again (`recent.mergeInto`).
 */
export class RecentIncidents {
  readonly #items = new Map<string, { incident: Incident; at: number }>();

  add(incident: Incident) {
    this.#items.set(incident.id, { incident, at: Date.now() });
  }

  mergeInto(
    page: Page<Incident>,
    filters: BoardFilters,
    teamOfService: ReadonlyMap<string, string | null>,
    firstPage: boolean,
  ): Page<Incident> {
    const cutoff = Date.now() - 60_000;
    let data: BoardData = { pages: [page], pageParams: [undefined] };
    for (const [id, item] of this.#items) {
      if (item.at < cutoff) {
        this.#items.delete(id);
        continue;
      }
      data = mergeIncident(data, item.incident, filters, teamOfService, firstPage).data;
    }
    return data.pages[0]!;
  }
}
function replaceOrDrop(data: BoardData, incident: Incident, keep: boolean): BoardData {
  let changed = false;
  const pages = data.pages.map((page) => {
    const index = page.data.findIndex((item) => item.id === incident.id);
    if (index < 0) return page;
    const current = page.data[index]!;
    // Events can arrive out of order (a refetch racing the stream): the newer version wins.
    if (Date.parse(current.updated_at) > Date.parse(incident.updated_at)) return page;
    changed = true;
    return {
      ...page,
      data: keep
        ? page.data.map((item, i) => (i === index ? incident : item))
        : page.data.filter((_, i) => i !== index),
    };
  });
  return changed ? { ...data, pages } : data;
}

function insert(data: BoardData, incident: Incident): BoardData {
  if (data.pages.length === 0) return data;
  for (let p = 0; p < data.pages.length; p++) {
    const page = data.pages[p]!;
    const index = page.data.findIndex((item) => item.number < incident.number);
    if (index >= 0) {
      const pages = [...data.pages];
      pages[p] = { ...page, data: [...page.data.slice(0, index), incident, ...page.data.slice(index)] };
      return { ...data, pages };
    }
  }
  // Older than everything shown: it belongs here only when every page is already loaded.
  const last = data.pages[data.pages.length - 1]!;
  if (last.next_cursor) return data;
  const pages = [...data.pages];
  pages[pages.length - 1] = { ...last, data: [...last.data, incident] };
  return { ...data, pages };
}
