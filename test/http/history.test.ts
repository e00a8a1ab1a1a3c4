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
  it('runs one timer per registry, started on use and stopped by the last release', () => {
    const src = new TreeSource(tree({ a: 1 }));
    const scheduler = new ManualScheduler();
    const one = acquireHistory(src, { scheduler });
    const two = acquireHistory(src, { scheduler });
    assert.equal(one.sampler, two.sampler);
    const other = acquireHistory(src, { scheduler: new ManualScheduler() });
    assert.notEqual(other.sampler, one.sampler, 'another scheduler, another sampler');
    other.release();
    assert.equal(one.sampler.running, false);
    one.sampler.touch();
    assert.equal(one.sampler.running, true);
    one.release();
    one.release();
    assert.equal(two.sampler.running, true);
    assert.equal(scheduler.pending, 1, 'one timer for both users');
    two.release();
    assert.equal(two.sampler.running, false);
    assert.equal(scheduler.pending, 0, 'the last release cancels it');
  });
  it('samples on its timer every interval, and stops after being idle', async () => {
    const src = new TreeSource(tree({ a: 1 }));
    const scheduler = new ManualScheduler();
    const h = new HistorySampler(src, { intervalMs: 5000, idleStopMs: 12_000, scheduler });
    h.touch(); // t = 0: the timer due in 5 s, no sample yet (the page view reads the gauges itself)
    assert.equal(scheduler.nextDelay, 5000);
    assert.equal(src.calls, 0, 'no immediate sample');
    for (const value of [1, 2]) {
      src.tree = tree({ a: value });
      assert.equal(scheduler.advance(4000), 0, 'nothing before the interval');
      assert.equal(scheduler.advance(1000), 1, 'one timer run per interval');
      await h.sample(); // the run the timer started
    }
    assert.deepEqual(h.history('["a"]'), [1, 2]);
    assert.equal(h.running, true, '10 s without a request, under the 12 s idle limit');
    scheduler.advance(5000); // t = 15 s since the last touch(): this run stops at once
    assert.equal(h.running, false, 'stopped after being idle');
    assert.equal(scheduler.pending, 0, 'no timer left behind');
    assert.equal(src.calls, 2, 'no sample was taken by the run that found it idle');
    h.touch();
    assert.equal(h.running, true, 'a request starts it again');
    h.stop();
    assert.equal(scheduler.pending, 0);
  });
  it('rejects bad options with the option name', () => {
    assert.throws(() => new HistorySampler(new TreeSource(tree({})), { points: 0 }), /invalid history option points: 0/);
  });
});
