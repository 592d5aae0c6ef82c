import { roleAtLeast } from '../auth/roles.js';
import type { Repos } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { invalidField, notFound, VigilError } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import { checkContactAddress } from './contact-address.js';
import {
  type ContactMethod,
  type ContactType,
  type Notification,
  type NotificationKind,
  type NotificationRule,
  type RuleUrgency,
  typesNeedingVerification,
} from './paging.js';

const CODE_DIGITS = 6;
const CODE_TTL_MS = 15 * 60_000;
const MAX_CODE_ATTEMPTS = 5;

export interface ContactMethodInput {
  type: ContactType;
  address: string;
  label?: string;
  /** Webhooks: the signing secret; generated when absent. */
  secret?: string;
}

/**
 * People's contact methods and notification rules. Everyone manages their own; admins anyone's.
 * E-mail, SMS and voice are paged only once proven with a code sent to them.
 */
export function createContactService(deps: UseCaseDeps & { newWebhookSecret(): string }) {
  const { uow, clock, newId, secrets } = deps;

  function mayManage(ctx: RequestContext, userId: string) {
    if (userId !== ctx.userId && !(ctx.role && roleAtLeast(ctx.role, 'admin'))) {
      throw new VigilError('FORBIDDEN', 'Only admins manage another person’s contact methods and rules');
    }
  }

  /** Anyone reads their own; another person's are for observers and up (the people directory). */
  function mayRead(ctx: RequestContext, userId: string) {
    if (userId !== ctx.userId && !(ctx.role && roleAtLeast(ctx.role, 'observer'))) {
      throw new VigilError(
        'FORBIDDEN',
        'Only observers and up see another person’s contact methods and rules',
      );
    }
  }

  async function mustGetUser(repos: Repos, userId: string) {
    const [user] = await repos.users.getMany([userId]);
    if (!user || user.deactivatedAt) throw notFound('User', userId);
    return user;
  }

  async function mustGetMethod(repos: Repos, userId: string, id: string): Promise<ContactMethod> {
    const method = await repos.contactMethods.get(id);
    if (!method || method.userId !== userId) throw notFound('Contact method', id);
    return method;
  }

  /** Queues a message to one contact method; the engine sends it within a second. */
  async function enqueue(
    repos: Repos,
    method: ContactMethod,
    kind: NotificationKind,
    payload: Record<string, unknown> | null,
  ): Promise<Notification> {
    const now = toInstant(clock.now());
    const notification: Notification = {
      id: newId(),
      incidentId: null,
      userId: method.userId,
      contactMethodId: method.id,
      channel: method.type,
      kind,
      step: null,
      state: 'queued',
      reason: 'waiting to be sent',
      sendAfter: now,
      attempts: 0,
      providerId: null,
      previousProviderId: null,
      replyCode: null,
      payload,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
      deliveredAt: null,
    };
    await repos.notifications.insert([notification]);
    return notification;
  }

  async function sendCode(repos: Repos, method: ContactMethod) {
    const code = secrets.newNumericCode(CODE_DIGITS);
    await repos.contactMethods.setVerification(method.id, {
      codeHash: secrets.hashToken(`${method.id}:${code}`),
      expiresAt: new Date(clock.now().getTime() + CODE_TTL_MS).toISOString(),
      attempts: 0,
    });
    // The code travels in the outbox row only until it is sent (the sender clears it).
    await enqueue(repos, method, 'verification', { code });
  }

  return {
    async list(ctx: RequestContext, userId: string): Promise<ContactMethod[]> {
      mayRead(ctx, userId);
      await mustGetUser(uow.read, userId);
      return uow.read.contactMethods.listForUser(userId);
    },

    async add(ctx: RequestContext, userId: string, input: ContactMethodInput): Promise<ContactMethod> {
      mayManage(ctx, userId);
      const problem = checkContactAddress(input.type, input.address);
      if (problem) throw invalidField('/address', problem);
      return uow.transaction(async (repos) => {
        await mustGetUser(repos, userId);
        const method: ContactMethod = {
          id: newId(),
          userId,
          type: input.type,
          label: input.label ?? input.type,
          address: input.address,
          secret: input.type === 'webhook' ? (input.secret ?? deps.newWebhookSecret()) : null,
          verified: !typesNeedingVerification.includes(input.type),
          createdAt: toInstant(clock.now()),
        };
        await repos.contactMethods.insert(method);
        if (!method.verified) await sendCode(repos, method);
        await recordAudit(repos, deps, ctx, method.createdAt, {
          action: 'contact_method.create',
          objectType: 'user',
          objectId: userId,
          after: { ...method, secret: method.secret ? '***' : null },
        });
        return method;
      });
    },

    async rename(ctx: RequestContext, userId: string, id: string, label: string): Promise<ContactMethod> {
      mayManage(ctx, userId);
      return uow.transaction(async (repos) => {
        const method = await mustGetMethod(repos, userId, id);
        await repos.contactMethods.updateLabel(id, label);
        return { ...method, label };
      });
    },

    async remove(ctx: RequestContext, userId: string, id: string): Promise<void> {
      mayManage(ctx, userId);
      await uow.transaction(async (repos) => {
        const method = await mustGetMethod(repos, userId, id);
        const now = toInstant(clock.now());
        await repos.notificationRules.deleteForMethod(id);
        await repos.contactMethods.delete(id, now);
        await recordAudit(repos, deps, ctx, now, {
          action: 'contact_method.delete',
          objectType: 'user',
          objectId: userId,
          before: { ...method, secret: method.secret ? '***' : null },
        });
      });
    },

    async resendCode(ctx: RequestContext, userId: string, id: string): Promise<void> {
      mayManage(ctx, userId);
      await uow.transaction(async (repos) => {
        const method = await mustGetMethod(repos, userId, id);
        if (method.verified) throw new VigilError('CONFLICT', 'The contact method is already verified');
        await sendCode(repos, method);
      });
    },

    /** Proves the address: the code sent to it, within 15 minutes, at most 5 tries per code. */
    async verify(ctx: RequestContext, userId: string, id: string, code: string): Promise<ContactMethod> {
      mayManage(ctx, userId);
      return uow.transaction(async (repos) => {
        const method = await mustGetMethod(repos, userId, id);
        if (method.verified) return method;
        const pending = await repos.contactMethods.getVerification(id);
        const now = clock.now();
        if (!pending?.codeHash || !pending.expiresAt || Date.parse(pending.expiresAt) < now.getTime()) {
          throw invalidField('/code', 'the code has expired; ask for a new one');
        }
        if (pending.attempts >= MAX_CODE_ATTEMPTS) {
          throw invalidField('/code', 'too many wrong codes; ask for a new one');
        }
        if (secrets.hashToken(`${id}:${code}`) !== pending.codeHash) {
          await repos.contactMethods.setVerification(id, { ...pending, attempts: pending.attempts + 1 });
          throw invalidField('/code', 'the code is not the one we sent');
        }
        await repos.contactMethods.markVerified(id, toInstant(now));
        return { ...method, verified: true };
      });
    },

    /** "Send me a test": a message through the method, whatever the rules say. */
    async sendTest(ctx: RequestContext, userId: string, id: string): Promise<Notification> {
      mayManage(ctx, userId);
      return uow.transaction(async (repos) => {
        const method = await mustGetMethod(repos, userId, id);
        return enqueue(repos, method, 'test', null);
      });
    },

    async listRules(ctx: RequestContext, userId: string): Promise<NotificationRule[]> {
      mayRead(ctx, userId);
      await mustGetUser(uow.read, userId);
      return uow.read.notificationRules.listForUser(userId);
    },

    async addRule(
      ctx: RequestContext,
      userId: string,
      input: { contactMethodId: string; delayMinutes: number; urgency: RuleUrgency },
    ): Promise<NotificationRule> {
      mayManage(ctx, userId);
      return uow.transaction(async (repos) => {
        const method = await repos.contactMethods.get(input.contactMethodId);
        if (!method || method.userId !== userId) {
          throw invalidField('/contact_method_id', 'must be one of this user’s contact methods');
        }
        const rule: NotificationRule = {
          id: newId(),
          userId,
          contactMethodId: input.contactMethodId,
          delayMinutes: input.delayMinutes,
          urgency: input.urgency,
          createdAt: toInstant(clock.now()),
        };
        await repos.notificationRules.insert(rule);
        await recordAudit(repos, deps, ctx, rule.createdAt, {
          action: 'notification_rule.create',
          objectType: 'user',
          objectId: userId,
          after: rule,
        });
        return rule;
      });
    },

    async removeRule(ctx: RequestContext, userId: string, id: string): Promise<void> {
      mayManage(ctx, userId);
      await uow.transaction(async (repos) => {
        const rule = await repos.notificationRules.get(id);
        if (!rule || rule.userId !== userId) throw notFound('Notification rule', id);
        await repos.notificationRules.delete(id);
        await recordAudit(repos, deps, ctx, toInstant(clock.now()), {
          action: 'notification_rule.delete',
          objectType: 'user',
          objectId: userId,
          before: rule,
        });
      });
    },
  };
}

export type ContactService = ReturnType<typeof createContactService>;
