import { spawnSync } from 'node:child_process';
import { engines } from '@vigil/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

/**
 * A new user's path through schedules, over HTTP on each engine: a follow-the-sun schedule with a
 * business-hours layer in New York, across the US spring-forward of 2026-03-08 (the harness clock
 * starts that morning, 06:00Z, an hour before clocks jump).
 */
describe.each(engines)('schedules over HTTP on %s', (engine) => {
  let h: Harness;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  let scheduleId: string;

  const weekly = () => ({
    name: 'Payments',
    time_zone: 'America/New_York',
    layers: [
      {
        name: 'primary',
        users: [ids.ana, ids.ben],
        rotation: { type: 'weekly', shift_length: 1, handoff_at: '2026-03-02T09:00' },
      },
      {
        name: 'office hours',
        users: [ids.cy, ids.dee],
        rotation: { type: 'daily', shift_length: 1, handoff_at: '2026-03-02T09:00' },
        restrictions: [1, 2, 3, 4, 5].map((day) => ({
          type: 'weekly',
          start_day: day,
          start_time: '09:00',
          end_day: day,
          end_time: '17:00',
        })),
      },
    ],
  });

  beforeAll(async () => {
    h = await startHarness(engine);
    for (const name of ['ana', 'ben', 'cy', 'dee']) {
      const user = await h.request({
        method: 'POST',
        url: '/api/v1/users',
        payload: { name, email: `${name}@example.com`, role: 'responder' },
      });
      expect(user.statusCode).toBe(201);
      ids[name] = user.json().id;
      const key = await h.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: `${name} key`, user_id: ids[name] },
      });
      tokens[name] = key.json().token;
    }
    const created = await h.request({ method: 'POST', url: '/api/v1/schedules', payload: weekly() });
    expect(created.statusCode, created.body).toBe(201);
    scheduleId = created.json().id;
    expect(created.json()).toMatchObject({ name: 'Payments', version: 1, time_zone: 'America/New_York' });
  });
  afterAll(() => h.close());

  const onCall = async (at: string) => {
    const res = await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}/oncall?at=${at}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().users.map((u: { name: string }) => u.name);
  };

  it('keeps the 09:00 hand-off at 09:00 local on both sides of the DST change', async () => {
    // Monday 2 March 09:00 EST = 14:00Z; Monday 9 March 09:00 EDT = 13:00Z.
    expect(await onCall('2026-03-02T13:59:00Z')).toEqual(['ben']);
    expect(await onCall('2026-03-02T14:00:00Z')).toEqual(['cy']); // business hours win on a weekday
    expect(await onCall('2026-03-07T15:00:00Z')).toEqual(['ana']); // Saturday: the primary layer
    expect(await onCall('2026-03-09T12:59:00Z')).toEqual(['ana']);
    expect(await onCall('2026-03-09T13:00:00Z')).toEqual(['dee']); // day 7 of the daily rotation
    expect(await onCall('2026-03-09T21:00:00Z')).toEqual(['ben']); // 17:00 EDT: office hours end
    const now = await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}/oncall` });
    expect(now.json()).toMatchObject({
      at: '2026-03-08T06:00:00.000Z',
      users: [{ name: 'ana', layer: 'primary', until: '2026-03-09T13:00:00.000Z' }],
    });
  });

  it('renders the next month of shifts with no gaps and each stretch named by layer', async () => {
    const res = await h.request({
      method: 'GET',
      url: `/api/v1/schedules/${scheduleId}/shifts?since=2026-03-08T06:00:00Z&until=2026-04-08T06:00:00Z`,
    });
    expect(res.statusCode).toBe(200);
    const shifts = res.json().data as { user_name: string; start: string; end: string; layer: string }[];
    for (let i = 1; i < shifts.length; i++) expect(shifts[i]!.start).toBe(shifts[i - 1]!.end);
    expect(shifts[0]!.start).toBe('2026-03-08T06:00:00.000Z');
    expect(shifts.at(-1)!.end).toBe('2026-04-08T06:00:00.000Z');
    const office = shifts.filter((s) => s.layer === 'office hours');
    // 22 weekdays from Monday 9 March to Tuesday 7 April, each 09:00–17:00 New York time.
    expect(office).toHaveLength(22);
    expect(office.every((s) => Date.parse(s.end) - Date.parse(s.start) === 8 * 3_600_000)).toBe(true);
    expect(office[0]).toMatchObject({ user_name: 'dee', start: '2026-03-09T13:00:00.000Z' });
    expect(office[1]).toMatchObject({ user_name: 'cy', start: '2026-03-10T13:00:00.000Z' });
    const gaps = await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}/gaps` });
    expect(gaps.json()).toEqual({ data: [] });
  });

  it('answers who is on call across schedules', async () => {
    const res = await h.request({ method: 'GET', url: '/api/v1/oncalls?at=2026-03-09T14:00:00Z' });
    expect(res.json().users).toEqual([
      { id: ids.dee, name: 'dee', layer: 'office hours', schedule_id: scheduleId, schedule_name: 'Payments' },
    ]);
  });

  it('previews a change with dry_run, saves it as a version, and restores the first exactly', async () => {
    const changed = weekly();
    changed.layers[0]!.users = [ids.ben!, ids.ana!];
    const dry = await h.request({
      method: 'PATCH',
      url: `/api/v1/schedules/${scheduleId}?dry_run=true`,
      payload: { layers: changed.layers },
    });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({
      dry_run: true,
      since: '2026-03-08T06:00:00.000Z',
      until: '2026-04-07T06:00:00.000Z',
    });
    expect(dry.json().removed[0]).toMatchObject({
      user_name: 'ana',
      layer: 'primary',
      start: '2026-03-08T06:00:00.000Z',
    });
    expect(dry.json().added[0]).toMatchObject({
      user_name: 'ben',
      layer: 'primary',
      start: '2026-03-08T06:00:00.000Z',
    });
    expect((await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}` })).json().version).toBe(
      1,
    );

    const before = await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}/shifts` });
    const saved = await h.request({
      method: 'PATCH',
      url: `/api/v1/schedules/${scheduleId}`,
      payload: { layers: changed.layers, version: 1 },
    });
    expect(saved.json().version).toBe(2);
    const stale = await h.request({
      method: 'PATCH',
      url: `/api/v1/schedules/${scheduleId}`,
      payload: { name: 'Payments!', version: 1 },
    });
    expect(stale.statusCode).toBe(409);
    expect(await onCall('2026-03-08T07:00:00Z')).toEqual(['ben']);

    const versions = await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}/versions` });
    expect(
      versions.json().data.map((v: { version: number; action: string }) => [v.version, v.action]),
    ).toEqual([
      [2, 'update'],
      [1, 'create'],
    ]);
    expect(versions.json().data[1].actor.name).toBe('admin');
    const restored = await h.request({
      method: 'POST',
      url: `/api/v1/schedules/${scheduleId}/versions/1/restore`,
    });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json().version).toBe(3);
    const v1 = (await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}/versions/1` })).json();
    const v3 = (await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}/versions/3` })).json();
    expect(v3.definition).toEqual(v1.definition);
    expect(v3).toMatchObject({ action: 'restore', restored_from: 1 });
    const after = await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}/shifts` });
    expect(after.json()).toEqual(before.json());
  });

  it('refuses bad schedules with the field that is wrong', async () => {
    const bad = weekly();
    bad.name = 'Broken';
    bad.time_zone = 'Mars/Olympus';
    bad.layers[0]!.users = ['nobody'];
    delete (bad.layers[1]!.restrictions![0] as { start_day?: number }).start_day;
    const res = await h.request({ method: 'POST', url: '/api/v1/schedules', payload: bad });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/time_zone', '/layers/0/users/0', '/layers/1/restrictions/0/start_day']),
    );
    const dup = await h.request({ method: 'POST', url: '/api/v1/schedules', payload: weekly() });
    expect(dup.statusCode).toBe(409);
    const list = await h.request({ method: 'GET', url: '/api/v1/schedules' });
    expect(list.json().data).toHaveLength(1);
  });

  it('swaps a shift between two people when the other accepts', async () => {
    // The primary week of 9 March is ben's and that of 16 March is ana's: ana gives ben her
    // Saturday 21 March and takes his Saturday 14 March (New York midnights, EDT).
    const offer = await h.request({
      method: 'POST',
      url: `/api/v1/schedules/${scheduleId}/swap-requests`,
      token: tokens.ana,
      payload: {
        target_user_id: ids.ben,
        start: '2026-03-21T04:00:00Z',
        end: '2026-03-22T04:00:00Z',
        swap_start: '2026-03-14T04:00:00Z',
        swap_end: '2026-03-15T04:00:00Z',
        message: 'family thing',
      },
    });
    expect(offer.statusCode, offer.body).toBe(201);
    const id = offer.json().id;
    const own = await h.request({
      method: 'POST',
      url: `/api/v1/shift-requests/${id}/accept`,
      token: tokens.ana,
    });
    expect(own.statusCode).toBe(403);
    const other = await h.request({
      method: 'POST',
      url: `/api/v1/shift-requests/${id}/accept`,
      token: tokens.cy,
    });
    expect(other.statusCode).toBe(403);
    const accepted = await h.request({
      method: 'POST',
      url: `/api/v1/shift-requests/${id}/accept`,
      token: tokens.ben,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().request).toMatchObject({ status: 'accepted', answered_by: ids.ben });
    expect(accepted.json().overrides).toHaveLength(2);
    expect(await onCall('2026-03-14T12:00:00Z')).toEqual(['ana']);
    expect(await onCall('2026-03-21T12:00:00Z')).toEqual(['ben']);
    const again = await h.request({
      method: 'POST',
      url: `/api/v1/shift-requests/${id}/accept`,
      token: tokens.ben,
    });
    expect(again.statusCode).toBe(409);
  });

  it('gives a cover request to the first who accepts', async () => {
    const ask = await h.request({
      method: 'POST',
      url: `/api/v1/schedules/${scheduleId}/cover-requests`,
      token: tokens.ana,
      payload: { start: '2026-03-17T00:00:00Z', end: '2026-03-18T00:00:00Z' },
    });
    expect(ask.statusCode).toBe(201);
    const id = ask.json().id;
    const [first, second] = await Promise.all([
      h.request({ method: 'POST', url: `/api/v1/shift-requests/${id}/accept`, token: tokens.dee }),
      h.request({ method: 'POST', url: `/api/v1/shift-requests/${id}/accept`, token: tokens.cy }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const winner = first.statusCode === 200 ? 'dee' : 'cy';
    expect(await onCall('2026-03-17T04:00:00Z')).toEqual([winner]);
    const open = await h.request({
      method: 'GET',
      url: `/api/v1/shift-requests?schedule_id=${scheduleId}&status=open`,
    });
    expect(open.json().data).toEqual([]);
    const overrides = await h.request({
      method: 'GET',
      url: `/api/v1/schedules/${scheduleId}/overrides?since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z`,
    });
    expect(overrides.json().data.map((o: { source: string }) => o.source)).toEqual(['swap', 'swap', 'cover']);
  });

  it('lets a responder remove only their own overrides', async () => {
    const mine = await h.request({
      method: 'POST',
      url: `/api/v1/schedules/${scheduleId}/overrides`,
      token: tokens.dee,
      payload: { user_id: ids.dee, start: '2026-03-25T00:00:00Z', end: '2026-03-25T06:00:00Z' },
    });
    expect(mine.statusCode).toBe(201);
    const notMine = await h.request({
      method: 'DELETE',
      url: `/api/v1/schedules/${scheduleId}/overrides/${mine.json().id}`,
      token: tokens.cy,
    });
    expect(notMine.statusCode).toBe(403);
    const removed = await h.request({
      method: 'DELETE',
      url: `/api/v1/schedules/${scheduleId}/overrides/${mine.json().id}`,
      token: tokens.dee,
    });
    expect(removed.statusCode).toBe(204);
    const backwards = await h.request({
      method: 'POST',
      url: `/api/v1/schedules/${scheduleId}/overrides`,
      payload: { user_id: ids.dee, start: '2026-03-25T06:00:00Z', end: '2026-03-25T00:00:00Z' },
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].path).toBe('/end');
  });

  it('serves calendar feeds by a secret, revocable link that a real iCalendar parser reads', async () => {
    const link = await h.request({
      method: 'POST',
      url: `/api/v1/users/${ids.ana}/calendar-feed`,
      token: tokens.ana,
    });
    expect(link.statusCode, link.body).toBe(201);
    const { url, webcal_url } = link.json();
    expect(url).toMatch(/^http:\/\/vigil\.test\/cal\/[\w-]{32}\.ics$/);
    expect(webcal_url).toBe(url.replace('http:', 'webcal:'));
    const path = new URL(url).pathname;
    const feed = await h.request({ method: 'GET', url: path, token: null });
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const parsed = parseWithPython(feed.body);
    expect(parsed.name).toBe('ana on call');
    expect(parsed.events.length).toBeGreaterThan(3);
    expect(parsed.events.every((e) => e.summary === 'On call: Payments')).toBe(true);
    // Her swapped-in Saturday is there; the Saturday she gave away is not.
    expect(parsed.events.some((e) => e.start === '2026-03-14T04:00:00+00:00')).toBe(true);
    expect(
      parsed.events.some(
        (e) => e.start <= '2026-03-21T12:00:00+00:00' && e.end > '2026-03-21T12:00:00+00:00',
      ),
    ).toBe(false);

    // UIDs stay the same across refreshes.
    h.clock.advance(3_600_000);
    const later = parseWithPython((await h.request({ method: 'GET', url: path, token: null })).body);
    expect(later.events.map((e) => e.uid)).toEqual(parsed.events.map((e) => e.uid));

    // Someone else's link is theirs to manage; rotating kills the old URL; revoking kills it all.
    const foreign = await h.request({
      method: 'POST',
      url: `/api/v1/users/${ids.ana}/calendar-feed`,
      token: tokens.ben,
    });
    expect(foreign.statusCode).toBe(403);
    const shown = await h.request({
      method: 'GET',
      url: `/api/v1/users/${ids.ana}/calendar-feed`,
      token: tokens.ana,
    });
    expect(shown.json().url).toBe(url);
    const rotated = await h.request({
      method: 'POST',
      url: `/api/v1/users/${ids.ana}/calendar-feed`,
      token: tokens.ana,
    });
    expect((await h.request({ method: 'GET', url: path, token: null })).statusCode).toBe(404);
    const newPath = new URL(rotated.json().url).pathname;
    expect((await h.request({ method: 'GET', url: newPath, token: null })).statusCode).toBe(200);
    await h.request({ method: 'DELETE', url: `/api/v1/users/${ids.ana}/calendar-feed`, token: tokens.ana });
    expect((await h.request({ method: 'GET', url: newPath, token: null })).statusCode).toBe(404);

    const schedule = await h.request({ method: 'GET', url: `/api/v1/schedules/${scheduleId}/calendar.ics` });
    const all = parseWithPython(schedule.body);
    expect(new Set(all.events.map((e) => e.summary.replace(/.*\((.*)\)/, '$1')))).toEqual(
      new Set(['ana', 'ben', 'cy', 'dee']),
    );
  });

  it('imports a PagerDuty schedule, matching users by e-mail and converting the rotation to wall-clock', async () => {
    const pd = {
      schedule: {
        type: 'schedule',
        name: 'From PagerDuty',
        time_zone: 'Europe/Berlin',
        schedule_layers: [
          {
            name: 'Layer 1',
            start: '2025-01-06T09:00:00+01:00',
            end: null,
            rotation_virtual_start: '2025-01-06T09:00:00+01:00',
            rotation_turn_length_seconds: 604800,
            users: [
              { user: { id: 'PANA', type: 'user_reference', email: 'ana@example.com' } },
              { user: { id: 'PBEN', type: 'user_reference' } },
            ],
            restrictions: [
              { type: 'daily_restriction', start_time_of_day: '08:00:00', duration_seconds: 36000 },
            ],
          },
          {
            name: 'Old layer',
            start: '2024-01-01T00:00:00Z',
            end: '2024-06-01T00:00:00Z',
            rotation_virtual_start: '2024-01-01T00:00:00Z',
            rotation_turn_length_seconds: 86400,
            users: [{ user: { id: 'PGONE' } }],
          },
        ],
      },
      user_map: { PBEN: ids.ben },
    };
    const res = await h.request({ method: 'POST', url: '/api/v1/schedules/import/pagerduty', payload: pd });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().warnings).toEqual([
      'Layer "Old layer" ended at 2024-06-01T00:00:00Z; it was left out.',
    ]);
    expect(res.json().schedule.layers).toEqual([
      {
        name: 'Layer 1',
        users: [ids.ana, ids.ben],
        rotation: { type: 'weekly', shift_length: 1, handoff_at: '2025-01-06T09:00' },
        restrictions: [{ type: 'daily', start_time: '08:00', end_time: '18:00' }],
      },
    ]);
    const odd = structuredClone(pd);
    odd.schedule.name = 'Odd';
    odd.schedule.schedule_layers[0]!.rotation_turn_length_seconds = 5400;
    const refused = await h.request({
      method: 'POST',
      url: '/api/v1/schedules/import/pagerduty',
      payload: odd,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].path).toBe('/schedule/schedule_layers/0/rotation_turn_length_seconds');
  });
});

interface ParsedCalendar {
  name: string;
  events: { uid: string; start: string; end: string; summary: string }[];
}

/** Parses a feed with Debian's python3-icalendar, the way a calendar app would. */
function parseWithPython(text: string): ParsedCalendar {
  const script = `
import sys, json
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
events = [
  {"uid": str(e["UID"]), "start": e.decoded("DTSTART").isoformat(), "end": e.decoded("DTEND").isoformat(), "summary": str(e["SUMMARY"])}
  for e in cal.walk("VEVENT")
]
print(json.dumps({"name": str(cal["X-WR-CALNAME"]), "events": events}))
`;
  const result = spawnSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python3-icalendar refused the feed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ParsedCalendar;
}
