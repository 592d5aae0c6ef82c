import type {
  ContactMethod,
  ContactMethodRepo,
  ContactType,
  Escalation,
  EscalationPolicy,
  EscalationPolicyRepo,
  EscalationRepo,
  EscalationRunState,
  EscalationStep,
  Incident,
  IncidentStatus,
  Notification,
  NotificationKind,
  NotificationRepo,
  NotificationRule,
  NotificationRuleRepo,
  NotificationState,
  Priority,
  RuleUrgency,
  Severity,
  Urgency,
} from '@vigil/core';
import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../../security/secret-box.js';
import type { StoreDialect } from '../dialect.js';
import type {
  ContactMethodsTable,
  Database,
  EscalationPoliciesTable,
  EscalationsTable,
  NotificationsTable,
} from '../schema.js';
import { decodeCursor, parseJson, toJson, toPage } from './paging.js';

/** The row every new incident gets in the same transaction: the engine looks at it at once. */
export const newEscalationRow = (incidentId: string, at: string): EscalationsTable => ({
  incident_id: incidentId,
  state: 'pending',
  policy: null,
  step: 0,
  loop: 0,
  step_at: null,
  next_at: at,
  notified: '[]',
  seen_status: 'triggered',
  updated_at: at,
});

const policyFromRow = (row: Selectable<EscalationPoliciesTable>): EscalationPolicy => ({
  id: row.id,
  name: row.name,
  description: row.description,
  teamId: row.team_id,
  repeat: row.repeat,
  steps: parseJson<EscalationStep[]>(row.steps),
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const policyRow = (p: EscalationPolicy) => ({
  name: p.name,
  description: p.description,
  team_id: p.teamId,
  repeat: p.repeat,
  steps: JSON.stringify(p.steps),
  version: p.version,
  updated_at: p.updatedAt,
});

export function createEscalationPolicyRepo(db: Kysely<Database>): EscalationPolicyRepo {
  return {
    async insert(p) {
      await db
        .insertInto('escalation_policies')
        .values({ id: p.id, ...policyRow(p), created_at: p.createdAt })
        .execute();
    },
    async update(p, expectedVersion) {
      const result = await db
        .updateTable('escalation_policies')
        .set(policyRow(p))
        .where('id', '=', p.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async delete(id) {
      await db.deleteFrom('escalation_policies').where('id', '=', id).execute();
    },
    async get(id) {
      const row = await db
        .selectFrom('escalation_policies')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? policyFromRow(row) : null;
    },
    async getByName(name) {
      const row = await db
        .selectFrom('escalation_policies')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? policyFromRow(row) : null;
    },
    async list(page) {
      let query = db
        .selectFrom('escalation_policies')
        .selectAll()
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, policyFromRow);
    },
    async serviceCount(id) {
      const row = await db
        .selectFrom('services')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('escalation_policy_id', '=', id)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async usingTarget(type, id) {
      // Policies are few; reading them all beats a JSON query that differs per engine.
      const rows = await db.selectFrom('escalation_policies').selectAll().execute();
      return rows
        .map(policyFromRow)
        .filter((p) => p.steps.some((s) => s.targets.some((t) => t.type === type && t.id === id)));
    },
  };
}

export function createContactMethodRepo(db: Kysely<Database>, box: SecretBox): ContactMethodRepo {
  const fromRow = (row: Selectable<ContactMethodsTable>): ContactMethod => ({
    id: row.id,
    userId: row.user_id,
    type: row.type as ContactType,
    label: row.label,
    address: row.address,
    secret: row.secret_encrypted ? box.open(row.secret_encrypted) : null,
    verified: row.verified_at !== null,
    createdAt: row.created_at,
  });
  const live = () => db.selectFrom('contact_methods').selectAll().where('deleted_at', 'is', null);
  return {
    async insert(m) {
      await db
        .insertInto('contact_methods')
        .values({
          id: m.id,
          user_id: m.userId,
          type: m.type,
          label: m.label,
          address: m.address,
          secret_encrypted: m.secret ? box.seal(m.secret) : null,
          verified_at: m.verified ? m.createdAt : null,
          verification_code_hash: null,
          verification_expires_at: null,
          verification_attempts: 0,
          created_at: m.createdAt,
          deleted_at: null,
        })
        .execute();
    },
    async updateLabel(id, label) {
      await db.updateTable('contact_methods').set({ label }).where('id', '=', id).execute();
    },
    async delete(id, at) {
      await db.updateTable('contact_methods').set({ deleted_at: at }).where('id', '=', id).execute();
    },
    async get(id) {
      const row = await live().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async listForUser(userId) {
      return (await live().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute()).map(
        fromRow,
      );
    },
    async forUsers(userIds) {
      if (userIds.length === 0) return [];
      return (await live().where('user_id', 'in', userIds).orderBy('created_at').orderBy('id').execute()).map(
        fromRow,
      );
    },
    async findVerifiedByAddress(type, address) {
      const row = await live()
        .where('type', '=', type)
        .where('address', '=', address)
        .where('verified_at', 'is not', null)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async getVerification(id) {
      const row = await db
        .selectFrom('contact_methods')
        .select(['verification_code_hash', 'verification_expires_at', 'verification_attempts'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row
        ? {
            codeHash: row.verification_code_hash,
            expiresAt: row.verification_expires_at,
            attempts: row.verification_attempts,
          }
        : null;
    },
    async setVerification(id, v) {
      await db
        .updateTable('contact_methods')
        .set({
          verification_code_hash: v.codeHash,
          verification_expires_at: v.expiresAt,
          verification_attempts: v.attempts,
        })
        .where('id', '=', id)
        .execute();
    },
    async markVerified(id, at) {
      await db
        .updateTable('contact_methods')
        .set({ verified_at: at, verification_code_hash: null, verification_expires_at: null })
        .where('id', '=', id)
        .execute();
    },
  };
}

export function createNotificationRuleRepo(db: Kysely<Database>): NotificationRuleRepo {
  const fromRow = (row: Selectable<Database['notification_rules']>): NotificationRule => ({
    id: row.id,
    userId: row.user_id,
    contactMethodId: row.contact_method_id,
    delayMinutes: row.delay_minutes,
    urgency: row.urgency as RuleUrgency,
    createdAt: row.created_at,
  });
  const ordered = () =>
    db.selectFrom('notification_rules').selectAll().orderBy('delay_minutes').orderBy('id');
  return {
    async insert(r) {
      await db
        .insertInto('notification_rules')
        .values({
          id: r.id,
          user_id: r.userId,
          contact_method_id: r.contactMethodId,
          delay_minutes: r.delayMinutes,
          urgency: r.urgency,
          created_at: r.createdAt,
        })
        .execute();
    },
    async delete(id) {
      await db.deleteFrom('notification_rules').where('id', '=', id).execute();
    },
    async get(id) {
      const row = await db
        .selectFrom('notification_rules')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },
    async listForUser(userId) {
      return (await ordered().where('user_id', '=', userId).execute()).map(fromRow);
    },
    async forUsers(userIds) {
      if (userIds.length === 0) return [];
      return (await ordered().where('user_id', 'in', userIds).execute()).map(fromRow);
    },
    async deleteForMethod(contactMethodId) {
      await db.deleteFrom('notification_rules').where('contact_method_id', '=', contactMethodId).execute();
    },
  };
}

export const notificationFromRow = (row: Selectable<NotificationsTable>): Notification => ({
  id: row.id,
  incidentId: row.incident_id,
  userId: row.user_id,
  contactMethodId: row.contact_method_id,
  channel: row.channel as ContactType,
  kind: row.kind as NotificationKind,
  step: row.step,
  state: row.state as NotificationState,
  reason: row.reason,
  sendAfter: row.send_after,
  attempts: row.attempts,
  providerId: row.provider_id,
  previousProviderId: row.previous_provider_id,
  replyCode: row.reply_code,
  payload: parseJson<Record<string, unknown> | null>(row.payload),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  sentAt: row.sent_at,
  deliveredAt: row.delivered_at,
});

export const notificationToRow = (n: Notification): NotificationsTable => ({
  id: n.id,
  incident_id: n.incidentId,
  user_id: n.userId,
  contact_method_id: n.contactMethodId,
  channel: n.channel,
  kind: n.kind,
  step: n.step,
  state: n.state,
  reason: n.reason,
  send_after: n.sendAfter,
  attempts: n.attempts,
  claim_token: null,
  claimed_until: null,
  provider_id: n.providerId,
  previous_provider_id: n.previousProviderId,
  reply_code: n.replyCode,
  payload: toJson(n.payload),
  created_at: n.createdAt,
  updated_at: n.updatedAt,
  sent_at: n.sentAt,
  delivered_at: n.deliveredAt,
});

/** The reply code of the newest message to this contact method that carries one. */
export async function latestReplyCode(db: Kysely<Database>, contactMethodId: string): Promise<number | null> {
  const latest = await db
    .selectFrom('notifications')
    .select('reply_code')
    .where('contact_method_id', '=', contactMethodId)
    .where('reply_code', 'is not', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return latest?.reply_code ?? null;
}

/** What sending one message needs besides its row: one query for a whole claim (engine/sender.ts). */
export interface SendContext {
  /** The claim as stored when this was read (the sender's fence). */
  claimToken: string | null;
  claimedUntil: string | null;
  /** Null when the contact method was removed. */
  method: ContactMethod | null;
  user: { id: string; name: string; deactivatedAt: string | null } | null;
  incident: SendIncident | null;
}

export type SendIncident = Pick<
  Incident,
  'id' | 'number' | 'title' | 'status' | 'urgency' | 'priority' | 'severity' | 'createdAt'
> & { serviceName: string | null };

/**
 * The contact method, person, incident and service name of each message, by message id, in one
 * query (instead of four reads per message).
 */
export async function sendContexts(
  db: Kysely<Database>,
  box: SecretBox,
  ids: readonly string[],
): Promise<Map<string, SendContext>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('notifications as n')
    .leftJoin('contact_methods as cm', 'cm.id', 'n.contact_method_id')
    .leftJoin('users as u', 'u.id', 'n.user_id')
    .leftJoin('incidents as i', 'i.id', 'n.incident_id')
    .leftJoin('services as s', 's.id', 'i.service_id')
    .select([
      'n.id as id',
      'n.claim_token as claim_token',
      'n.claimed_until as claimed_until',
      'cm.id as cm_id',
      'cm.user_id as cm_user_id',
      'cm.type as cm_type',
      'cm.label as cm_label',
      'cm.address as cm_address',
      'cm.secret_encrypted as cm_secret',
      'cm.verified_at as cm_verified_at',
      'cm.created_at as cm_created_at',
      'cm.deleted_at as cm_deleted_at',
      'u.id as u_id',
      'u.name as u_name',
      'u.deactivated_at as u_deactivated_at',
      'i.id as i_id',
      'i.number as i_number',
      'i.title as i_title',
      'i.status as i_status',
      'i.urgency as i_urgency',
      'i.priority as i_priority',
      'i.severity as i_severity',
      'i.created_at as i_created_at',
      's.name as s_name',
    ])
    .where('n.id', 'in', [...ids])
    .execute();
  const out = new Map<string, SendContext>();
  for (const r of rows) {
    out.set(r.id, {
      claimToken: r.claim_token,
      claimedUntil: r.claimed_until,
      method:
        r.cm_id !== null && r.cm_deleted_at === null
          ? {
              id: r.cm_id,
              userId: r.cm_user_id as string,
              type: r.cm_type as ContactType,
              label: r.cm_label as string,
              address: r.cm_address as string,
              secret: r.cm_secret ? box.open(r.cm_secret) : null,
              verified: r.cm_verified_at !== null,
              createdAt: r.cm_created_at as string,
            }
          : null,
      user:
        r.u_id !== null ? { id: r.u_id, name: r.u_name as string, deactivatedAt: r.u_deactivated_at } : null,
      incident:
        r.i_id !== null
          ? {
              id: r.i_id,
              number: Number(r.i_number),
              title: r.i_title as string,
              status: r.i_status as IncidentStatus,
              urgency: r.i_urgency as Urgency,
              priority: r.i_priority as Priority | null,
              severity: r.i_severity as Severity,
              createdAt: r.i_created_at as string,
              serviceName: r.s_name,
            }
          : null,
    });
  }
  return out;
}

export function createNotificationRepo(db: Kysely<Database>): NotificationRepo {
  return {
    async insert(notifications) {
      if (notifications.length === 0) return;
      await db.insertInto('notifications').values(notifications.map(notificationToRow)).execute();
    },
    async listForIncident(incidentId, page) {
      let query = db
        .selectFrom('notifications')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('id', 'asc')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', decodeCursor(page.cursor, 'string'));
      return toPage(await query.execute(), page.limit, (row) => row.id, notificationFromRow);
    },
    async replyCodes(contactMethodId, incidentId) {
      const mine = await db
        .selectFrom('notifications')
        .select('reply_code')
        .where('contact_method_id', '=', contactMethodId)
        .where('incident_id', '=', incidentId)
        .where('reply_code', 'is not', null)
        .executeTakeFirst();
      return { forIncident: mine?.reply_code ?? null, latest: await latestReplyCode(db, contactMethodId) };
    },
    async findByReplyCode(contactMethodId, replyCode) {
      let query = db
        .selectFrom('notifications')
        .selectAll()
        .where('contact_method_id', '=', contactMethodId)
        .where('reply_code', 'is not', null)
        .orderBy('id', 'desc');
      if (replyCode !== null) query = query.where('reply_code', '=', replyCode);
      const row = await query.executeTakeFirst();
      return row ? notificationFromRow(row) : null;
    },
    async get(id) {
      const row = await db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? notificationFromRow(row) : null;
    },
  };
}

export const escalationFromRow = (row: Selectable<EscalationsTable>): Escalation => ({
  incidentId: row.incident_id,
  state: row.state as EscalationRunState,
  policy: parseJson<EscalationPolicy | null>(row.policy),
  step: row.step,
  loop: row.loop,
  stepAt: row.step_at,
  nextAt: row.next_at,
  notified: parseJson<string[]>(row.notified),
  seenStatus: row.seen_status as Escalation['seenStatus'],
  updatedAt: row.updated_at,
});

export function createEscalationRepo(db: Kysely<Database>, dialect: StoreDialect): EscalationRepo {
  return {
    async get(incidentId, forUpdate = false) {
      const query = db.selectFrom('escalations').selectAll().where('incident_id', '=', incidentId);
      const row = await (forUpdate ? dialect.forUpdate(query) : query).executeTakeFirst();
      return row ? escalationFromRow(row) : null;
    },
    async nudge(incidentIds, at) {
      if (incidentIds.length === 0) return;
      await db
        .updateTable('escalations')
        .set({ next_at: at })
        .where('incident_id', 'in', incidentIds)
        .execute();
    },
    async escalateTo(incidentId, step, loop, at) {
      await db
        .updateTable('escalations')
        .set({ state: 'active', step, loop, step_at: at, next_at: at, updated_at: at })
        .where('incident_id', '=', incidentId)
        .execute();
    },
  };
}
