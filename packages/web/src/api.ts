import { VigilApiError, VigilClient } from '@vigil/sdk/client';

/**
 * The app's one client: same-origin requests that the session cookie authenticates, with the
 * session's CSRF token on every write (docs/sign-in.md). The token arrives with the session.
 */
let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

export const vigil = new VigilClient({
  baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
  credentials: 'same-origin',
  csrfToken: () => csrfToken,
});

/** A message a person can act on, from whatever went wrong. */
export function errorText(error: unknown): string {
  if (error instanceof VigilApiError) {
    const fields = error.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return fields ? `${error.detail} (${fields})` : error.detail;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof VigilApiError && error.status === 401;
}

export { VigilApiError };
