/**
 * What a Prometheus native-histogram (or OpenTelemetry exponential-histogram) exporter reads
 * from the sampling layer: a sketch's schema, zero threshold and count, and its buckets of each
 * sign as [index, count] pairs in index order, bucket i covering (base^(i-1), base^i]; and the
 * cumulative lifetime sketch beside the rotating window.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/sampling/clock.js';
import { upperBound, ZERO_THRESHOLD } from '../../src/sampling/exponential-index.js';
import { LogSketch } from '../../src/sampling/sketch.js';
import { WindowedDistribution } from '../../src/sampling/windowed-distribution.js';

describe('LogSketch.nativeBuckets()', () => {
  test('upper-inclusive buckets at schema 6, both signs, the zero bucket, in index order', () => {
    const s = new LogSketch();
    for (const v of [1, 2, 2 * (1 + 2 ** -52), 0.5, -1, -3, 0, 1e-40, -1e-40]) s.add(v);
    const b = s.nativeBuckets();
    assert.equal(b.schema, 6);
    assert.equal(b.zeroThreshold, 2 ** -128);
    assert.equal(b.zeroCount, 3);
    // 1 = 2^0 closes bucket 0; 2 closes bucket 64; the next double above 2 opens bucket 65.
    assert.deepEqual(b.positive, [
      [-64, 1],
      [0, 1],
      [64, 1],
      [65, 1],
    ]);
    // -1 is in bucket 0 of the negative side; -3 in the bucket whose upper bound 2^(i/64) >= 3.
    const i3 = Math.ceil(64 * Math.log2(3));
    assert.ok(upperBound(i3 - 1, 6) < 3 && 3 <= upperBound(i3, 6));
    assert.deepEqual(b.negative, [
      [0, 1],
      [i3, 1],
    ]);
    assert.equal(b.count, 9);
    assert.equal(ZERO_THRESHOLD, 2 ** -128);
  });

  test('after halving, the buckets are those of the coarser schema (Prometheus schema - 1 merges pairs)', () => {
    const s = new LogSketch({ maxBytes: 4096 });
    for (let x = 1e-20; x < 1e20; x *= 1.005) s.add(x);
    const b = s.nativeBuckets();
    assert.ok(b.schema < 6);
    for (const [i, c] of b.positive) {
      assert.ok(c > 0);
      assert.ok(upperBound(i, b.schema) > upperBound(i - 1, b.schema));
    }
    // Strictly ascending indices, counts adding up.
    for (let k = 1; k < b.positive.length; k++) assert.ok(b.positive[k][0] > b.positive[k - 1][0]);
    assert.equal(
      b.positive.reduce((t, [, c]) => t + c, 0),
      s.count,
    );
  });
});

describe('WindowedDistribution.lifetimeSketch()', () => {
  test('holds every value since creation (retired sub-windows and the current one), bounded like a sub-window', () => {
    const clock = new ManualClock();
    const d = new WindowedDistribution({ clock });
    for (let m = 0; m < 12; m++) {
      for (let i = 1; i <= 100; i++) d.record(i * (m + 1));
      clock.advance(60_000);
    }
    d.record(-5);
    const life = d.lifetimeSketch();
    assert.equal(life.count, 1201);
    assert.equal(life.min, -5);
    assert.equal(life.max, 1200);
    assert.equal(d.summary([0.5]).window.count, 401, 'the window holds only the last minutes');
    assert.equal(life.schema, 6);
    assert.equal(life.nativeBuckets().negative.length, 1);
    // Cumulative: reading does not change it, and it only grows.
    assert.equal(d.lifetimeSketch().count, 1201);
    d.reset();
    assert.equal(d.lifetimeSketch().count, 0);
  });

  test('merged distributions add their lifetime sketch once', () => {
    const clock = new ManualClock();
    const a = new WindowedDistribution({ clock });
    const b = new WindowedDistribution({ clock });
    for (let i = 0; i < 100; i++) b.record(1 + i);
    clock.advance(60_000);
    for (let i = 0; i < 50; i++) b.record(0.5);
    a.record(3);
    a.mergeFrom(b);
    assert.equal(a.lifetimeSketch().count, 151);
    clock.advance(10 * 60_000); // every sub-window retires
    a.record(4);
    assert.equal(a.lifetimeSketch().count, 152, 'merged window buckets are not folded in a second time');
  });
});
