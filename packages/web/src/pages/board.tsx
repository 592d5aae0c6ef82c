import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { Incident, IncidentCounts, Page, Service, Team } from '@vigil/sdk/contract';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { vigil } from '../api.js';
import { type BulkAction, type BulkResult, runBulk } from '../components/board-bulk.js';
import { useDirectory } from '../components/board-directory.js';
import {
  applyIncident,
  type BoardFilters,
  boardKey,
  countsQuery,
  filtersToSearch,
  type IncidentStatus,
  isDefaultFilters,
  listQuery,
  OPEN,
  PRIORITIES,
  parseFilters,
  RecentIncidents,
  STATUSES,
} from '../components/board-filters.js';
import { liveText, useDebounced, useIncidentStream, useTick } from '../components/board-live.js';
import { useCan } from '../session.js';
import { Ago, ErrorBox, Field, Loading, PageHead, StatusBadge } from '../ui.js';

type Counts = IncidentCounts;

const PAGE_SIZE = 50;
const statusLabel: Record<IncidentStatus, string> = {
  triggered: 'Triggered',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

/** The incident board (route `/`): live, filtered by the URL, with bulk acknowledge and resolve. */
export default function Board() {
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the search string is the identity of the filters
  const filters = useMemo(() => parseFilters(params), [search]);
  const canAct = useCan('responder');
  useTick();

  const setFilters = (next: Partial<BoardFilters>, replace = false) =>
    setParams(filtersToSearch({ ...filters, ...next }), { replace });

  const { services, teams } = useDirectory();
  const teamOfService = useMemo(
    () => new Map((services.data ?? []).map((s) => [s.id, s.team_id] as const)),
    [services.data],
  );
  const serviceName = useMemo(
    () => new Map((services.data ?? []).map((s) => [s.id, s.name] as const)),
    [services.data],
  );
  const teamOfServiceRef = useRef(teamOfService);
  teamOfServiceRef.current = teamOfService;

  const recent = useRef(new RecentIncidents()).current;
  const list = useInfiniteQuery({
    queryKey: boardKey(filters),
    queryFn: async ({ pageParam }) => {
      const page = await vigil.request<Page<Incident>>('GET', '/incidents', {
        query: { ...listQuery(filters), limit: PAGE_SIZE, cursor: pageParam },
      });
      return recent.mergeInto(page, filters, teamOfServiceRef.current, pageParam === undefined);
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });

  const countsParams = countsQuery(filters);
  const counts = useQuery({
    queryKey: ['incidents', 'counts', countsParams],
    queryFn: () => vigil.request<Counts>('GET', '/incidents/counts', { query: countsParams }),
    placeholderData: keepPreviousData,
    retry: false,
  });

  // Live: every streamed incident lands in the cached pages; the counts follow, a moment later.
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const refreshCounts = useDebounced(
    () => void client.invalidateQueries({ queryKey: ['incidents', 'counts'] }),
    600,
  );
  const live = useIncidentStream(
    (incident) => {
      recent.add(incident);
      if (applyIncident(client, incident, teamOfServiceRef.current)) {
        setFresh((prev) => new Set(prev).add(incident.id));
        setTimeout(
          () =>
            setFresh((prev) => {
              const next = new Set(prev);
              next.delete(incident.id);
              return next;
            }),
          6_000,
        );
      }
      if (!teamOfServiceRef.current.has(incident.service_id) && services.isSuccess)
        void client.invalidateQueries({ queryKey: ['board', 'services'] });
      refreshCounts();
    },
    () => {
      void client.invalidateQueries({ queryKey: ['incidents', 'board'] });
      refreshCounts();
    },
  );

  // The tab's title says how many incidents wait for someone, like a pager would.
  const triggered = counts.data?.triggered;
  useEffect(() => {
    const before = document.title;
    document.title = triggered ? `(${triggered}) Incidents · Vigil` : 'Incidents · Vigil';
    return () => {
      document.title = before;
    };
  }, [triggered]);

  const rows = useMemo(() => {
    const seen = new Set<string>();
    const out: Incident[] = [];
    for (const page of list.data?.pages ?? [])
      for (const incident of page.data) {
        if (seen.has(incident.id)) continue;
        seen.add(incident.id);
        out.push(incident);
      }
    return out;
  }, [list.data]);

  // Bulk selection: only rows still shown count (a streamed change can take a row away).
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const selectedRows = rows.filter((row) => selected.has(row.id));
  const allSelected = rows.length > 0 && selectedRows.length === rows.length;
  const toggle = (id: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const [confirmResolve, setConfirmResolve] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const bulk = useMutation({
    mutationFn: ({ action, ids }: { action: BulkAction; ids: string[] }) => runBulk(action, ids),
    onMutate: () => setOutcome(null),
    onSuccess: (results, { action }) => {
      for (const result of results)
        if (result.incident) {
          recent.add(result.incident);
          applyIncident(client, result.incident, teamOfServiceRef.current);
        }
      setOutcome(summarise(action, results, rows));
      const done = new Set(results.filter((r) => r.ok).map((r) => r.id));
      setSelected((prev) => new Set([...prev].filter((id) => !done.has(id))));
      setConfirmResolve(false);
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ['incidents'] });
      void client.invalidateQueries({ queryKey: ['incident'] });
    },
  });
  // Only what the action can change: acknowledged incidents need no second acknowledgement.
  const eligible = (action: BulkAction) =>
    selectedRows.filter((row) =>
      action === 'acknowledge' ? row.status === 'triggered' : row.status !== 'resolved',
    );
  const act = (action: BulkAction) => bulk.mutate({ action, ids: eligible(action).map((row) => row.id) });

  const statusValue = statusSelectValue(filters.status);
  const onlyStatus = filters.status.length === 1 ? filters.status[0] : undefined;

  return (
    <>
      <PageHead title="Incidents">
        <span className={`board-live ${live}`} role="status">
          {liveText(live)}
        </span>
        {canAct ? (
          <Link className="button" href="/incidents/new">
            New incident
          </Link>
        ) : null}
      </PageHead>

      {counts.data ? (
        <nav className="board-counts" aria-label="Incidents by status">
          {STATUSES.map((status, i) => (
            <span key={status}>
              {i > 0 ? (
                <span className="muted" aria-hidden="true">
                  {' · '}
                </span>
              ) : null}
              <button
                type="button"
                className={`link board-count ${status}`}
                aria-pressed={onlyStatus === status}
                onClick={() => setFilters({ status: onlyStatus === status ? OPEN : [status] })}
              >
                {statusLabel[status]}{' '}
                <strong>
                  {counts.data[status].toLocaleString()}
                  {status === 'resolved' && counts.data.resolved_capped ? '+' : ''}
                </strong>
              </button>
            </span>
          ))}
        </nav>
      ) : null}

      <BoardFilterBar
        filters={filters}
        statusValue={statusValue}
        services={services.data}
        teams={teams.data}
        onChange={setFilters}
        onClear={() => setParams('', {})}
      />

      {canAct && rows.length > 0 ? (
        <div className="board-bulk row">
          <span className={`muted small${selectedRows.length ? '' : ' hide-phone'}`} aria-live="polite">
            {selectedRows.length
              ? `${selectedRows.length} selected`
              : 'Select incidents to act on several at once'}
          </span>
          <button
            type="button"
            disabled={eligible('acknowledge').length === 0 || bulk.isPending}
            onClick={() => act('acknowledge')}
          >
            Acknowledge selected
          </button>
          {confirmResolve ? (
            <span className="row">
              <span>
                Resolve {eligible('resolve').length} incident{eligible('resolve').length === 1 ? '' : 's'}?
                Paging stops for them.
              </span>
              <button
                type="button"
                className="primary"
                disabled={bulk.isPending}
                onClick={() => act('resolve')}
              >
                Yes, resolve
              </button>
              <button type="button" onClick={() => setConfirmResolve(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button
              type="button"
              disabled={eligible('resolve').length === 0 || bulk.isPending}
              onClick={() => setConfirmResolve(true)}
            >
              Resolve selected
            </button>
          )}
          {bulk.isPending ? <span className="muted small">Working…</span> : null}
        </div>
      ) : null}
      <ErrorBox error={bulk.error} />
      {outcome ? (
        <p className="notice" role="status">
          {outcome}
        </p>
      ) : null}

      {list.isPending ? (
        <Loading what="Loading incidents" />
      ) : list.isError && !list.data ? (
        <div className="stack">
          <ErrorBox error={list.error} />
          <div>
            <button type="button" onClick={() => void list.refetch()}>
              Try again
            </button>
          </div>
        </div>
      ) : rows.length === 0 ? (
        <EmptyBoard filters={filters} onChange={setFilters} onClear={() => setParams('', {})} />
      ) : (
        <>
          <div className="table-wrap">
            <table className="list board-table" aria-busy={list.isFetching && list.isPlaceholderData}>
              <thead>
                <tr>
                  {canAct ? (
                    <th className="board-check">
                      <input
                        type="checkbox"
                        aria-label="Select all shown incidents"
                        checked={allSelected}
                        ref={(el) => {
                          if (el) el.indeterminate = selectedRows.length > 0 && !allSelected;
                        }}
                        onChange={(event) =>
                          setSelected(event.target.checked ? new Set(rows.map((row) => row.id)) : new Set())
                        }
                      />
                    </th>
                  ) : null}
                  <th className="hide-phone">#</th>
                  <th>Title</th>
                  <th>Status</th>
                  <th className="hide-phone">Priority</th>
                  <th className="hide-phone">Service</th>
                  <th className="hide-phone">Assignees</th>
                  <th className="hide-phone">Created</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((incident) => (
                  <tr
                    key={incident.id}
                    className={fresh.has(incident.id) ? 'board-fresh' : undefined}
                    data-testid={`incident-row-${incident.number}`}
                  >
                    {canAct ? (
                      <td className="board-check">
                        <input
                          type="checkbox"
                          aria-label={`Select incident #${incident.number}`}
                          checked={selected.has(incident.id)}
                          onChange={(event) => toggle(incident.id, event.target.checked)}
                        />
                      </td>
                    ) : null}
                    <td className="muted hide-phone">{incident.number}</td>
                    <td>
                      <Link href={`/incidents/${incident.number}`}>{incident.title || '(no title)'}</Link>
                      <div className="board-sub small muted">
                        #{incident.number}
                        {incident.priority ? ` · ${incident.priority}` : ''}
                        {serviceName.has(incident.service_id) ? ' · ' : ''}
                        {serviceName.get(incident.service_id) ?? ''} · <Ago at={incident.created_at} />
                      </div>
                    </td>
                    <td>
                      <StatusBadge status={incident.status} />
                    </td>
                    <td className="hide-phone">
                      {incident.priority ? (
                        <span className={`board-priority ${incident.priority}`}>{incident.priority}</span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="hide-phone">
                      {serviceName.has(incident.service_id) ? (
                        <Link href={`/services/${incident.service_id}`}>
                          {serviceName.get(incident.service_id)}
                        </Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="hide-phone">
                      {incident.assignees.length ? (
                        incident.assignees.map((a) => a.name).join(', ')
                      ) : (
                        <span className="muted">Unassigned</span>
                      )}
                    </td>
                    <td className="board-nowrap hide-phone">
                      <Ago at={incident.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="row board-more">
            <span className="muted small">
              {rows.length} shown{list.hasNextPage ? ', more below' : ''}
            </span>
            {list.hasNextPage ? (
              <button
                type="button"
                disabled={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            ) : null}
            {list.isError ? <ErrorBox error={list.error} /> : null}
          </div>
        </>
      )}
    </>
  );
}

function statusSelectValue(status: IncidentStatus[]): string {
  if (status.length === 0) return 'all';
  if (status.length === 2 && OPEN.every((s) => status.includes(s))) return 'open';
  return STATUSES.filter((s) => status.includes(s)).join(',');
}

function BoardFilterBar({
  filters,
  statusValue,
  services,
  teams,
  onChange,
  onClear,
}: {
  filters: BoardFilters;
  statusValue: string;
  services: Service[] | undefined;
  teams: Team[] | undefined;
  onChange: (next: Partial<BoardFilters>, replace?: boolean) => void;
  onClear: () => void;
}) {
  // The text box updates the URL a moment after typing stops (replacing, not adding, history entries).
  const [text, setText] = useState(filters.q);
  useEffect(() => {
    setText((current) => (current.trim() === filters.q ? current : filters.q));
  }, [filters.q]);
  const latest = useRef({ filters, onChange });
  latest.current = { filters, onChange };
  useEffect(() => {
    const q = text.trim().slice(0, 200);
    if (q === latest.current.filters.q) return;
    // One or two characters cannot use the trigram index (a scan of every title): wait for a third.
    if (q.length > 0 && q.length < 3) return;
    const timer = setTimeout(() => latest.current.onChange({ q }, true), 300);
    return () => clearTimeout(timer);
  }, [text]);

  // On a phone the filters fold away, so the incidents come first.
  const [open, setOpen] = useState(
    () => typeof window === 'undefined' || !window.matchMedia?.('(max-width: 760px)').matches,
  );
  const active = [
    statusValue !== 'open',
    filters.service_id,
    filters.team_id,
    filters.priority.length,
    filters.q,
  ].filter(Boolean).length;

  const standard = ['open', 'triggered', 'acknowledged', 'resolved', 'all'];
  const sortedServices = [...(services ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const sortedTeams = [...(teams ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <details className="panel board-filters-box" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="board-filters-summary">Filters{active ? ` (${active} active)` : ''}</summary>
      <form className="board-filters" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <Field label="Status">
          <select
            value={statusValue}
            onChange={(event) => {
              const value = event.target.value;
              onChange({
                status:
                  value === 'all'
                    ? []
                    : value === 'open'
                      ? OPEN
                      : STATUSES.filter((s) => value.split(',').includes(s)),
              });
            }}
          >
            <option value="open">Open (triggered + acknowledged)</option>
            <option value="triggered">Triggered</option>
            <option value="acknowledged">Acknowledged</option>
            <option value="resolved">Resolved</option>
            <option value="all">All</option>
            {standard.includes(statusValue) ? null : (
              <option value={statusValue}>{statusValue.replace(',', ' + ')}</option>
            )}
          </select>
        </Field>
        {services ? (
          <Field label="Service">
            <select
              value={filters.service_id}
              onChange={(event) => onChange({ service_id: event.target.value })}
            >
              <option value="">All services</option>
              {sortedServices.map((service) => (
                <option key={service.id} value={service.id}>
                  {service.name}
                </option>
              ))}
              {filters.service_id && !services.some((s) => s.id === filters.service_id) ? (
                <option value={filters.service_id}>Unknown service</option>
              ) : null}
            </select>
          </Field>
        ) : null}
        {teams && teams.length > 0 ? (
          <Field label="Team">
            <select value={filters.team_id} onChange={(event) => onChange({ team_id: event.target.value })}>
              <option value="">All teams</option>
              {sortedTeams.map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
              {filters.team_id && !teams.some((t) => t.id === filters.team_id) ? (
                <option value={filters.team_id}>Unknown team</option>
              ) : null}
            </select>
          </Field>
        ) : null}
        <fieldset className="board-priorities">
          <legend>Priority</legend>
          <div className="row">
            {PRIORITIES.map((priority) => (
              <label key={priority} className="check">
                <input
                  type="checkbox"
                  checked={filters.priority.includes(priority)}
                  onChange={(event) =>
                    onChange({
                      priority: event.target.checked
                        ? PRIORITIES.filter((p) => p === priority || filters.priority.includes(p))
                        : filters.priority.filter((p) => p !== priority),
                    })
                  }
                />
                {priority}
              </label>
            ))}
          </div>
        </fieldset>
        <Field label="Search titles">
          <input
            type="search"
            value={text}
            maxLength={200}
            placeholder="e.g. disk full"
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
        {isDefaultFilters(filters) ? null : (
          <button type="button" className="link board-clear" onClick={onClear}>
            Clear filters
          </button>
        )}
      </form>
    </details>
  );
}

function EmptyBoard({
  filters,
  onChange,
  onClear,
}: {
  filters: BoardFilters;
  onChange: (next: Partial<BoardFilters>) => void;
  onClear: () => void;
}) {
  const canConfigure = useCan('manager');
  if (isDefaultFilters(filters))
    return (
      <div className="panel stack">
        <strong>No open incidents. All quiet.</strong>
        <span className="muted">
          New incidents appear here by themselves, within a second of an alert arriving; keep this page open.
        </span>
        <span className="row">
          <button type="button" className="link" onClick={() => onChange({ status: ['resolved'] })}>
            Show resolved incidents
          </button>
          {canConfigure ? (
            <span className="muted">
              · To receive alerts, add an integration to a <Link href="/services">service</Link>.
            </span>
          ) : null}
        </span>
      </div>
    );
  return (
    <div className="panel stack">
      <strong>No incidents match these filters.</strong>
      <span>
        <button type="button" className="link" onClick={onClear}>
          Clear filters
        </button>{' '}
        <span className="muted">to see the open incidents.</span>
      </span>
    </div>
  );
}

function summarise(action: BulkAction, results: BulkResult[], rows: Incident[]): string {
  const number = new Map(rows.map((row) => [row.id, row.number]));
  const ok = results.filter((r) => r.ok).length;
  const failed = results.filter((r) => !r.ok);
  const verb = action === 'acknowledge' ? 'Acknowledged' : 'Resolved';
  let text = `${verb} ${ok} incident${ok === 1 ? '' : 's'}.`;
  if (failed.length)
    text += ` ${failed.length} could not be ${action === 'acknowledge' ? 'acknowledged' : 'resolved'}: ${failed
      .slice(0, 5)
      .map((r) => `#${number.get(r.id) ?? r.id} (${r.error ?? 'failed'})`)
      .join(', ')}${failed.length > 5 ? '…' : ''}`;
  return text;
}
