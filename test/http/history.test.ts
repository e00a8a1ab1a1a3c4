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
    assert.deepEqual(tl.read('["a"]'), [60, 70, 80, 90, 100]);
    assert.equal(tl.read('["nope"]'), undefined);
    assert.deepEqual(h.history('["a"]', 2), [90, 100]);
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
    const h = new HistorySampler(src, { points: 10, coarsePoints: 10, maxBytes: 2 * 160 + 159 });
    assert.equal(h.bytesPerSeries, 160);
    assert.equal(h.maxSeries, 2);
    await h.sample();
    assert.equal(h.size, 2);
    assert.ok(h.bytes <= 2 * 160 + 159);
    assert.deepEqual(h.history('["","~overview","heap"]'), [123], 'the overview figure');
    assert.deepEqual(h.history('["process","memory","heapUsedBytes"]'), [123], 'its stat, before the rest of the tree');
    assert.equal(h.history('["a"]'), undefined, 'over the cap');
  });
  it('rejects bad options with the option name', () => {
    assert.throws(() => new HistorySampler(new TreeSource(tree({})), { points: 0 }), /invalid history option points: 0/);
  });
});
