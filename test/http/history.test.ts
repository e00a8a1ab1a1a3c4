import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SnapshotNode } from '../../src/registry/snapshot.js';
import { acquireHistory, HistorySampler } from '../../src/http/history.js';
import { ManualScheduler } from '../helpers/manual-scheduler.js';
import { TreeSource } from './tree-source.js';

function tree(values: Record<string, number>): SnapshotNode {
  return {
    name: '',
    path: '/',
    stats: Object.entries(values).map(([name, value]) => ({ name, kind: 'int' as const, value })),
    children: [],
  };
}

describe('history sampler', () => {
  it('keeps the last N samples per series, oldest first', async () => {
    const src = new TreeSource(tree({ a: 0 }));
    const h = new HistorySampler(src, { points: 3 });
    for (let i = 1; i <= 5; i++) {
      src.tree = tree({ a: i });
      await h.sample();
    }
    assert.deepEqual(h.history('["a"]'), [3, 4, 5]);
  });
  it('bounds the number of series and evicts series gone for a whole window', async () => {
    const src = new TreeSource(tree({ a: 1, b: 2, c: 3 }));
    const h = new HistorySampler(src, { points: 2, maxSeries: 2 });
    await h.sample();
    assert.equal(h.size, 2);
    assert.equal(h.history('["c"]'), undefined);
    src.tree = tree({ b: 5 });
    await h.sample();
    assert.deepEqual(h.history('["a"]'), [1, null]);
    await h.sample();
    assert.equal(h.history('["a"]'), undefined, 'evicted');
    assert.deepEqual(h.history('["b"]'), [5, 5]);
  });
  it('never rejects when the source fails', async () => {
    const src = new TreeSource(tree({ a: 1 }));
    src.fail = new Error('boom');
    await new HistorySampler(src).sample();
  });
  it('runs one timer per registry, started at creation and stopped by the last release', () => {
    const src = new TreeSource(tree({ a: 1 }));
    const scheduler = new ManualScheduler();
    const one = acquireHistory(src, { scheduler });
    assert.equal(one.sampler.running, true, 'started when the first handler is created, not at a page view');
    const two = acquireHistory(src, { scheduler });
    assert.equal(one.sampler, two.sampler);
    const other = acquireHistory(src, { scheduler: new ManualScheduler() });
    assert.notEqual(other.sampler, one.sampler, 'another scheduler, another sampler');
    other.release();
    assert.equal(other.sampler.running, false);
    one.release();
    one.release();
    assert.equal(two.sampler.running, true);
    assert.equal(scheduler.pending, 1, 'one timer for both users');
    two.release();
    assert.equal(two.sampler.running, false);
    assert.equal(scheduler.pending, 0, 'the last release cancels it');
  });
  it('samples on its timer every interval from the start, with no page view', async () => {
    const src = new TreeSource(tree({ a: 1 }));
    const scheduler = new ManualScheduler();
    const { sampler: h, release } = acquireHistory(src, { intervalMs: 5000, scheduler });
    assert.equal(scheduler.nextDelay, 5000);
    assert.equal(src.calls, 0, 'no immediate sample');
    for (const value of [1, 2]) {
      src.tree = tree({ a: value });
      assert.equal(scheduler.advance(4000), 0, 'nothing before the interval');
      assert.equal(scheduler.advance(1000), 1, 'one timer run per interval');
      await h.sample(); // the run the timer started
    }
    assert.deepEqual(h.history('["a"]'), [1, 2]);
    // Hours without a request: it keeps sampling (the history is what the 3am page shows).
    for (let i = 0; i < 10; i++) {
      scheduler.advance(5000);
      await h.sample();
    }
    assert.equal(h.running, true);
    assert.equal(h.history('["a"]')!.length, 12);
    release();
    assert.equal(scheduler.pending, 0, 'no timer left behind');
  });
  it('keeps a fine tier and a coarse tier on one time axis', async () => {
    const src = new TreeSource(tree({ a: 0 }));
    const scheduler = new ManualScheduler(0);
    // Fine: 4 samples at 1 s; coarse: every 2nd fine sample, 3 kept.
    const h = new HistorySampler(src, { intervalMs: 1000, points: 4, coarseEvery: 2, coarsePoints: 3, scheduler });
    h.start();
    for (let i = 1; i <= 10; i++) {
      src.tree = tree({ a: i * 10 });
      scheduler.advance(1000); // the timer's run samples at t = i s
      await h.sample();
    }
    const tl = h.timeline();
    // Coarse samples kept: 6, 8 and 10 s; those at or after the fine tier's start (7 s) left out; then fine 7..10 s.
    assert.deepEqual(tl.t, [6000, 7000, 8000, 9000, 10000]);
    assert.equal(tl.coarse, 1);
    assert.deepEqual(tl.read('["a"]'), [60, 70, 80, 90, 100]);
    assert.deepEqual(tl.low('["a"]'), [50], 'the lowest of the period 5..6 s');
    assert.equal(tl.read('["nope"]'), undefined);
    assert.deepEqual(h.history('["a"]', 2), [90, 100]);
  });
  it('keeps a spike inside a coarse period: its highest and lowest value, and a counter at its end', async () => {
    const src = new TreeSource(tree({ gauge: 0, counter: 0 }));
    const scheduler = new ManualScheduler(0);
    // Fine: 3 samples at 5 s (the last 15 s); coarse: a "minute" of 4 fine samples, 5 kept.
    const h = new HistorySampler(src, { intervalMs: 5000, points: 3, coarseEvery: 4, coarsePoints: 5, scheduler });
    h.start();
    // Three minutes. The gauge idles at 10 with one spike to 900 at the 2nd sample of minute 2
    // and a dip to 1 at the 3rd of minute 3; the counter counts 5 a sample, reset (to 0) never.
    const gauge = [10, 10, 10, 10, 10, 900, 10, 10, 10, 10, 1, 10, 10, 10, 10];
    for (let i = 1; i <= gauge.length; i++) {
      src.tree = tree({ gauge: gauge[i - 1], counter: 5 * i });
      scheduler.advance(5000);
      await h.sample();
    }
    const tl = h.timeline();
    // Coarse points at the end of each minute (20, 40, 60 s), then the fine tier (65..75 s).
    assert.deepEqual(tl.t, [20_000, 40_000, 60_000, 65_000, 70_000, 75_000]);
    assert.equal(tl.coarse, 3);
    assert.deepEqual(tl.read('["gauge"]'), [10, 900, 10, 10, 10, 10], 'the spike of minute 2 is kept (the end value was 10)');
    assert.deepEqual(tl.low('["gauge"]'), [10, 10, 1], 'and the dip of minute 3');
    assert.deepEqual(tl.read('["counter"]'), [20, 40, 60, 65, 70, 75], "a counter's highest is its value at the minute's end");
    // Rates from the coarse points are exact: 20 a minute.
    const c = tl.read('["counter"]')!;
    assert.equal((c[1]! - c[0]!) / ((tl.t[1] - tl.t[0]) / 1000), 1);
    assert.equal(tl.low('["nope"]'), undefined);
  });
  it('caps the series by bytes, and records the overview figures first', async () => {
    const root: SnapshotNode = {
      name: '',
      path: '/',
      stats: [{ name: 'a', kind: 'int', value: 1 }],
      children: [
        {
          name: 'process',
          path: '/process',
          stats: [],
          children: [{ name: 'memory', path: '/process/memory', stats: [{ name: 'heapUsedBytes', kind: 'value', value: 123 }], children: [] }],
        },
      ],
    };
    const src = new TreeSource(root);
    // 8 bytes a fine sample, 12 a coarse one (its max in 8, its min in 4).
    const h = new HistorySampler(src, { points: 10, coarsePoints: 10, maxBytes: 2 * 200 + 199 });
    assert.equal(h.bytesPerSeries, 200);
    assert.equal(h.maxSeries, 2);
    await h.sample();
    assert.equal(h.size, 2);
    assert.ok(h.bytes <= 2 * 200 + 199);
    assert.deepEqual(h.history('["","~overview","heap"]'), [123], 'the overview figure');
    assert.deepEqual(h.history('["process","memory","heapUsedBytes"]'), [123], 'its stat, before the rest of the tree');
    assert.equal(h.history('["a"]'), undefined, 'over the cap');
  });
  it('rejects bad options with the option name', () => {
    assert.throws(() => new HistorySampler(new TreeSource(tree({})), { points: 0 }), /invalid history option points: 0/);
  });
});
