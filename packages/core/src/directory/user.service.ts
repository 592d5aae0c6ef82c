import { type Role, roleAtLeast } from '../auth/roles.js';
import type { Repos, UserRecord } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { invalidField, notFound, VigilError } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import type { User } from './directory.js';

export interface CreateUserInput {
  name: string;
  email: string;
  role: Role;
  timeZone?: string;
  password?: string;
}

export interface UpdateUserInput {
  name?: string;
  email?: string;
  role?: Role;
  timeZone?: string;
  quietHours?: import('./directory.js').QuietHours | null;
  password?: string;
  /** Needed when people change their own password and have one already. */
  currentPassword?: string;
}

export const MIN_PASSWORD_LENGTH = 12;

/** What may be shown of a user: never the password hash. */
export const publicUser = ({ passwordHash: _hidden, ...user }: UserRecord): User => user;

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Is `zone` a real IANA zone? Intl knows the same list Temporal and the schedules use. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Only an owner makes, changes or removes owners; nobody grants a role above their own. */
function checkMayGrant(ctx: RequestContext, role: Role, path: string) {
  const mine = ctx.role;
  if (!mine || !roleAtLeast(mine, role)) {
    throw new VigilError(
      'FORBIDDEN',
      `Only a user with role ${role} or above may give the role ${role} (${path})`,
    );
  }
}

export function createUserService(deps: UseCaseDeps) {
  const { uow, clock, newId, secrets } = deps;

  async function checkEmailFree(repos: Repos, email: string, exceptId?: string) {
    const existing = await repos.users.getByEmail(email);
    if (existing && existing.id !== exceptId)
      throw new VigilError('CONFLICT', `A user with e-mail ${email} exists`);
  }

  function checkPassword(password: string | undefined) {
    if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
      throw invalidField('/password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
  }

  function checkTimeZone(zone: string | undefined) {
    if (zone !== undefined && !isTimeZone(zone))
      throw invalidField('/time_zone', `${JSON.stringify(zone)} is not an IANA time zone`);
  }

  return {
    async create(ctx: RequestContext, input: CreateUserInput): Promise<User> {
      checkPassword(input.password);
      checkTimeZone(input.timeZone);
      const passwordHash = input.password ? await secrets.hashPassword(input.password) : null;
      return uow.transaction(async (repos) => {
        checkMayGrant(ctx, input.role, '/role');
        const email = normaliseEmail(input.email);
        await checkEmailFree(repos, email);
        const now = toInstant(clock.now());
        const user: UserRecord = {
          id: newId(),
          name: input.name,
          email,
          role: input.role,
          timeZone: input.timeZone ?? 'UTC',
          quietHours: null,
          hasPassword: passwordHash !== null,
          passwordHash,
          createdAt: now,
          updatedAt: now,
          deactivatedAt: null,
        };
        await repos.users.insert(user);
        await recordAudit(repos, deps, ctx, now, {
          action: 'user.create',
          objectType: 'user',
          objectId: user.id,
          after: publicUser(user),
        });
        return publicUser(user);
      });
    },

    async update(ctx: RequestContext, id: string, input: UpdateUserInput): Promise<User> {
      checkPassword(input.password);
      checkTimeZone(input.timeZone);
      if (input.password !== undefined && ctx.userId === id) {
        // Whoever borrows an open browser must not lock its owner out: prove the old password first.
        const self = await uow.read.users.get(id);
        if (self?.passwordHash) {
          if (input.currentPassword === undefined)
            throw invalidField('/current_password', 'is required to change your own password');
          if (!(await secrets.verifyPassword(input.currentPassword, self.passwordHash)))
            throw invalidField('/current_password', 'is not your current password');
        }
      }
      const passwordHash = input.password ? await secrets.hashPassword(input.password) : undefined;
      return uow.transaction(async (repos) => {
        const before = await repos.users.get(id);
        if (!before || before.deactivatedAt) throw notFound('User', id);
        const editingSelf = ctx.userId === id;
        const mine = ctx.role;
        // People edit their own name, e-mail, zone and password; anything about others needs admin.
        if (!editingSelf && !(mine && roleAtLeast(mine, 'admin'))) {
          throw new VigilError('FORBIDDEN', 'Only admins may change other users');
        }
        if (!editingSelf || input.role !== undefined) checkMayGrant(ctx, before.role, '/role');
        if (input.role !== undefined) {
          checkMayGrant(ctx, input.role, '/role');
          if (
            before.role === 'owner' &&
            input.role !== 'owner' &&
            (await repos.users.countActiveWithRole('owner')) <= 1
          ) {
            throw new VigilError(
              'CONFLICT',
              'The last owner cannot be demoted; make someone else owner first',
            );
          }
        }
        const email = input.email !== undefined ? normaliseEmail(input.email) : before.email;
        if (email !== before.email) await checkEmailFree(repos, email, id);
        const now = toInstant(clock.now());
        const after: UserRecord = {
          ...before,
          name: input.name ?? before.name,
          email,
          role: input.role ?? before.role,
          timeZone: input.timeZone ?? before.timeZone,
          quietHours: input.quietHours !== undefined ? input.quietHours : before.quietHours,
          passwordHash: passwordHash ?? before.passwordHash,
          hasPassword: (passwordHash ?? before.passwordHash) !== null,
          updatedAt: now,
        };
        await repos.users.update(after);
        if (passwordHash) {
          // A new password signs out every other browser of the person (this one stays signed in).
          await repos.sessions.revokeAllOfUser(
            id,
            now,
            editingSelf ? (ctx.sessionId ?? undefined) : undefined,
          );
          await repos.passwordResets.invalidateAllOfUser(id, now);
        }
        await recordAudit(repos, deps, ctx, now, {
          action: 'user.update',
          objectType: 'user',
          objectId: id,
          before: publicUser(before),
          after: { ...publicUser(after), ...(passwordHash ? { password: 'changed' } : {}) },
        });
        return publicUser(after);
      });
    },

    /** Deactivates rather than deletes, so timelines and the audit log keep naming the person. */
    async deactivate(ctx: RequestContext, id: string): Promise<void> {
      await uow.transaction(async (repos) => {
        const before = await repos.users.get(id);
        if (!before || before.deactivatedAt) throw notFound('User', id);
        checkMayGrant(ctx, before.role, '/role');
        if (before.role === 'owner' && (await repos.users.countActiveWithRole('owner')) <= 1) {
          throw new VigilError('CONFLICT', 'The last owner cannot be removed');
        }
        const now = toInstant(clock.now());
        await repos.users.update({ ...before, deactivatedAt: now, updatedAt: now });
        await repos.apiKeys.revokeAllOfUser(id, now);
        await repos.sessions.revokeAllOfUser(id, now);
        await recordAudit(repos, deps, ctx, now, {
          action: 'user.deactivate',
          objectType: 'user',
          objectId: id,
          before: publicUser(before),
        });
      });
    },

    async get(id: string): Promise<User> {
      const user = await uow.read.users.get(id);
      if (!user || user.deactivatedAt) throw notFound('User', id);
      return publicUser(user);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
