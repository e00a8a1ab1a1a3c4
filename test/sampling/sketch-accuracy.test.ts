/**
 * LogSketch accuracy against exact percentiles computed by sorting, on fixed seeded data sets.
 * Rank rule: the truth for quantile q is the sorted value at the nearest rank ceil(q * n) - 1; the
 * sketch's answer v must satisfy |v - x| <= 0.0055 * |x| at schema 6 (the bucket's
 * log-midpoint error, 2^(1/128) - 1), and the bound of its schema at coarser ones.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { relativeErrorAt } from '../../src/sampling/exponential-index.js';
import { LogSketch } from '../../src/sampling/sketch.js';
import { REPORTED_QUANTILES, relativeError, standardDatasets } from '../helpers/datasets.js';
import { exactQuantile } from './exact-quantile.js';

const ALL_QUANTILES = [0, 0.001, 0.01, 0.1, 0.25, ...REPORTED_QUANTILES, 0.9999, 1];

describe('LogSketch accuracy (100,000 values per data set)', () => {
  for (const { name, values } of standardDatasets(100_000)) {
    test(`${name}: every quantile within 0.55% of the exact value`, () => {
      const sketch = new LogSketch();
      for (const v of values) sketch.add(v);
      const sorted = Float64Array.from(values).sort();
      const got = sketch.quantiles(ALL_QUANTILES);
      ALL_QUANTILES.forEach((q, i) => {
        const x = exactQuantile(sorted, q);
        const v = got[i];
        assert.ok(v !== null, `${name} q=${q}: null`);
        assert.ok(relativeError(v, x) <= 0.0055, `${name} q=${q}: sketch ${v} vs exact ${x} (${relativeError(v, x)})`);
      });
      assert.equal(sketch.schema, 6);
      assert.equal(sketch.count, values.length);
      assert.equal(sketch.min, sorted[0]);
      assert.equal(sketch.max, sorted[sorted.length - 1]);
      // Each single-quantile call agrees with the batch call.
      assert.equal(sketch.quantile(0.99), got[ALL_QUANTILES.indexOf(0.99)]);
    });
  }

  test('coarser schemas hold their own bound (1.09% at 5, 2.19% at 4, 9.05% at 2)', () => {
    const values = standardDatasets(20_000, 7)[1].values;
    const sorted = Float64Array.from(values).sort();
    for (const schema of [5, 4, 2]) {
      const s = new LogSketch({ schema });
      for (const v of values) s.add(v);
      assert.equal(s.schema, schema);
      for (const q of ALL_QUANTILES) {
        const x = exactQuantile(sorted, q);
        assert.ok(relativeError(s.quantile(q)!, x) <= relativeErrorAt(schema), `schema ${schema} q=${q}`);
      }
    }
    assert.ok(Math.abs(relativeErrorAt(6) - 0.00543) < 1e-5 && Math.abs(relativeErrorAt(5) - 0.01089) < 1e-5);
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
    assert.ok(relativeError(neg.quantile(0.5)!, -501) <= 0.0055);
    assert.ok(relativeError(neg.quantile(0.01)!, -991) <= 0.0055);
    assert.ok(relativeError(neg.quantile(0.999)!, -2) <= 0.0055);
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
    assert.throws(() => new LogSketch({ schema: 7 }), /schema 7 is not an integer in -4\.\.6/);
    assert.throws(() => new LogSketch({ maxBytes: 3 }), /maxBytes 3 is not an integer >= 4096/);
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

describe('LogSketch byte budget: resolution halves instead of folding one end', () => {
  test("dense data over 24 decades in a 4 KiB budget: schema drops, memory stays bounded, every quantile keeps its schema's bound", () => {
    const s = new LogSketch({ maxBytes: 4096 });
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) values.push(10 ** (-12 + (24 * ((i * 7919) % 50_000)) / 50_000));
    for (const v of values) s.add(v);
    assert.ok(s.schema < 6, `schema ${s.schema}`);
    assert.ok(s.binBytes <= 4096, `bytes ${s.binBytes}`);
    const sorted = Float64Array.from(values).sort();
    // Low and high quantiles alike: nothing was folded away.
    for (const q of [0, 0.001, 0.01, 0.25, 0.5, 0.99, 0.999, 1]) {
      const x = exactQuantile(sorted, q);
      assert.ok(relativeError(s.quantile(q)!, x) <= s.relativeError, `q=${q}: ${s.quantile(q)} vs ${x} at schema ${s.schema}`);
    }
    assert.equal(s.count, values.length);
    assert.equal(s.positive.total(), values.length);
  });

  test('negative values over 12 decades in the smallest budget keep every quantile within the schema bound', () => {
    const s = new LogSketch({ maxBytes: 4096 });
    const xs = Float64Array.from({ length: 10_000 }, (_, i) => -(10 ** (-6 + (12 * i) / 10_000)));
    for (const x of xs) s.add(x);
    assert.ok(s.binBytes <= 4096);
    const sorted = xs.slice().sort();
    for (const q of [0, 0.01, 0.5, 0.99, 0.999, 1]) {
      assert.ok(relativeError(s.quantile(q)!, exactQuantile(sorted, q)) <= s.relativeError, `q=${q}`);
    }
  });

  test('two narrow clusters eighteen decades apart cost what two side by side cost (within the directory)', () => {
    const far = new LogSketch();
    const near = new LogSketch();
    for (let i = 0; i < 1000; i++) {
      const j = 1 + (i % 10) / 1000;
      far.add(1e-9 * j);
      far.add(1e9 * j);
      near.add(1 * j);
      near.add(1.5 * j);
    }
    assert.equal(far.positive.pages, near.positive.pages);
    // One directory slot per half octave between them: 4 bytes x ~120.
    assert.ok(far.binBytes - near.binBytes <= 500, `${far.binBytes} vs ${near.binBytes}`);
    assert.equal(far.schema, 6);
  });
});
