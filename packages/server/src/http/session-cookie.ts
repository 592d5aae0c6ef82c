import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Session } from '@vigil/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The web UI's session cookie (docs/sign-in.md). */
export const SESSION_COOKIE = 'vigil_session';
/** Where a cookie-authenticated write carries its CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

/** Session tokens are 192 random bits in base64url (32 characters); anything else is not looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

/** The value of one cookie from the Cookie header, or undefined (no @fastify/cookie: this is all we read). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== name) continue;
    const value = part.slice(index + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  }
  return undefined;
}

/**
 * Cookies and CSRF tokens of browser sessions. The CSRF token is HMAC-SHA256 of the session id
 * under a key derived from VIGIL_SECRET_KEY: nothing extra is stored, every instance computes the
 * same token, and a token is worth nothing for another session. A page on another site cannot
 * read it (it comes in a JSON answer, not a cookie), so it cannot forge a write.
 */
export function createSessionCookies(config: { secretKey: Buffer; publicUrl: string }) {
  const key = createHmac('sha256', config.secretKey).update('vigil session csrf v1').digest();
  // Behind https the browser must never send the cookie over plain http.
  const secure = config.publicUrl.startsWith('https://');
  const attributes = `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

  const csrfToken = (sessionId: string) => createHmac('sha256', key).update(sessionId).digest('base64url');

  return {
    secure,

    /** The session token from the request's cookie, when it has the shape of one. */
    tokenOf(request: FastifyRequest): string | undefined {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      return token && TOKEN_SHAPE.test(token) ? token : undefined;
    },

    /** Sets the cookie to live until the session's absolute end (the server enforces the idle limit). */
    set(reply: FastifyReply, token: string, maxAgeSeconds: number) {
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${token}; ${attributes}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
      );
      // A signed-in answer is for this browser only.
      reply.header('cache-control', 'no-store');
    },

    clear(reply: FastifyReply) {
      reply.header('set-cookie', `${SESSION_COOKIE}=; ${attributes}; Max-Age=0`);
    },

    csrfToken,

    /** Whether `given` is the session's CSRF token, compared in constant time. */
    csrfMatches(session: Pick<Session, 'id'>, given: string | string[] | undefined): boolean {
      if (typeof given !== 'string') return false;
      const expected = Buffer.from(csrfToken(session.id));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

export type SessionCookies = ReturnType<typeof createSessionCookies>;

/** Methods that change nothing and so need no CSRF token. */
export const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
