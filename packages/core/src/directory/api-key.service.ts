import { type Role, roleAtLeast } from '../auth/roles.js';
import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { invalidField, notFound, VigilError } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import type { ApiKey } from './directory.js';

export interface CreateApiKeyInput {
  name: string;
  role?: Role;
  expiresAt?: string | null;
  /** Admins may make keys for other users (for a CI robot, say); default is the caller. */
  userId?: string;
}

export const TOKEN_PREFIX_LENGTH = 12;

export function createApiKeyService(deps: UseCaseDeps) {
  const { uow, clock, newId, secrets } = deps;

  return {
    /** Returns the key and its token. The token is shown this once and stored only as a hash. */
    async create(ctx: RequestContext, input: CreateApiKeyInput): Promise<{ key: ApiKey; token: string }> {
      return uow.transaction(async (repos) => {
        if (!ctx.userId) throw new VigilError('FORBIDDEN', 'Only users have API keys');
        const caller = await repos.users.get(ctx.userId);
        if (!caller) throw new VigilError('UNAUTHENTICATED');
        const ownerId = input.userId ?? caller.id;
        // The request's effective role (the key's), not the caller's own: a weak key makes no strong keys.
        const callerRole = ctx.role ?? 'stakeholder';
        if (ownerId !== caller.id && !roleAtLeast(callerRole, 'admin')) {
          throw new VigilError('FORBIDDEN', 'Only admins may create API keys for other users');
        }
        const owner = ownerId === caller.id ? caller : await repos.users.get(ownerId);
        if (!owner || owner.deactivatedAt)
          throw invalidField('/user_id', `user ${JSON.stringify(ownerId)} does not exist`);
        const role = input.role ?? owner.role;
        if (!roleAtLeast(owner.role, role) || !roleAtLeast(callerRole, role)) {
          throw invalidField(
            '/role',
            `a key cannot have more power than its owner (${owner.role}) or its maker`,
          );
        }
        const now = clock.now();
        if (input.expiresAt && Date.parse(input.expiresAt) <= now.getTime()) {
          throw invalidField('/expires_at', 'must be in the future');
        }
        const token = secrets.newApiToken();
        const key: ApiKey = {
          id: newId(),
          userId: owner.id,
          name: input.name,
          role,
          tokenPrefix: token.slice(0, TOKEN_PREFIX_LENGTH),
          createdAt: toInstant(now),
          expiresAt: input.expiresAt ? toInstant(new Date(input.expiresAt)) : null,
          lastUsedAt: null,
          revokedAt: null,
        };
        await repos.apiKeys.insert(key, secrets.hashToken(token));
        await recordAudit(repos, deps, ctx, key.createdAt, {
          action: 'api_key.create',
          objectType: 'api_key',
          objectId: key.id,
          after: key,
        });
        return { key, token };
      });
    },

    async revoke(ctx: RequestContext, id: string): Promise<void> {
      await uow.transaction(async (repos) => {
        const key = await repos.apiKeys.get(id);
        const caller = ctx.userId ? await repos.users.get(ctx.userId) : null;
        const mayManage =
          caller && (key?.userId === caller.id || roleAtLeast(ctx.role ?? 'stakeholder', 'admin'));
        if (!key || key.revokedAt || !mayManage) throw notFound('API key', id);
        const now = toInstant(clock.now());
        await repos.apiKeys.revoke(id, now);
        await recordAudit(repos, deps, ctx, now, {
          action: 'api_key.revoke',
          objectType: 'api_key',
          objectId: id,
          before: key,
        });
      });
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
