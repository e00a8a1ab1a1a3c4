/** DenseStore: growth on demand, hard bin limit (collapse lowest), promotion past 2^32 - 1. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DenseStore } from '../../src/sampling/dense-store.js';

describe('DenseStore', () => {
  test('grows on demand in both directions and keeps every count', () => {
    const s = new DenseStore(1024, false);
    assert.equal(s.byteLength, 0, 'nothing allocated before the first value');
    s.add(100, 1);
    for (let k = 100; k < 400; k++) s.add(k, 2);
    for (let k = 99; k > -100; k--) s.add(k, 3);
    assert.equal(s.total(), 1 + 300 * 2 + 199 * 3);
    assert.equal(s.minKey(), -99);
    assert.equal(s.maxKey(), 399);
    assert.ok(s.counts.length <= 1024);
    assert.equal(s.collapsed, false);
  });

  test('past maxBins the lowest keys fold into the lowest bin; the count is kept', () => {
    const s = new DenseStore(100, true);
    for (let k = 0; k < 1000; k++) s.add(k, 1);
    assert.equal(s.counts.length, 100);
    assert.equal(s.total(), 1000);
    assert.equal(s.maxKey(), 999);
    assert.equal(s.minKey(), 900);
    assert.equal(s.counts[0], 901, 'keys 0..900 folded into key 900');
    assert.ok(s.collapsed);
    s.add(-5000, 7); // far below: straight into the lowest bin
    assert.equal(s.counts[0], 908);
    assert.equal(s.counts.length, 100);
  });

  test('a Uint32 bin promotes the store to Float64 instead of wrapping past 2^32 - 1', () => {
    const s = new DenseStore(64, false);
    s.add(5, 0xffffffff);
    assert.ok(s.counts instanceof Uint32Array);
    s.add(5, 2);
    assert.ok(s.counts instanceof Float64Array);
    assert.equal(s.total(), 0xffffffff + 2);
    s.clear(); // a new sub-window starts compact again: the memory bound holds
    const after: Uint32Array | Float64Array = s.counts as Uint32Array | Float64Array;
    assert.equal(after.constructor, Uint32Array);
    assert.equal(s.byteLength, after.length * 4);
  });

  test('mergeFrom adds counts and carries the collapsed flag; clear keeps the allocation', () => {
    const a = new DenseStore(2048, false);
    const b = new DenseStore(50, true);
    for (let k = 0; k < 80; k++) b.add(k, 1);
    for (let k = 60; k < 70; k++) a.add(k, 10);
    a.mergeFrom(b);
    assert.equal(a.total(), 180);
    assert.ok(a.collapsed);
    const bytes = a.byteLength;
    a.clear();
    assert.equal(a.total(), 0);
    assert.equal(a.byteLength, bytes);
    assert.equal(a.minKey(), undefined);
  });
});
