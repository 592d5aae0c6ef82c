import type { User } from '../directory/directory.js';
import { MIN_PASSWORD_LENGTH, publicUser } from '../directory/user.service.js';
import type { Repos } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { type Instant, toInstant } from '../shared/clock.js';
import { invalidField, VigilError } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import { PASSWORD_RESET_TTL_MINUTES, type PasswordReset, type Session, sessionExpiry } from './session.js';

/**
 * Sends a password reset link. It must neither throw nor make the caller wait for the mail server:
 * an answer that took longer when the address exists would tell who has an account.
 */
export interface PasswordResetMail {
  send(mail: { to: string; name: string; token: string; expiresAt: Instant }): void;
}

export interface SessionDeps extends UseCaseDeps {
  /** Null when no mail server is configured: reset requests are then accepted and do nothing. */
  passwordResetMail?: PasswordResetMail | null;
}

export interface SessionMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface OpenedSession {
  session: Session;
  user: User;
  /** The cookie's value, shown this once; only its SHA-256 is stored. */
  token: string;
}

/** At most this many reset mails an hour to one person, so the form cannot flood an inbox. */
export const PASSWORD_RESETS_PER_HOUR = 5;

/** One message for a wrong e-mail and a wrong password, so the answer does not say who has an account. */
const WRONG_CREDENTIALS = 'The e-mail address or the password is wrong';

const resetInvalid = (why: string) =>
  new VigilError(
    'PASSWORD_RESET_INVALID',
    `This password reset link ${why}; ask for a new one from the sign-in page`,
  );

/** Opens a session for `userId` in the caller's transaction (sign-in, and the setup link). */
export async function openSession(
  repos: Repos,
  deps: Pick<UseCaseDeps, 'clock' | 'newId' | 'secrets'>,
  userId: string,
  meta: SessionMeta,
): Promise<{ session: Session; token: string }> {
  const now = deps.clock.now();
  const token = deps.secrets.newUrlToken();
  const session: Session = {
    id: deps.newId(),
    userId,
    createdAt: toInstant(now),
    lastSeenAt: toInstant(now),
    expiresAt: toInstant(sessionExpiry(toInstant(now), now)),
    revokedAt: null,
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 500) ?? null,
  };
  await repos.sessions.insert(session, deps.secrets.hashToken(token));
  return { session, token };
}

export function checkNewPassword(password: string, path = '/password') {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw invalidField(path, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
}

/** Sign-in with e-mail and password, sign-out, and password reset by e-mail (docs/sign-in.md). */
export function createSessionService(deps: SessionDeps) {
  const { uow, clock, secrets } = deps;
  const mail = deps.passwordResetMail ?? null;

  return {
    /**
     * Checks the password and opens a session. A wrong e-mail, a wrong password, an account without
     * a password and a deactivated account all answer the same INVALID_CREDENTIALS after the same
     * amount of hashing.
     */
    async login(input: { email: string; password: string } & SessionMeta): Promise<OpenedSession> {
      const user = await uow.read.users.getByEmail(input.email.trim().toLowerCase());
      const usable = user && !user.deactivatedAt ? user : null;
      const matches = await secrets.verifyPassword(input.password, usable?.passwordHash ?? null);
      if (!usable || !matches) throw new VigilError('INVALID_CREDENTIALS', WRONG_CREDENTIALS);
      return uow.transaction(async (repos) => {
        const { session, token } = await openSession(repos, deps, usable.id, input);
        const ctx: RequestContext = {
          actor: { type: 'user', id: usable.id, name: usable.name },
          userId: usable.id,
          role: usable.role,
          ip: input.ip,
          sessionId: session.id,
        };
        await recordAudit(repos, deps, ctx, session.createdAt, {
          action: 'session.login',
          objectType: 'user',
          objectId: usable.id,
          after: { session_id: session.id, user_agent: session.userAgent },
        });
        return { session, user: publicUser(usable), token };
      });
    },

    /** Ends one session (the browser's own sign-out). */
    async logout(ctx: RequestContext, sessionId: string): Promise<void> {
      await uow.transaction(async (repos) => {
        const session = await repos.sessions.get(sessionId);
        if (!session || session.revokedAt) return;
        const now = toInstant(clock.now());
        await repos.sessions.revoke(sessionId, now);
        await recordAudit(repos, deps, ctx, now, {
          action: 'session.logout',
          objectType: 'user',
          objectId: session.userId,
          after: { session_id: sessionId },
        });
      });
    },

    /** Ends every session of the caller, on every browser (API keys stay; revoke those apart). */
    async logoutEverywhere(ctx: RequestContext): Promise<number> {
      const userId = ctx.userId;
      if (!userId) throw new VigilError('UNAUTHENTICATED');
      return uow.transaction(async (repos) => {
        const now = toInstant(clock.now());
        const ended = await repos.sessions.revokeAllOfUser(userId, now);
        await recordAudit(repos, deps, ctx, now, {
          action: 'session.logout_everywhere',
          objectType: 'user',
          objectId: userId,
          after: { sessions_ended: ended },
        });
        return ended;
      });
    },

    /**
     * Mails a one-hour, single-use link to set a new password, when the address belongs to an active
     * user and a mail server is configured. The caller learns nothing either way (always 202). Also
     * how someone an admin created without a password sets their first one.
     */
    async requestPasswordReset(ctx: RequestContext, email: string): Promise<void> {
      if (!mail) return;
      const user = await uow.read.users.getByEmail(email.trim().toLowerCase());
      if (!user || user.deactivatedAt) return;
      const now = clock.now();
      const sent = await uow.transaction(async (repos) => {
        const hourAgo = toInstant(new Date(now.getTime() - 3_600_000));
        if ((await repos.passwordResets.countSince(user.id, hourAgo)) >= PASSWORD_RESETS_PER_HOUR)
          return null;
        const token = secrets.newUrlToken();
        const reset: PasswordReset = {
          userId: user.id,
          createdAt: toInstant(now),
          expiresAt: toInstant(new Date(now.getTime() + PASSWORD_RESET_TTL_MINUTES * 60_000)),
          usedAt: null,
        };
        await repos.passwordResets.insert(reset, secrets.hashToken(token));
        await recordAudit(repos, deps, ctx, reset.createdAt, {
          action: 'user.password_reset_requested',
          objectType: 'user',
          objectId: user.id,
        });
        return { token, expiresAt: reset.expiresAt };
      });
      // After the commit: a link is never mailed for a reset that was not stored.
      if (sent) mail.send({ to: user.email, name: user.name, ...sent });
    },

    /**
     * Redeems a reset link: sets the password, ends every session of the person (whoever knew the
     * old password is signed out) and burns every other unused link of theirs.
     */
    async confirmPasswordReset(ctx: RequestContext, token: string, password: string): Promise<User> {
      checkNewPassword(password);
      const passwordHash = await secrets.hashPassword(password);
      const tokenHash = secrets.hashToken(token);
      return uow.transaction(async (repos) => {
        const reset = await repos.passwordResets.findByTokenHash(tokenHash);
        const now = clock.now();
        if (!reset) throw resetInvalid('is not valid');
        if (reset.usedAt) throw resetInvalid('was used already');
        if (Date.parse(reset.expiresAt) <= now.getTime()) throw resetInvalid('has expired');
        const before = await repos.users.get(reset.userId);
        if (!before || before.deactivatedAt) throw resetInvalid('is not valid');
        if (!(await repos.passwordResets.markUsed(tokenHash, toInstant(now))))
          throw resetInvalid('was used already');
        const at = toInstant(now);
        const after = { ...before, passwordHash, hasPassword: true, updatedAt: at };
        await repos.users.update(after);
        await repos.passwordResets.invalidateAllOfUser(before.id, at);
        const ended = await repos.sessions.revokeAllOfUser(before.id, at);
        const actorCtx: RequestContext = {
          ...ctx,
          actor: { type: 'user', id: before.id, name: before.name },
          userId: before.id,
        };
        await recordAudit(repos, deps, actorCtx, at, {
          action: 'user.password_reset',
          objectType: 'user',
          objectId: before.id,
          after: { password: 'changed', sessions_ended: ended },
        });
        return publicUser(after);
      });
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
