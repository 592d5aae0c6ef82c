import {
  type Actor,
  type ApiKey,
  type RequestContext,
  type Role,
  roleAtLeast,
  type Session,
  type SessionWithUser,
  sessionExpiry,
  sessionIsLive,
  sessionNeedsTouch,
  type UserRecord,
  weakerRole,
} from '@vigil/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.js';
import { sendProblem } from './errors.js';
import { accessFor } from './route-access.js';
import { CSRF_HEADER, isSafeMethod } from './session-cookie.js';

/** Who is calling: a user through one of their API keys, or through a browser session of the web UI. */
export interface Principal {
  user: UserRecord;
  /** The API key, when the request carried one (`Authorization: Bearer`). */
  key: ApiKey | null;
  /** The browser session, when the request came with the session cookie instead. */
  session: Session | null;
  /** What this request may do: the weaker of the key's role and its owner's; a session's user's role. */
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route registered, as `METHOD /url`: what test/route-access.http.test.ts walks. */
    vigilRoutes: { method: string; url: string }[];
  }
}

/** Only every so often: a busy key should not cost a write per request. */
const TOUCH_INTERVAL_MS = 60_000;

/** The caller as core's use cases see it. */
export function contextOf(request: FastifyRequest): RequestContext {
  const principal = request.principal;
  const actor: Actor = principal
    ? { type: 'user', id: principal.user.id, name: principal.user.name }
    : { type: 'system', id: null, name: 'anonymous' };
  return {
    actor,
    userId: principal?.user.id ?? null,
    role: principal?.role ?? null,
    ip: request.ip,
    sessionId: principal?.session?.id ?? null,
  };
}

/**
 * The live session behind the request's cookie, with its user, or null (no cookie, unknown, ended,
 * expired, or the user was deactivated). Slides the idle expiry at most once a minute, after the
 * answer's fate is decided: a lost stamp is not worth failing the request.
 */
export async function sessionOf(request: FastifyRequest, deps: AppDeps): Promise<SessionWithUser | null> {
  const token = deps.sessionCookies.tokenOf(request);
  if (!token) return null;
  const found = await deps.uow.read.sessions.findByTokenHash(deps.secrets.hashToken(token));
  const now = deps.clock.now();
  if (!found || !sessionIsLive(found.session, now) || found.user.deactivatedAt) return null;
  if (!sessionNeedsTouch(found.session, now)) return found;
  const session: Session = {
    ...found.session,
    lastSeenAt: now.toISOString(),
    expiresAt: sessionExpiry(found.session.createdAt, now).toISOString(),
  };
  deps.uow.read.sessions
    .touch(session.id, session.lastSeenAt, session.expiresAt)
    .catch((error) => request.log.warn({ err: error }, 'touch session'));
  return { session, user: found.user };
}

/** 403 CSRF_FAILED unless a write through a session carries the session's token; true when refused. */
export function refuseWithoutCsrf(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: AppDeps,
  session: Session,
): boolean {
  if (isSafeMethod(request.method)) return false;
  if (deps.sessionCookies.csrfMatches(session, request.headers[CSRF_HEADER])) return false;
  sendProblem(
    reply,
    'CSRF_FAILED',
    'A change through the session cookie needs the header X-CSRF-Token with the csrf_token of GET /api/v1/auth/session',
  );
  return true;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf called on a public route');
  return request.principal;
}

/**
 * Authentication and the role check run in onRequest, before the body is read: an anonymous or
 * under-privileged caller learns nothing about validation and costs no parsing.
 */
export function installAuth(app: FastifyInstance, deps: AppDeps) {
  app.decorateRequest('principal', null);
  const registered: { method: string; url: string }[] = [];
  app.decorate('vigilRoutes', registered);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      registered.push({ method, url: route.url });
      if (!accessFor(method, route.url)) {
        throw new Error(`Route ${method} ${route.url} has no entry in http/route-access.ts; add one`);
      }
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined) return; // no route: the not-found handler answers
    const access = accessFor(request.method, url);
    if (access === 'public' || access === 'integration') return;
    const header = request.headers.authorization;
    // The web UI: no Authorization header, the session cookie instead (docs/sign-in.md).
    if (header === undefined && deps.sessionCookies.tokenOf(request)) {
      const found = await sessionOf(request, deps);
      if (!found) {
        deps.sessionCookies.clear(reply);
        return sendProblem(reply, 'UNAUTHENTICATED', 'Your session has ended; sign in again');
      }
      if (refuseWithoutCsrf(request, reply, deps, found.session)) return reply;
      const role = found.user.role;
      if (!access || !roleAtLeast(role, access)) {
        return sendProblem(reply, 'FORBIDDEN', `This needs the role ${access} or above; you are ${role}`);
      }
      request.principal = { user: found.user, key: null, session: found.session, role };
      return;
    }
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) {
      reply.header('www-authenticate', 'Bearer realm="vigil"');
      return sendProblem(
        reply,
        'UNAUTHENTICATED',
        'Send an API key as "Authorization: Bearer <key>", or sign in to the web app',
      );
    }
    const found = await deps.uow.read.apiKeys.findByTokenHash(deps.secrets.hashToken(token));
    const now = deps.clock.now();
    const usable =
      found &&
      !found.key.revokedAt &&
      !found.user.deactivatedAt &&
      (!found.key.expiresAt || Date.parse(found.key.expiresAt) > now.getTime());
    if (!found || !usable) {
      reply.header('www-authenticate', 'Bearer realm="vigil", error="invalid_token"');
      return sendProblem(reply, 'UNAUTHENTICATED', 'The API key is not valid, has expired or was revoked');
    }
    const role = weakerRole(found.key.role, found.user.role);
    if (!access || !roleAtLeast(role, access)) {
      return sendProblem(
        reply,
        'FORBIDDEN',
        `This needs the role ${access} or above; your key acts as ${role}`,
      );
    }
    request.principal = { user: found.user, key: found.key, session: null, role };
    if (!found.key.lastUsedAt || now.getTime() - Date.parse(found.key.lastUsedAt) > TOUCH_INTERVAL_MS) {
      // Best effort: a lost "last used" stamp is not worth failing or delaying the request.
      deps.uow.read.apiKeys
        .touch(found.key.id, now.toISOString())
        .catch((error) => request.log.warn({ err: error }, 'touch api key'));
    }
  });
}
