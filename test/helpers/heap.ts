/**
 * Heap measurement for the memory-bound tests (it imports neither the package nor src, so
 * both kinds of test file can use it).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Every sub-window, and then the lifetime sketch (the first sub-window retires into it), is
 * filled to its budget at full resolution: 70,000 equal values (so the counts need 32 bits)
 * of each sign, and then every schema-6 bucket of 4.7 decades of each sign (8,448 bytes: just
 * under the 8,704-byte budget of a PmfStat's sketch). With more sub-windows (smaller budgets) the same data forces
 * coarser schemas, each sketch then holding between half and all of its budget.
 */
export function fillWorstCase(
  d: { record(v: number): void },
  clock: { advance(ms: number): void },
  _seed: number,
  subWindows = 5,
  subWindowMs = 60_000,
): void {
  for (let sub = 0; sub <= subWindows; sub++) {
    for (let i = 0; i < 70_000; i++) {
      d.record(1.5);
      d.record(-1.5);
    }
    for (let x = 1.01e-3; x < 5e1; x *= 2 ** (1 / 128)) {
      d.record(x);
      d.record(-x);
    }
    if (sub < subWindows) clock.advance(subWindowMs);
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
 * background sweeper, after the collection that found them dead. Stable means three readings in
 * a row within 1 KiB: on a loaded machine the sweeper thread may not have run at all during one
 * 10 ms pause, and two equal readings would then settle on memory about to be freed. Up to 100
 * rounds (about a second; a quiet machine settles in three).
 */
export async function settledBytes(): Promise<number> {
  let last = -1;
  let steady = 0;
  for (let i = 0; i < 100; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const now = usedBytes();
    steady = Math.abs(now - last) < 1024 ? steady + 1 : 0;
    if (steady === 2) return now;
    last = now;
  }
  return last;
}
