import {
  coverageGaps,
  finalSchedule,
  installationAdmins,
  instantToLocal,
  queueNotices,
  type Repos,
  type ScheduleRecord,
  toCalculatorOverrides,
  toCalculatorSchedule,
} from '@vigil/core';
import type { Kysely } from 'kysely';
import type { Store } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import { scheduleUrl } from '../urls.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Hand-offs are looked for this often; a notice may come up to this late. */
export const HANDOFF_EVERY_MS = MINUTE_MS;
/**
 * Gaps in the next 14 days are checked every 6 hours and warned of once a day at most, or at once
 * when a gap nobody was warned of starts within two days.
 */
const GAP_HORIZON_MS = 14 * DAY_MS;
const GAP_CHECK_MS = 6 * 60 * MINUTE_MS;
const GAP_REPEAT_MS = DAY_MS;
const URGENT_GAP_MS = 2 * DAY_MS;

export interface ScheduleModuleDeps {
  store: Store;
  reposFor(db: Kysely<Database>): Repos;
  newId(): string;
  clock: { now(): Date };
  publicUrl: string;
}

/**
 * The engine's schedule module (issue 5): tells the incoming and outgoing person at each hand-off,
 * and warns a schedule's owners of gaps in the next 14 days. Each schedule's progress is a row
 * (`schedule_watch`) claimed per run, so instances share the work and a restart repeats nothing.
 */
export function createScheduleModule(deps: ScheduleModuleDeps) {
  const { store } = deps;
  let lastRun = Number.NEGATIVE_INFINITY;

  /** Runs when a minute of engine time has passed since the last run; returns schedules looked at. */
  async function run(now: Date): Promise<number> {
    if (now.getTime() - lastRun < HANDOFF_EVERY_MS) return 0;
    lastRun = now.getTime();
    const schedules = await store.db.selectFrom('schedules').select('id').execute();
    let looked = 0;
    for (const { id } of schedules) if (await watchOne(id, now)) looked++;
    return looked;
  }

  async function watchOne(scheduleId: string, now: Date): Promise<boolean> {
    const at = now.toISOString();
    return store.db.transaction().execute(async (trx) => {
      const repos = deps.reposFor(trx);
      let watch = await store.dialect
        .claim(trx.selectFrom('schedule_watch').selectAll().where('schedule_id', '=', scheduleId))
        .executeTakeFirst();
      const schedule = await repos.schedules.get(scheduleId);
      if (!schedule) return false;
      if (!watch) {
        // A new schedule: hand-offs count from its creation (nobody is told about the past).
        const since = schedule.createdAt < at ? schedule.createdAt : at;
        watch = {
          schedule_id: scheduleId,
          handoffs_until: since,
          gaps_checked_at: null,
          gaps_warned: null,
          gaps_warned_at: null,
        };
        await trx
          .insertInto('schedule_watch')
          .values(watch)
          .onConflict((oc) => oc.column('schedule_id').doNothing())
          .execute();
      }
      if (watch.handoffs_until < at) await announceHandoffs(repos, schedule, watch.handoffs_until, at);
      const patch: Partial<Database['schedule_watch']> = { handoffs_until: at };
      if (!watch.gaps_checked_at || now.getTime() - Date.parse(watch.gaps_checked_at) >= GAP_CHECK_MS) {
        Object.assign(patch, await warnOfGaps(repos, schedule, watch, now));
      }
      await trx.updateTable('schedule_watch').set(patch).where('schedule_id', '=', scheduleId).execute();
      return true;
    });
  }

  const local = (instant: string, zone: string) =>
    instantToLocal(instant, zone).slice(0, 16).replace('T', ' ');

  async function announceHandoffs(repos: Repos, schedule: ScheduleRecord, from: string, to: string) {
    // Look a little before `from` so the shift running into it is known, and ahead for how long each lasts.
    const start = new Date(Date.parse(from) - DAY_MS).toISOString();
    const end = new Date(Date.parse(to) + 14 * DAY_MS).toISOString();
    const overrides = await repos.overrides.overlapping([schedule.id], start, end);
    const shifts = finalSchedule(toCalculatorSchedule(schedule), toCalculatorOverrides(overrides), {
      start,
      end,
    });
    const names = new Map<string, string>();
    for (const user of await repos.users.getMany([...new Set(shifts.map((s) => s.userId))]))
      names.set(user.id, user.name);
    const url = scheduleUrl(deps.publicUrl, schedule.id);
    for (let i = 0; i < shifts.length; i++) {
      const shift = shifts[i]!;
      if (!(shift.start > from && shift.start <= to)) continue;
      const before = shifts[i - 1];
      const outgoing = before && before.end === shift.start ? before.userId : null;
      if (outgoing === shift.userId) continue;
      const until =
        shift.end === end ? 'for more than two weeks' : `until ${local(shift.end, schedule.timeZone)}`;
      await queueNotices(repos, deps, [shift.userId], {
        title: `You are on call for ${schedule.name}`,
        body: `From ${local(shift.start, schedule.timeZone)} ${until} (${schedule.timeZone}).${
          outgoing ? ` You take over from ${names.get(outgoing) ?? 'a colleague'}.` : ''
        }`,
        url,
      });
      if (outgoing) {
        await queueNotices(repos, deps, [outgoing], {
          title: `Your on-call shift for ${schedule.name} has ended`,
          body: `${names.get(shift.userId) ?? 'A colleague'} is on call from ${local(shift.start, schedule.timeZone)} (${schedule.timeZone}).`,
          url,
        });
      }
    }
  }

  /** The schedule's owners: its team's managers, or else the installation's owners and admins. */
  async function owners(repos: Repos, schedule: ScheduleRecord): Promise<string[]> {
    if (schedule.teamId) {
      const managers = (await repos.teams.members(schedule.teamId)).filter((m) => m.role === 'manager');
      if (managers.length > 0) return managers.map((m) => m.userId);
    }
    return installationAdmins(repos);
  }

  async function warnOfGaps(
    repos: Repos,
    schedule: ScheduleRecord,
    watch: Database['schedule_watch'],
    now: Date,
  ): Promise<Partial<Database['schedule_watch']>> {
    const range = { start: now.toISOString(), end: new Date(now.getTime() + GAP_HORIZON_MS).toISOString() };
    const overrides = await repos.overrides.overlapping([schedule.id], range.start, range.end);
    const shifts = finalSchedule(toCalculatorSchedule(schedule), toCalculatorOverrides(overrides), range);
    const gaps = coverageGaps(shifts, range);
    // Gaps are known by their ends: the first one's start moves with the window, its end does not.
    const key = JSON.stringify(gaps.map((g) => g.end));
    const warnedBefore = new Set<string>(watch.gaps_warned ? JSON.parse(watch.gaps_warned) : []);
    // A gap not warned of that starts within two days cannot wait for tomorrow's reminder.
    const news = gaps.some(
      (g) => !warnedBefore.has(g.end) && Date.parse(g.start) - now.getTime() < URGENT_GAP_MS,
    );
    const checked = { gaps_checked_at: now.toISOString() };
    if (gaps.length === 0) return { ...checked, gaps_warned: null };
    const recently = watch.gaps_warned_at && now.getTime() - Date.parse(watch.gaps_warned_at) < GAP_REPEAT_MS;
    if (!news && recently) return checked;
    const listed = gaps
      .slice(0, 5)
      .map((g) => `${local(g.start, schedule.timeZone)} to ${local(g.end, schedule.timeZone)}`)
      .join('; ');
    await queueNotices(repos, deps, await owners(repos, schedule), {
      title: `${schedule.name} has nobody on call ${gaps.length === 1 ? 'once' : `${gaps.length} times`} in the next 14 days`,
      body: `Gaps (${schedule.timeZone}): ${listed}${gaps.length > 5 ? '; …' : ''}. Add an override or a layer to cover them.`,
      url: scheduleUrl(deps.publicUrl, schedule.id),
    });
    return { ...checked, gaps_warned: key, gaps_warned_at: now.toISOString() };
  }

  return { run };
}

export type ScheduleModule = ReturnType<typeof createScheduleModule>;
