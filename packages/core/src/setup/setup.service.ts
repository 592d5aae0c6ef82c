import type { Session } from '../auth/session.js';
import { checkNewPassword, openSession, type SessionMeta } from '../auth/session.service.js';
import type { ApiKey, User } from '../directory/directory.js';
import { publicUser } from '../directory/user.service.js';
import type { Repos, UserRecord } from '../ports.js';
import { type RequestContext, systemActor } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { VigilError } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';

const SETUP_TOKEN_HASH = 'setup_token_hash';
const SETUP_TOKEN_EXPIRES_AT = 'setup_token_expires_at';
export const SETUP_TOKEN_TTL_HOURS = 24;
export const MIN_BOOTSTRAP_TOKEN_LENGTH = 32;

const systemContext: RequestContext = { actor: systemActor, userId: null, role: null, ip: null };

export interface SetupInput {
  token: string;
  name: string;
  email: string;
  password?: string;
}

/**
 * The first owner of a new installation comes from one of two places: VIGIL_BOOTSTRAP_TOKEN (for
 * automation: the token becomes the owner's API key) or a one-time setup link printed on first
 * start (for people). Both work only while no user exists.
 */
export function createSetupService(deps: UseCaseDeps) {
  const { uow, clock, newId, secrets } = deps;

  async function createOwner(
    repos: Repos,
    name: string,
    email: string,
    passwordHash: string | null,
    token: string,
  ) {
    const now = toInstant(clock.now());
    const owner: UserRecord = {
      id: newId(),
      name,
      email: email.trim().toLowerCase(),
      role: 'owner',
      timeZone: 'UTC',
      quietHours: null,
      hasPassword: passwordHash !== null,
      passwordHash,
      createdAt: now,
      updatedAt: now,
      deactivatedAt: null,
    };
    await repos.users.insert(owner);
    const key: ApiKey = {
      id: newId(),
      userId: owner.id,
      name: 'Setup key',
      role: 'owner',
      tokenPrefix: token.slice(0, 12),
      createdAt: now,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    };
    await repos.apiKeys.insert(key, secrets.hashToken(token));
    await recordAudit(repos, deps, systemContext, now, {
      action: 'setup.owner_created',
      objectType: 'user',
      objectId: owner.id,
      after: publicUser(owner),
    });
    return { user: publicUser(owner), key };
  }

  return {
    async needsSetup(): Promise<boolean> {
      return (await uow.read.users.countActive()) === 0;
    },

    /** Creates owner `admin` whose API key is the bootstrap token; does nothing once a user exists. */
    async bootstrap(token: string): Promise<'created' | 'skipped'> {
      if (token.length < MIN_BOOTSTRAP_TOKEN_LENGTH) {
        throw new Error(`VIGIL_BOOTSTRAP_TOKEN must be at least ${MIN_BOOTSTRAP_TOKEN_LENGTH} characters`);
      }
      return uow.transaction(async (repos) => {
        if ((await repos.users.countActive()) > 0) return 'skipped';
        await createOwner(repos, 'admin', 'admin@localhost', null, token);
        return 'created';
      });
    },

    /** Makes a fresh one-time setup token (replacing any earlier one) and returns it to print. */
    async issueSetupToken(): Promise<string> {
      const token = secrets.newIntegrationKey() + secrets.newIntegrationKey();
      const now = clock.now();
      const expiresAt = toInstant(new Date(now.getTime() + SETUP_TOKEN_TTL_HOURS * 3_600_000));
      await uow.transaction(async (repos) => {
        await repos.settings.put(SETUP_TOKEN_HASH, secrets.hashToken(token), toInstant(now));
        await repos.settings.put(SETUP_TOKEN_EXPIRES_AT, expiresAt, toInstant(now));
      });
      return token;
    },

    /**
     * Redeems the setup token: creates the owner and their first API key, and burns the token. With
     * `signIn` and a password, also opens a browser session for the owner (the setup page).
     */
    async complete(
      input: SetupInput,
      options: { signIn?: SessionMeta } = {},
    ): Promise<{
      user: User;
      key: ApiKey;
      token: string;
      session: { session: Session; token: string } | null;
    }> {
      if (input.password !== undefined) checkNewPassword(input.password);
      const passwordHash = input.password ? await secrets.hashPassword(input.password) : null;
      return uow.transaction(async (repos) => {
        if ((await repos.users.countActive()) > 0) {
          throw new VigilError(
            'CONFLICT',
            'Setup is already complete; sign in or ask an admin for an account',
          );
        }
        const storedHash = await repos.settings.get(SETUP_TOKEN_HASH);
        const expiresAt = await repos.settings.get(SETUP_TOKEN_EXPIRES_AT);
        const valid =
          storedHash !== null &&
          storedHash === secrets.hashToken(input.token) &&
          expiresAt !== null &&
          Date.parse(expiresAt) > clock.now().getTime();
        if (!valid)
          throw new VigilError(
            'UNAUTHENTICATED',
            'The setup link is not valid or has expired; restart Vigil for a new one',
          );
        const token = secrets.newApiToken();
        const { user, key } = await createOwner(repos, input.name, input.email, passwordHash, token);
        await repos.settings.delete(SETUP_TOKEN_HASH);
        await repos.settings.delete(SETUP_TOKEN_EXPIRES_AT);
        const session =
          options.signIn && passwordHash ? await openSession(repos, deps, user.id, options.signIn) : null;
        return { user, key, token, session };
      });
    },
  };
}

export type SetupService = ReturnType<typeof createSetupService>;
