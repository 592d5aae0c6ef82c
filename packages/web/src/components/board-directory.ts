import { useQuery } from '@tanstack/react-query';
import type { Page, Service, Team, User } from '@vigil/sdk/contract';
import { vigil } from '../api.js';

async function everyPage<T>(list: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of vigil.paginate(list)) all.push(item);
  return all;
}

const directory = { staleTime: 5 * 60_000, retry: false } as const;

/** Services and teams, for the board's filters and names (observers and up may read them). */
export function useDirectory() {
  const services = useQuery({
    queryKey: ['board', 'services'],
    queryFn: () => everyPage<Service>((cursor) => vigil.services.list({ limit: 500, cursor })),
    ...directory,
  });
  const teams = useQuery({
    queryKey: ['board', 'teams'],
    queryFn: () => everyPage<Team>((cursor) => vigil.teams.list({ limit: 500, cursor })),
    ...directory,
  });
  return { services, teams };
}

/** Everyone, for names of recipients and the reassign picker (observers and up). */
export function useUsers(enabled = true) {
  return useQuery({
    queryKey: ['board', 'users'],
    queryFn: () => everyPage<User>((cursor) => vigil.users.list({ limit: 500, cursor })),
    enabled,
    ...directory,
  });
}
