import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const run = promisify(execFile);
// The built module (npm test builds first): the child is plain Node, as in production.
const builtModule = fileURLToPath(new URL('../dist/heap-growth.js', import.meta.url));

/**
 * A live set of about 40 MB, like a running server's, and "requests" whose objects stay alive for
 * a few turns (until their commit lands) and then die old: the pattern that made ingest's heap
 * swell. Prints the largest heap V8 reserved.
 */
const churn = `
const percent = Number(process.argv[1]);
if (percent > 0) (await import(${JSON.stringify(builtModule)})).limitHeapGrowth(percent);
const live = Array.from({ length: 200_000 }, (_, i) => ({ id: 'live-' + i, payload: 'x'.repeat(100) + i }));
const inFlight = [];
let peak = 0;
for (let round = 0; round < 600; round++) {
  inFlight.push(Array.from({ length: 2_000 }, (_, i) => ({ key: 'k-' + i + '-' + Math.random(), labels: { a: 'b'.repeat(50) } })));
  if (inFlight.length > 40) inFlight.shift();
  if (round % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
process.stdout.write(JSON.stringify({ peakMb: peak / 1e6, live: live.length }));
`;

async function peakHeapMb(percent: number): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', churn, String(percent)], {
    timeout: 60_000,
  });
  return (JSON.parse(stdout) as { peakMb: number }).peakMb;
}

describe('heap growth limit', () => {
  it('keeps a churning heap well below what V8 lets it grow to by default', async () => {
    const [unlimited, limited] = await Promise.all([peakHeapMb(0), peakHeapMb(75)]);
    // Seen: about 400–480 MB without the limit, 230 MB with it.
    expect(limited).toBeLessThan(unlimited * 0.75);
    // The live set (about 40 MB plus the requests in flight) still fits: it is a factor, not a cap.
    expect(limited).toBeGreaterThan(60);
  }, 90_000);
});

describe('VIGIL_HEAP_GROWTH_PERCENT', () => {
  const load = (value?: string) =>
    loadConfig({
      VIGIL_DATA_DIR: fileURLToPath(new URL('../.vigil-test/heap-growth-config', import.meta.url)),
      ...(value === undefined ? {} : { VIGIL_HEAP_GROWTH_PERCENT: value }),
    });

  it('defaults to 75 and takes 0 (V8 decides) up to 300', () => {
    expect(load().heapGrowthPercent).toBe(75);
    expect(load('0').heapGrowthPercent).toBe(0);
    expect(load('300').heapGrowthPercent).toBe(300);
  });

  it('refuses anything else with a message naming the setting', () => {
    for (const bad of ['-1', '301', '1.5', 'lots'])
      expect(() => load(bad)).toThrow(/VIGIL_HEAP_GROWTH_PERCENT must be a whole number from 0 to 300/);
  });
});
