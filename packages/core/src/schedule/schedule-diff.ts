import type { Shift } from './schedule.js';

/** What a change does to the rendered schedule over a window: shifts that go and shifts that come. */
export interface ShiftDiff {
  removed: Shift[];
  added: Shift[];
}

const keyOf = (shift: Shift) => `${shift.userId}|${shift.start}|${shift.end}|${shift.layer}`;

/** Shifts in `before` but not in `after` and the other way round, each in time order. */
export function diffShifts(before: readonly Shift[], after: readonly Shift[]): ShiftDiff {
  const beforeKeys = new Set(before.map(keyOf));
  const afterKeys = new Set(after.map(keyOf));
  return {
    removed: before.filter((shift) => !afterKeys.has(keyOf(shift))),
    added: after.filter((shift) => !beforeKeys.has(keyOf(shift))),
  };
}
