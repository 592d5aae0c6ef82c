import { invalidField } from '../shared/errors.js';
import { compileSchedule } from './compiled-schedule.js';
import { layerPieces } from './layer-pieces.js';
import { formatInstant } from './local-time.js';
import type { Schedule, Shift, TimeRange } from './schedule.js';
import { rangeField } from './time-range.js';

/**
 * One layer on its own over `range`: its rotation's shifts cut to its restrictions and holidays,
 * one entry per shift (not merged), clipped to the range. For previews of a layer and for tests.
 */
export function layerShifts(schedule: Schedule, layerIndex: number, range: TimeRange): Shift[] {
  const compiled = compileSchedule(schedule);
  const layer = compiled.layers[layerIndex];
  if (!Number.isInteger(layerIndex) || layer === undefined) {
    throw invalidField('/layer', `must be the index of one of the ${compiled.layers.length} layers`);
  }
  const { from, to } = rangeField(range);
  return layerPieces(compiled.zone, layer, from, to).map((p) => ({
    userId: p.user,
    start: formatInstant(p.start),
    end: formatInstant(p.end),
    layer: layerIndex,
  }));
}
