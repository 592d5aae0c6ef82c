import type { Clock, IncidentChange, IncidentRepo, UserRepo } from '@vigil/core';
import { presentIncident } from './present.js';

/** Where a stream stands: the `(updated_at, id)` of the last change it was sent. */
export interface FeedPosition {
  updatedAt: string;
  id: string;
}

/** One open stream, as the feed sees it. */
export interface FeedSubscriber {
  /** Server-sent event text, one or more whole events. */
  write(text: string): void;
  /** The feed is closing (app.close()): end the stream. */
  end(): void;
}

export interface IncidentFeedOptions {
  incidents: Pick<IncidentRepo, 'changesSince' | 'getMany'>;
  /** For the assignees' names: events carry the incident as the API presents it. */
  users: Pick<UserRepo, 'getMany'>;
  publicUrl: string;
  clock: Clock;
  /** Tells the other instances that incidents changed (PostgreSQL NOTIFY); absent on SQLite. */
  announce?: (() => void) | undefined;
  /** The safety net: read at least this often while someone listens. */
  pollMs?: number | undefined;
  /** How far behind its watermark each read looks again, for commits that land late. */
  overlapMs?: number | undefined;
  onError?(error: unknown): void;
}

const PAGE = 500;
/** A resume that would replay more than this many changes tells the client to reload instead. */
export const REPLAY_LIMIT = 1_000;
const EPOCH = '1970-01-01T00:00:00.000Z';

export const encodePosition = (position: FeedPosition): string =>
  Buffer.from(JSON.stringify([position.updatedAt, position.id])).toString('base64url');

/** The position a Last-Event-ID names, or null when it is not one this feed handed out. */
export function decodePosition(text: string): FeedPosition | null {
  try {
    const [updatedAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof updatedAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(updatedAt)))
      return { updatedAt, id };
  } catch {
    // not ours
  }
  return null;
}

const shift = (instant: string, ms: number) => new Date(Date.parse(instant) + ms).toISOString();
const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/** The text of one server-sent event. */
export function sseEvent(event: string, data: string, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}

/**
 * The live incident feed of one process (docs/incident-board.md). Every writer — the API, ingest,
 * the engine, another instance — only rings it; the feed then reads which incidents changed since
 * its watermark (`updated_at`), minus an overlap window so a transaction that commits after a newer
 * one is not missed, drops the (id, version) pairs it has sent already, loads the rest once and
 * writes the same event text to every open stream: one read per ring for all subscribers, none at
 * all while nobody listens. A low-rate poll is the safety net for a ring that never comes.
 */
export function createIncidentFeed(options: IncidentFeedOptions) {
  const pollMs = options.pollMs ?? 2_000;
  const overlapMs = options.overlapMs ?? 5_000;
  const subscribers = new Set<FeedSubscriber>();
  /** Changes sent (or, at the start, already there), by incident, within the overlap window. */
  const seen = new Map<string, { version: number; updatedAt: string }>();
  /** The newest `updated_at` read; each read looks from `overlapMs` before it. */
  let watermark = EPOCH;
  /** Nobody listens, so nothing is read; the next subscriber starts afresh. */
  let idle = true;
  let starting: Promise<void> | null = null;
  let reading: Promise<void> | null = null;
  let again = false;
  let poll: NodeJS.Timeout | null = null;
  let closed = false;

  /** Every change at or after `since` (keys only), page by page; stops past `cap`. */
  async function changes(since: string, cap = Number.POSITIVE_INFINITY): Promise<IncidentChange[]> {
    const all: IncidentChange[] = [];
    let after: FeedPosition | undefined;
    for (;;) {
      const page = await options.incidents.changesSince(since, PAGE, after);
      all.push(...page);
      if (page.length < PAGE || all.length > cap) return all;
      const last = page[page.length - 1]!;
      after = { updatedAt: last.updatedAt, id: last.id };
    }
  }

  /** Loads and presents incidents, oldest change first, as event text. */
  async function render(ids: string[]) {
    const incidents = await options.incidents.getMany(ids);
    incidents.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id.localeCompare(b.id));
    const users = await options.users.getMany([...new Set(incidents.flatMap((i) => i.assigneeIds))]);
    const names = new Map(users.map((user) => [user.id, user.name]));
    return incidents.map((incident) => ({
      incident,
      text: sseEvent(
        'incident',
        JSON.stringify(presentIncident(incident, names, options.publicUrl)),
        encodePosition({ updatedAt: incident.updatedAt, id: incident.id }),
      ),
    }));
  }

  /** The first subscriber after a quiet spell: what is there now counts as seen, not as news. */
  async function start() {
    let mark = options.clock.now().toISOString();
    const found = await changes(shift(mark, -overlapMs));
    seen.clear();
    for (const change of found) {
      seen.set(change.id, { version: change.version, updatedAt: change.updatedAt });
      mark = later(mark, change.updatedAt);
    }
    watermark = mark;
  }

  async function read() {
    const found = await changes(shift(watermark, -overlapMs));
    const fresh = found.filter((change) => (seen.get(change.id)?.version ?? 0) < change.version);
    if (fresh.length > 0 && subscribers.size > 0) {
      const events = await render(fresh.map((change) => change.id));
      // What was loaded is what was sent, even if it changed again since its key was read.
      for (const { incident } of events) {
        if ((seen.get(incident.id)?.version ?? 0) < incident.version)
          seen.set(incident.id, { version: incident.version, updatedAt: incident.updatedAt });
      }
      const text = events.map((event) => event.text).join('');
      for (const subscriber of subscribers) subscriber.write(text);
    }
    // Only after the events went out: a failed read is read again, from the same watermark.
    let mark = watermark;
    for (const change of found) mark = later(mark, change.updatedAt);
    watermark = mark;
    const horizon = Date.parse(watermark) - overlapMs;
    for (const [id, entry] of seen) if (Date.parse(entry.updatedAt) < horizon) seen.delete(id);
  }

  /** Runs a read now, or one more right after the read in progress. */
  function ring() {
    if (closed || idle || subscribers.size === 0) return;
    if (reading) {
      again = true;
      return;
    }
    reading = (async () => {
      do {
        again = false;
        try {
          await read();
        } catch (error) {
          // The next ring or poll retries.
          options.onError?.(error);
        }
      } while (again && !closed && subscribers.size > 0);
      reading = null;
    })();
  }

  /** Leaves the quiet state: waits for a read still running, starts afresh, polls. */
  function wake(): Promise<void> {
    starting ??= (async () => {
      try {
        while (reading) await reading;
        await start();
        idle = false;
        poll ??= setInterval(ring, pollMs);
        poll.unref();
      } finally {
        starting = null;
      }
    })();
    return starting;
  }

  return {
    /** Something was written here: read now, and tell the other instances. */
    changed() {
      if (closed) return;
      ring();
      options.announce?.();
    },
    /** Another instance wrote something (NOTIFY): read now. */
    ring,
    /**
     * Adds a stream and sends its first event, `ready`. A client that comes back with the
     * position of the last event it saw first gets the changes since then (a little more: the
     * overlap window; it keeps the highest version of each incident), or `reset` when there are
     * more than REPLAY_LIMIT and it should reload instead. Returns the unsubscribe function.
     */
    async subscribe(subscriber: FeedSubscriber, from: FeedPosition | null): Promise<() => void> {
      if (closed) {
        subscriber.end();
        return () => {};
      }
      const woke = idle;
      if (woke) await wake();
      // Live events that arrive while the replay is read wait, so the replay comes first.
      const held: string[] = [];
      let holding = from !== null;
      const holder: FeedSubscriber = {
        write: (text) => (holding ? held.push(text) : subscriber.write(text)),
        end: () => subscriber.end(),
      };
      subscribers.add(holder);
      // A change that landed between the start's read and now was rung to nobody: look once more.
      if (woke) ring();
      const unsubscribe = () => {
        if (!subscribers.delete(holder) || subscribers.size > 0) return;
        idle = true;
        if (poll) clearInterval(poll);
        poll = null;
      };
      try {
        subscriber.write(sseEvent('ready', '{}', encodePosition(from ?? { updatedAt: watermark, id: '' })));
        if (from) {
          const found = await changes(shift(from.updatedAt, -overlapMs), REPLAY_LIMIT);
          if (found.length > REPLAY_LIMIT) {
            subscriber.write(sseEvent('reset', JSON.stringify({ reason: 'too many changes to replay' })));
          } else if (found.length > 0) {
            const events = await render(found.map((change) => change.id));
            subscriber.write(events.map((event) => event.text).join(''));
          }
          holding = false;
          for (const text of held) subscriber.write(text);
          held.length = 0;
        }
      } catch (error) {
        unsubscribe();
        throw error;
      }
      return unsubscribe;
    },
    get subscriberCount() {
      return subscribers.size;
    },
    /** Ends every stream and stops reading (app.close()). */
    async close() {
      closed = true;
      if (poll) clearInterval(poll);
      poll = null;
      for (const subscriber of subscribers) subscriber.end();
      subscribers.clear();
      await starting?.catch(() => {});
      await reading;
    },
  };
}

export type IncidentFeed = ReturnType<typeof createIncidentFeed>;
