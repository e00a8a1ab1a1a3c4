/**
 * LogSketch accuracy against exact percentiles computed by sorting, on fixed seeded data sets.
 * Rank rule: the truth for quantile q is the sorted value at the nearest rank ceil(q * n) - 1; the
 * sketch's answer v must satisfy |v - x| <= 0.01 * |x|.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LogSketch } from '../../src/sampling/sketch.js';
import { REPORTED_QUANTILES, relativeError, standardDatasets } from '../helpers/datasets.js';
import { exactQuantile } from './exact-quantile.js';

const ALL_QUANTILES = [0, 0.001, 0.01, 0.1, 0.25, ...REPORTED_QUANTILES, 0.9999, 1];

describe('LogSketch accuracy (100,000 values per data set)', () => {
  for (const { name, values } of standardDatasets(100_000)) {
    test(`${name}: every quantile within 1% of the exact value`, () => {
      const sketch = new LogSketch();
      for (const v of values) sketch.add(v);
      const sorted = Float64Array.from(values).sort();
      const got = sketch.quantiles(ALL_QUANTILES);
      ALL_QUANTILES.forEach((q, i) => {
        const x = exactQuantile(sorted, q);
        const v = got[i];
        assert.ok(v !== null, `${name} q=${q}: null`);
        assert.ok(relativeError(v, x) <= 0.01, `${name} q=${q}: sketch ${v} vs exact ${x} (${relativeError(v, x)})`);
      });
      assert.equal(sketch.count, values.length);
      assert.equal(sketch.min, sorted[0]);
      assert.equal(sketch.max, sorted[sorted.length - 1]);
      // Each single-quantile call agrees with the batch call.
      assert.equal(sketch.quantile(0.99), got[ALL_QUANTILES.indexOf(0.99)]);
    });
  }

  test('other accuracies hold their own bound (0.1% with more bins, 5%)', () => {
    const values = standardDatasets(20_000, 7)[1].values;
    const sorted = Float64Array.from(values).sort();
    for (const a of [0.001, 0.05]) {
      // At 0.1% a doubling takes ~350 bins: this lognormal spans ~3,600 of them.
      const s = new LogSketch({ relativeAccuracy: a, maxBins: 8192 });
      for (const v of values) s.add(v);
      for (const q of ALL_QUANTILES) {
        const x = exactQuantile(sorted, q);
        assert.ok(relativeError(s.quantile(q)!, x) <= a, `accuracy ${a} q=${q}`);
      }
    }
  });

  test('a single value, zeros only, negatives only', () => {
    const one = new LogSketch();
    one.add(3.7);
    for (const q of [0, 0.5, 1]) assert.equal(one.quantile(q), 3.7); // clamped to [min, max]
    const zeros = new LogSketch();
    for (let i = 0; i < 10; i++) zeros.add(0);
    assert.equal(zeros.quantile(0.99), 0);
    const neg = new LogSketch();
    for (let i = 1; i <= 1000; i++) neg.add(-i);
    // Sorted ascending: -1000 ... -1; rank ceil(q * 1000) - 1.
    assert.ok(relativeError(neg.quantile(0.5)!, -501) <= 0.01);
    assert.ok(relativeError(neg.quantile(0.01)!, -991) <= 0.01);
    assert.ok(relativeError(neg.quantile(0.999)!, -2) <= 0.01);
    assert.equal(neg.quantile(1), -1);
  });

  test('empty sketch: null quantiles, infinite extremes, zero count', () => {
    const s = new LogSketch();
    assert.equal(s.quantile(0.5), null);
    assert.deepEqual(s.quantiles([0.5, 0.99]), [null, null]);
    assert.equal(s.count, 0);
    assert.equal(s.min, Number.POSITIVE_INFINITY);
  });

  test('rejects NaN, infinities and quantiles outside [0, 1], naming the value', () => {
    const s = new LogSketch();
    assert.throws(() => s.add(Number.NaN), /NaN is not a finite number/);
    assert.throws(() => s.add(Number.POSITIVE_INFINITY), /Infinity/);
    assert.throws(() => s.quantile(1.5), /1\.5 is not in \[0, 1\]/);
    assert.throws(() => s.quantile(Number.NaN), RangeError);
    assert.throws(() => new LogSketch({ relativeAccuracy: 0 }), /relativeAccuracy 0/);
    assert.throws(() => new LogSketch({ maxBins: 3 }), /maxBins 3/);
    assert.equal(s.count, 0, 'a rejected value is not counted');
  });

  test('clear() empties the sketch and it can be reused', () => {
    const s = new LogSketch();
    for (let i = 1; i <= 100; i++) s.add(i);
    s.clear();
    assert.equal(s.count, 0);
    assert.equal(s.quantile(0.5), null);
    s.add(42);
    assert.equal(s.quantile(0.5), 42);
  });
});

describe('LogSketch bin limit', () => {
  test('data spanning more than maxBins: memory stays bounded, upper quantiles keep the bound', () => {
    const s = new LogSketch({ maxBins: 256 }); // ~7 doublings
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) values.push(10 ** (-12 + 24 * ((i * 7919) % 50_000) / 50_000));
    for (const v of values) s.add(v);
    assert.ok(s.positive.counts.length <= 256, `bins ${s.positive.counts.length}`);
    assert.ok(s.positive.collapsed);
    assert.equal(s.binBytes, 256 * 8);
    const sorted = Float64Array.from(values).sort();
    // The top 256 bins cover values above max / 2^7.3: the upper quantiles stay exact to 1%.
    for (const q of [0.99, 0.995, 0.999, 1]) {
      const x = exactQuantile(sorted, q);
      assert.ok(relativeError(s.quantile(q)!, x) <= 0.01, `q=${q}`);
    }
    assert.equal(s.count, values.length, 'collapsed values are still counted');
  });

  test('negative store collapses the most negative values first', () => {
    const s = new LogSketch({ maxBins: 64 });
    for (let i = 0; i < 10_000; i++) s.add(-(10 ** (-6 + (12 * i) / 10_000)));
    assert.ok(s.negative.counts.length <= 64);
    // Values closest to zero (the top quantiles) keep the bound.
    const sorted = Float64Array.from({ length: 10_000 }, (_, i) => -(10 ** (-6 + (12 * i) / 10_000))).sort();
    for (const q of [0.99, 0.999, 1]) {
      assert.ok(relativeError(s.quantile(q)!, exactQuantile(sorted, q)) <= 0.01, `q=${q}`);
    }
  });
});
