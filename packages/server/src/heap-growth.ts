import { setFlagsFromString } from 'node:v8';

/** The default for VIGIL_HEAP_GROWTH_PERCENT (docs/configuration.md, docs/performance.md). */
export const DEFAULT_HEAP_GROWTH_PERCENT = 75;

/**
 * Caps how far V8 lets the old generation grow past what survived the last full collection before
 * it collects again: at most `percent` % more (75 → 1.75×). 0 leaves V8's own choice.
 *
 * Why: on a machine with gigabytes of memory V8 allows up to 4× the live heap between full
 * collections. Ingest keeps each request's objects alive until its group commit lands, so they
 * survive the young generation and die old; under a burst the heap then swelled to 4× a live set
 * of about 50 MB (peak RSS 313–453 MB for webhooks of 100 alerts). With 1.75× the same bursts peak
 * at 189–316 MB for a few % more collector work (figures in docs/performance.md). It is a growth
 * factor, not a limit: a heap that really needs more memory still gets it, so a burst cannot turn
 * into an out-of-memory crash the way `--max-old-space-size` can.
 *
 * The flag is read each time V8 sizes the heap after a full collection, so setting it at start-up
 * (it applies to worker threads too) takes effect from the next collection on.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
