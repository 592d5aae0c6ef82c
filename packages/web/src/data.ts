import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EscalationPolicy, Page, Schedule, Service, Team, User } from '@vigil/sdk/contract';
import { useState } from 'react';
import { VigilApiError, vigil } from './api.js';

/**
 * The lists and look-ups the screens after the board share (services, schedules, policies, people,
 * audit, profile). Only lazily loaded screens import this, so it stays out of the first load.
 */

/** Every item of a list endpoint (path without /api/v1), page after page (the API pages at most 500). */
export async function allOf<T>(path: string, query: Record<string, string> = {}): Promise<T[]> {
  const items: T[] = [];
  for await (const item of vigil.paginate((cursor) =>
    vigil.request<Page<T>>('GET', path, { query: { ...query, limit: 500, cursor } }),
  ))
    items.push(item);
  return items;
}

// One key and one shape per list, so every screen shares the cache.
export const useUsers = (enabled = true) =>
  useQuery({ queryKey: ['users'], queryFn: () => allOf<User>('/users'), enabled });
export const useTeams = () => useQuery({ queryKey: ['teams'], queryFn: () => allOf<Team>('/teams') });
export const useServices = () =>
  useQuery({ queryKey: ['services'], queryFn: () => allOf<Service>('/services') });
export const useSchedules = () =>
  useQuery({ queryKey: ['schedules'], queryFn: () => allOf<Schedule>('/schedules') });
export const usePolicies = () =>
  useQuery({
    queryKey: ['escalation-policies'],
    queryFn: () => allOf<EscalationPolicy>('/escalation-policies'),
  });

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof VigilApiError && error.status === status;
}

/** id → name of whatever list, for labels. */
export function namesOf(items: { id: string; name: string }[] | undefined): Map<string, string> {
  return new Map((items ?? []).map((item) => [item.id, item.name]));
}

export interface FeedLink {
  url: string;
  webcal_url: string;
  created_at: string;
}

/**
 * A secret calendar-feed link (a person's or a schedule's): asked for only once `shown` (the link
 * stays off the screen until then, and "no link yet" is a 404, which browsers log as an error),
 * made or replaced with `rotate`, and revoked with `revoke`.
 */
export function useCalendarFeed({
  path,
  queryKey,
  allowed = true,
  staleTime,
}: {
  path: string;
  queryKey: string[];
  allowed?: boolean;
  staleTime?: number;
}) {
  const client = useQueryClient();
  const [shown, setShown] = useState(false);
  const feed = useQuery({
    queryKey,
    enabled: allowed && shown,
    queryFn: async (): Promise<FeedLink | null> => {
      try {
        return await vigil.request<FeedLink>('GET', path);
      } catch (error) {
        if (isStatus(error, 404)) return null; // no link yet (or revoked)
        throw error;
      }
    },
    ...(staleTime === undefined ? {} : { staleTime }),
  });
  const rotate = useMutation({
    mutationFn: () => vigil.request<FeedLink>('POST', path, { body: {} }),
    onSuccess: (link) => {
      client.setQueryData(queryKey, link);
      setShown(true);
    },
  });
  const revoke = useMutation({
    mutationFn: () => vigil.request<void>('DELETE', path),
    onSuccess: () => client.setQueryData(queryKey, null),
  });
  return { shown, setShown, feed, rotate, revoke };
}
