import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { User } from '@vigil/sdk/contract';
import { createContext, type ReactNode, useContext } from 'react';
import { isUnauthenticated, setCsrfToken, vigil } from './api.js';

/** What GET /api/v1/auth/session answers (docs/sign-in.md). */
export interface SessionInfo {
  user: User;
  csrf_token: string;
  expires_at: string;
}

const SessionContext = createContext<SessionInfo | null>(null);

/** The signed-in person; only inside <RequireSession>. */
export function useSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}

const rank = ['stakeholder', 'observer', 'responder', 'manager', 'admin', 'owner'];
/** Whether the signed-in person's role is at least `role` (the server checks again; this hides buttons). */
export function useCan(role: 'observer' | 'responder' | 'manager' | 'admin' | 'owner'): boolean {
  const { user } = useSession();
  return rank.indexOf(user.role) >= rank.indexOf(role);
}

export function useSessionQuery() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async (): Promise<SessionInfo | null> => {
      try {
        const session = await vigil.request<SessionInfo>('GET', '/auth/session');
        setCsrfToken(session.csrf_token);
        return session;
      } catch (error) {
        if (isUnauthenticated(error)) return null;
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function SessionProvider({ session, children }: { session: SessionInfo; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSignOut() {
  const client = useQueryClient();
  return async (everywhere = false) => {
    await vigil.request('POST', everywhere ? '/auth/logout-everywhere' : '/auth/logout', { body: {} });
    setCsrfToken(undefined);
    client.clear();
    window.location.assign('/login');
  };
}
