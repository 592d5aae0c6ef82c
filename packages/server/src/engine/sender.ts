import { randomUUID } from 'node:crypto';
import {
  type Clock,
  type ContactMethod,
  isUsable,
  type Notification,
  type Repos,
  systemActor,
} from '@vigil/core';
import type { Kysely, Selectable } from 'kysely';
import { nextRetryDelayMs } from '../channels/backoff.js';
import type { Channel, IncidentSummary, OutboundMessage, SendResult } from '../channels/channel.js';
import type { SecretBox } from '../security/secret-box.js';
import { runBatch } from '../store/batch.js';
import type { Store } from '../store/dialect.js';
import { GroupCommit } from '../store/group-commit.js';
import {
  notificationFromRow,
  notificationToRow,
  type SendContext,
  type SendIncident,
  sendContexts,
} from '../store/repos/paging.repo.js';
import type { Database, NotificationsTable } from '../store/schema.js';
import { incidentUrl } from '../urls.js';
import type { ActionLinks } from './action-links.js';
import { ACTION_LINK_TTL_SECONDS } from './action-links.js';
import { CLAIM_SAFE_MS, markSending } from './claims.js';

const MAX_ATTEMPTS = 8;
/** At most this many messages to one contact method a minute; more wait and go as one summary. */
const THROTTLE_MESSAGES = 3;
const THROTTLE_WINDOW_MS = 60_000;
/** Messages in flight per channel: a slow or hung provider fills its own slots, not the others'. */
const SLOTS_PER_CHANNEL = 16;

export interface ChannelSet {
  /** The channel for a contact method, or why there is none ("no SMS provider is configured"). */
  channelFor(contact: { type: ContactMethod['type']; address: string }): Channel | string;
}

export interface SenderDeps {
  store: Store;
  /** Opens contact-method secrets (webhook signing keys) read with a claim. */
  box: SecretBox;
  reposFor(db: Kysely<Database>): Repos;
  clock: Clock;
  channels: ChannelSet;
  links: ActionLinks;
  publicUrl: string;
  newId(): string;
  random?: () => number;
  onResult?(channel: string, outcome: SendResult['outcome'] | 'suppressed'): void;
  onError?(error: unknown): void;
  /**
   * A provider answered and freed its slot (or a failure queued a fallback): the engine should claim
   * more now, not at its next tick.
   */
  onSlotFree?(): void;
}

/**
 * Drains the notification outbox: claims due messages (FOR UPDATE SKIP LOCKED on PostgreSQL),
 * sends each through its channel outside any transaction, and records the outcome with a reason a
 * person can read. Temporary failures come back with backoff and jitter (honouring Retry-After);
 * permanent ones fall back to the person's next contact method. Sends are at least once: a sender
 * that dies mid-send leaves its claim to expire and another sends again with the same id.
 */
export function createSender(deps: SenderDeps) {
  const { store } = deps;
  const inFlight = new Map<string, number>();
  const running = new Set<Promise<void>>();

  async function run(now: Date): Promise<number> {
    const at = now.toISOString();
    const due = await store.db
      .selectFrom('notifications')
      .select('channel')
      .distinct()
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('send_after', '<=', at)]),
          eb.and([eb('state', '=', 'sending'), eb('claimed_until', '<', at)]),
        ]),
      )
      .execute();
    const wanted = due
      .map(({ channel }) => ({ channel, free: SLOTS_PER_CHANNEL - (inFlight.get(channel) ?? 0) }))
      .filter((w) => w.free > 0);
    if (wanted.length === 0) return 0;
    // Every channel's claim in one transaction (one commit), then what the messages need (contact
    // method, person, incident, service) and the claims as stored: one query, not five per message.
    const claimedAt = performance.now(); // no later than the claims (see CLAIM_SAFE_MS)
    const claims = await store.db.transaction().execute(async (trx) => {
      const out: { channel: string; claimed: Awaited<ReturnType<typeof claimIn>> }[] = [];
      for (const { channel, free } of wanted)
        out.push({ channel, claimed: await claimIn(trx, channel, free, now) });
      return out;
    });
    const ids = claims.flatMap(({ claimed }) => claimed.map((c) => c.row.id));
    if (ids.length === 0) return 0;
    const contexts = await sendContexts(store.db, deps.box, ids);
    let started = 0;
    for (const { channel, claimed } of claims) {
      for (const { rows, token } of bundles(claimed)) {
        started++;
        inFlight.set(channel, (inFlight.get(channel) ?? 0) + 1);
        // A slot is the provider call: it is free again once the provider answered, while the
        // outcome waits for its group commit (the row stays claimed, so nobody sends it again).
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          inFlight.set(channel, (inFlight.get(channel) ?? 1) - 1);
          // Refill once half the slots are free: a batch per claim, not a cycle per message.
          if ((inFlight.get(channel) ?? 0) <= SLOTS_PER_CHANNEL / 2) deps.onSlotFree?.();
        };
        const work = deliver(rows, token, contexts, claimedAt, release)
          .catch((error) => deps.onError?.(error))
          .finally(() => {
            release();
            running.delete(work);
          });
        running.add(work);
      }
    }
    return started;
  }

  /**
   * The per-contact-method throttle: a contact method that already got THROTTLE_MESSAGES messages
   * in the last minute gets its next low-urgency pages held until that minute is over; they then go
   * out together, as one summary. Returns the ids held back.
   */
  async function throttled(
    trx: Kysely<Database>,
    rows: Selectable<NotificationsTable>[],
    low: ReadonlySet<string>,
    now: Date,
  ) {
    const held = new Set<string>();
    // Only low-urgency pages wait: a high-urgency page is never delayed (it may still be bundled
    // with others due at the same moment).
    const holdable = rows.filter((r) => low.has(r.id));
    const methods = [...new Set(holdable.map((r) => r.contact_method_id))];
    if (methods.length === 0) return held;
    const since = new Date(now.getTime() - THROTTLE_WINDOW_MS).toISOString();
    const recent = await trx
      .selectFrom('notifications')
      .select(['id', 'contact_method_id', 'sent_at', 'provider_id'])
      .where('contact_method_id', 'in', methods)
      .where('sent_at', '>', since)
      .where('kind', 'in', ['page', 'summary'])
      .execute();
    for (const method of methods) {
      // A summary is one message for several rows: count messages (by provider id), not rows.
      const messages = new Map<string, string>();
      for (const r of recent) {
        if (r.contact_method_id === method) messages.set(r.provider_id ?? r.id, r.sent_at as string);
      }
      const sent = [...messages.values()].sort();
      if (sent.length < THROTTLE_MESSAGES) continue;
      const until = new Date(
        Date.parse(sent[sent.length - THROTTLE_MESSAGES]!) + THROTTLE_WINDOW_MS,
      ).toISOString();
      const ids = holdable.filter((r) => r.contact_method_id === method).map((r) => r.id);
      for (const id of ids) held.add(id);
      await trx
        .updateTable('notifications')
        .set({
          state: 'queued',
          send_after: until,
          reason: `held: ${sent.length} messages went to this contact method in the last minute; the next go out together as one summary`,
          updated_at: now.toISOString(),
        })
        .where('id', 'in', ids)
        .execute();
    }
    return held;
  }

  /**
   * Low-urgency pages due together for one contact method go as one summary; everything else alone:
   * a high-urgency page is always its own message, sent at once (storms of those are for alert
   * grouping to reduce at the source, not for the pager to delay or merge).
   */
  function bundles(claimed: { row: Selectable<NotificationsTable>; token: string; lowUrgency: boolean }[]) {
    const out: { rows: Selectable<NotificationsTable>[]; token: string }[] = [];
    const pages = new Map<string, { rows: Selectable<NotificationsTable>[]; token: string }>();
    for (const { row, token, lowUrgency } of claimed) {
      if (row.kind !== 'page' || !lowUrgency) {
        out.push({ rows: [row], token });
        continue;
      }
      const group = pages.get(row.contact_method_id);
      if (group) group.rows.push(row);
      else {
        const created = { rows: [row], token };
        pages.set(row.contact_method_id, created);
        out.push(created);
      }
    }
    return out;
  }

  /** Claims up to `limit` due messages of one channel in `trx`. */
  async function claimIn(trx: Kysely<Database>, channel: string, limit: number, now: Date) {
    const at = now.toISOString();
    const found = await store.dialect
      .claim(
        trx
          .selectFrom('notifications')
          .selectAll('notifications')
          // The urgency rides along (a subquery locks nothing): only low-urgency pages are held.
          .select((eb) =>
            eb
              .selectFrom('incidents')
              .select('incidents.urgency')
              .whereRef('incidents.id', '=', 'notifications.incident_id')
              .as('incident_urgency'),
          )
          .where('channel', '=', channel)
          .where((eb) =>
            eb.or([
              eb.and([eb('state', '=', 'queued'), eb('send_after', '<=', at)]),
              eb.and([eb('state', '=', 'sending'), eb('claimed_until', '<', at)]),
            ]),
          )
          .orderBy('send_after')
          .limit(limit),
      )
      .execute();
    const low = new Set(
      found.filter((r) => r.kind === 'page' && r.incident_urgency === 'low').map((r) => r.id),
    );
    const all = found.map(({ incident_urgency: _, ...row }) => row);
    const held = await throttled(trx, all, low, now);
    const rows = all.filter((row) => !held.has(row.id));
    if (rows.length === 0) return [];
    // One token for the batch: a claim is (id, token), so a late writer is still told apart.
    const token = randomUUID();
    await markSending(
      trx,
      'notifications',
      rows.map((row) => row.id),
      token,
      now,
    );
    const claimed = rows.map((row) => ({
      row: { ...row, attempts: row.attempts + 1 },
      token,
      lowUrgency: low.has(row.id),
    }));
    return claimed;
  }

  interface Outcome {
    row: Selectable<NotificationsTable>;
    token: string;
    patch: Partial<NotificationsTable>;
    after?: ((trx: Kysely<Database>) => Promise<void>) | undefined;
  }

  // Outcomes that arrive together are written in one transaction (one fsync on SQLite), so a burst
  // of sends does not queue behind a commit per message.
  const outcomes = new GroupCommit<Outcome, void>(async (items) => {
    const at = deps.clock.now().toISOString();
    await store.db.transaction().execute(async (trx) => {
      const write = (trx: Kysely<Database>, { row, token, patch }: Outcome) =>
        trx
          .updateTable('notifications')
          .set({ ...patch, claim_token: null, claimed_until: null, updated_at: at })
          .where('id', '=', row.id)
          .where('claim_token', '=', token);
      // Outcomes with nothing to do after them (sent, delivered, a retry) travel as one batch.
      await runBatch(
        trx,
        items.filter((item) => !item.after).map((item) => write(trx, item)),
      );
      for (const item of items) {
        if (!item.after) continue;
        const result = await write(trx, item).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) await item.after(trx);
      }
    });
    return items.map(() => undefined);
  }, 200);

  /** Writes the outcome, if the claim is still ours (a paused sender's late result is dropped). */
  const finish = (
    row: Selectable<NotificationsTable>,
    token: string,
    patch: Partial<NotificationsTable>,
    after?: (trx: Kysely<Database>) => Promise<void>,
  ) => outcomes.submit({ row, token, patch, after });

  /**
   * Is the claim still ours? The token as read after the claim (with the context) must be ours and
   * its expiry still ahead by this clock now, just before the provider call: another sender can
   * take a row only once its claim has expired, so a token that was ours and has not expired is
   * still ours (the same clock comparison a fresh read would make, without a query per message).
   */
  function stillMine(context: SendContext | undefined, token: string): boolean {
    return context?.claimToken === token && (context.claimedUntil ?? '') > deps.clock.now().toISOString();
  }

  /**
   * Sends one message for `rows`: one row, or several pages to one contact method bundled into a
   * summary ("3 incidents need attention") so a burst does not become a burst of texts. The outcome
   * is written to every row.
   */
  async function deliver(
    rows: Selectable<NotificationsTable>[],
    token: string,
    contexts: Map<string, SendContext>,
    claimedAt: number,
    release: () => void,
  ) {
    const first = rows[0]!;
    const repos = deps.reposFor(store.db);
    const method = contexts.get(first.id)?.method ?? null;
    const user = contexts.get(first.id)?.user ?? null;
    if (!method || !user || user.deactivatedAt) {
      for (const row of rows)
        await finish(row, token, { state: 'failed', reason: 'the contact method or its person was removed' });
      deps.onResult?.(first.channel, 'permanent');
      return;
    }
    // Pages of incidents someone acknowledged or resolved meanwhile are not sent.
    const live: {
      row: Selectable<NotificationsTable>;
      notification: Notification;
      incident: SendIncident | null;
    }[] = [];
    for (const row of rows) {
      const n = notificationFromRow(row);
      const incident = contexts.get(row.id)?.incident ?? null;
      if (n.kind === 'page' && incident && incident.status !== 'triggered') {
        const reason = `Incident #${incident.number} was ${incident.status} before this was sent`;
        await finish(row, token, { state: 'suppressed', reason });
        deps.onResult?.(row.channel, 'suppressed');
      } else live.push({ row, notification: n, incident });
    }
    if (live.length === 0) return;
    const channel = deps.channels.channelFor(method);
    if (typeof channel === 'string') {
      for (const { row, notification: n } of live) {
        await finish(row, token, { state: 'failed', reason: channel }, (trx) =>
          fallBack(trx, n, method, channel),
        );
      }
      deps.onResult?.(first.channel, 'permanent');
      return;
    }
    const message =
      live.length === 1
        ? await buildMessage(repos, live[0]!.notification, method, user, live[0]!.incident)
        : await buildSummary(
            repos,
            live.map((l) => l.notification),
            method,
            user,
            live.flatMap((l) => (l.incident ? [l.incident] : [])),
          );
    // A sender that was paused must not send what another instance has claimed since: the claim is
    // checked just before the provider call (and the provider gets the same id either way).
    if (performance.now() - claimedAt > CLAIM_SAFE_MS || !stillMine(contexts.get(first.id), token)) return;
    const result = await channel.send(message);
    release();
    deps.onResult?.(first.channel, result.outcome);
    const bundled = live.length > 1 ? ` (one summary of ${live.length} pages)` : '';
    for (const { row, notification: n } of live) await record(row, token, n, method, result, bundled);
  }

  async function record(
    row: Selectable<NotificationsTable>,
    token: string,
    notification: Notification,
    method: ContactMethod,
    result: SendResult,
    bundled: string,
  ) {
    const now = deps.clock.now();
    const at = now.toISOString();
    if (result.outcome === 'sent' || result.outcome === 'delivered') {
      await finish(row, token, {
        state: result.outcome,
        reason: `${result.reason}${bundled}`,
        provider_id: result.providerId ?? null,
        sent_at: at,
        delivered_at: result.outcome === 'delivered' ? at : null,
        // A verification code leaves the database once it is on its way.
        payload: notification.kind === 'verification' ? null : row.payload,
      });
      return;
    }
    if (result.outcome === 'temporary' && row.attempts < MAX_ATTEMPTS) {
      const delay = nextRetryDelayMs(row.attempts, {
        random: deps.random ?? Math.random,
        ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
      });
      await finish(row, token, {
        state: 'queued',
        send_after: new Date(now.getTime() + delay).toISOString(),
        reason: `${result.reason}; retrying in ${Math.ceil(delay / 1000)} s (attempt ${row.attempts} of ${MAX_ATTEMPTS})`,
      });
      return;
    }
    const reason =
      result.outcome === 'temporary'
        ? `${result.reason}; gave up after ${row.attempts} attempts`
        : result.reason;
    await finish(row, token, { state: 'failed', reason }, (trx) =>
      fallBack(trx, notification, method, reason),
    );
    // The slot was freed before this outcome was written: a fallback it queued goes out now.
    deps.onSlotFree?.();
  }

  /**
   * A page that cannot be delivered goes to the person's next usable contact method not tried yet
   * for this incident, and the timeline says so.
   */
  async function fallBack(
    trx: Kysely<Database>,
    failed: Notification,
    method: ContactMethod,
    reason: string,
  ) {
    if (failed.kind !== 'page' || !failed.incidentId) return;
    const repos = deps.reposFor(trx);
    const tried = await trx
      .selectFrom('notifications')
      .select('contact_method_id')
      .where('incident_id', '=', failed.incidentId)
      .where('user_id', '=', failed.userId)
      .execute();
    const used = new Set(tried.map((t) => t.contact_method_id));
    const next = (await repos.contactMethods.listForUser(failed.userId)).find(
      (m) => isUsable(m) && !used.has(m.id),
    );
    const at = deps.clock.now().toISOString();
    const [user] = await repos.users.getMany([failed.userId]);
    const what = `${method.type} to ${user?.name ?? failed.userId} failed (${reason})`;
    if (next) {
      const fallback: Notification = {
        ...failed,
        id: deps.newId(),
        contactMethodId: next.id,
        channel: next.type,
        state: 'queued',
        reason: `fallback after ${what}`,
        sendAfter: at,
        attempts: 0,
        providerId: null,
        replyCode: null,
        createdAt: at,
        updatedAt: at,
        sentAt: null,
        deliveredAt: null,
      };
      await trx.insertInto('notifications').values(notificationToRow(fallback)).execute();
    }
    await repos.timeline.append([
      {
        id: deps.newId(),
        incidentId: failed.incidentId,
        at,
        actor: systemActor,
        type: 'unreachable',
        message: next
          ? `${what}; trying ${next.type} (${next.label})`
          : `${what}; no other contact method to try`,
        data: { notification_id: failed.id },
      },
    ]);
  }

  async function buildMessage(
    repos: Repos,
    n: Notification,
    method: ContactMethod,
    user: { id: string; name: string },
    incident: SendIncident | null,
  ): Promise<OutboundMessage> {
    const summary = incident ? await summarise(repos, incident) : undefined;
    const expires = Math.floor(deps.clock.now().getTime() / 1000) + ACTION_LINK_TTL_SECONDS;
    const links = incident
      ? {
          acknowledge: deps.links.url({
            incidentId: incident.id,
            action: 'acknowledge',
            userId: user.id,
            expires,
          }),
          resolve: deps.links.url({ incidentId: incident.id, action: 'resolve', userId: user.id, expires }),
        }
      : undefined;
    const code = typeof n.payload?.code === 'string' ? n.payload.code : undefined;
    const notice =
      n.kind === 'notice' && typeof n.payload?.title === 'string'
        ? {
            title: n.payload.title,
            body: typeof n.payload.body === 'string' ? n.payload.body : '',
            ...(typeof n.payload.url === 'string' ? { url: n.payload.url } : {}),
          }
        : undefined;
    return {
      id: n.id,
      kind: n.kind,
      contact: {
        type: method.type,
        address: method.address,
        ...(method.secret ? { secret: method.secret } : {}),
      },
      recipient: { id: user.id, name: user.name },
      ...(summary ? { incident: summary } : {}),
      ...(links ? { links } : {}),
      ...(n.replyCode !== null ? { replyCode: n.replyCode } : {}),
      ...(code ? { verificationCode: code } : {}),
      ...(notice ? { notice } : {}),
      ...(n.previousProviderId ? { previousProviderId: n.previousProviderId } : {}),
      text: textOf(n, summary, code),
    };
  }

  async function buildSummary(
    repos: Repos,
    notifications: Notification[],
    method: ContactMethod,
    user: { id: string; name: string },
    incidents: SendIncident[],
  ): Promise<OutboundMessage> {
    const ordered = [...incidents].sort((a, b) => a.number - b.number);
    const summaries = await Promise.all(ordered.map((incident) => summarise(repos, incident)));
    return {
      id: notifications[0]!.id,
      kind: 'summary',
      contact: {
        type: method.type,
        address: method.address,
        ...(method.secret ? { secret: method.secret } : {}),
      },
      recipient: { id: user.id, name: user.name },
      incidents: summaries,
      text: `${summaries.length} incidents need attention: ${summaries.map((i) => `#${i.number} ${i.title}`).join('; ')}`,
    };
  }

  async function summarise(repos: Repos, incident: SendIncident): Promise<IncidentSummary> {
    const changedBy =
      incident.status === 'triggered'
        ? null
        : ((await repos.timeline.latestOfType(incident.id, incident.status))?.actor.name ?? null);
    return {
      id: incident.id,
      number: incident.number,
      title: incident.title,
      status: incident.status,
      urgency: incident.urgency,
      priority: incident.priority,
      severity: incident.severity,
      serviceName: incident.serviceName ?? 'unknown service',
      htmlUrl: incidentUrl(deps.publicUrl, incident.number),
      createdAt: incident.createdAt,
      changedBy,
    };
  }

  return {
    run,
    /** Waits for the sends in flight (shutdown, tests). */
    async drain(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
      await outcomes.drained();
    },
  };
}

function textOf(n: Notification, incident: IncidentSummary | undefined, code: string | undefined): string {
  switch (n.kind) {
    case 'verification':
      return `Your Vigil verification code is ${code ?? '(missing)'}`;
    case 'test':
      return 'This is a test message from Vigil: this contact method works.';
    case 'notice':
      return `${String(n.payload?.title ?? 'Vigil')}. ${String(n.payload?.body ?? '')}`.trim();
    default:
      if (!incident) return 'Vigil';
      if (incident.status === 'triggered') {
        return `#${incident.number} ${incident.title} (${incident.serviceName}, ${incident.urgency} urgency)`;
      }
      return `#${incident.number} ${incident.title}: ${incident.status}${incident.changedBy ? ` by ${incident.changedBy}` : ''}`;
  }
}

export type Sender = ReturnType<typeof createSender>;
