/**
 * Moments over the whole double range: whatever the mix of tiny, ordinary and huge values and
 * however they fall into sub-windows, the mean and stddev of a WindowedDistribution match a
 * two-pass reference computed on scaled values, and a figure is ±Infinity only when the exact
 * figure is beyond the double range (never a wrong finite number, never a silent 0).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import '../helpers/fast-check-seed.js';
import { ManualClock } from '../../src/sampling/clock.js';
import { addMoments, emptyMoments, figures, momentsFromShifted, TINY_SPREAD } from '../../src/sampling/moments.js';
import { WindowedDistribution } from '../../src/sampling/windowed-distribution.js';

/** Mean, stddev and sum of `values` by two passes, over values scaled by 2^-600 when some are huge. */
function reference(values: readonly number[]) {
  const n = values.length;
  const maxAbs = Math.max(...values.map(Math.abs));
  const SCALE = maxAbs > 1e150 ? 2 ** -600 : maxAbs < 1e-100 ? 2 ** 600 : 1;
  let s = 0;
  for (const v of values) s += v * SCALE;
  const mean = s / n;
  let m2 = 0;
  for (const v of values) m2 += (v * SCALE - mean) ** 2;
  return { sum: s / SCALE, mean: mean / SCALE, stddev: n > 1 ? Math.sqrt(m2 / (n - 1)) / SCALE : 0, maxAbs };
}

const value = fc.oneof(
  fc.double({ min: -1000, max: 1000, noNaN: true }),
  fc.double({ min: 1e290, max: 1.7e308, noNaN: true }),
  fc.double({ min: -1.7e308, max: -1e290, noNaN: true }),
  fc.double({ min: 1e-300, max: 1e-290, noNaN: true }),
  fc.constantFrom(0, 1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, 1e154, 1e155, 1e-160, 2e-160),
);

test('window and lifetime mean/stddev match the reference over the whole double range', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ v: value, rotate: fc.boolean() }), { minLength: 1, maxLength: 60 }), (writes) => {
      const clock = new ManualClock(0);
      const d = new WindowedDistribution({ clock, windowMs: 600_000, subWindows: 10 });
      let rotations = 0;
      for (const w of writes) {
        // At most 9 rotations keep every value inside the 10-sub-window window.
        if (w.rotate && rotations < 9) {
          clock.advance(60_000);
          rotations++;
        }
        d.record(w.v);
      }
      const values = writes.map((w) => w.v);
      const ref = reference(values);
      const s = d.summary([0.5]);
      for (const [label, got] of [
        ['window', s.window],
        ['lifetime', s.lifetime],
      ] as const) {
        const tol = 1e-9 * ref.maxAbs;
        if (Number.isFinite(ref.mean)) assert.ok(Math.abs(got.mean! - ref.mean) <= tol, `${label} mean ${got.mean} vs ${ref.mean}`);
        else assert.ok(!Number.isFinite(got.mean!), `${label} mean`);
        const spread = Math.max(...values) - Math.min(...values);
        if (spread > 0 && spread < TINY_SPREAD)
          assert.ok(Number.isNaN(got.stddev), `${label} stddev of values ${spread} apart: NaN (squares underflow), not ${got.stddev}`);
        else if (Number.isFinite(ref.stddev)) assert.ok(Math.abs(got.stddev! - ref.stddev) <= tol, `${label} stddev ${got.stddev} vs ${ref.stddev}`);
        else assert.equal(got.stddev, Number.POSITIVE_INFINITY, `${label} stddev beyond the range`);
        // The sum may cancel (1e308 - 1e308 + 0.5): compare against the largest value.
        if (Math.abs(ref.sum) <= Number.MAX_VALUE * (1 - 1e-9))
          assert.ok(Math.abs(got.sum - ref.sum) <= tol * values.length, `${label} sum ${got.sum} vs ${ref.sum}`);
        if (!Number.isFinite(got.sum))
          assert.ok(Math.abs(ref.sum) >= Number.MAX_VALUE * (1 - 1e-9), `${label} sum out of range only when it is: ${ref.sum}`);
      }
    }),
    { numRuns: 500 },
  );
});

test('addMoments does not change its second argument, narrow or wide', () => {
  const wide = momentsFromShifted(2, 1e308, -1e150, 1e300, 1e308 - 1e150, 1e308); // 1e308, 1e308 - 1e150
  const narrow = momentsFromShifted(3, 1, 3, 5, 1, 3); // 1, 2, 3
  assert.equal(wide.e > 0, true, 'a shift near the top of the range makes wide moments');
  const copyW = { ...wide };
  const copyN = { ...narrow };
  const a = emptyMoments();
  addMoments(a, narrow);
  addMoments(a, wide);
  addMoments(a, narrow);
  assert.deepEqual(wide, copyW);
  assert.deepEqual(narrow, copyN);
  assert.equal(a.n, 8);
  const f = figures(a);
  assert.ok(Math.abs(f.mean - 2.5e307) <= 1e-12 * 2.5e307, `mean ${f.mean}`);
  assert.equal(f.sum, Number.POSITIVE_INFINITY, 'a sum of 2e308 is beyond the range');
  assert.equal(figures(wide).sum, Number.POSITIVE_INFINITY);
  assert.ok(Math.abs(figures(wide).mean - 1e308) <= 1e-12 * 1e308);
});

test('a wide sub-window stays wide across reads, and reset() makes it narrow again', () => {
  const clock = new ManualClock(0);
  const d = new WindowedDistribution({ clock });
  const values = [0, 1e308];
  for (const v of values) d.record(v);
  d.summary([0.5]); // a read rotates (to the same sub-window): later writes must still go wide
  for (const v of [5, -3, 1e300]) {
    d.record(v);
    values.push(v);
  }
  const ref = reference(values);
  const s = d.summary([0.5]);
  assert.ok(Math.abs(s.window.stddev! - ref.stddev) <= 1e-12 * ref.stddev, `${s.window.stddev} vs ${ref.stddev}`);
  assert.ok(Math.abs(s.lifetime.mean! - ref.mean) <= 1e-12 * ref.mean);
  d.reset();
  d.record(1);
  d.record(2);
  assert.deepEqual(d.summary([0.5]).window, { count: 2, sum: 3, min: 1, max: 2, mean: 1.5, stddev: Math.SQRT1_2 });
  // A later sub-window starts narrow even when the previous one was wide.
  d.record(1e308);
  clock.advance(60_000);
  d.record(10);
  d.record(20);
  const w = d.summary([0.5]).window;
  assert.equal(w.count, 5);
  assert.ok(Math.abs(w.mean! - (1e308 + 33) / 5) <= 1e-12 * 2e307);
});
