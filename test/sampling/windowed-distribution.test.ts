/**
 * WindowedDistribution with a ManualClock: window accuracy, recency after a step change,
 * expiry, lifetime figures, merge and reset. Truth for quantile q: the value at the nearest
 * rank, ceil(q * n) - 1, of the sorted values the window covers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/sampling/clock.js';
import { LogSketch } from '../../src/sampling/sketch.js';
import { WindowedDistribution } from '../../src/sampling/windowed-distribution.js';
import { bimodal, lognormal, mixedSign, REPORTED_QUANTILES, relativeError, seededRandom, standardDatasets } from '../helpers/datasets.js';
import { exactQuantile } from './exact-quantile.js';

const QS = [...REPORTED_QUANTILES];
const MIN = 60_000;

function assertQuantiles(got: (number | null)[], values: ArrayLike<number>, label: string): void {
  const sorted = Float64Array.from(values).sort();
  QS.forEach((q, i) => {
    const x = exactQuantile(sorted, q);
    const v = got[i];
    assert.ok(v !== null, `${label} q=${q}: null`);
    assert.ok(relativeError(v, x) <= 0.01, `${label} q=${q}: ${v} vs exact ${x}`);
  });
}

function exactStats(values: ArrayLike<number>): { count: number; sum: number; mean: number; stddev: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) m2 += (values[i] - mean) ** 2;
  return { count: values.length, sum, mean, stddev: Math.sqrt(m2 / (values.length - 1)) };
}

function close(a: number | null, b: number, rel: number, label: string): void {
  assert.ok(a !== null && Math.abs(a - b) <= rel * Math.abs(b), `${label}: ${a} vs ${b}`);
}

describe('WindowedDistribution', () => {
  test('every standard data set, spread over the window: all quantiles within 1% (upper ones for 14 decades)', () => {
    const qs = [0, 0.001, 0.01, 0.1, 0.25, ...QS, 0.9999, 1];
    for (const { name, values } of standardDatasets(50_000, 21)) {
      const clock = new ManualClock();
      const d = new WindowedDistribution({ clock });
      for (let i = 0; i < values.length; i++) {
        d.record(values[i]);
        clock.advance(5); // 250 s: all 5 sub-windows
      }
      const sorted = Float64Array.from(values).sort();
      const got = d.summary(qs).quantiles;
      // 1e-9..1e5 is wider than the ~8 decades a sub-window's positive bins hold, and the
      // mixed-sign negatives (about -1e3..-1e-3) wider than the ~3 decades of its negative bins:
      // their lowest values fold (README), so only the reported quantiles above them are checked.
      const floor = name.startsWith('wide') || name.startsWith('mixed') ? 0.5 : 0;
      const checked = qs.filter((q) => q >= floor);
      for (const q of checked) {
        const x = exactQuantile(sorted, q);
        const v = got[qs.indexOf(q)];
        assert.ok(v !== null && relativeError(v, x) <= 0.01, `${name} q=${q}: ${v} vs exact ${x}`);
      }
    }
  });

  test('window quantiles within 1% on bimodal and mixed-sign data spread over the window', () => {
    for (const [name, values] of [
      ['bimodal', bimodal(60_000, 1)],
      ['mixed-sign', mixedSign(60_000, 2)],
    ] as const) {
      const clock = new ManualClock();
      const d = new WindowedDistribution({ clock });
      // 60,000 values over 4.5 minutes: spread across all 5 sub-windows.
      for (let i = 0; i < values.length; i++) {
        d.record(values[i]);
        clock.advance(4.5);
      }
      const s = d.summary(QS);
      assertQuantiles(s.quantiles, values, name);
      assert.equal(s.window.count, values.length);
      const e = exactStats(values);
      close(s.window.mean, e.mean, 1e-9, `${name} mean`);
      close(s.window.stddev, e.stddev, 1e-9, `${name} stddev`);
      assert.equal(s.window.min, Math.min(...values));
      assert.equal(s.window.max, Math.max(...values));
    }
  });

  test('recency: after a step up, one sub-window later the p99 is the new regime, exactly to 1%', () => {
    const clock = new ManualClock();
    const d = new WindowedDistribution({ clock, windowMs: 5 * MIN, subWindows: 5 });
    const old = lognormal(30_000, 3, 0.01, 0.3); // ~10 ms
    const neu = lognormal(6_000, 4, 0.2, 0.3); // ~200 ms
    const stamped: { t: number; v: number }[] = [];
    for (const v of old) {
      d.record(v);
      stamped.push({ t: clock.now(), v });
      clock.advance(10); // 5 minutes of the old regime
    }
    const before = d.summary([0.99]).quantiles[0]!;
    assert.ok(before < 0.05, `p99 before the change ${before}`);
    for (const v of neu) {
      d.record(v);
      stamped.push({ t: clock.now(), v });
      clock.advance(10); // one sub-window (60 s) of the new regime
    }
    const s = d.summary(QS);
    const p99 = s.quantiles[QS.indexOf(0.99)]!;
    assert.ok(p99 > 0.1, `p99 after one sub-window of the new regime: ${p99}`);
    // And it is exactly the p99 of what the window holds: the sub-windows that are not expired.
    const currentSub = Math.floor(clock.now() / MIN);
    const inWindow = stamped.filter((x) => Math.floor(x.t / MIN) > currentSub - 5).map((x) => x.v);
    assertQuantiles(s.quantiles, inWindow, 'window after step');
    assert.equal(s.window.count, inWindow.length);
    assert.equal(s.lifetime.count, old.length + neu.length);
  });

  test('recency: after a step down, the whole window later only the new regime is left', () => {
    const clock = new ManualClock();
    const d = new WindowedDistribution({ clock });
    for (const v of lognormal(3_000, 5, 1, 0.2)) {
      d.record(v);
      clock.advance(20);
    }
    const fast = lognormal(30_000, 6, 0.001, 0.2);
    for (const v of fast) {
      d.record(v);
      clock.advance(10); // 300 s
    }
    const s = d.summary(QS);
    assert.ok(s.quantiles[QS.indexOf(0.999)]! < 0.01, 'the slow values expired');
    assert.ok(s.window.max! < 0.01);
    assert.ok(s.lifetime.max! > 0.5, 'lifetime keeps them');
  });

  test('after a whole window without data the window is empty: null quantiles, lifetime kept', () => {
    const clock = new ManualClock(123_456);
    const d = new WindowedDistribution({ clock });
    for (let i = 1; i <= 100; i++) d.record(i);
    clock.advance(5 * MIN + 1);
    const s = d.summary(QS);
    assert.deepEqual(
      s.quantiles,
      QS.map(() => null),
    );
    assert.deepEqual(s.window, { count: 0, sum: 0, min: null, max: null, mean: null, stddev: null });
    assert.equal(s.lifetime.count, 100);
    assert.equal(s.lifetime.sum, 5050);
    assert.equal(s.lifetime.min, 1);
    assert.equal(s.lifetime.max, 100);
    close(s.lifetime.stddev, exactStats(Array.from({ length: 100 }, (_, i) => i + 1)).stddev, 1e-12, 'stddev');
  });

  test('lifetime figures are exact across many rotations and stay sound far from zero', () => {
    const clock = new ManualClock();
    const d = new WindowedDistribution({ clock, windowMs: 10_000, subWindows: 5 });
    const r = seededRandom(8);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = 1e9 + r(); // huge offset, tiny spread: naive sum of squares would lose it all
      values.push(v);
      d.record(v);
      clock.advance(r() * 20);
    }
    const life = d.lifetime();
    const e = exactStats(values);
    assert.equal(life.count, e.count);
    close(life.mean, e.mean, 1e-12, 'mean');
    close(life.stddev, e.stddev, 1e-6, 'stddev');
    close(life.sum, e.sum, 1e-12, 'sum');
  });

  test('single value: stddev 0; a fresh distribution: everything null', () => {
    const d = new WindowedDistribution({ clock: new ManualClock() });
    assert.equal(d.summary([0.5]).window.mean, null);
    d.record(7);
    const s = d.summary([0.5]);
    assert.equal(s.window.stddev, 0);
    assert.equal(s.quantiles[0], 7);
  });

  test('merge of two halves equals the whole, and merged data ages out with the window', () => {
    const clock = new ManualClock();
    const a = new WindowedDistribution({ clock });
    const b = new WindowedDistribution({ clock });
    const whole = new WindowedDistribution({ clock });
    const values = mixedSign(40_000, 9);
    for (let i = 0; i < values.length; i++) {
      (i % 2 === 0 ? a : b).record(values[i]);
      whole.record(values[i]);
      clock.advance(6); // 240 s
    }
    a.mergeFrom(b);
    const sa = a.summary(QS);
    const sw = whole.summary(QS);
    assert.deepEqual(sa.quantiles, sw.quantiles);
    assertQuantiles(sa.quantiles, values, 'merged');
    assert.equal(sa.window.count, values.length);
    assert.equal(sa.lifetime.count, values.length);
    close(sa.window.stddev, sw.window.stddev!, 1e-9, 'stddev');
    // b's data went into the sub-windows of the same age: it expires on schedule.
    clock.advance(5 * MIN);
    assert.equal(a.summary(QS).window.count, 0);
    assert.equal(a.lifetime().count, values.length, 'merged lifetime is not double counted');
    a.record(1);
    clock.advance(MIN);
    assert.equal(a.lifetime().count, values.length + 1);
  });

  test('merge refuses itself', () => {
    const a = new WindowedDistribution({ clock: new ManualClock() });
    assert.throws(() => a.mergeFrom(a), /itself/);
  });

  test('windowSketch() serializes, and dumps from several servers merge into the fleet percentiles', () => {
    const clock = new ManualClock();
    const servers = [0, 1, 2].map(() => new WindowedDistribution({ clock }));
    const all: number[] = [];
    const r = seededRandom(10);
    for (let i = 0; i < 30_000; i++) {
      const v = (i % 3 === 2 ? 0.3 : 0.004) * Math.exp(r());
      servers[i % 3].record(v);
      all.push(v);
    }
    const fleet = new LogSketch();
    for (const s of servers) fleet.merge(LogSketch.deserialize(s.windowSketch().serialize()));
    assertQuantiles(fleet.quantiles(QS), all, 'fleet');
    assert.equal(fleet.count, all.length);
  });

  test('reset() forgets window and lifetime', () => {
    const d = new WindowedDistribution({ clock: new ManualClock() });
    for (let i = 0; i < 10; i++) d.record(i);
    d.reset();
    const s = d.summary(QS);
    assert.equal(s.window.count, 0);
    assert.equal(s.lifetime.count, 0);
    d.record(3);
    assert.equal(d.summary([0.5]).quantiles[0], 3);
  });

  test('property: random values at random times, window quantiles within 1% of the exact ones', () => {
    // Magnitudes over 2.8 decades: within what one sub-window's bins hold at 1..5 sub-windows
    // (2.9 decades for negatives); wider data folds its lowest values (see the bin-limit tests).
    const step = fc.tuple(
      fc.oneof(
        fc.tuple(fc.double({ min: -1.4, max: 1.4, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e),
        fc.constant(0),
      ),
      fc.nat({ max: 90_000 }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 5 }), (steps, k) => {
        const clock = new ManualClock();
        const d = new WindowedDistribution({ clock, subWindows: k, windowMs: k * MIN });
        const stamped: { t: number; v: number }[] = [];
        for (const [v, dt] of steps) {
          clock.advance(dt);
          d.record(v);
          stamped.push({ t: clock.now(), v });
        }
        const sub = Math.floor(clock.now() / MIN);
        const inWindow = stamped.filter((x) => Math.floor(x.t / MIN) > sub - k).map((x) => x.v);
        const qs = [0, 0.1, 0.5, 0.9, 0.99, 1];
        const s = d.summary(qs);
        if (s.window.count !== inWindow.length) return false;
        if (inWindow.length === 0) return s.quantiles.every((q) => q === null);
        const sorted = Float64Array.from(inWindow).sort();
        // Both read paths agree: bins read in place, and the merged window sketch.
        assert.deepEqual(d.windowSketch().quantiles(qs), s.quantiles);
        return qs.every((q, i) => relativeError(s.quantiles[i]!, exactQuantile(sorted, q)) <= 0.01);
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  test('sub-windows with far-apart ranges (both signs, 1e-30..1e30) are read in order, each within 1%; below 2^-128 is zero', () => {
    const clock = new ManualClock();
    const d = new WindowedDistribution({ clock });
    const r = seededRandom(13);
    const all: number[] = [];
    const centres = [1e-30, 1e30, -1e-20, -1e20, 1];
    for (const c of centres) {
      for (let i = 0; i < 2000; i++) {
        const v = c * Math.exp(2 * r());
        d.record(v);
        all.push(v);
      }
      clock.advance(MIN);
    }
    const qs = [0.1, 0.3, 0.5, 0.7, 0.9, 0.99];
    const s = d.summary(qs);
    const window = all.slice(2000); // the first sub-window has expired
    assert.equal(s.window.count, window.length);
    const sorted = Float64Array.from(window).sort();
    qs.forEach((q, i) => {
      const x = exactQuantile(sorted, q);
      assert.ok(relativeError(s.quantiles[i]!, x) <= 0.01, `q=${q}: ${s.quantiles[i]} vs ${x}`);
    });
    // Magnitudes at or below Prometheus' zero threshold (2^-128 ~ 2.9e-39) are counted as zero.
    const tiny = new WindowedDistribution({ clock });
    for (const v of [-1e-100, 1e-100, 2 ** -128, 1]) tiny.record(v);
    assert.deepEqual(tiny.summary([0, 0.5, 0.75, 1]).quantiles, [-1e-100, 0, 0, 1]);
  });

  test('NaN and infinities are refused and change nothing', () => {
    const d = new WindowedDistribution({ clock: new ManualClock() });
    d.record(1);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.throws(() => d.record(bad), new RegExp(`${bad} is not a finite number`));
    }
    const s = d.summary([0.5]);
    assert.equal(s.window.count, 1);
    assert.equal(s.window.mean, 1);
    assert.equal(s.quantiles[0], 1);
  });

  test('options are validated with messages naming the value', () => {
    assert.throws(() => new WindowedDistribution({ windowMs: 0 }), /windowMs 0/);
    assert.throws(() => new WindowedDistribution({ subWindows: 0 }), /subWindows 0/);
    assert.throws(() => new WindowedDistribution({ subWindows: 2.5 }), /subWindows 2\.5/);
    // A JavaScript caller of the first round's API is told, not silently ignored.
    assert.throws(() => new WindowedDistribution({ relativeAccuracy: 0.01 } as never), /relativeAccuracy is no longer an option/);
  });

  test('with the default (system) clock it records and reads', () => {
    const d = new WindowedDistribution();
    for (let i = 0; i < 1000; i++) d.record(i / 1000);
    const s = d.summary([0.5]);
    assert.equal(s.window.count, 1000);
    assert.ok(relativeError(s.quantiles[0]!, 0.499) <= 0.01);
    assert.equal(d.windowMs, 300_000);
  });
});
