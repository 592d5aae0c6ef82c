import {
  type RequestContext,
  SESSION_MAX_DAYS,
  type Session,
  type SessionWithUser,
  type User,
  VigilError,
} from '@vigil/core';
import {
  LoginBody,
  PasswordResetAccepted,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  SessionInfo,
} from '@vigil/sdk/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { contextOf, principalOf, refuseWithoutCsrf, sessionOf } from '../auth.js';
import { sendProblem } from '../errors.js';
import {
  LOGIN_FAILURES_PER_EMAIL,
  LOGIN_FAILURES_PER_IP,
  LOGIN_WINDOW_MS,
  LoginThrottle,
} from '../login-throttle.js';
import { presentUser } from '../present.js';
import { noContent, responses, type TypedApp } from '../typed.js';

/** Reset mails one address may ask for in the window, whoever they are for. */
const PASSWORD_RESET_REQUESTS_PER_IP = 10;

/** Routes without an API key show so in the OpenAPI document. */
const open = { security: [] } as const;

/** The caller as a use case sees it, when a session (not the auth hook) identified them. */
const sessionContext = (request: FastifyRequest, { session, user }: SessionWithUser): RequestContext => ({
  actor: { type: 'user', id: user.id, name: user.name },
  userId: user.id,
  role: user.role,
  ip: request.ip,
  sessionId: session.id,
});

/**
 * Browser sign-in for the web UI (docs/sign-in.md): e-mail and password give a session cookie;
 * writes through the cookie carry the session's CSRF token. API clients keep using API keys.
 */
export function authRoutes(app: TypedApp, deps: AppDeps) {
  const { services, clock, sessionCookies: cookies } = deps;
  const failuresByEmail = new LoginThrottle(LOGIN_FAILURES_PER_EMAIL, LOGIN_WINDOW_MS);
  const failuresByIp = new LoginThrottle(LOGIN_FAILURES_PER_IP, LOGIN_WINDOW_MS);
  const resetRequestsByIp = new LoginThrottle(PASSWORD_RESET_REQUESTS_PER_IP, LOGIN_WINDOW_MS);

  const tooMany = (reply: FastifyReply, seconds: number, what: string) => {
    reply.header('retry-after', String(seconds));
    return sendProblem(reply, 'RATE_LIMITED', `${what}; try again in ${seconds} seconds`);
  };

  const present = (session: Session, user: User) => ({
    user: presentUser(user),
    csrf_token: cookies.csrfToken(session.id),
    expires_at: session.expiresAt,
  });

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        ...open,
        tags: ['sign-in'],
        summary: 'Sign in with e-mail and password; sets the session cookie',
        description: `Sets \`vigil_session\` (HttpOnly, SameSite=Lax). A session ends after 12 hours without a request and after ${SESSION_MAX_DAYS} days in any case. Wrong e-mail and wrong password answer the same 401 INVALID_CREDENTIALS; after 10 failures for one address (30 for one IP) in 15 minutes, 429 with Retry-After.`,
        body: LoginBody,
        response: responses(200, SessionInfo),
      },
    },
    async (request, reply) => {
      const emailKey = request.body.email.trim().toLowerCase();
      const nowMs = clock.now().getTime();
      // Checked before the password, so a locked-out address learns nothing, not even "right password".
      const wait = Math.max(
        failuresByEmail.retryAfterSeconds(emailKey, nowMs),
        failuresByIp.retryAfterSeconds(request.ip, nowMs),
      );
      if (wait > 0) return tooMany(reply, wait, 'Too many failed sign-ins');
      let opened: Awaited<ReturnType<typeof services.sessions.login>>;
      try {
        opened = await services.sessions.login({
          email: request.body.email,
          password: request.body.password,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
        });
      } catch (error) {
        if (error instanceof VigilError && error.code === 'INVALID_CREDENTIALS') {
          failuresByEmail.fail(emailKey, nowMs);
          failuresByIp.fail(request.ip, nowMs);
        }
        throw error;
      }
      failuresByEmail.forget(emailKey);
      const { session, user, token } = opened;
      const absoluteEnd = Date.parse(session.createdAt) + SESSION_MAX_DAYS * 86_400_000;
      cookies.set(reply, token, (absoluteEnd - clock.now().getTime()) / 1000);
      return present(session, user);
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      schema: {
        ...open,
        tags: ['sign-in'],
        summary: 'The signed-in session of this browser, with its CSRF token',
        description: 'Answers from the session cookie only; 401 when there is none or it has ended.',
        response: responses(200, SessionInfo),
      },
    },
    async (request, reply) => {
      const found = await sessionOf(request, deps);
      if (!found) {
        if (cookies.tokenOf(request)) cookies.clear(reply);
        return sendProblem(reply, 'UNAUTHENTICATED', 'This browser is not signed in');
      }
      reply.header('cache-control', 'no-store');
      return present(found.session, found.user);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        ...open,
        tags: ['sign-in'],
        summary: 'Sign this browser out (needs X-CSRF-Token); clears the cookie',
        response: noContent,
      },
    },
    async (request, reply) => {
      const found = await sessionOf(request, deps);
      if (found) {
        if (refuseWithoutCsrf(request, reply, deps, found.session)) return reply;
        await services.sessions.logout(sessionContext(request, found), found.session.id);
      }
      cookies.clear(reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/logout-everywhere',
    {
      schema: {
        tags: ['sign-in'],
        summary: 'End every browser session of the caller (with a session cookie or an API key)',
        description: 'API keys stay valid; revoke them under /api/v1/api-keys.',
        response: noContent,
      },
    },
    async (request, reply) => {
      await services.sessions.logoutEverywhere(contextOf(request));
      if (principalOf(request).session) cookies.clear(reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      schema: {
        ...open,
        tags: ['sign-in'],
        summary: 'Mail a link to set a new password (always 202)',
        description:
          'When the address belongs to an active user and a mail server is configured, mails a link to `/reset-password?token=…` that works once, for an hour. The answer is the same whether or not the address is known.',
        body: PasswordResetRequestBody,
        response: responses(202, PasswordResetAccepted),
      },
    },
    async (request, reply) => {
      const nowMs = clock.now().getTime();
      const wait = resetRequestsByIp.retryAfterSeconds(request.ip, nowMs);
      if (wait > 0) return tooMany(reply, wait, 'Too many password reset requests');
      resetRequestsByIp.fail(request.ip, nowMs);
      await services.sessions.requestPasswordReset(contextOf(request), request.body.email);
      return reply.code(202).send({
        status: 'accepted' as const,
        message: 'If the address belongs to an account, a link to set a new password is on its way.',
      });
    },
  );

  app.post(
    '/api/v1/auth/password-reset/confirm',
    {
      schema: {
        ...open,
        tags: ['sign-in'],
        summary: 'Set a new password with the token of a reset link; signs the user out everywhere',
        description:
          'An unknown, used or expired token answers 400 PASSWORD_RESET_INVALID. Afterwards the user signs in with the new password.',
        body: PasswordResetConfirmBody,
        response: noContent,
      },
    },
    async (request, reply) => {
      await services.sessions.confirmPasswordReset(
        contextOf(request),
        request.body.token,
        request.body.password,
      );
      return reply.code(204).send(null);
    },
  );
}
