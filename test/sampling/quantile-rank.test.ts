/**
 * The rank rule every percentile follows (nearest rank: 0-based ceil(q * n) - 1), checked
 * against its definition in exact integer arithmetic, and what it means for small windows:
 * "p99 = x" says that at least 99% of the values are <= x, so with fewer than 100 values p99
 * is the max, as Dropwizard, prom-client's Summary and HdrHistogram report it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/sampling/clock.js';
import { quantileRank } from '../../src/sampling/quantile-walk.js';
import { LogSketch } from '../../src/sampling/sketch.js';
import { WindowedDistribution } from '../../src/sampling/windowed-distribution.js';

describe('quantileRank (nearest rank)', () => {
  test('equals the definition for every q = k / 10000 and n up to 1200', () => {
    // Definition for q = k / D: the smallest 0-based r with (r + 1) / n >= k / D, i.e. the
    // smallest value with at least a fraction q of the values at or below it (r = 0 for q = 0).
    const D = 10_000;
    for (let n = 1; n <= 1200; n++) {
      for (let k = 0; k <= D; k += k < 9_900 ? 37 : 1) {
        const want = Math.max(0, Math.ceil((k * n) / D) - 1); // k * n and D are exact integers
        const exact = (k * n) % D === 0 ? (k * n) / D - 1 : Math.floor((k * n) / D);
        const r = quantileRank(k / D, n);
        if (r !== Math.max(0, exact) || r !== want) assert.fail(`q=${k / D} n=${n}: rank ${r}, want ${Math.max(0, exact)}`);
      }
    }
  });

  test('decimal quantiles whose binary product is a hair above an integer (0.07 * 100)', () => {
    assert.equal(0.07 * 100, 7.000000000000001);
    assert.equal(quantileRank(0.07, 100), 6);
    assert.equal(quantileRank(0, 5), 0);
    assert.equal(quantileRank(1, 5), 4);
    assert.equal(quantileRank(0.999, 1000), 998);
  });
});

describe('small windows report what users of summaries expect', () => {
  const QS = [0.5, 0.75, 0.99, 0.999];

  test('3 values: median is the middle one, p75/p99/p99.9 are the max (sketch and window)', () => {
    const s = new LogSketch();
    const d = new WindowedDistribution({ clock: new ManualClock() });
    for (const v of [0.01, 0.02, 0.9]) {
      s.add(v);
      d.record(v);
    }
    for (const got of [s.quantiles(QS), d.summary(QS).quantiles]) {
      assert.ok(Math.abs(got[0]! - 0.02) <= 0.0002, `median ${got[0]}`);
      assert.deepEqual(got.slice(1), [0.9, 0.9, 0.9]); // rank n - 1 is the exact max
    }
  });

  test('4 values: the median is the 2nd (no interpolation), p75 the 3rd', () => {
    const s = new LogSketch();
    for (const v of [1, 2, 3, 4]) s.add(v);
    const [p50, p75] = s.quantiles([0.5, 0.75]);
    assert.ok(Math.abs(p50! - 2) <= 0.02, `median ${p50}`);
    assert.ok(Math.abs(p75! - 3) <= 0.03, `p75 ${p75}`);
  });
});
