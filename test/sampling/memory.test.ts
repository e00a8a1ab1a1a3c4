/**
 * The memory bound of issue 3: at most 32 KiB per WindowedDistribution, windows included,
 * whatever the data. Proven two ways: computed from the typed-array sizes (byteSize(), whose
 * bins can never exceed BIN_BUDGET x 4 bytes), and measured on the V8 heap plus ArrayBuffers
 * over many instances filled with worst-case data.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/sampling/clock.js';
import {
  BASE_OVERHEAD_BYTES,
  binsPerSubWindow,
  MAX_BYTES_PER_DISTRIBUTION,
  SUB_WINDOW_OVERHEAD_BYTES,
  WindowedDistribution,
} from '../../src/sampling/windowed-distribution.js';
import { fillWorstCase, settledBytes } from '../helpers/heap.js';

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
});
