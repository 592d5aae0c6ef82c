import type { Incident, IncidentChange } from '@vigil/core';
import { ManualClock } from '@vigil/testkit';
import { describe, expect, it } from 'vitest';
import { createIncidentFeed, decodePosition, encodePosition, REPLAY_LIMIT } from './incident-feed.js';

/** An in-memory incidents table that counts the feed's reads. */
function table() {
  const rows = new Map<string, Incident>();
  const reads = { changes: 0, loads: 0 };
  let n = 0;
  const at = (seconds: number) => new Date(Date.UTC(2026, 2, 8, 6, 0, seconds)).toISOString();
  return {
    reads,
    at,
    put(id: string, version: number, second: number) {
      rows.set(id, {
        id,
        number: ++n,
        title: `Incident ${id}`,
        description: '',
        status: 'triggered',
        priority: null,
        severity: 'error',
        urgency: 'high',
        serviceId: 'svc',
        dedupKey: null,
        alertCount: 0,
        assigneeIds: [],
        createdAt: at(second),
        updatedAt: at(second),
        acknowledgedAt: null,
        resolvedAt: null,
        version,
      });
    },
    repo: {
      async changesSince(since: string, limit: number, after?: { updatedAt: string; id: string }) {
        reads.changes++;
        const key = (r: { updatedAt: string; id: string }) => `${r.updatedAt}|${r.id}`;
        return [...rows.values()]
          .filter((r) => r.updatedAt >= since && (!after || key(r) > key(after)))
          .sort((a, b) => key(a).localeCompare(key(b)))
          .slice(0, limit)
          .map((r): IncidentChange => ({ id: r.id, version: r.version, updatedAt: r.updatedAt }));
      },
      async getMany(ids: string[]) {
        reads.loads++;
        return ids.flatMap((id) => (rows.has(id) ? [rows.get(id)!] : []));
      },
    },
  };
}

function collector() {
  const events: { event: string; id?: string; data: Record<string, unknown> }[] = [];
  let ended = false;
  return {
    events,
    get ended() {
      return ended;
    },
    incidents: () =>
      events.filter((e) => e.event === 'incident').map((e) => `${e.data.id}@${e.data.version}`),
    write(text: string) {
      for (const block of text.split('\n\n').filter(Boolean)) {
        const fields = Object.fromEntries(
          block
            .split('\n')
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        );
        events.push({ event: fields.event!, id: fields.id, data: JSON.parse(fields.data ?? '{}') });
      }
    },
    end() {
      ended = true;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('the incident feed', () => {
  const setUp = () => {
    const t = table();
    const clock = new ManualClock(t.at(10));
    const feed = createIncidentFeed({
      incidents: t.repo,
      users: { getMany: async () => [] },
      publicUrl: 'http://vigil.test',
      clock,
      pollMs: 60_000,
    });
    return { t, clock, feed };
  };

  it('reads nothing while nobody listens, and what was there before a subscriber is not news', async () => {
    const { t, feed } = setUp();
    t.put('old', 1, 9);
    feed.changed();
    await settle();
    expect(t.reads.changes).toBe(0);
    const board = collector();
    await feed.subscribe(board, null);
    feed.ring();
    await settle();
    expect(board.events.map((e) => e.event)).toEqual(['ready']);
    await feed.close();
  });

  it('reads once per ring for every subscriber, and sends each version once', async () => {
    const { t, feed } = setUp();
    const boards = [collector(), collector(), collector()];
    for (const board of boards) await feed.subscribe(board, null);
    const before = { ...t.reads };
    t.put('a', 1, 10);
    feed.changed();
    await settle();
    expect(t.reads.changes - before.changes).toBe(1);
    expect(t.reads.loads - before.loads).toBe(1);
    for (const board of boards) expect(board.incidents()).toEqual(['a@1']);
    feed.ring();
    await settle();
    t.put('a', 2, 11);
    feed.ring();
    await settle();
    for (const board of boards) expect(board.incidents()).toEqual(['a@1', 'a@2']);
    await feed.close();
    for (const board of boards) expect(board.ended).toBe(true);
  });

  it('still delivers a change that commits after a newer one (within the overlap window)', async () => {
    const { t, feed } = setUp();
    const board = collector();
    await feed.subscribe(board, null);
    t.put('newer', 1, 14);
    feed.ring();
    await settle();
    // A transaction that began at second 12 commits now, after the feed has seen second 14.
    t.put('late', 1, 12);
    feed.ring();
    await settle();
    expect(board.incidents()).toEqual(['newer@1', 'late@1']);
    await feed.close();
  });

  it('replays what a returning client missed before anything live, or tells it to reload', async () => {
    const { t, feed } = setUp();
    t.put('seen', 1, 10);
    t.put('missed', 1, 30);
    const back = collector();
    await feed.subscribe(back, { updatedAt: t.at(20), id: 'seen' });
    expect(back.events[0]).toMatchObject({
      event: 'ready',
      id: encodePosition({ updatedAt: t.at(20), id: 'seen' }),
    });
    expect(back.incidents()).toEqual(['missed@1']);
    const position = decodePosition(back.events[1]!.id!);
    expect(position).toEqual({ updatedAt: t.at(30), id: 'missed' });

    for (let i = 0; i <= REPLAY_LIMIT; i++) t.put(`bulk-${i}`, 1, 40);
    const far = collector();
    await feed.subscribe(far, { updatedAt: t.at(35), id: '' });
    expect(far.events.map((e) => e.event)).toEqual(['ready', 'reset']);
    await feed.close();
  });

  it('refuses positions it did not hand out', () => {
    expect(decodePosition('not-a-position')).toBeNull();
    expect(decodePosition(Buffer.from('[1,2]').toString('base64url'))).toBeNull();
  });
});
