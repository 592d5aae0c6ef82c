import { roleAtLeast } from '../auth/roles.js';
import { queueNotices } from '../paging/notice.js';
import type { Repos } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { toInstant } from '../shared/clock.js';
import { invalidField, notFound, VigilError } from '../shared/errors.js';
import type { PageRequest } from '../shared/page.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import { formatInstant, instantField } from './local-time.js';
import { insertOverride } from './schedule.service.js';
import type { OverrideRecord, ShiftRequest, ShiftRequestStatus } from './schedule-record.js';
import { DAY_MS } from './time-zone.js';

export interface CoverRequestInput {
  start: string;
  end: string;
  message?: string;
  /** Ask one person only; everyone on the schedule when absent. */
  targetUserId?: string | null;
  /** Ask on someone else's behalf (managers). Defaults to the caller. */
  requesterId?: string;
}

export interface SwapRequestInput {
  targetUserId: string;
  /** The requester's time the target takes. */
  start: string;
  end: string;
  /** The target's time the requester takes in return. */
  swapStart: string;
  swapEnd: string;
  message?: string;
  requesterId?: string;
}

const MAX_REQUEST_DAYS = 31;

/**
 * The "on-call market": cover requests and swaps. Accepting one turns it into overrides in the same
 * transaction; the first to accept wins, everyone after gets CONFLICT.
 */
/** "2026-03-14 04:00 to 2026-03-15 04:00 UTC": people read it in their own zone in the app. */
const describeRange = (start: string, end: string) =>
  `${start.slice(0, 16).replace('T', ' ')} to ${end.slice(0, 16).replace('T', ' ')} UTC`;

export function createShiftRequestService(deps: UseCaseDeps) {
  const { uow, clock, newId } = deps;

  async function mustGet(repos: Repos, id: string): Promise<ShiftRequest> {
    const request = await repos.shiftRequests.get(id);
    if (!request) throw notFound('Shift request', id);
    return request;
  }

  function range(start: string, end: string, path: string) {
    const from = instantField(start, `${path}start`);
    const to = instantField(end, `${path}end`);
    if (to <= from) throw invalidField(`${path}end`, 'must be after the start');
    if (to <= clock.now().getTime()) throw invalidField(`${path}end`, 'must be in the future');
    if (to - from > MAX_REQUEST_DAYS * DAY_MS) {
      throw invalidField(`${path}end`, `a request covers at most ${MAX_REQUEST_DAYS} days`);
    }
    return { start: formatInstant(from), end: formatInstant(to) };
  }

  function requesterOf(ctx: RequestContext, requesterId: string | undefined): string {
    if (!ctx.userId) throw new VigilError('FORBIDDEN', 'Only a person can ask for cover');
    if (requesterId === undefined || requesterId === ctx.userId) return ctx.userId;
    if (!ctx.role || !roleAtLeast(ctx.role, 'manager')) {
      throw new VigilError('FORBIDDEN', 'Only managers may ask on someone else’s behalf');
    }
    return requesterId;
  }

  async function activeUser(repos: Repos, userId: string, path: string) {
    const [user] = await repos.users.getMany([userId]);
    if (!user || user.deactivatedAt) {
      throw invalidField(path, `user ${JSON.stringify(userId)} does not exist or is deactivated`);
    }
    return user;
  }

  async function open(ctx: RequestContext, request: ShiftRequest): Promise<ShiftRequest> {
    return uow.transaction(async (repos) => {
      if (!(await repos.schedules.get(request.scheduleId))) throw notFound('Schedule', request.scheduleId);
      await activeUser(repos, request.requesterId, '/requester_id');
      if (request.targetUserId) {
        await activeUser(repos, request.targetUserId, '/target_user_id');
        if (request.targetUserId === request.requesterId) {
          throw invalidField('/target_user_id', 'must be someone other than the requester');
        }
      }
      await repos.shiftRequests.insert(request);
      // Those who could take it hear about it: the person asked, or everyone on the schedule.
      const schedule = await repos.schedules.get(request.scheduleId);
      const everyone = schedule?.layers.flatMap((layer) => layer.users) ?? [];
      const audience = (request.targetUserId ? [request.targetUserId] : everyone).filter(
        (id) => id !== request.requesterId,
      );
      const [requester] = await repos.users.getMany([request.requesterId]);
      await queueNotices(repos, deps, audience, {
        title: `${requester?.name ?? 'Someone'} asks for ${request.kind === 'swap' ? 'a swap' : 'cover'} on ${schedule?.name ?? 'a schedule'}`,
        body: `${describeRange(request.start, request.end)}${
          request.kind === 'swap' && request.swapStart && request.swapEnd
            ? `, in exchange for ${describeRange(request.swapStart, request.swapEnd)}`
            : ''
        }.${request.message ? ` "${request.message}"` : ''} Accept it in Vigil: the first to accept takes it.`,
      });
      await recordAudit(repos, deps, ctx, request.createdAt, {
        action: `schedule.${request.kind}_request.create`,
        objectType: 'shift_request',
        objectId: request.id,
        after: request,
      });
      return request;
    });
  }

  /** Closes an open request as `status`; CONFLICT when someone answered it first. */
  async function answer(
    ctx: RequestContext,
    id: string,
    status: Exclude<ShiftRequestStatus, 'open'>,
    allowed: (request: ShiftRequest, userId: string) => string | null,
    effect: (repos: Repos, request: ShiftRequest) => Promise<OverrideRecord[]> = async () => [],
  ) {
    return uow.transaction(async (repos) => {
      const request = await mustGet(repos, id);
      if (!ctx.userId) throw new VigilError('FORBIDDEN', 'Only a person can answer a request');
      if (request.status !== 'open') {
        throw new VigilError('CONFLICT', `The request is already ${request.status}`);
      }
      const refusal = allowed(request, ctx.userId);
      if (refusal) throw new VigilError('FORBIDDEN', refusal);
      const now = toInstant(clock.now());
      const after: ShiftRequest = { ...request, status, answeredBy: ctx.userId, updatedAt: now };
      if (!(await repos.shiftRequests.answer(after))) {
        throw new VigilError('CONFLICT', 'Someone answered the request first');
      }
      const overrides = await effect(repos, after);
      if (status === 'accepted') {
        const [taker] = await repos.users.getMany([ctx.userId]);
        await queueNotices(repos, deps, [request.requesterId, ctx.userId], {
          title: `${taker?.name ?? 'Someone'} took ${request.kind === 'swap' ? 'the swap' : 'the cover request'}`,
          body: `${describeRange(request.start, request.end)} is now ${taker?.name ?? 'theirs'}’s${
            request.kind === 'swap' && request.swapStart && request.swapEnd
              ? `; ${describeRange(request.swapStart, request.swapEnd)} is the requester’s`
              : ''
          }. The schedule shows it as an override.`,
        });
      }
      await recordAudit(repos, deps, ctx, now, {
        action: `schedule.${request.kind}_request.${status}`,
        objectType: 'shift_request',
        objectId: id,
        before: request,
        after: { ...after, overrides: overrides.map((o) => o.id) },
      });
      return { request: after, overrides };
    });
  }

  const isManager = (ctx: RequestContext) => ctx.role !== null && roleAtLeast(ctx.role, 'manager');

  return {
    requestCover(ctx: RequestContext, scheduleId: string, input: CoverRequestInput) {
      const now = toInstant(clock.now());
      return open(ctx, {
        id: newId(),
        scheduleId,
        kind: 'cover',
        requesterId: requesterOf(ctx, input.requesterId),
        ...range(input.start, input.end, '/'),
        targetUserId: input.targetUserId ?? null,
        swapStart: null,
        swapEnd: null,
        message: input.message ?? '',
        status: 'open',
        answeredBy: null,
        createdAt: now,
        updatedAt: now,
      });
    },

    requestSwap(ctx: RequestContext, scheduleId: string, input: SwapRequestInput) {
      const now = toInstant(clock.now());
      const mine = range(input.start, input.end, '/');
      const theirs = range(input.swapStart, input.swapEnd, '/swap_');
      return open(ctx, {
        id: newId(),
        scheduleId,
        kind: 'swap',
        requesterId: requesterOf(ctx, input.requesterId),
        ...mine,
        targetUserId: input.targetUserId,
        swapStart: theirs.start,
        swapEnd: theirs.end,
        message: input.message ?? '',
        status: 'open',
        answeredBy: null,
        createdAt: now,
        updatedAt: now,
      });
    },

    /** The caller takes the requester's time (and, for a swap, gives theirs). */
    accept(ctx: RequestContext, id: string) {
      return answer(
        ctx,
        id,
        'accepted',
        (request, userId) =>
          userId === request.requesterId
            ? 'You cannot accept your own request'
            : request.targetUserId && request.targetUserId !== userId
              ? 'This request is addressed to someone else'
              : null,
        async (repos, request) => {
          const taker = request.answeredBy!;
          const source = request.kind;
          const overrides = [
            await insertOverride(
              deps,
              repos,
              ctx,
              request.scheduleId,
              { userId: taker, start: request.start, end: request.end },
              source,
              request.id,
            ),
          ];
          if (request.kind === 'swap' && request.swapStart && request.swapEnd) {
            overrides.push(
              await insertOverride(
                deps,
                repos,
                ctx,
                request.scheduleId,
                { userId: request.requesterId, start: request.swapStart, end: request.swapEnd },
                source,
                request.id,
              ),
            );
          }
          return overrides;
        },
      );
    },

    decline(ctx: RequestContext, id: string) {
      return answer(ctx, id, 'declined', (request, userId) =>
        request.targetUserId === userId
          ? null
          : 'Only the person asked can decline; others simply do not accept',
      );
    },

    cancel(ctx: RequestContext, id: string) {
      return answer(ctx, id, 'cancelled', (request, userId) =>
        request.requesterId === userId || isManager(ctx)
          ? null
          : 'Only the requester or a manager can cancel',
      );
    },

    get: (id: string) => mustGet(uow.read, id),
    list: (filter: { scheduleId?: string; status?: ShiftRequestStatus }, page: PageRequest) =>
      uow.read.shiftRequests.list(filter, page),
  };
}

export type ShiftRequestService = ReturnType<typeof createShiftRequestService>;
