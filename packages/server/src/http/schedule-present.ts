import type * as core from '@vigil/core';
import type * as api from '@vigil/sdk/contract';

/** Schedules between the API's snake_case and core's camelCase, both ways. */
export const layerFromApi = (layer: api.ScheduleLayer): core.ScheduleLayer => ({
  name: layer.name,
  users: layer.users,
  rotation: {
    type: layer.rotation.type,
    shiftLength: layer.rotation.shift_length,
    handoffAt: layer.rotation.handoff_at,
  },
  ...(layer.restrictions
    ? {
        restrictions: layer.restrictions.map((r) =>
          r.type === 'daily'
            ? { type: 'daily' as const, startTime: r.start_time, endTime: r.end_time }
            : {
                type: 'weekly' as const,
                // Missing days are reported by core's validation with the API's paths.
                startDay: r.start_day as number,
                startTime: r.start_time,
                endDay: r.end_day as number,
                endTime: r.end_time,
              },
        ),
      }
    : {}),
  ...(layer.holidays ? { holidays: { mode: layer.holidays.mode, dates: layer.holidays.dates } } : {}),
});

export const layerToApi = (layer: core.ScheduleLayer): api.ScheduleLayer => ({
  name: layer.name,
  users: [...layer.users],
  rotation: {
    type: layer.rotation.type,
    shift_length: layer.rotation.shiftLength,
    handoff_at: layer.rotation.handoffAt,
  },
  ...(layer.restrictions
    ? {
        restrictions: layer.restrictions.map((r) =>
          r.type === 'daily'
            ? { type: 'daily' as const, start_time: r.startTime, end_time: r.endTime }
            : {
                type: 'weekly' as const,
                start_day: r.startDay,
                start_time: r.startTime,
                end_day: r.endDay,
                end_time: r.endTime,
              },
        ),
      }
    : {}),
  ...(layer.holidays ? { holidays: { mode: layer.holidays.mode, dates: [...layer.holidays.dates] } } : {}),
});

export const presentSchedule = (s: core.ScheduleRecord): api.Schedule => ({
  id: s.id,
  name: s.name,
  description: s.description,
  team_id: s.teamId,
  time_zone: s.timeZone,
  layers: s.layers.map(layerToApi),
  version: s.version,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
});

export const presentShift =
  (schedule: { layers: readonly core.ScheduleLayer[] }, names: Map<string, string>) =>
  (shift: core.Shift): api.Shift => ({
    user_id: shift.userId,
    user_name: names.get(shift.userId) ?? shift.userId,
    start: shift.start,
    end: shift.end,
    layer: shift.layer === null ? null : (schedule.layers[shift.layer]?.name ?? null),
    layer_index: shift.layer,
  });

export const presentOverride = (o: core.OverrideRecord): api.Override => ({
  id: o.id,
  schedule_id: o.scheduleId,
  user_id: o.userId,
  start: o.start,
  end: o.end,
  source: o.source,
  request_id: o.requestId,
  created_by: o.createdBy,
  created_at: o.createdAt,
});

export const presentVersion = (v: core.ScheduleVersion): api.ScheduleVersion => ({
  version: v.version,
  action: v.action,
  restored_from: v.restoredFrom,
  actor: v.actor,
  created_at: v.createdAt,
  definition: {
    name: v.definition.name,
    description: v.definition.description,
    team_id: v.definition.teamId,
    time_zone: v.definition.timeZone,
    layers: v.definition.layers.map(layerToApi),
  },
});

export const presentShiftRequest = (r: core.ShiftRequest): api.ShiftRequest => ({
  id: r.id,
  schedule_id: r.scheduleId,
  kind: r.kind,
  requester_id: r.requesterId,
  start: r.start,
  end: r.end,
  target_user_id: r.targetUserId,
  swap_start: r.swapStart,
  swap_end: r.swapEnd,
  message: r.message,
  status: r.status,
  answered_by: r.answeredBy,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});
