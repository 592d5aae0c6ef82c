import type * as core from '@vigil/core';
import { VigilError } from '@vigil/core';
import {
  AtQuery,
  CalendarFeedLink,
  CoverRequestCreate,
  DryRunQuery,
  Gaps,
  IdParams,
  OnCall,
  OnCalls,
  Override,
  OverrideCreate,
  PageOf,
  PageQuery,
  PagerDutyImport,
  PagerDutyImported,
  Problem,
  RangeQuery,
  Schedule,
  ScheduleCreate,
  SchedulePreview,
  ScheduleUpdate,
  ScheduleVersion,
  Shift,
  ShiftRequest,
  ShiftRequestAnswer,
  ShiftRequestListQuery,
  SwapRequestCreate,
  VersionParams,
} from '@vigil/sdk/contract';
import { Type } from 'typebox';
import type { AppDeps } from '../../app.js';
import { contextOf } from '../auth.js';
import { presentPage } from '../present.js';
import {
  layerFromApi,
  presentOverride,
  presentSchedule,
  presentShift,
  presentShiftRequest,
  presentVersion,
} from '../schedule-present.js';
import { noContent, responses, type TypedApp } from '../typed.js';

const DAY_MS = 86_400_000;
const OverrideParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  overrideId: Type.String({ minLength: 1, maxLength: 64 }),
});
const FeedParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
const writeResponses = (status: 200 | 201) =>
  status === 201
    ? { 200: SchedulePreview, 201: Schedule, '4xx': Problem }
    : { 200: Type.Union([Schedule, SchedulePreview]), '4xx': Problem };

export function scheduleRoutes(app: TypedApp, { services, uow, clock, config }: AppDeps) {
  const tags = ['schedules'];
  const schedules = services.schedules;

  async function userNames(ids: string[]): Promise<Map<string, string>> {
    const users = await uow.read.users.getMany([...new Set(ids)]);
    return new Map(users.map((u) => [u.id, u.name]));
  }

  /** A saved change answers with the schedule; a dry run with what it would do to the next 30 days. */
  async function answerChange(change: core.ScheduleChange) {
    return change.saved ? presentSchedule(change.schedule) : previewOf(change);
  }

  async function previewOf({ preview, schedule }: core.ScheduleChange) {
    const names = await userNames([...preview.added, ...preview.removed].map((s) => s.userId));
    // Shifts removed by the change name the layers as they were before it.
    const before = await uow.read.schedules.get(schedule.id);
    return {
      dry_run: true as const,
      schedule: presentSchedule(schedule),
      since: preview.since,
      until: preview.until,
      removed: preview.removed.map(presentShift(before ?? schedule, names)),
      added: preview.added.map(presentShift(schedule, names)),
    };
  }

  /** Defaults: from now, for a week; the calculators refuse ranges over two years. */
  function rangeOf(query: { since?: string; until?: string }, days = 7) {
    const since = query.since ?? new Date(clock.now().getTime()).toISOString();
    const until = query.until ?? new Date(Date.parse(since) + days * DAY_MS).toISOString();
    if (Date.parse(until) <= Date.parse(since)) {
      throw new VigilError('VALIDATION_FAILED', 'until must be after since', [
        { path: '/until', message: 'must be after since' },
      ]);
    }
    return { since, until };
  }

  const feedLink = (feed: core.CalendarFeed) => {
    const url = `${config.publicUrl}/cal/${feed.token}.ics`;
    return { url, webcal_url: url.replace(/^https?:/, 'webcal:'), created_at: feed.createdAt };
  };

  app.get(
    '/api/v1/schedules',
    { schema: { tags, querystring: PageQuery, response: responses(200, PageOf(Schedule)) } },
    async (request) =>
      presentPage(
        await schedules.list({ limit: request.query.limit ?? 50, cursor: request.query.cursor ?? null }),
        presentSchedule,
      ),
  );

  app.post(
    '/api/v1/schedules',
    {
      config: { idempotent: true },
      schema: { tags, querystring: DryRunQuery, body: ScheduleCreate, response: writeResponses(201) },
    },
    async (request, reply) => {
      const { name, description, team_id, time_zone, layers } = request.body;
      const change = await schedules.create(
        contextOf(request),
        { name, description, teamId: team_id, timeZone: time_zone, layers: layers.map(layerFromApi) },
        { dryRun: request.query.dry_run === true },
      );
      return reply.code(change.saved ? 201 : 200).send(await answerChange(change));
    },
  );

  app.post(
    '/api/v1/schedules/import/pagerduty',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Create a schedule from a PagerDuty schedule JSON',
        querystring: DryRunQuery,
        body: PagerDutyImport,
        response: { 200: SchedulePreview, 201: PagerDutyImported, '4xx': Problem },
      },
    },
    async (request, reply) => {
      const { schedule, user_map, layer_order, name } = request.body;
      const result = await schedules.importPagerDuty(
        contextOf(request),
        {
          schedule,
          ...(user_map ? { userMap: user_map } : {}),
          ...(layer_order ? { layerOrder: layer_order } : {}),
          ...(name ? { name } : {}),
        },
        { dryRun: request.query.dry_run === true },
      );
      if (!result.saved) return reply.code(200).send(await previewOf(result));
      return reply.code(201).send({ schedule: presentSchedule(result.schedule), warnings: result.warnings });
    },
  );

  app.get(
    '/api/v1/schedules/:id',
    { schema: { tags, params: IdParams, response: responses(200, Schedule) } },
    async (request) => presentSchedule(await schedules.get(request.params.id)),
  );

  app.patch(
    '/api/v1/schedules/:id',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: DryRunQuery,
        body: ScheduleUpdate,
        response: writeResponses(200),
      },
    },
    async (request) => {
      const { name, description, team_id, time_zone, layers, version } = request.body;
      const change = await schedules.update(
        contextOf(request),
        request.params.id,
        {
          ...(name !== undefined ? { name } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(team_id !== undefined ? { teamId: team_id } : {}),
          ...(time_zone !== undefined ? { timeZone: time_zone } : {}),
          ...(layers !== undefined ? { layers: layers.map(layerFromApi) } : {}),
        },
        {
          dryRun: request.query.dry_run === true,
          ...(version !== undefined ? { expectedVersion: version } : {}),
        },
      );
      return answerChange(change);
    },
  );

  app.delete(
    '/api/v1/schedules/:id',
    { schema: { tags, params: IdParams, response: noContent } },
    async (request, reply) => {
      await schedules.delete(contextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/schedules/:id/versions',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: PageQuery,
        response: responses(200, PageOf(ScheduleVersion)),
      },
    },
    async (request) =>
      presentPage(
        await schedules.listVersions(request.params.id, {
          limit: request.query.limit ?? 50,
          cursor: request.query.cursor ?? null,
        }),
        presentVersion,
      ),
  );

  app.get(
    '/api/v1/schedules/:id/versions/:version',
    { schema: { tags, params: VersionParams, response: responses(200, ScheduleVersion) } },
    async (request) => presentVersion(await schedules.getVersion(request.params.id, request.params.version)),
  );

  app.post(
    '/api/v1/schedules/:id/versions/:version/restore',
    {
      schema: {
        tags,
        summary: 'Make an earlier version current again (as a new version)',
        params: VersionParams,
        querystring: DryRunQuery,
        response: writeResponses(200),
      },
    },
    async (request) =>
      answerChange(
        await schedules.restore(contextOf(request), request.params.id, request.params.version, {
          dryRun: request.query.dry_run === true,
        }),
      ),
  );

  app.get(
    '/api/v1/schedules/:id/oncall',
    { schema: { tags, params: IdParams, querystring: AtQuery, response: responses(200, OnCall) } },
    async (request) => {
      const answer = await schedules.onCall(request.params.id, request.query.at);
      return {
        at: answer.at,
        users: answer.users.map((u) => ({ id: u.userId, name: u.name, layer: u.layer, until: u.until })),
      };
    },
  );

  app.get(
    '/api/v1/oncalls',
    { schema: { tags, querystring: AtQuery, response: responses(200, OnCalls) } },
    async (request) => {
      const answer = await schedules.onCallEverywhere(request.query.at);
      return {
        at: answer.at,
        users: answer.entries.map((e) => ({
          id: e.userId,
          name: e.name,
          layer: e.layer,
          schedule_id: e.schedule.id,
          schedule_name: e.schedule.name,
        })),
      };
    },
  );

  app.get(
    '/api/v1/schedules/:id/shifts',
    {
      schema: {
        tags,
        summary: 'The final schedule (overrides included) between since and until; default the next 7 days',
        params: IdParams,
        querystring: RangeQuery,
        response: responses(200, Type.Object({ data: Type.Array(Shift) })),
      },
    },
    async (request) => {
      const { since, until } = rangeOf(request.query);
      const { schedule, shifts } = await schedules.shifts(request.params.id, since, until);
      const names = await userNames(shifts.map((s) => s.userId));
      return { data: shifts.map(presentShift(schedule, names)) };
    },
  );

  app.get(
    '/api/v1/schedules/:id/gaps',
    {
      schema: {
        tags,
        summary: 'Stretches with nobody on call between since and until; default the next 14 days',
        params: IdParams,
        querystring: RangeQuery,
        response: responses(200, Gaps),
      },
    },
    async (request) => {
      const { since, until } = rangeOf(request.query, 14);
      return { data: await schedules.gaps(request.params.id, since, until) };
    },
  );

  app.get(
    '/api/v1/schedules/:id/overrides',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: RangeQuery,
        response: responses(200, Type.Object({ data: Type.Array(Override) })),
      },
    },
    async (request) => {
      const { since, until } = rangeOf(request.query, 90);
      return { data: (await schedules.listOverrides(request.params.id, since, until)).map(presentOverride) };
    },
  );

  app.post(
    '/api/v1/schedules/:id/overrides',
    {
      config: { idempotent: true },
      schema: { tags, params: IdParams, body: OverrideCreate, response: responses(201, Override) },
    },
    async (request, reply) => {
      const override = await schedules.createOverride(contextOf(request), request.params.id, {
        userId: request.body.user_id,
        start: request.body.start,
        end: request.body.end,
      });
      return reply.code(201).send(presentOverride(override));
    },
  );

  app.delete(
    '/api/v1/schedules/:id/overrides/:overrideId',
    { schema: { tags, params: OverrideParams, response: noContent } },
    async (request, reply) => {
      await schedules.deleteOverride(contextOf(request), request.params.id, request.params.overrideId);
      return reply.code(204).send(null);
    },
  );

  // ── cover and swap requests ──────────────────────────────────────────────────────────────────
  const requests = services.shiftRequests;

  app.post(
    '/api/v1/schedules/:id/cover-requests',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Ask to be covered',
        params: IdParams,
        body: CoverRequestCreate,
        response: responses(201, ShiftRequest),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await requests.requestCover(contextOf(request), request.params.id, {
        start: b.start,
        end: b.end,
        ...(b.message !== undefined ? { message: b.message } : {}),
        ...(b.target_user_id !== undefined ? { targetUserId: b.target_user_id } : {}),
        ...(b.requester_id !== undefined ? { requesterId: b.requester_id } : {}),
      });
      return reply.code(201).send(presentShiftRequest(created));
    },
  );

  app.post(
    '/api/v1/schedules/:id/swap-requests',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Offer a colleague a swap of shifts',
        params: IdParams,
        body: SwapRequestCreate,
        response: responses(201, ShiftRequest),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await requests.requestSwap(contextOf(request), request.params.id, {
        targetUserId: b.target_user_id,
        start: b.start,
        end: b.end,
        swapStart: b.swap_start,
        swapEnd: b.swap_end,
        ...(b.message !== undefined ? { message: b.message } : {}),
        ...(b.requester_id !== undefined ? { requesterId: b.requester_id } : {}),
      });
      return reply.code(201).send(presentShiftRequest(created));
    },
  );

  app.get(
    '/api/v1/shift-requests',
    { schema: { tags, querystring: ShiftRequestListQuery, response: responses(200, PageOf(ShiftRequest)) } },
    async (request) =>
      presentPage(
        await requests.list(
          {
            ...(request.query.schedule_id ? { scheduleId: request.query.schedule_id } : {}),
            ...(request.query.status ? { status: request.query.status } : {}),
          },
          { limit: request.query.limit ?? 50, cursor: request.query.cursor ?? null },
        ),
        presentShiftRequest,
      ),
  );

  app.get(
    '/api/v1/shift-requests/:id',
    { schema: { tags, params: IdParams, response: responses(200, ShiftRequest) } },
    async (request) => presentShiftRequest(await requests.get(request.params.id)),
  );

  for (const action of ['accept', 'decline', 'cancel'] as const) {
    app.post(
      `/api/v1/shift-requests/:id/${action}`,
      { schema: { tags, params: IdParams, response: responses(200, ShiftRequestAnswer) } },
      async (request) => {
        const result = await requests[action](contextOf(request), request.params.id);
        return {
          request: presentShiftRequest(result.request),
          overrides: result.overrides.map(presentOverride),
        };
      },
    );
  }

  // ── calendar feeds ───────────────────────────────────────────────────────────────────────────
  const feeds = services.calendarFeeds;
  const ics = 'text/calendar; charset=utf-8';

  for (const kind of ['schedule', 'user'] as const) {
    const base = kind === 'schedule' ? '/api/v1/schedules/:id' : '/api/v1/users/:id';
    app.get(
      `${base}/calendar.ics`,
      { schema: { tags, summary: `iCalendar feed of the ${kind}'s shifts`, params: IdParams } },
      async (request, reply) => reply.type(ics).send(await feeds.render(kind, request.params.id)),
    );
    app.get(
      `${base}/calendar-feed`,
      {
        schema: {
          tags,
          summary: 'The secret subscription link',
          params: IdParams,
          response: responses(200, CalendarFeedLink),
        },
      },
      async (request) => feedLink(await feeds.get(contextOf(request), kind, request.params.id)),
    );
    app.post(
      `${base}/calendar-feed`,
      {
        schema: {
          tags,
          summary: 'Create the secret subscription link, or replace it (the old one stops working)',
          params: IdParams,
          response: responses(201, CalendarFeedLink),
        },
      },
      async (request, reply) =>
        reply.code(201).send(feedLink(await feeds.rotate(contextOf(request), kind, request.params.id))),
    );
    app.delete(
      `${base}/calendar-feed`,
      {
        schema: {
          tags,
          summary: 'Revoke the secret subscription link',
          params: IdParams,
          response: noContent,
        },
      },
      async (request, reply) => {
        await feeds.revoke(contextOf(request), kind, request.params.id);
        return reply.code(204).send(null);
      },
    );
  }

  // The subscription URL: the token is the credential (calendar apps cannot send headers).
  app.get(
    '/cal/:token',
    { schema: { tags, summary: 'Calendar feed by its secret link', params: FeedParams } },
    async (request, reply) => {
      const token = request.params.token.replace(/\.ics$/, '');
      return reply
        .type(ics)
        .header('cache-control', 'private, max-age=300')
        .send(await feeds.renderByToken(token));
    },
  );
}
