import {
  afterStep,
  type ContactMethod,
  type Escalation,
  type EscalationStep,
  type Incident,
  installationAdmins,
  lifecycle,
  type Notification,
  nextReplyCode,
  outboundEventsReached,
  planFor,
  queueNotices,
  quietUntil,
  type Repos,
  resolveStepTargets,
  systemActor,
  type TimelineDraft,
  unreachableReason,
} from '@vigil/core';
import type { Compilable, Kysely, Selectable } from 'kysely';
import { runBatch } from '../store/batch.js';
import type { Store } from '../store/dialect.js';
import { outboundIntegrationsOf, queueOutboundDeliveries } from '../store/repos/outbound.repo.js';
import { escalationFromRow, latestReplyCode, notificationToRow } from '../store/repos/paging.repo.js';
import { timelineEntryToRow } from '../store/repos/rows.js';
import type { Database, EscalationsTable, NotificationsTable } from '../store/schema.js';
import { incidentUrl } from '../urls.js';

const MINUTE_MS = 60_000;
/**
 * An escalation transaction never waits on anything but the database (tens of ms): one quiet for
 * this long belongs to a paused or frozen instance, and PostgreSQL ends it so that another
 * instance can fire the steps it held.
 */
const CLAIM_IDLE_LIMIT_MS = 1_000;
/** Transactions (and connections) a PostgreSQL instance reconciles a burst of due rows in. */
const PG_SLICES = 4;
const channelNames: Record<string, string> = {
  email: 'e-mail',
  sms: 'SMS',
  voice: 'phone call',
  slack: 'Slack',
  teams: 'Teams',
  push: 'push',
  webhook: 'webhook',
};

export interface EscalationModuleDeps {
  store: Store;
  /** Repositories over a transaction (store/unit-of-work.ts). */
  reposFor(db: Kysely<Database>): Repos;
  newId(): string;
  publicUrl: string;
  onUnreachable?(incident: Incident, message: string): void;
}

interface Reached {
  userId: string;
  name: string;
  why: string;
  channels: string[];
}

/**
 * Reads that do not change within one cycle (one `now`), shared by every incident it reconciles: a
 * burst of incidents on one service reads its service, policy, outbound integrations, on-call
 * people and their contact methods and rules once, not once per incident. A failed read is not
 * kept. Reply codes handed out in the cycle are remembered, so the next one follows without a query.
 */
function createCycleCache() {
  const memo = new Map<string, Promise<unknown>>();
  return {
    once<T>(key: string, load: () => Promise<T>): Promise<T> {
      let value = memo.get(key) as Promise<T> | undefined;
      if (!value) {
        value = load();
        memo.set(key, value);
        value.catch(() => memo.delete(key));
      }
      return value;
    },
    /** The last reply code handed out per contact method (read once, then counted here). */
    latestCode: new Map<string, number | null>(),
    /** Codes handed out in this cycle, per contact method and incident. */
    incidentCode: new Map<string, number>(),
  };
}
type CycleCache = ReturnType<typeof createCycleCache>;

/**
 * The writes reconciles leave for the end (flush), sent together (on SQLite one message to the
 * writer thread); the new rows of all the incidents of a batch are one INSERT per table.
 */
interface Writes {
  /** Updates and deletes, in order; the inserts below go after them. */
  queries: Compilable[];
  notifications: NotificationsTable[];
  timeline: ReturnType<typeof timelineEntryToRow>[];
  assignees: { incident_id: string; user_id: string; position: number }[];
  /**
   * In a batch, the positions of version-checked incident updates: each must change one row, or
   * the batch's transaction is rolled back and its rows are reconciled one by one. Null when each
   * update is checked as it is made.
   */
  checked: number[] | null;
}

/** Everything one reconcile looks at. */
interface Pass {
  trx: Kysely<Database>;
  repos: Repos;
  cache: CycleCache;
  /** The escalation had never been looked at: no message of this incident exists yet. */
  fresh: boolean;
  writes: Writes;
}

/**
 * The escalation module (ARCHITECTURE.md §4): every incident has a row with the time the engine
 * must look at it (`next_at`). Each due row is reconciled in its own transaction: the decision
 * (which step fires, who is paged, what the timeline says) and the messages it causes (the outbox)
 * commit together, so a crash either did all of it or none, and a restart redoes nothing twice.
 * On PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED, so instances share the work.
 */
export function createEscalationModule(deps: EscalationModuleDeps) {
  const { store } = deps;

  /**
   * Whether the last run left due rows to another instance (PostgreSQL: locked, SKIP LOCKED). If
   * that instance dies mid-transaction its locks go with its connection, and the rows are due
   * still: the engine looks again soon rather than a whole interval later.
   */
  let skippedLocked = false;

  /** Due rows, oldest first; returns how many were reconciled. */
  async function run(now: Date, limit = 100): Promise<number> {
    skippedLocked = false;
    const cache = createCycleCache();
    const at = now.toISOString();
    const due = await store.db
      .selectFrom('escalations')
      .select('incident_id')
      .where('next_at', '<=', at)
      .orderBy('next_at')
      .limit(limit)
      .execute();
    const ids = due.map((d) => d.incident_id);
    if (store.dialect.engine === 'sqlite') return reconcileTogether(ids, now, cache);
    // On PostgreSQL in a few slices at once, each its own transaction and connection, rows claimed
    // per instance (SKIP LOCKED), so instances share a burst.
    const slice = Math.max(1, Math.ceil(ids.length / PG_SLICES));
    const done = await Promise.all(
      Array.from({ length: PG_SLICES }, (_, i) =>
        reconcileTogether(ids.slice(i * slice, (i + 1) * slice), now, cache),
      ),
    );
    return done.reduce((sum, n) => sum + n, 0);
  }

  /**
   * Reconciles due rows in one transaction (on SQLite one fsync for all), reading them, their
   * incidents and what the cycle cache does not hold once for the batch and writing once at the
   * end; if any fails, they are done one by one, so one bad row cannot hold the others back.
   */
  async function reconcileTogether(ids: string[], now: Date, cache: CycleCache): Promise<number> {
    if (ids.length === 0) return 0;
    const at = now.toISOString();
    try {
      return await store.db.transaction().execute(async (trx) => {
        // The rows are ours (SQLite: the writer lock; PostgreSQL: FOR UPDATE SKIP LOCKED, then their
        // incidents FOR UPDATE, in that order as everywhere), so nothing read here changes under us.
        const repos = deps.reposFor(trx);
        const rows = await claimDue(trx, ids, at);
        const claimed = rows.map((row) => row.incident_id);
        if (claimed.length < ids.length) skippedLocked = true;
        if (claimed.length === 0) return 0;
        if (store.dialect.engine === 'postgres') {
          await store.dialect
            .forUpdate(trx.selectFrom('incidents').select('id').where('id', 'in', claimed).orderBy('id'))
            .execute();
        }
        const incidents = new Map((await repos.incidents.getMany(claimed)).map((i) => [i.id, i]));
        const byId = new Map(rows.map((row) => [row.incident_id, row]));
        // No reconcile reads what another one of the batch writes (reply codes are counted in the
        // cycle cache), so all their writes go to the database together, at the end.
        const writes = newWrites([]);
        let done = 0;
        for (const id of ids) {
          const row = byId.get(id);
          const incident = incidents.get(id);
          if (row && incident && (await reconcileRow(trx, repos, row, incident, now, cache, writes))) done++;
        }
        const results = await flush(trx, writes);
        for (const at of writes.checked ?? []) {
          if (Number(results[at]?.numAffectedRows ?? 0) !== 1)
            throw new Error('an incident changed while its escalation was decided');
        }
        return done;
      });
    } catch {
      // A fresh cache: nothing handed out by the failed transaction is remembered.
      const alone = createCycleCache();
      let done = 0;
      for (const id of ids) if (await reconcileOne(id, now, alone)) done++;
      return done;
    }
  }

  /**
   * Locks the rows of `ids` still due, skipping those another instance holds. First in its
   * transaction: from here PostgreSQL ends the transaction if this instance goes quiet in it.
   */
  async function claimDue(trx: Kysely<Database>, ids: string[], at: string) {
    await store.dialect.holdClaimsAtMost(trx, CLAIM_IDLE_LIMIT_MS);
    return store.dialect
      .claim(
        trx.selectFrom('escalations').selectAll().where('incident_id', 'in', ids).where('next_at', '<=', at),
      )
      .execute();
  }

  /** Reconciles one due row in its own transaction: false when it is gone, not due, or another instance has it. */
  function reconcileOne(incidentId: string, now: Date, cache = createCycleCache()): Promise<boolean> {
    return store.db.transaction().execute(async (trx) => {
      const [row] = await claimDue(trx, [incidentId], now.toISOString());
      if (!row) return false; // another instance has it, or it is no longer due
      const repos = deps.reposFor(trx);
      const incident = await repos.incidents.get(incidentId, true);
      if (!incident) return false;
      const writes = newWrites(null);
      await reconcileRow(trx, repos, row, incident, now, cache, writes);
      await flush(trx, writes);
      return true;
    });
  }

  function newWrites(checked: number[] | null): Writes {
    return { queries: [], notifications: [], timeline: [], assignees: [], checked };
  }

  function flush(trx: Kysely<Database>, writes: Writes) {
    const queries = [...writes.queries];
    for (const rows of inChunks(writes.assignees))
      queries.push(trx.insertInto('incident_assignees').values(rows));
    for (const rows of inChunks(writes.notifications))
      queries.push(trx.insertInto('notifications').values(rows));
    for (const rows of inChunks(writes.timeline))
      queries.push(trx.insertInto('timeline_entries').values(rows));
    return runBatch(trx, queries);
  }

  /** Reconciles a claimed row; its writes are added to `writes`, for the caller to send. */
  async function reconcileRow(
    trx: Kysely<Database>,
    repos: Repos,
    row: Selectable<EscalationsTable>,
    incident: Incident,
    now: Date,
    cache: CycleCache,
    writes: Writes,
  ): Promise<boolean> {
    const at = now.toISOString();
    const escalation = escalationFromRow(row);
    const pass: Pass = { trx, repos, cache, fresh: escalation.state === 'pending', writes };
    const next = await reconcile(pass, escalation, incident, now);
    writes.queries.push(
      trx
        .updateTable('escalations')
        .set({
          state: next.state,
          policy: next.policy ? JSON.stringify(next.policy) : null,
          step: next.step,
          loop: next.loop,
          step_at: next.stepAt,
          next_at: next.nextAt,
          notified: JSON.stringify(next.notified),
          seen_status: next.seenStatus,
          updated_at: at,
        })
        .where('incident_id', '=', incident.id),
    );
    return true;
  }

  async function reconcile(
    pass: Pass,
    escalation: Escalation,
    start: Incident,
    now: Date,
  ): Promise<Escalation> {
    const { trx, repos, cache } = pass;
    const at = now.toISOString();
    let incident = start;
    let e: Escalation = { ...escalation };
    const timeline: TimelineDraft[] = [];

    // Other systems (SIGNL4, New Relic) hear of each state the incident reached since the engine last
    // looked, queued in this transaction: every write path (API, ingest, replies, the ack timeout
    // below) funnels into this row, so this is the one place each change is seen exactly once.
    await queueOutboundDeliveries(
      trx,
      incident,
      outboundEventsReached(incident, e.state === 'pending' ? null : e.seenStatus),
      at,
      deps.newId,
      (serviceId) => cache.once(`outbound ${serviceId}`, () => outboundIntegrationsOf(trx, serviceId)),
    );

    if (incident.status !== e.seenStatus) {
      if (incident.status !== 'triggered') await queueUpdates(trx, incident, at);
      if (incident.status === 'triggered') e.notified = [];
      e.seenStatus = incident.status;
    }

    if (incident.status === 'resolved') {
      await suppressQueued(
        trx,
        incident,
        `Incident #${incident.number} was resolved before this was sent`,
        at,
      );
      return { ...e, state: 'done', stepAt: null, nextAt: null };
    }

    if (incident.status === 'acknowledged') {
      await suppressQueued(
        trx,
        incident,
        `Incident #${incident.number} was acknowledged before this was sent`,
        at,
      );
      const service = await serviceOf(pass, incident.serviceId);
      const timeout = service?.ackTimeoutMinutes ?? null;
      const deadline =
        timeout !== null && incident.acknowledgedAt
          ? Date.parse(incident.acknowledgedAt) + timeout * MINUTE_MS
          : null;
      if (deadline === null || deadline > now.getTime()) {
        const nextAt = deadline === null ? null : new Date(deadline).toISOString();
        return { ...e, state: e.state === 'done' ? 'done' : 'acknowledged', nextAt };
      }
      // The acknowledgement timed out: trigger again; the resume below pages the assignees again.
      const transition = lifecycle.unacknowledge(
        incident,
        `not resolved ${timeout} minutes after the acknowledgement`,
        at,
      );
      if (!(await repos.incidents.update(transition.incident, incident.version))) return e;
      incident = transition.incident;
      timeline.push(...transition.entries);
      e = { ...e, seenStatus: 'triggered', notified: [] };
    }

    // Triggered.
    if (e.state === 'pending') {
      const service = await serviceOf(pass, incident.serviceId);
      const policyId = service?.escalationPolicyId;
      const policy = policyId
        ? await cache.once(`policy ${policyId}`, () => repos.policies.get(policyId))
        : null;
      if (policy && policy.steps.length > 0) {
        e = { ...e, state: 'active', policy, step: 0, loop: 0, stepAt: at };
      } else {
        e = { ...e, state: 'done', policy: null, stepAt: null };
        if (incident.assigneeIds.length === 0) {
          const message = `${service?.name ?? 'The service'} has no escalation policy: nobody was paged`;
          timeline.push({ type: 'unreachable', message, data: {} });
          deps.onUnreachable?.(incident, message);
        }
      }
    } else if (e.state === 'acknowledged' && e.policy) {
      // Triggered again (acknowledgement timeout, reassignment, a new trigger event): the assignees
      // are paged again below, and the escalation goes on from where it was, its delay restarted.
      const last = previousStep(e);
      const delay = (e.policy.steps[last.step]?.delayMinutes ?? 0) * MINUTE_MS;
      e = { ...e, state: 'active', stepAt: new Date(now.getTime() + delay).toISOString() };
    } else if (e.state === 'acknowledged') {
      e = { ...e, state: 'done' };
    }

    // People assigned by hand who have not been paged since the incident last triggered.
    const direct = incident.assigneeIds.filter((id) => !e.notified.includes(id));
    if (direct.length > 0) {
      const reached = await pageUsers(
        pass,
        incident,
        direct.map((id) => ({ userId: id, why: 'assigned' })),
        null,
        at,
      );
      e.notified = [...e.notified, ...direct];
      timeline.push(...pagedEntries(reached.reached, reached.unreachable, 'Assigned'));
    }

    // Steps whose time has come; a step that reaches nobody escalates at once to the next.
    if (e.state === 'active' && e.policy && e.stepAt !== null && Date.parse(e.stepAt) <= now.getTime()) {
      const policy = e.policy;
      const maxFires = policy.steps.length * (policy.repeat + 1);
      for (let fired = 0; fired < maxFires; fired++) {
        const step = policy.steps[e.step] as EscalationStep;
        // Who a target means is read at this instant; the same targets mean the same people all cycle.
        const targets = await cache.once(`targets ${JSON.stringify(step.targets)}`, () =>
          resolveStepTargets(repos, step, now),
        );
        const result = await pageUsers(pass, incident, targets, e.step, at);
        e.notified = [...new Set([...e.notified, ...result.reached.map((r) => r.userId)])];
        const label = `Step ${e.step + 1} of ${policy.steps.length}${e.loop > 0 ? ` (repeat ${e.loop})` : ''}`;
        timeline.push(...pagedEntries(result.reached, result.unreachable, label));
        if (result.reached.length > 0) {
          const assignees = result.reached.map((r) => r.userId);
          const updated = {
            ...incident,
            assigneeIds: assignees,
            updatedAt: at,
            version: incident.version + 1,
          };
          const had = incident.assigneeIds.length > 0;
          if (await assign(pass, updated, incident.version, had)) incident = updated;
        }
        const after = afterStep(policy, e.step, e.loop, now.getTime());
        if (result.reached.length > 0) {
          e = after
            ? { ...e, step: after.step, loop: after.loop, stepAt: new Date(after.nextAt).toISOString() }
            : { ...e, state: 'done', stepAt: null };
          break;
        }
        const message = `${label} reached nobody${targets.length === 0 ? ' (its targets have nobody on call)' : ''}; escalating at once`;
        deps.onUnreachable?.(incident, message);
        // Admins hear of it too: a policy that pages nobody must be fixed before the next incident.
        await queueNotices(
          repos,
          { clock: { now: () => now }, newId: deps.newId },
          await cache.once('admins', () => installationAdmins(repos)),
          {
            title: `Incident #${incident.number}: ${label.toLowerCase()} of its escalation policy reached nobody`,
            body: `${incident.title}. ${result.unreachable.length > 0 ? `Cannot reach ${result.unreachable.join('; ')}.` : 'Its targets have nobody on call.'} Vigil escalated at once; check the policy and people's contact methods.`,
            url: incidentUrl(deps.publicUrl, incident.number),
          },
        );
        if (!after) {
          timeline.push({
            type: 'unreachable',
            message: `${label} reached nobody, and no step is left: nobody was paged`,
            data: {},
          });
          e = { ...e, state: 'done', stepAt: null };
          break;
        }
        timeline.push({ type: 'unreachable', message, data: { step: e.step } });
        e = { ...e, step: after.step, loop: after.loop, stepAt: at };
      }
    }

    if (timeline.length > 0) {
      pass.writes.timeline.push(
        ...timeline.map((entry) =>
          timelineEntryToRow({ ...entry, id: deps.newId(), incidentId: incident.id, at, actor: systemActor }),
        ),
      );
    }
    return { ...e, nextAt: e.state === 'active' ? e.stepAt : null };
  }

  /** The step that fired last before `e.step` (its delay is what a resumed escalation waits). */
  function previousStep(e: Escalation): { step: number; loop: number } {
    if (e.step > 0) return { step: e.step - 1, loop: e.loop };
    const last = (e.policy?.steps.length ?? 1) - 1;
    return e.loop > 0 ? { step: last, loop: e.loop - 1 } : { step: 0, loop: 0 };
  }

  function serviceOf(pass: Pass, serviceId: string) {
    return pass.cache.once(`service ${serviceId}`, () => pass.repos.services.get(serviceId));
  }

  /**
   * The step's people become the assignees. The row is locked (FOR UPDATE on PostgreSQL, the writer
   * lock on SQLite), so the version check holds; the new assignees are written with the rest at the
   * end, and the escalation row written there too needs no nudge. In a batch the version check is
   * made when the batch is written (see reconcileTogether).
   */
  async function assign(
    pass: Pass,
    incident: Incident,
    expectedVersion: number,
    hadAssignees: boolean,
  ): Promise<boolean> {
    const update = pass.trx
      .updateTable('incidents')
      .set({ updated_at: incident.updatedAt, version: incident.version })
      .where('id', '=', incident.id)
      .where('version', '=', expectedVersion);
    const { writes } = pass;
    if (writes.checked) {
      writes.checked.push(writes.queries.length);
      writes.queries.push(update);
    } else if (Number((await update.executeTakeFirst()).numUpdatedRows) === 0) return false;
    if (hadAssignees)
      writes.queries.push(pass.trx.deleteFrom('incident_assignees').where('incident_id', '=', incident.id));
    writes.assignees.push(
      ...incident.assigneeIds.map((userId, position) => ({
        incident_id: incident.id,
        user_id: userId,
        position,
      })),
    );
    return true;
  }

  /** Writes the messages that page these people by their rules; says who could not be reached and why. */
  async function pageUsers(
    pass: Pass,
    incident: Incident,
    targets: { userId: string; why: string }[],
    step: number | null,
    at: string,
  ) {
    const { repos } = pass;
    const ids = targets.map((t) => t.userId);
    const { users, methods, rules } = await pass.cache.once(`people ${ids.join(' ')}`, async () => ({
      users: new Map((await repos.users.getMany(ids)).filter((u) => !u.deactivatedAt).map((u) => [u.id, u])),
      methods: await repos.contactMethods.forUsers(ids),
      rules: await repos.notificationRules.forUsers(ids),
    }));
    const reached: Reached[] = [];
    const unreachable: string[] = [];
    const notifications: Notification[] = [];
    for (const target of targets) {
      const user = users.get(target.userId);
      if (!user) {
        unreachable.push(`user ${target.userId} is deactivated or gone`);
        continue;
      }
      const mine = methods.filter((m) => m.userId === user.id);
      const plan = planFor(
        incident.urgency,
        rules.filter((r) => r.userId === user.id),
        mine,
      );
      if (plan.length === 0) {
        unreachable.push(`${user.name} ${unreachableReason(mine, 0)}`);
        continue;
      }
      // Low urgency waits for the end of the person's quiet hours (high urgency never does).
      const quiet = incident.urgency === 'low' ? quietUntil(user.quietHours, user.timeZone, at) : null;
      for (const { method, delayMinutes } of plan) {
        const page = await pageNotification(pass, incident, method, step, at, delayMinutes);
        if (quiet && quiet > page.sendAfter) {
          page.sendAfter = quiet;
          page.reason = `held for ${user.name}'s quiet hours (low urgency) until ${quiet.slice(11, 16)} UTC`;
        }
        notifications.push(page);
      }
      reached.push({
        userId: user.id,
        name: user.name,
        why: target.why,
        channels: [...new Set(plan.map((p) => channelNames[p.method.type] ?? p.method.type))],
      });
    }
    if (notifications.length > 0) {
      pass.writes.notifications.push(...notifications.map(notificationToRow));
    }
    return { reached, unreachable };
  }

  /**
   * The code a reply ("4 ack") names this incident by, per contact method: the incident keeps the
   * code it has, else the one after the last handed out. An escalation never looked at before has
   * no message yet (only this module writes pages with codes), so only the last code is read, once
   * per cycle and contact method.
   */
  async function replyCode(pass: Pass, methodId: string, incidentId: string): Promise<number> {
    const key = `${methodId} ${incidentId}`;
    const given = pass.cache.incidentCode.get(key);
    if (given !== undefined) return given;
    let forIncident: number | null = null;
    let latest = pass.cache.latestCode.get(methodId);
    if (!pass.fresh || latest === undefined) {
      const codes = pass.fresh
        ? { forIncident: null, latest: await latestReplyCode(pass.trx, methodId) }
        : await pass.repos.notifications.replyCodes(methodId, incidentId);
      forIncident = codes.forIncident;
      if (latest === undefined) latest = codes.latest;
    }
    const code = nextReplyCode(forIncident, latest);
    pass.cache.incidentCode.set(key, code);
    if (forIncident === null) pass.cache.latestCode.set(methodId, code);
    return code;
  }

  async function pageNotification(
    pass: Pass,
    incident: Incident,
    method: ContactMethod,
    step: number | null,
    at: string,
    delayMinutes: number,
  ): Promise<Notification> {
    const replies = method.type === 'sms' || method.type === 'voice';
    return {
      id: deps.newId(),
      incidentId: incident.id,
      userId: method.userId,
      contactMethodId: method.id,
      channel: method.type,
      kind: 'page',
      step,
      state: 'queued',
      reason: delayMinutes > 0 ? `waiting ${delayMinutes} min (notification rule)` : 'waiting to be sent',
      sendAfter: new Date(Date.parse(at) + delayMinutes * MINUTE_MS).toISOString(),
      attempts: 0,
      providerId: null,
      previousProviderId: null,
      replyCode: replies ? await replyCode(pass, method.id, incident.id) : null,
      payload: null,
      createdAt: at,
      updatedAt: at,
      sentAt: null,
      deliveredAt: null,
    };
  }

  /** Messages not sent yet stop being needed once someone acknowledged or resolved. */
  async function suppressQueued(trx: Kysely<Database>, incident: Incident, reason: string, at: string) {
    await trx
      .updateTable('notifications')
      .set({ state: 'suppressed', reason, updated_at: at })
      .where('incident_id', '=', incident.id)
      .where('kind', '=', 'page')
      .where('state', '=', 'queued')
      .execute();
  }

  /**
   * Channels that change a message in place (Slack) get an update of each page they carried; the
   * others get nothing more (an acknowledgement should silence, not send more).
   */
  async function queueUpdates(trx: Kysely<Database>, incident: Incident, at: string) {
    const pages = await trx
      .selectFrom('notifications')
      .selectAll()
      .where('incident_id', '=', incident.id)
      .where('kind', '=', 'page')
      .where('channel', '=', 'slack')
      .where('provider_id', 'is not', null)
      .execute();
    const seen = new Set<string>();
    const updates: Notification[] = [];
    for (const page of pages) {
      if (!page.provider_id || seen.has(page.provider_id)) continue;
      seen.add(page.provider_id);
      updates.push({
        id: deps.newId(),
        incidentId: incident.id,
        userId: page.user_id,
        contactMethodId: page.contact_method_id,
        channel: 'slack',
        kind: 'update',
        step: page.step,
        state: 'queued',
        reason: `waiting to show "${incident.status}"`,
        sendAfter: at,
        attempts: 0,
        providerId: null,
        previousProviderId: page.provider_id,
        replyCode: null,
        payload: { status: incident.status },
        createdAt: at,
        updatedAt: at,
        sentAt: null,
        deliveredAt: null,
      });
    }
    if (updates.length > 0)
      await trx.insertInto('notifications').values(updates.map(notificationToRow)).execute();
  }

  return { run, reconcileOne, skippedLocked: () => skippedLocked };
}

/** Rows in slices whose bound values stay well below either engine's limit (32,766 and 65,535). */
function inChunks<T extends object>(rows: T[]): T[][] {
  if (rows.length === 0) return [];
  const size = Math.max(1, Math.floor(20_000 / Object.keys(rows[0]!).length));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

function pagedEntries(reached: Reached[], unreachable: string[], label: string): TimelineDraft[] {
  const entries: TimelineDraft[] = [];
  if (reached.length > 0) {
    const who = reached.map((r) => `${r.name} (${r.why}) by ${r.channels.join(', ')}`).join('; ');
    entries.push({
      type: 'paged',
      message: `${label}: paging ${who}`,
      data: { users: reached.map((r) => r.userId) },
    });
  }
  if (unreachable.length > 0) {
    entries.push({
      type: 'unreachable',
      message: `${label}: cannot reach ${unreachable.join('; ')}`,
      data: {},
    });
  }
  return entries;
}

export type EscalationModule = ReturnType<typeof createEscalationModule>;
