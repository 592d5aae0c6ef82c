import type { Repos } from '../ports.js';
import { toInstant } from '../shared/clock.js';
import type { UseCaseDeps } from '../shared/use-case.js';
import { isUsable } from './escalation-steps.js';
import type { ContactType, Notification } from './paging.js';

export interface Notice {
  /** One short line: "You are on call for Payments". */
  title: string;
  /** A few lines of plain text. */
  body: string;
  /** Where to look in the app. */
  url?: string;
}

/**
 * Channels for information that must not wake anyone: hand-offs, gap warnings and cover requests
 * go by e-mail, Slack and push, never by SMS or a phone call.
 */
export const NOTICE_CHANNELS: readonly ContactType[] = ['email', 'slack', 'push', 'teams', 'webhook'];

/** Queues a notice to each person on their quiet channels; returns how many messages were queued. */
export async function queueNotices(
  repos: Repos,
  deps: Pick<UseCaseDeps, 'clock' | 'newId'>,
  userIds: readonly string[],
  notice: Notice,
): Promise<number> {
  const people = [...new Set(userIds)];
  if (people.length === 0) return 0;
  const methods = (await repos.contactMethods.forUsers(people)).filter(
    (m) => isUsable(m) && NOTICE_CHANNELS.includes(m.type),
  );
  const at = toInstant(deps.clock.now());
  const notifications: Notification[] = methods.map((m) => ({
    id: deps.newId(),
    incidentId: null,
    userId: m.userId,
    contactMethodId: m.id,
    channel: m.type,
    kind: 'notice',
    step: null,
    state: 'queued',
    reason: 'waiting to be sent',
    sendAfter: at,
    attempts: 0,
    providerId: null,
    previousProviderId: null,
    replyCode: null,
    payload: { ...notice },
    createdAt: at,
    updatedAt: at,
    sentAt: null,
    deliveredAt: null,
  }));
  await repos.notifications.insert(notifications);
  return notifications.length;
}

/** Owners and admins: who hears about what nobody else would (pages that reach nobody, gaps). */
export async function installationAdmins(repos: Repos): Promise<string[]> {
  const page = await repos.users.list({ limit: 500, cursor: null }, false);
  return page.data.filter((u) => u.role === 'owner' || u.role === 'admin').map((u) => u.id);
}
