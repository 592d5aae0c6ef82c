import { compileSchedule } from './compiled-schedule.js';
import { layerUserAt } from './layer-pieces.js';
import { instantField } from './local-time.js';
import type { OnCall, Schedule, ScheduleOverride } from './schedule.js';
import { overridePieces } from './time-range.js';

/**
 * Who is on call at `at`: the latest override that covers it, else the highest layer that has
 * someone then; `null` when nobody is. Always agrees with `finalSchedule` at that instant.
 */
export function onCallAt(
  schedule: Schedule,
  overrides: readonly ScheduleOverride[],
  at: string,
): OnCall | null {
  const compiled = compileSchedule(schedule);
  const instant = instantField(at, '/at');
  const pieces = overridePieces(overrides);
  for (let j = pieces.length - 1; j >= 0; j--) {
    const o = pieces[j]!;
    if (o.start <= instant && instant < o.end) return { userId: o.user, layer: null };
  }
  for (let i = compiled.layers.length - 1; i >= 0; i--) {
    const userId = layerUserAt(compiled.zone, compiled.layers[i]!, instant);
    if (userId !== undefined) return { userId, layer: i };
  }
  return null;
}
