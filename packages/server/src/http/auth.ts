import {
  type Actor,
  type ApiKey,
  type RequestContext,
  type Role,
  roleAtLeast,
  type UserRecord,
  weakerRole,
} from '@vigil/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.js';
import { sendProblem } from './errors.js';
import { accessFor } from './route-access.js';

export interface Principal {
  user: UserRecord;
  key: ApiKey;
  /** The weaker of the key's role and its owner's: what this request may do. */
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
  return { actor, userId: principal?.user.id ?? null, role: principal?.role ?? null, ip: request.ip };
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
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) {
      reply.header('www-authenticate', 'Bearer realm="vigil"');
      return sendProblem(reply, 'UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>"');
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
    request.principal = { user: found.user, key: found.key, role };
    if (!found.key.lastUsedAt || now.getTime() - Date.parse(found.key.lastUsedAt) > TOUCH_INTERVAL_MS) {
      // Best effort: a lost "last used" stamp is not worth failing or delaying the request.
      deps.uow.read.apiKeys
        .touch(found.key.id, now.toISOString())
        .catch((error) => request.log.warn({ err: error }, 'touch api key'));
    }
  });
}
