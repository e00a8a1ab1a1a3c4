/**
 * The memory bound of issue 11: at most 64 KiB per WindowedDistribution (a PmfStat), window
 * and lifetime sketches included, whatever the data. Proven two ways: computed from the
 * typed-array sizes (byteSize(): each sketch's buckets never exceed its byte budget, past
 * which it halves its resolution), and measured on the V8 heap plus ArrayBuffers over many
 * instances filled with worst-case data (every sketch filled to its budget). A typical latency
 * stat (values within 4 decades) is measured too.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as scales from 'scales-metrics';
import { ManualClock } from '../../src/sampling/clock.js';
import {
  BASE_OVERHEAD_BYTES,
  MAX_BYTES_PER_DISTRIBUTION,
  SKETCH_OVERHEAD_BYTES,
  sketchBytesFor,
  WindowedDistribution,
} from '../../src/sampling/windowed-distribution.js';
import { lognormal } from '../helpers/datasets.js';

/**
 * Every sub-window, and then the lifetime sketch (the first sub-window retires into it), is
 * filled to its budget at full resolution: 70,000 equal values (so the counts need 32 bits)
 * of each sign, and then every schema-6 bucket of 4.7 decades of each sign (8,448 bytes: just
 * under the 8,704-byte budget of a PmfStat's sketch). With more sub-windows (smaller budgets) the same data forces
 * coarser schemas, each sketch then holding between half and all of its budget.
 */
function fillWorstCase(d: { record(v: number): void }, clock: ManualClock, _seed: number, subWindows = 5, subWindowMs = 60_000): void {
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
  test('computed: every sketch filled to its budget plus the object allowance stays within 64 KiB for 1..10 sub-windows', () => {
    const clock = new ManualClock();
    for (let k = 1; k <= 10; k++) {
      const budget = sketchBytesFor(k);
      const bound = BASE_OVERHEAD_BYTES + (k + 1) * (SKETCH_OVERHEAD_BYTES + budget);
      assert.ok(bound <= MAX_BYTES_PER_DISTRIBUTION, `subWindows ${k}: bound ${bound}`);
      const d = new WindowedDistribution({ clock, subWindows: k, windowMs: k * 60_000 });
      fillWorstCase(d, clock, k, k, d.subWindowMs);
      const size = d.byteSize();
      assert.ok(size <= bound, `subWindows ${k}: ${size} bytes > ${bound}`);
      // Nearly full: past the budget a sketch halves, so it holds more than half of it.
      assert.ok(size >= bound - ((k + 1) * budget) / 2, `subWindows ${k}: the worst-case fill fills every sketch (${size} of ${bound})`);
      assert.equal(d.lifetimeSketch().count, (k + 1) * d.summary([0.5]).window.count / k, 'the lifetime sketch holds every fill');
    }
    assert.equal(sketchBytesFor(5), 8704, 'a PmfStat keeps 9 decades at schema 6');
    assert.throws(() => new WindowedDistribution({ subWindows: 11 }), /subWindows 11 is not an integer in 1\.\.10/);
  });

  for (const k of [5, 10]) {
    test(`measured: heap + ArrayBuffers per worst-case instance <= 64 KiB (${k} sub-windows, 150 instances)`, async (t) => {
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
    assert.ok(perInstance <= 64 * 1024, `${perInstance.toFixed(0)} bytes per instance`);
    assert.ok(perInstance <= keep[0].byteSize(), `${perInstance.toFixed(0)} > byteSize() ${keep[0].byteSize()}`);
    assert.ok(perInstance > 40 * 1024, `${perInstance.toFixed(0)} bytes: the fill was not worst case`);
    // Every instance is still usable (and kept alive until here).
    assert.ok(keep[149].summary([0.5]).window.count > 0);
    assert.ok(keep[149].lifetime().count > 0);
    });
  }

  test('measured: a worst-case PmfStat (public API, its cell, handle and cached snapshot) <= 64 KiB', async (t) => {
    const clock = new scales.ManualClock();
    const r = new scales.Registry({ clock });
    const S = r.collection('/m', scales.namedPmfDictStat('lat', { keyLimit: 1000 }), scales.pmfStat('warm'));
    // One-time allocations (compiled code, the walk's shared scratch array) are not per stat.
    S.warm.record(1);
    S.warm.snapshot();
    const before = await settledBytes();
    const stats = Array.from({ length: 150 }, (_, i) => S.$.lat.get(`k${i}`));
    const unused = new ManualClock(); // the registry's clock moves once per sub-window for all stats
    for (let sub = 0; sub <= 5; sub++) {
      for (const [i, p] of stats.entries()) fillWorstCase(p, unused, 1000 * sub + i, 0);
      if (sub < 5) clock.advance(60_000);
    }
    for (const p of stats) assert.ok(p.snapshot().count > 0); // each caches its snapshot
    const perStat = ((await settledBytes()) - before) / stats.length;
    t.diagnostic(`measured ${perStat.toFixed(0)} bytes per worst-case PmfStat (5 sub-windows, snapshot cached)`);
    assert.ok(perStat <= 64 * 1024, `${perStat.toFixed(0)} bytes per PmfStat`);
    assert.ok(perStat > 40 * 1024, `${perStat.toFixed(0)} bytes: the fill was not worst case`);
    assert.equal(Object.keys(r.getStats('/m')?.lat as object).length, 150);
  });

  test('measured: a typical latency PmfStat (100,000 values within 4 decades) <= 8 KiB; and once every sub-window and the lifetime hold such data', async (t) => {
    const values = lognormal(100_000, 21, 0.02, 0.8); // 20 ms median; 99.99% within 4 decades
    const clock = new scales.ManualClock();
    const r = new scales.Registry({ clock });
    const warm = r.collection('/warm', scales.pmfStat('x')).x;
    warm.record(1);
    warm.snapshot();
    // The containers are the tree's, not the pmf's: measure 100 containers holding an intStat
    // the same way and count only what the PmfStat adds.
    const base = await settledBytes();
    const holders = Array.from({ length: 100 }, (_, i) => r.collection(`/c${i}`, scales.intStat('x')));
    const container = ((await settledBytes()) - base) / holders.length;
    t.diagnostic(`measured ${container.toFixed(0)} bytes per container holding one intStat (subtracted)`);
    const before = await settledBytes();
    const stats = Array.from({ length: 100 }, (_, i) => r.collection(`/t${i}`, scales.pmfStat('x')).x);
    for (const p of stats) for (const v of values) p.record(v);
    for (const p of stats) assert.equal(p.snapshot().count, 100_000);
    const fresh = ((await settledBytes()) - before) / stats.length - container;
    t.diagnostic(`measured ${fresh.toFixed(0)} bytes per typical PmfStat, its container's own cost subtracted (100,000 values)`);
    assert.ok(fresh <= 8 * 1024, `${fresh.toFixed(0)} bytes`);
    for (let sub = 0; sub < 5; sub++) {
      clock.advance(60_000);
      for (const p of stats) for (let i = 0; i < 20_000; i++) p.record(values[i]);
    }
    for (const p of stats) assert.equal(p.snapshot().count, 100_000);
    const steady = ((await settledBytes()) - before) / stats.length - container;
    t.diagnostic(`measured ${steady.toFixed(0)} bytes per typical PmfStat with all 5 sub-windows and the lifetime holding data`);
    assert.ok(steady <= 8 * 1024, `${steady.toFixed(0)} bytes`);
  });
});
