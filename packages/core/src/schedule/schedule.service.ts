import { roleAtLeast } from '../auth/roles.js';
import type { Repos } from '../ports.js';
import type { RequestContext } from '../shared/actor.js';
import { type Instant, toInstant } from '../shared/clock.js';
import { type FieldError, invalidField, notFound, VigilError } from '../shared/errors.js';
import type { Page, PageRequest } from '../shared/page.js';
import { recordAudit, type UseCaseDeps } from '../shared/use-case.js';
import { coverageGaps } from './coverage-gaps.js';
import { finalSchedule } from './final-schedule.js';
import { formatInstant, instantField } from './local-time.js';
import { onCallAt } from './on-call-at.js';
import { importPagerDutySchedule, pagerDutyUsers } from './pagerduty-import.js';
import type { Schedule, ScheduleOverride, Shift, TimeRange } from './schedule.js';
import { diffShifts } from './schedule-diff.js';
import type {
  OverrideRecord,
  ScheduleDefinition,
  ScheduleRecord,
  ScheduleVersion,
  ScheduleVersionAction,
} from './schedule-record.js';
import { validateSchedule } from './schedule-validation.js';
import { DAY_MS } from './time-zone.js';

/** How far ahead a change's preview looks. */
export const PREVIEW_DAYS = 30;

export type ScheduleInput = Omit<ScheduleDefinition, 'description' | 'teamId'> & {
  description?: string;
  teamId?: string | null;
};

export interface WriteOptions {
  /** Compute and return the preview without saving anything. */
  dryRun?: boolean;
  /** Refuse with CONFLICT unless the schedule is still at this version. */
  expectedVersion?: number;
}

/** The shifts a change adds and removes over the next PREVIEW_DAYS days (overrides included). */
export interface SchedulePreview {
  since: Instant;
  until: Instant;
  removed: Shift[];
  added: Shift[];
}

export interface ScheduleChange {
  schedule: ScheduleRecord;
  preview: SchedulePreview;
  saved: boolean;
}

export interface OnCallUser {
  userId: string;
  name: string;
  /** Where the answer comes from: the layer's name, or null for an override. */
  layer: string | null;
  /** When this person's stretch ends (within the next two weeks), null when later. */
  until: Instant | null;
}

export interface OverrideInput {
  userId: string;
  start: string;
  end: string;
}

export const toCalculatorSchedule = (s: ScheduleDefinition): Schedule => ({
  name: s.name,
  timeZone: s.timeZone,
  layers: s.layers,
});

export const toCalculatorOverrides = (rows: readonly OverrideRecord[]): ScheduleOverride[] =>
  rows.map((o) => ({ userId: o.userId, start: o.start, end: o.end }));

const definitionOf = (s: ScheduleRecord): ScheduleDefinition => ({
  name: s.name,
  description: s.description,
  teamId: s.teamId,
  timeZone: s.timeZone,
  layers: s.layers,
});

export function createScheduleService(deps: UseCaseDeps) {
  const { uow, clock, newId } = deps;

  async function mustGet(repos: Repos, id: string): Promise<ScheduleRecord> {
    const schedule = await repos.schedules.get(id);
    if (!schedule) throw notFound('Schedule', id);
    return schedule;
  }

  /** Everything the calculators and the directory say is wrong with a definition, at once. */
  async function check(repos: Repos, definition: ScheduleDefinition, exceptId?: string) {
    const existing = await repos.schedules.getByName(definition.name);
    if (existing && existing.id !== exceptId) {
      throw new VigilError('CONFLICT', `A schedule named ${JSON.stringify(definition.name)} exists`);
    }
    if (definition.teamId && !(await repos.teams.get(definition.teamId))) {
      throw invalidField('/team_id', `team ${JSON.stringify(definition.teamId)} does not exist`);
    }
    const errors: FieldError[] = validateSchedule(toCalculatorSchedule(definition));
    const ids = [
      ...new Set(definition.layers.flatMap((layer) => (Array.isArray(layer.users) ? layer.users : []))),
    ];
    const active = new Set((await repos.users.getMany(ids)).filter((u) => !u.deactivatedAt).map((u) => u.id));
    definition.layers.forEach((layer, i) => {
      if (!Array.isArray(layer.users)) return;
      layer.users.forEach((userId, j) => {
        if (typeof userId === 'string' && !active.has(userId)) {
          errors.push({
            path: `/layers/${i}/users/${j}`,
            message: `user ${JSON.stringify(userId)} does not exist or is deactivated`,
          });
        }
      });
    });
    if (errors.length > 0) throw new VigilError('VALIDATION_FAILED', errors[0]!.message, errors);
  }

  async function preview(
    repos: Repos,
    scheduleId: string | null,
    before: ScheduleDefinition | null,
    after: ScheduleDefinition,
  ): Promise<SchedulePreview> {
    const now = clock.now().getTime();
    const range = { start: formatInstant(now), end: formatInstant(now + PREVIEW_DAYS * DAY_MS) };
    const overrides = scheduleId
      ? toCalculatorOverrides(await repos.overrides.overlapping([scheduleId], range.start, range.end))
      : [];
    const render = (d: ScheduleDefinition | null) =>
      d ? finalSchedule(toCalculatorSchedule(d), overrides, range) : [];
    return { since: range.start, until: range.end, ...diffShifts(render(before), render(after)) };
  }

  /** Saves `after` as the schedule's next version (or only previews it), in one transaction. */
  async function save(
    ctx: RequestContext,
    id: string,
    change: (current: ScheduleRecord) => ScheduleDefinition,
    action: ScheduleVersionAction,
    options: WriteOptions & { restoredFrom?: number },
  ): Promise<ScheduleChange> {
    return uow.transaction(async (repos) => {
      const before = await mustGet(repos, id);
      if (options.expectedVersion !== undefined && options.expectedVersion !== before.version) {
        throw new VigilError(
          'CONFLICT',
          `The schedule is at version ${before.version}, not ${options.expectedVersion}; reload it and try again`,
        );
      }
      const definition = change(before);
      await check(repos, definition, id);
      const now = toInstant(clock.now());
      const after: ScheduleRecord = { ...before, ...definition, version: before.version + 1, updatedAt: now };
      const diff = await preview(repos, id, definitionOf(before), definition);
      if (options.dryRun)
        return { schedule: { ...after, version: before.version }, preview: diff, saved: false };
      if (!(await repos.schedules.update(after, before.version))) {
        throw new VigilError('CONFLICT', 'The schedule changed while saving; reload it and try again');
      }
      await repos.schedules.insertVersion(versionOf(after, action, ctx, options.restoredFrom ?? null));
      await recordAudit(repos, deps, ctx, now, {
        action: `schedule.${action}`,
        objectType: 'schedule',
        objectId: id,
        before,
        after,
      });
      return { schedule: after, preview: diff, saved: true };
    });
  }

  const versionOf = (
    s: ScheduleRecord,
    action: ScheduleVersionAction,
    ctx: RequestContext,
    restoredFrom: number | null,
  ): ScheduleVersion => ({
    scheduleId: s.id,
    version: s.version,
    definition: definitionOf(s),
    action,
    restoredFrom,
    actor: ctx.actor,
    createdAt: s.updatedAt,
  });

  async function create(
    ctx: RequestContext,
    input: ScheduleInput,
    options: WriteOptions = {},
  ): Promise<ScheduleChange> {
    return uow.transaction(async (repos) => {
      const definition: ScheduleDefinition = {
        name: input.name,
        description: input.description ?? '',
        teamId: input.teamId ?? null,
        timeZone: input.timeZone,
        layers: input.layers,
      };
      await check(repos, definition);
      const now = toInstant(clock.now());
      const schedule: ScheduleRecord = {
        id: newId(),
        ...definition,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const diff = await preview(repos, null, null, definition);
      if (options.dryRun) return { schedule, preview: diff, saved: false };
      await repos.schedules.insert(schedule);
      await repos.schedules.insertVersion(versionOf(schedule, 'create', ctx, null));
      await recordAudit(repos, deps, ctx, now, {
        action: 'schedule.create',
        objectType: 'schedule',
        objectId: schedule.id,
        after: schedule,
      });
      return { schedule, preview: diff, saved: true };
    });
  }

  async function overridesIn(repos: Repos, scheduleId: string, since: string, until: string) {
    return toCalculatorOverrides(await repos.overrides.overlapping([scheduleId], since, until));
  }

  return {
    create,

    update(ctx: RequestContext, id: string, patch: Partial<ScheduleInput>, options: WriteOptions = {}) {
      return save(
        ctx,
        id,
        (current) => ({
          name: patch.name ?? current.name,
          description: patch.description ?? current.description,
          teamId: patch.teamId !== undefined ? patch.teamId : current.teamId,
          timeZone: patch.timeZone ?? current.timeZone,
          layers: patch.layers ?? current.layers,
        }),
        'update',
        options,
      );
    },

    /** Makes version `version`'s definition current again, as a new version. */
    async restore(ctx: RequestContext, id: string, version: number, options: WriteOptions = {}) {
      const old = await uow.read.schedules.getVersion(id, version);
      if (!old) throw notFound('Schedule version', `${id}/${version}`);
      return save(ctx, id, () => old.definition, 'restore', { ...options, restoredFrom: version });
    },

    async delete(ctx: RequestContext, id: string): Promise<void> {
      await uow.transaction(async (repos) => {
        const before = await mustGet(repos, id);
        const policies = await repos.policies.usingTarget('schedule', id);
        if (policies.length > 0) {
          throw new VigilError(
            'CONFLICT',
            `Escalation policies page through this schedule (${policies.map((p) => p.name).join(', ')}); change them first`,
          );
        }
        await repos.schedules.delete(id);
        await recordAudit(repos, deps, ctx, toInstant(clock.now()), {
          action: 'schedule.delete',
          objectType: 'schedule',
          objectId: id,
          before,
        });
      });
    },

    get: (id: string) => mustGet(uow.read, id),
    list: (page: PageRequest) => uow.read.schedules.list(page),

    async listVersions(id: string, page: PageRequest): Promise<Page<ScheduleVersion>> {
      await mustGet(uow.read, id);
      return uow.read.schedules.listVersions(id, page);
    },

    async getVersion(id: string, version: number): Promise<ScheduleVersion> {
      const found = await uow.read.schedules.getVersion(id, version);
      if (!found) throw notFound('Schedule version', `${id}/${version}`);
      return found;
    },

    /** Who is on call on one schedule at `at` (now when absent), and until when. */
    async onCall(id: string, at?: string): Promise<{ at: Instant; users: OnCallUser[] }> {
      const schedule = await mustGet(uow.read, id);
      const instant = at === undefined ? clock.now().getTime() : instantField(at, '/at');
      const atText = formatInstant(instant);
      const horizon = formatInstant(instant + 14 * DAY_MS);
      const shifts = finalSchedule(
        toCalculatorSchedule(schedule),
        await overridesIn(uow.read, id, atText, horizon),
        { start: atText, end: horizon },
      );
      const current = shifts[0]?.start === atText ? shifts[0] : undefined;
      if (!current) return { at: atText, users: [] };
      const [user] = await uow.read.users.getMany([current.userId]);
      return {
        at: atText,
        users: [
          {
            userId: current.userId,
            name: user?.name ?? current.userId,
            layer: current.layer === null ? null : (schedule.layers[current.layer]?.name ?? null),
            until: current.end === horizon ? null : current.end,
          },
        ],
      };
    },

    /** Who is on call on every schedule at `at`: one entry per schedule that has someone. */
    async onCallEverywhere(at?: string) {
      const instant = at === undefined ? clock.now().getTime() : instantField(at, '/at');
      const atText = formatInstant(instant);
      const schedules = await uow.read.schedules.all();
      const overrides = await uow.read.overrides.overlapping(
        schedules.map((s) => s.id),
        atText,
        formatInstant(instant + 1),
      );
      const bySchedule = new Map<string, OverrideRecord[]>();
      for (const o of overrides) bySchedule.set(o.scheduleId, [...(bySchedule.get(o.scheduleId) ?? []), o]);
      const answers = schedules.flatMap((schedule) => {
        const who = onCallAt(
          toCalculatorSchedule(schedule),
          toCalculatorOverrides(bySchedule.get(schedule.id) ?? []),
          atText,
        );
        return who ? [{ schedule, userId: who.userId, layer: who.layer }] : [];
      });
      const names = new Map(
        (await uow.read.users.getMany([...new Set(answers.map((a) => a.userId))])).map((u) => [u.id, u.name]),
      );
      return {
        at: atText,
        entries: answers.map((a) => ({
          schedule: a.schedule,
          userId: a.userId,
          name: names.get(a.userId) ?? a.userId,
          layer: a.layer === null ? null : (a.schedule.layers[a.layer]?.name ?? null),
        })),
      };
    },

    /** The final schedule between two instants, overrides included. */
    async shifts(
      id: string,
      since: string,
      until: string,
    ): Promise<{ schedule: ScheduleRecord; shifts: Shift[] }> {
      const schedule = await mustGet(uow.read, id);
      instantField(since, '/since');
      instantField(until, '/until');
      const shifts = finalSchedule(
        toCalculatorSchedule(schedule),
        await overridesIn(uow.read, id, since, until),
        { start: since, end: until },
      );
      return { schedule, shifts };
    },

    async gaps(id: string, since: string, until: string): Promise<TimeRange[]> {
      const { shifts } = await this.shifts(id, since, until);
      return coverageGaps(shifts, { start: since, end: until });
    },

    async listOverrides(id: string, since: string, until: string): Promise<OverrideRecord[]> {
      await mustGet(uow.read, id);
      const from = instantField(since, '/since');
      const to = instantField(until, '/until');
      if (to <= from) throw invalidField('/until', 'must be after since');
      return uow.read.overrides.overlapping([id], formatInstant(from), formatInstant(to));
    },

    async createOverride(
      ctx: RequestContext,
      scheduleId: string,
      input: OverrideInput,
    ): Promise<OverrideRecord> {
      return uow.transaction(async (repos) => {
        await mustGet(repos, scheduleId);
        const override = await insertOverride(deps, repos, ctx, scheduleId, input, 'manual', null);
        await recordAudit(repos, deps, ctx, override.createdAt, {
          action: 'schedule.override.create',
          objectType: 'schedule',
          objectId: scheduleId,
          after: override,
        });
        return override;
      });
    },

    async deleteOverride(ctx: RequestContext, scheduleId: string, overrideId: string): Promise<void> {
      await uow.transaction(async (repos) => {
        const override = await repos.overrides.get(overrideId);
        if (!override || override.scheduleId !== scheduleId) throw notFound('Override', overrideId);
        // Responders may remove their own overrides; removing someone else's is for managers.
        if (ctx.role && !roleAtLeast(ctx.role, 'manager') && override.userId !== ctx.userId) {
          throw new VigilError(
            'FORBIDDEN',
            'Only managers may remove an override that puts someone else on call',
          );
        }
        await repos.overrides.delete(overrideId);
        await recordAudit(repos, deps, ctx, toInstant(clock.now()), {
          action: 'schedule.override.delete',
          objectType: 'schedule',
          objectId: scheduleId,
          before: override,
        });
      });
    },

    /**
     * Creates a schedule from a PagerDuty schedule JSON. Users are matched by `userMap`
     * (PagerDuty id → Vigil id), then by e-mail.
     */
    async importPagerDuty(
      ctx: RequestContext,
      input: {
        schedule: unknown;
        userMap?: Record<string, string>;
        layerOrder?: 'bottom_first' | 'top_first';
        name?: string;
      },
      options: WriteOptions = {},
    ) {
      const resolved = new Map<string, string>();
      for (const ref of pagerDutyUsers(input.schedule)) {
        const mapped = input.userMap?.[ref.id];
        if (mapped) resolved.set(ref.id, mapped);
        else if (ref.email) {
          const user = await uow.read.users.getByEmail(ref.email.toLowerCase());
          if (user && !user.deactivatedAt) resolved.set(ref.id, user.id);
        }
      }
      const result = importPagerDutySchedule(input.schedule, {
        layerOrder: input.layerOrder ?? 'bottom_first',
        now: clock.now().getTime(),
        resolveUser: (ref) => resolved.get(ref.id),
      });
      if (result.errors.length > 0) {
        // The PagerDuty JSON sits under `schedule` in the request body.
        const errors = result.errors.map((e) => ({ ...e, path: `/schedule${e.path}` }));
        throw new VigilError('VALIDATION_FAILED', errors[0]!.message, errors);
      }
      const definition = { ...result.definition, name: input.name ?? result.definition.name };
      const change = await create(ctx, definition, options);
      return { ...change, warnings: result.warnings };
    },
  };
}

/** Validates and stores an override (by hand, or from an accepted cover or swap request). */
export async function insertOverride(
  deps: Pick<UseCaseDeps, 'clock' | 'newId'>,
  repos: Repos,
  ctx: RequestContext,
  scheduleId: string,
  input: OverrideInput,
  source: OverrideRecord['source'],
  requestId: string | null,
): Promise<OverrideRecord> {
  const start = instantField(input.start, '/start');
  const end = instantField(input.end, '/end');
  if (end <= start) throw invalidField('/end', 'must be after start');
  if (end - start > 366 * DAY_MS) throw invalidField('/end', 'an override lasts at most a year');
  const [user] = await repos.users.getMany([input.userId]);
  if (!user || user.deactivatedAt) {
    throw invalidField('/user_id', `user ${JSON.stringify(input.userId)} does not exist or is deactivated`);
  }
  const override: OverrideRecord = {
    id: deps.newId(),
    scheduleId,
    userId: input.userId,
    start: formatInstant(start),
    end: formatInstant(end),
    source,
    requestId,
    createdBy: ctx.actor,
    createdAt: toInstant(deps.clock.now()),
  };
  await repos.overrides.insert(override);
  return override;
}

export type ScheduleService = ReturnType<typeof createScheduleService>;
