import { describe, expect, it } from 'vitest';
import type { Actor } from '../shared/actor.js';
import { VigilError } from '../shared/errors.js';
import type { Incident } from './incident.js';
import { acknowledge, edit, reassign, resolve, unacknowledge } from './incident-lifecycle.js';

const alice: Actor = { type: 'user', id: 'u1', name: 'Alice' };
const t0 = '2026-03-08T06:00:00.000Z';
const t1 = '2026-03-08T06:05:00.000Z';

const incident = (patch: Partial<Incident> = {}): Incident => ({
  id: 'i1',
  number: 7,
  title: 'Disk full',
  description: '',
  status: 'triggered',
  priority: null,
  severity: 'error',
  urgency: 'high',
  serviceId: 's1',
  dedupKey: null,
  alertCount: 0,
  assigneeIds: [],
  createdAt: t0,
  updatedAt: t0,
  acknowledgedAt: null,
  resolvedAt: null,
  version: 1,
  ...patch,
});

const expectInvalid = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('INVALID_TRANSITION');
    return;
  }
  throw new Error('expected INVALID_TRANSITION');
};

describe('incident lifecycle', () => {
  it('acknowledges a triggered incident once, recording who and when', () => {
    const { incident: acked, entries } = acknowledge(incident(), alice, t1);
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedAt: t1, updatedAt: t1, version: 2 });
    expect(entries).toEqual([{ type: 'acknowledged', message: 'Acknowledged by Alice', data: {} }]);
    const again = acknowledge(acked, alice, t1);
    expect(again.entries).toEqual([]);
    expect(again.incident).toBe(acked);
  });

  it('resolves from triggered or acknowledged, and resolving again changes nothing', () => {
    const fromTriggered = resolve(incident(), alice, t1, 'restarted the pod');
    expect(fromTriggered.incident).toMatchObject({ status: 'resolved', resolvedAt: t1 });
    expect(fromTriggered.entries[0]?.message).toBe('Resolved by Alice: restarted the pod');
    const fromAcked = resolve(incident({ status: 'acknowledged', acknowledgedAt: t0 }), alice, t1);
    expect(fromAcked.incident.status).toBe('resolved');
    expect(resolve(fromAcked.incident, alice, t1).entries).toEqual([]);
  });

  it('treats resolved as final: no acknowledge, re-trigger, reassign or edit', () => {
    const done = incident({ status: 'resolved', resolvedAt: t0 });
    expectInvalid(() => acknowledge(done, alice, t1));
    expectInvalid(() => unacknowledge(done, 'ack timeout', t1));
    expectInvalid(() => reassign(done, ['u2'], ['Bob'], alice, t1));
    expectInvalid(() => edit(done, { priority: 'P1' }, alice, t1));
  });

  it('re-triggers an acknowledged incident and says why', () => {
    const { incident: again, entries } = unacknowledge(
      incident({ status: 'acknowledged', acknowledgedAt: t0 }),
      'ack timeout',
      t1,
    );
    expect(again).toMatchObject({ status: 'triggered', acknowledgedAt: null });
    expect(entries[0]).toMatchObject({ type: 'unacknowledged', data: { reason: 'ack timeout' } });
    expect(unacknowledge(again, 'ack timeout', t1).entries).toEqual([]);
  });

  it('reassigning an acknowledged incident triggers it again for the new people', () => {
    const { incident: moved, entries } = reassign(
      incident({ status: 'acknowledged', acknowledgedAt: t0, assigneeIds: ['u1'] }),
      ['u2', 'u2', 'u3'],
      ['Bob', 'Carol'],
      alice,
      t1,
    );
    expect(moved).toMatchObject({ status: 'triggered', assigneeIds: ['u2', 'u3'], acknowledgedAt: null });
    expect(entries.map((entry) => entry.type)).toEqual(['reassigned', 'unacknowledged']);
    expect(entries[0]?.message).toBe('Reassigned by Alice to Bob, Carol');
  });

  it('reassigning to the same people is no change', () => {
    expect(
      reassign(incident({ assigneeIds: ['u1', 'u2'] }), ['u2', 'u1'], ['Bob', 'Alice'], alice, t1).entries,
    ).toEqual([]);
  });

  it('edits write one entry per changed field with before and after', () => {
    const { incident: edited, entries } = edit(
      incident(),
      { priority: 'P1', urgency: 'high', title: 'Disk full on db-1' },
      alice,
      t1,
    );
    expect(edited).toMatchObject({ priority: 'P1', title: 'Disk full on db-1', version: 2 });
    expect(entries.map((entry) => entry.type)).toEqual(['title_changed', 'priority_changed']);
    expect(entries[1]).toMatchObject({
      message: 'Priority changed by Alice from none to P1',
      data: { from: null, to: 'P1' },
    });
  });
});
