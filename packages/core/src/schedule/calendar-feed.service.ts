import { roleAtLeast } from '../auth/roles.js';
import type { Repos } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { notFound, VigilError } from '../shared/errors.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import { finalSchedule } from './final-schedule.js';
import { type CalendarEvent, icsUtc, renderCalendar } from './icalendar.js';
import { formatInstant } from './local-time.js';
import { toCalculatorOverrides, toCalculatorSchedule } from './schedule.service.js';
import type { CalendarFeed, CalendarFeedKind, ScheduleRecord } from './schedule-record.js';
import { DAY_MS } from './time-zone.js';

/** A feed shows the last 30 days and the next 90 (the wire-formats digest, §11). */
export const FEED_PAST_DAYS = 30;
export const FEED_FUTURE_DAYS = 90;

/**
 * iCalendar feeds of a schedule's final shifts or of one person's shifts across schedules, and
 * the secret URLs calendar apps subscribe with (they cannot send an Authorization header).
 */
export function createCalendarFeedService(deps: UseCaseDeps) {
  const { uow, clock, newId, secrets } = deps;

  function mayManage(ctx: RequestContext, kind: CalendarFeedKind, objectId: string) {
    if (kind === 'user' && objectId !== ctx.userId && !(ctx.role && roleAtLeast(ctx.role, 'admin'))) {
      throw new VigilError('FORBIDDEN', 'Only admins manage another person’s calendar link');
    }
    if (kind === 'schedule' && !(ctx.role && roleAtLeast(ctx.role, 'manager'))) {
      throw new VigilError('FORBIDDEN', 'Only managers manage a schedule’s calendar link');
    }
  }

  async function mustExist(repos: Repos, kind: CalendarFeedKind, objectId: string) {
    if (kind === 'schedule' && !(await repos.schedules.get(objectId))) throw notFound('Schedule', objectId);
    if (kind === 'user' && (await repos.users.getMany([objectId])).length === 0)
      throw notFound('User', objectId);
  }

  function window() {
    const now = clock.now().getTime();
    const since = now - FEED_PAST_DAYS * DAY_MS;
    return {
      now,
      range: { start: formatInstant(since), end: formatInstant(now + FEED_FUTURE_DAYS * DAY_MS) },
    };
  }

  async function scheduleEvents(repos: Repos, schedules: ScheduleRecord[], userId?: string) {
    const { range } = window();
    const overrides = await repos.overrides.overlapping(
      schedules.map((s) => s.id),
      range.start,
      range.end,
    );
    const events: (CalendarEvent & { userId: string; schedule: ScheduleRecord; layer: number | null })[] = [];
    for (const schedule of schedules) {
      const shifts = finalSchedule(
        toCalculatorSchedule(schedule),
        toCalculatorOverrides(overrides.filter((o) => o.scheduleId === schedule.id)),
        range,
      );
      for (const shift of shifts) {
        // A shift cut by the window's moving start would change its UID at every refresh.
        if (shift.start === range.start) continue;
        if (userId !== undefined && shift.userId !== userId) continue;
        events.push({
          uid: `shift-${schedule.id}-${shift.userId}-${icsUtc(shift.start)}@vigil`,
          start: shift.start,
          end: shift.end,
          summary: '',
          userId: shift.userId,
          schedule,
          layer: shift.layer,
        });
      }
    }
    return events.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  const layerName = (schedule: ScheduleRecord, layer: number | null) =>
    layer === null ? 'override' : (schedule.layers[layer]?.name ?? `layer ${layer + 1}`);

  async function renderSchedule(repos: Repos, scheduleId: string): Promise<string> {
    const schedule = await repos.schedules.get(scheduleId);
    if (!schedule) throw notFound('Schedule', scheduleId);
    const events = await scheduleEvents(repos, [schedule]);
    const names = new Map(
      (await repos.users.getMany([...new Set(events.map((e) => e.userId))])).map((u) => [u.id, u.name]),
    );
    return renderCalendar({
      name: `${schedule.name} on call`,
      generatedAt: toInstant(clock.now()),
      events: events.map((e) => ({
        ...e,
        summary: `On call: ${schedule.name} (${names.get(e.userId) ?? e.userId})`,
        description: `Layer: ${layerName(schedule, e.layer)}`,
      })),
    });
  }

  async function renderUser(repos: Repos, userId: string): Promise<string> {
    const [user] = await repos.users.getMany([userId]);
    if (!user) throw notFound('User', userId);
    const events = await scheduleEvents(repos, await repos.schedules.all(), userId);
    return renderCalendar({
      name: `${user.name} on call`,
      generatedAt: toInstant(clock.now()),
      events: events.map((e) => ({
        ...e,
        summary: `On call: ${e.schedule.name}`,
        description: `Layer: ${layerName(e.schedule, e.layer)}`,
      })),
    });
  }

  return {
    /** The .ics text of a schedule's or a person's feed. */
    render(kind: CalendarFeedKind, objectId: string): Promise<string> {
      return kind === 'schedule' ? renderSchedule(uow.read, objectId) : renderUser(uow.read, objectId);
    },

    /** The feed a secret URL token opens, or NOT_FOUND (revoked, rotated or never issued). */
    async renderByToken(token: string): Promise<string> {
      const feed = await uow.read.calendarFeeds.findByTokenHash(secrets.hashToken(token));
      if (!feed) throw notFound('Calendar feed', 'token');
      return feed.kind === 'schedule'
        ? renderSchedule(uow.read, feed.objectId)
        : renderUser(uow.read, feed.objectId);
    },

    async get(ctx: RequestContext, kind: CalendarFeedKind, objectId: string): Promise<CalendarFeed> {
      mayManage(ctx, kind, objectId);
      await mustExist(uow.read, kind, objectId);
      const feed = await uow.read.calendarFeeds.get(kind, objectId);
      if (!feed) throw notFound('Calendar feed', objectId);
      return feed;
    },

    /** Issues a new secret URL; the previous one stops working. */
    async rotate(ctx: RequestContext, kind: CalendarFeedKind, objectId: string): Promise<CalendarFeed> {
      mayManage(ctx, kind, objectId);
      return uow.transaction(async (repos) => {
        await mustExist(repos, kind, objectId);
        const feed: CalendarFeed = {
          id: newId(),
          kind,
          objectId,
          token: secrets.newUrlToken(),
          createdAt: toInstant(clock.now()),
        };
        await repos.calendarFeeds.put(feed, secrets.hashToken(feed.token));
        await recordAudit(repos, deps, ctx, feed.createdAt, {
          action: 'calendar_feed.rotate',
          objectType: kind,
          objectId,
        });
        return feed;
      });
    },

    async revoke(ctx: RequestContext, kind: CalendarFeedKind, objectId: string): Promise<void> {
      mayManage(ctx, kind, objectId);
      await uow.transaction(async (repos) => {
        if (!(await repos.calendarFeeds.delete(kind, objectId))) throw notFound('Calendar feed', objectId);
        await recordAudit(repos, deps, ctx, toInstant(clock.now()), {
          action: 'calendar_feed.revoke',
          objectType: kind,
          objectId,
        });
      });
    },
  };
}

export type CalendarFeedService = ReturnType<typeof createCalendarFeedService>;
