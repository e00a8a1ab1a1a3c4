/**
 * Property tests (fast-check, fixed seeds): for random arrays of mixed sign and magnitude and
 * random quantiles, the sketch's answer is within 1% of the exact value at the nearest rank
 * ceil(q * n) - 1; merging any split equals the sketch of the whole; the text form
 * round-trips.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { IndexMapping } from '../../src/sampling/index-mapping.js';
import { LogSketch } from '../../src/sampling/sketch.js';
import { relativeError } from '../helpers/datasets.js';
import { exactQuantile } from './exact-quantile.js';

/** Finite doubles of any sign, magnitudes from 1e-30 to 1e30, zeros included. */
const value = fc.oneof(
  fc.double({ min: -1e30, max: 1e30, noNaN: true, noDefaultInfinity: true }),
  fc.tuple(fc.double({ min: -30, max: 30, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e),
  fc.constant(0),
);
const values = fc.array(value, { minLength: 1, maxLength: 400 });
const quantile = fc.double({ min: 0, max: 1, noNaN: true });

function sketchOf(xs: number[]): LogSketch {
  const s = new LogSketch({ maxBins: 65536 }); // no collapsing: the bound holds at every rank
  for (const x of xs) s.add(x);
  return s;
}

describe('LogSketch properties', () => {
  test('any quantile of any mixed-sign array is within 1% of the exact value', () => {
    fc.assert(
      fc.property(values, fc.array(quantile, { minLength: 1, maxLength: 8 }), (xs, qs) => {
        const s = sketchOf(xs);
        const sorted = Float64Array.from(xs).sort();
        const got = s.quantiles(qs);
        return qs.every((q, i) => relativeError(got[i]!, exactQuantile(sorted, q)) <= 0.01);
      }),
      { seed: 1, numRuns: 500 },
    );
  });

  test('with the default bin limit the bound holds for data within 17 decades', () => {
    const narrow = fc.array(
      fc.tuple(fc.double({ min: -8, max: 8, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e),
      { minLength: 1, maxLength: 300 },
    );
    fc.assert(
      fc.property(narrow, quantile, (xs, q) => {
        const s = new LogSketch();
        for (const x of xs) s.add(x);
        return relativeError(s.quantile(q)!, exactQuantile(Float64Array.from(xs).sort(), q)) <= 0.01;
      }),
      { seed: 2, numRuns: 500 },
    );
  });

  test('merging any split equals the sketch of the whole', () => {
    fc.assert(
      fc.property(values, fc.nat(), (xs, cut) => {
        const k = cut % (xs.length + 1);
        const a = sketchOf(xs.slice(0, k));
        a.merge(sketchOf(xs.slice(k)));
        const whole = sketchOf(xs);
        const qs = [0, 0.1, 0.5, 0.9, 0.99, 1];
        assert.deepEqual(a.quantiles(qs), whole.quantiles(qs));
        return a.count === whole.count && a.min === whole.min && a.max === whole.max;
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  test('serialize / deserialize round-trips any sketch', () => {
    fc.assert(
      fc.property(values, (xs) => {
        const s = sketchOf(xs);
        const t = LogSketch.deserialize(s.serialize());
        const qs = [0, 0.25, 0.5, 0.75, 1];
        assert.deepEqual(t.quantiles(qs), s.quantiles(qs));
        return t.count === s.count && Object.is(t.sum, s.sum);
      }),
      { seed: 4, numRuns: 300 },
    );
  });

  test('deserialize of random text never throws anything but a TypeError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          LogSketch.deserialize(text);
        } catch (e) {
          return e instanceof TypeError && e.message.startsWith('LogSketch.deserialize:');
        }
        return true;
      }),
      { seed: 5, numRuns: 1000 },
    );
  });

  test('every bin of the index mapping is narrower than the guarantee', () => {
    const m = IndexMapping.of(0.01);
    const gamma = 1.01 / 0.99;
    fc.assert(
      fc.property(fc.double({ min: 2.3e-308, max: 1e307, noNaN: true }), (x) => {
        const i = m.index(x);
        const lo = m.lowerBound(i);
        const hi = m.lowerBound(i + 1);
        const v = m.value(i);
        return lo <= x * (1 + 1e-14) && x <= hi * (1 + 1e-14) && hi / lo <= gamma && relativeError(v, x) <= 0.01;
      }),
      { seed: 6, numRuns: 20_000 },
    );
    // Monotone (also across exponent boundaries) and ~35 bins per doubling.
    let prev = Number.NEGATIVE_INFINITY;
    for (let x = 1e-12; x < 1e12; x *= 1.0007) {
      const i = m.index(x);
      assert.ok(i >= prev, `index(${x}) = ${i} < ${prev}`);
      prev = i;
    }
    assert.equal(m.index(4) - m.index(2), m.index(2) - m.index(1) + (m.index(4) - 2 * m.index(2) + m.index(1)));
    assert.ok(Math.abs(m.index(2 ** 20) - m.index(1) - 20 * m.scale) <= 1);
    assert.ok(m.scale > 34.6 && m.scale < 35.1, `bins per doubling ${m.scale}`);
  });
});
