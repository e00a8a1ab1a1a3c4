/**
 * The memory bound of issue 11: at most 64 KiB per WindowedDistribution (a PmfStat), window
 * and lifetime sketches included, whatever the data. Proven two ways: computed from the
 * typed-array sizes (byteSize(): each sketch's buckets never exceed its byte budget, past
 * which it halves its resolution), and measured on the V8 heap plus ArrayBuffers over many
 * instances filled with worst-case data (every sketch filled to its budget). A typical latency
 * stat (values within 4 decades) is measured too, through the public API, in
 * pmf-memory.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/sampling/clock.js';
import {
  BASE_OVERHEAD_BYTES,
  MAX_BYTES_PER_DISTRIBUTION,
  SKETCH_OVERHEAD_BYTES,
  sketchBytesFor,
  WindowedDistribution,
} from '../../src/sampling/windowed-distribution.js';
import { fillWorstCase, settledBytes } from '../helpers/heap.js';

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
      assert.equal(d.lifetimeSketch().count, ((k + 1) * d.summary([0.5]).window.count) / k, 'the lifetime sketch holds every fill');
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
});
