/**
 * PmfStat through the public API, for what issue 3 asks of it beyond the sketch: warn99, the
 * unit option, time() on the monotonic clock, window vs lifetime figures in the snapshot.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as scales from 'scales-metrics';
import * as aggregation from 'scales-metrics/aggregate';
import { LogSketch } from 'scales-metrics/sampling';
import { bimodal, mixedSign, REPORTED_QUANTILES, relativeError } from '../helpers/datasets.js';
import { exactQuantile } from './exact-quantile.js';

function registry() {
  const clock = new scales.ManualClock();
  return { clock, r: new scales.Registry({ clock }) };
}

describe('PmfStat warn99', () => {
  test('quiet until the window holds 100 values; then fires at or above the p99, refreshed each second', () => {
    const { clock, r } = registry();
    const S = r.collection('/w', scales.pmfStat('lat'));
    const calls: [number, number, string][] = [];
    S.lat.warn99((v, p99, path) => calls.push([v, p99, path]));
    for (let i = 1; i <= 99; i++) S.lat.record(i);
    S.lat.record(1000);
    assert.deepEqual(calls, [], 'no p99 to compare with before 100 values');
    clock.advance(1000);
    S.lat.record(5); // refreshes the p99 (of 1..99, 1000: 99) and is below it
    assert.deepEqual(calls, []);
    S.lat.record(98); // below the p99 (99, reported within 1%)
    S.lat.record(150);
    S.lat.record(calls[0][1]); // exactly the p99 it compares with: "at or above"
    assert.equal(calls.length, 2);
    assert.ok(Math.abs(calls[0][1] - 99) <= 0.99, `p99 ${calls[0][1]}`);
    assert.deepEqual(
      calls.map((c) => [c[0], c[2]]),
      [
        [150, '/w/lat'],
        [calls[0][1], '/w/lat'],
      ],
    );
    // Timings go through the same check.
    const t = S.lat.time();
    clock.advance(200_000); // 200 s
    // Refresh the p99 first (now ~150): the 200 s timing is then clearly above it. (Compared
    // with a p99 that includes itself as the top-but-one value, it would be compared with its
    // own bucket's log-midpoint, up to 0.54% above it.)
    S.lat.record(1);
    t.stop();
    assert.equal(calls.at(-1)?.[0], 200);
    assert.equal(calls.length, 3);
    S.lat.warn99(null);
    S.lat.record(10_000);
    assert.equal(calls.length, 3, 'null stops the hook');
    assert.throws(() => S.lat.warn99(42 as never), /warn99 on \/w\/lat: expected a function or null/);
  });

  test('a hook that throws or rejects never breaks the write nor escapes as an unhandled rejection', async () => {
    const { clock, r } = registry();
    const S = r.collection('/w', scales.pmfStat('lat'));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let i = 1; i <= 100; i++) S.lat.record(i);
      clock.advance(1000);
      S.lat.warn99(() => {
        throw new Error('logger down');
      });
      S.lat.record(1000);
      S.lat.warn99(async () => {
        throw new Error('async logger down');
      });
      S.lat.record(2000);
      assert.equal(
        S.lat.time(() => 'ok'),
        'ok',
      );
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
      assert.equal(S.lat.snapshot().count, 103, 'the values were recorded');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('PmfStat snapshot', () => {
  test('top-level figures are the window, lifetime the whole life; both in the tree', () => {
    const { clock, r } = registry();
    const S = r.collection('/p', scales.pmfStat('lat', { windowMs: 60_000 }));
    for (let i = 1; i <= 100; i++) S.lat.record(i / 1000);
    clock.advance(61_000); // the whole window later
    S.lat.record(0.5);
    const json = r.getStats('/p')?.lat as Record<string, unknown>;
    assert.equal(json.count, 1);
    assert.equal(json.median, 0.5);
    assert.equal(json.windowSeconds, 60);
    assert.deepEqual(json.lifetime, S.lat.snapshot().lifetime);
    const life = json.lifetime as { count: number; min: number; max: number };
    assert.equal(life.count, 101);
    assert.equal(life.min, 0.001);
    assert.equal(life.max, 0.5);
    clock.advance(61_000);
    const empty = S.lat.snapshot();
    assert.equal(empty.count, 0);
    assert.equal(empty['99percentile'], null);
    assert.equal(empty.max, null);
    assert.equal(empty.lifetime.count, 101);
  });

  test("a snapshot is the caller's own: changing it changes nothing in the stat or the tree", () => {
    const { r } = registry();
    const S = r.collection('/p', scales.pmfStat('lat'));
    S.lat.record(1);
    const snap = S.lat.snapshot();
    snap.count = -1;
    snap.lifetime.count = -1;
    assert.equal(S.lat.snapshot().count, 1);
    assert.equal(S.lat.snapshot().lifetime.count, 1);
    assert.equal((r.getStats('/p')!.lat as { count: number }).count, 1);
  });
});

describe('PmfStat units and clock', () => {
  test("unit 's' (default) and 'ms': time() measures in it and the snapshot names it", () => {
    const { clock, r } = registry();
    const S = r.collection('/u', scales.pmfStat('s'), scales.pmfStat('ms', { unit: 'ms' }));
    const a = S.s.time();
    const b = S.ms.time();
    clock.advance(1500);
    assert.equal(a.stop(), 1.5);
    assert.equal(b.stop(), 1500);
    assert.equal(S.s.unit, 's');
    assert.deepEqual([S.s.snapshot().unit, S.s.snapshot().max], ['s', 1.5]);
    assert.deepEqual([S.ms.snapshot().unit, S.ms.snapshot().max], ['ms', 1500]);
    assert.throws(
      () => r.collection('/v', scales.pmfStat('x', { unit: 'min' as 's' })),
      /pmfStat "x": unit must be 's', 'ms', 'us' or 'ns', not "min"/,
    );
    assert.throws(() => r.collection('/v', scales.pmfStat('y', { windowMs: 0 })), /pmfStat "y": windowMs 0 is not a positive number of milliseconds/);
    assert.throws(() => r.collection('/v', scales.pmfStat('z', { windowMs: '60000' as never })), /pmfStat "z": windowMs 60000 is not/);
  });

  test('with the default clock, time() reads the monotonic clock: wall-clock jumps do not show', async () => {
    const S = new scales.Registry().collection('/c', scales.pmfStat('lat', { unit: 'ms' }), scales.stateTimeStat('phase'));
    const realNow = Date.now;
    const t = S.lat.time();
    S.phase.set('a');
    const t0 = performance.now(); // both started at or before t0
    try {
      Date.now = () => realNow() + 3_600_000; // the wall clock jumps an hour ahead
      // 20 ms of monotonic time pass (polled, not a timer that may fire a little early).
      while (performance.now() - t0 < 20) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      Date.now = realNow;
    }
    const ms = t.stop();
    // Under a minute, not the hour the wall clock jumped (a loaded machine may stretch the 20 ms).
    assert.ok(ms >= 20 && ms < 60_000, `measured ${ms} ms`);
    const phase = S.phase.times().a;
    assert.ok(phase >= 0.02 && phase < 60, `state time ${phase} s`);
    // Sub-microsecond resolution: two back-to-back timings are not both rounded to 0 or 1 ms.
    const tiny = S.lat.time();
    const v = tiny.stop();
    assert.ok(v >= 0 && v < 1, `back-to-back timing ${v} ms`);
  });
});

describe('PmfStat merge across servers', () => {
  test("the sketches of two servers' snapshots merge into the percentiles of all their data, within 1%", () => {
    const data = [bimodal(30_000, 31), mixedSign(20_000, 32)];
    const dumps = data.map((values) => {
      const r = new scales.Registry({ clock: new scales.ManualClock() });
      const S = r.collection('/web', scales.pmfStat('latency'));
      for (const v of values) S.latency.record(v);
      const json = r.getStats('/web', { sketches: true })?.latency as { sketch: string; count: number };
      assert.equal(json.count, values.length);
      return JSON.parse(JSON.stringify(json)) as { sketch: string }; // as if read from dump files
    });
    const fleet = LogSketch.deserialize(dumps[0].sketch);
    fleet.merge(LogSketch.deserialize(dumps[1].sketch));
    const all = Float64Array.from([...data[0], ...data[1]]).sort();
    assert.equal(fleet.count, all.length);
    // Not p1: it lies among the most negative values, whose magnitudes span more than the
    // ~3 decades a sub-window's negative bins hold (README: they fold into its lowest bin).
    const qs = [0, 0.1, 0.25, 0.4, ...REPORTED_QUANTILES, 1];
    const got = fleet.quantiles(qs);
    qs.forEach((q, i) => {
      const x = exactQuantile(all, q);
      assert.ok(relativeError(got[i]!, x) <= 0.01, `q=${q}: ${got[i]} vs exact ${x}`);
    });
  });
});

describe('PmfStat percentiles of few values (nearest rank, as quantile-rank.test.ts proves for the walk)', () => {
  test('PmfStat: p99 is the max below 100 values; of 1..100 it is 99, of 1..101 it is 100', () => {
    const r = new scales.Registry({ clock: new scales.ManualClock() });
    const S = r.collection('/t', scales.pmfStat('lat'));
    for (let i = 1; i <= 3; i++) S.lat.record(i);
    let snap = S.lat.snapshot();
    assert.equal(snap['99percentile'], 3);
    assert.equal(snap['999percentile'], 3);
    assert.ok(Math.abs(snap.median! - 2) <= 0.02);
    for (let i = 4; i <= 99; i++) S.lat.record(i);
    assert.equal(S.lat.snapshot()['99percentile'], 99);
    S.lat.record(100); // 99 of the 100 values are <= 99
    assert.ok(Math.abs(S.lat.snapshot()['99percentile']! - 99) <= 0.99);
    assert.equal(S.lat.snapshot()['999percentile'], 100);
    S.lat.record(101);
    snap = S.lat.snapshot();
    assert.ok(Math.abs(snap['99percentile']! - 100) <= 1, `p99 of 1..101: ${snap['99percentile']}`);
    assert.equal(snap['999percentile'], 101);
  });
});

describe('PmfStat sketch resolution in the snapshot (issue 11)', () => {
  test('schema 6 and its 0.54% bound; data wider than the budget halves the resolution and says so; the window recovers', () => {
    const { clock, r } = registry();
    const S = r.collection('/res', scales.pmfStat('lat'));
    for (let i = 1; i <= 1000; i++) S.lat.record(i / 1000);
    let snap = S.lat.snapshot();
    assert.equal(snap.schema, 6);
    assert.ok(Math.abs(snap.relativeError - 0.00543) < 1e-5, `${snap.relativeError}`);
    // Every bucket of 30 decades of both signs: far more than one sketch's 8.5 KiB budget.
    for (let x = 1e-15; x < 1e15; x *= 2 ** (1 / 64)) {
      S.lat.record(x);
      S.lat.record(-x);
    }
    snap = S.lat.snapshot();
    assert.ok(snap.schema < 6, `schema ${snap.schema}`);
    assert.ok(Math.abs(snap.relativeError - (2 ** (2 ** (-snap.schema - 1)) - 1)) < 1e-12);
    // Five minutes later the wide data has left the window: full resolution again.
    clock.advance(6 * 60_000);
    S.lat.record(0.5);
    snap = S.lat.snapshot();
    assert.equal(snap.schema, 6);
    assert.equal(snap.median, 0.5);
    const tree = r.getStats('/res') as { lat: { schema: number; relativeError: number } };
    assert.equal(tree.lat.schema, 6);
  });

  test('a dump sketch of the first format version (earlier releases) still merges into fleet percentiles', async () => {
    const { readFileSync } = await import('node:fs');
    const v1 = readFileSync(new URL('../../../test/fixtures/sketch/v1-lognormal-2000.txt', import.meta.url), 'utf8').trim();
    const { Aggregation, Percentiles } = aggregation;
    const now = new scales.Registry();
    now.collection('/', scales.pmfStat('lat')).lat.record(0.02);
    const agg = new Aggregation({ lat: [new Percentiles()] });
    agg.addSource('old-release', { lat: { count: 2000, unit: 's', sketch: v1 } });
    agg.addSource('new-release', now.getStats('/', { sketches: true }) ?? null);
    const p = (agg.result() as { lat: { percentiles: { count: number; sources: number; median: number } } }).lat.percentiles;
    assert.deepEqual(agg.warnings, []);
    assert.equal(p.sources, 2);
    assert.equal(p.count, 2001);
    assert.ok(p.median > 0.005 && p.median < 0.05, `median ${p.median}`);
  });
});
