/**
 * Heap measurement for the memory-bound tests (it imports neither the package nor src, so
 * both kinds of test file can use it).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { seededRandom } from './datasets.js';

/** Every sub-window gets values of both signs across the whole double range. */
export function fillWorstCase(d: { record(v: number): void }, clock: { advance(ms: number): void }, seed: number, subWindows = 5, subWindowMs = 60_000): void {
  const r = seededRandom(seed);
  for (let sub = 0; sub < subWindows; sub++) {
    for (let i = 0; i < 4000; i++) {
      const mag = 10 ** (-300 + 600 * r());
      d.record(i % 3 === 0 ? -mag : mag);
      d.record(i % 2 === 0 ? 1e300 : -1e300); // keep the top of both ranges pinned
    }
    clock.advance(subWindowMs);
  }
}

export function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Collects garbage until the reading is stable: V8 frees ArrayBuffer backing stores on a
 * background sweeper, after the collection that found them dead.
 */
export async function settledBytes(): Promise<number> {
  let last = -1;
  for (let i = 0; i < 20; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const now = usedBytes();
    if (Math.abs(now - last) < 1024) return now;
    last = now;
  }
  return last;
}
