import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SnapshotNode } from '../../src/registry/snapshot.js';
import { acquireHistory, HistorySampler } from '../../src/http/history.js';
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
  it('runs one unref-ed timer per registry, started on use and stopped by the last release', () => {
    const src = new TreeSource(tree({ a: 1 }));
    const one = acquireHistory(src, {});
    const two = acquireHistory(src, {});
    assert.equal(one.sampler, two.sampler);
    assert.equal(one.sampler.running, false);
    one.sampler.touch();
    assert.equal(one.sampler.running, true);
    one.release();
    one.release();
    assert.equal(two.sampler.running, true);
    two.release();
    assert.equal(two.sampler.running, false);
  });
  it('stops sampling after being idle', async () => {
    const src = new TreeSource(tree({ a: 1 }));
    const h = new HistorySampler(src, { idleStopMs: 0 });
    h.touch();
    await new Promise((r) => setTimeout(r, 2));
    await h.sample();
    assert.equal(h.running, false);
  });
  it('rejects bad options with the option name', () => {
    assert.throws(() => new HistorySampler(new TreeSource(tree({})), { points: 0 }), /invalid history option points: 0/);
  });
});
