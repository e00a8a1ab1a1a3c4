/**
 * The memory bound of issue 3: at most 32 KiB per WindowedDistribution, windows included,
 * whatever the data. Proven two ways: computed from the typed-array sizes (byteSize(), whose
 * bins can never exceed BIN_BUDGET x 4 bytes), and measured on the V8 heap plus ArrayBuffers
 * over many instances filled with worst-case data.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as scales from 'scales-metrics';
import { ManualClock } from '../../src/sampling/clock.js';
import {
  BASE_OVERHEAD_BYTES,
  binsPerSubWindow,
  MAX_BYTES_PER_DISTRIBUTION,
  SUB_WINDOW_OVERHEAD_BYTES,
  WindowedDistribution,
} from '../../src/sampling/windowed-distribution.js';
import { seededRandom } from '../helpers/datasets.js';

/** Every sub-window gets values of both signs across the whole double range. */
function fillWorstCase(d: { record(v: number): void }, clock: ManualClock, seed: number, subWindows = 5, subWindowMs = 60_000): void {
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

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Collects garbage until the reading is stable: V8 frees ArrayBuffer backing stores on a
 * background sweeper, after the collection that found them dead.
 */
async function settledBytes(): Promise<number> {
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

describe('WindowedDistribution memory bound', () => {
  test('computed: full bins plus the object allowance stay within 32 KiB for 1..10 sub-windows', () => {
    const clock = new ManualClock();
    for (let k = 1; k <= 10; k++) {
      const bins = binsPerSubWindow(k);
      const bound = BASE_OVERHEAD_BYTES + k * (SUB_WINDOW_OVERHEAD_BYTES + 4 * (bins.positive + bins.negative));
      assert.ok(bound <= MAX_BYTES_PER_DISTRIBUTION, `subWindows ${k}: bound ${bound}`);
      const d = new WindowedDistribution({ clock, subWindows: k, windowMs: k * 60_000 });
      fillWorstCase(d, clock, k, k, d.subWindowMs);
      const size = d.byteSize();
      assert.ok(size <= bound, `subWindows ${k}: ${size} bytes > ${bound}`);
      assert.equal(size, bound, `subWindows ${k}: the worst-case fill fills every store`);
    }
    assert.throws(() => new WindowedDistribution({ subWindows: 11 }), /subWindows 11 is not an integer in 1\.\.10/);
  });

  for (const k of [5, 10]) {
    test(`measured: heap + ArrayBuffers per worst-case instance <= 32 KiB (${k} sub-windows, 150 instances)`, async (t) => {
    const clock = new ManualClock();
    const keep: WindowedDistribution[] = [];
    const before = await settledBytes();
    for (let i = 0; i < 150; i++) {
      const d = new WindowedDistribution({ clock, subWindows: k, windowMs: k * 60_000 });
      fillWorstCase(d, clock, i, k, d.subWindowMs);
      keep.push(d);
    }
    const perInstance = ((await settledBytes()) - before) / keep.length;
    t.diagnostic(`measured ${perInstance.toFixed(0)} bytes per worst-case WindowedDistribution (${k} sub-windows)`);
    assert.ok(perInstance <= 32 * 1024, `${perInstance.toFixed(0)} bytes per instance`);
    assert.ok(perInstance <= keep[0].byteSize(), `${perInstance.toFixed(0)} > byteSize() ${keep[0].byteSize()}`);
    assert.ok(perInstance > 20 * 1024, `${perInstance.toFixed(0)} bytes: the fill was not worst case`);
    // Every instance is still usable (and kept alive until here).
    assert.ok(keep[149].summary([0.5]).window.count > 0);
    assert.ok(keep[149].lifetime().count > 0);
    });
  }

  test('measured: a worst-case PmfStat (public API, its cell, handle and cached snapshot) <= 32 KiB', async (t) => {
    const clock = new scales.ManualClock();
    const r = new scales.Registry({ clock });
    const S = r.collection('/m', scales.namedPmfDictStat('lat', { keyLimit: 1000 }), scales.pmfStat('warm'));
    // One-time allocations (compiled code, the walk's shared scratch array) are not per stat.
    S.warm.record(1);
    S.warm.snapshot();
    const before = await settledBytes();
    const stats = Array.from({ length: 150 }, (_, i) => S.$.lat.get(`k${i}`));
    const unused = new ManualClock(); // the registry's clock moves once per sub-window for all stats
    for (let sub = 0; sub < 5; sub++) {
      for (const [i, p] of stats.entries()) fillWorstCase(p, unused, 1000 * sub + i, 1);
      clock.advance(60_000);
    }
    for (const p of stats) assert.ok(p.snapshot().count > 0); // each caches its snapshot
    const perStat = ((await settledBytes()) - before) / stats.length;
    t.diagnostic(`measured ${perStat.toFixed(0)} bytes per worst-case PmfStat (5 sub-windows, snapshot cached)`);
    assert.ok(perStat <= 32 * 1024, `${perStat.toFixed(0)} bytes per PmfStat`);
    assert.ok(perStat > 20 * 1024, `${perStat.toFixed(0)} bytes: the fill was not worst case`);
    assert.equal(Object.keys(r.getStats('/m')?.lat as object).length, 150);
  });
});
