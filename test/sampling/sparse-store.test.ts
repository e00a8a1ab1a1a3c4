/**
 * SparseStore: bucket counts in pages of 32 inside one typed array, with a page directory.
 * Memory follows the occupied pages, counts widen instead of wrapping, and downscaling merges
 * neighbouring buckets exactly as Prometheus' schema - 1 does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { downscaleIndex } from '../../src/sampling/exponential-index.js';
import { PAGE_BINS, SparseStore } from '../../src/sampling/sparse-store.js';

describe('SparseStore', () => {
  test('adds, reads back and lists buckets in index order, negative indices included', () => {
    const s = new SparseStore();
    assert.ok(s.empty);
    for (const [i, n] of [
      [5, 1],
      [-40, 2],
      [5, 3],
      [1000, 1],
      [-1, 1],
    ] as const)
      s.add(i, n);
    assert.equal(s.get(5), 4);
    assert.equal(s.get(-40), 2);
    assert.equal(s.get(6), 0);
    assert.equal(s.get(99_999), 0);
    assert.deepEqual(s.buckets(), [
      [-40, 2],
      [-1, 1],
      [5, 4],
      [1000, 1],
    ]);
    assert.equal(s.total(), 8);
    assert.equal(s.pages, 4); // pages -2, -1, 0 and 31
  });

  test('memory follows the occupied pages, not the range between them', () => {
    const far = new SparseStore();
    far.add(-8000, 1);
    far.add(60_000, 1);
    const near = new SparseStore();
    near.add(0, 1);
    near.add(100, 1);
    assert.equal(far.pages, 2);
    assert.equal(near.pages, 2);
    assert.equal(far.counts.byteLength, near.counts.byteLength);
    // The directory: 4 bytes per page number between them (2,125 here).
    assert.equal(far.byteLength - far.counts.byteLength, 4 * ((60_000 >> 5) - (-8000 >> 5) + 1));
    assert.equal(near.counts.byteLength, 2 * PAGE_BINS * 2, 'Uint16 counts to start with');
  });

  test('a count past 65,535 widens the store to 32 bits, past 2^32 - 1 to doubles: nothing wraps', () => {
    const s = new SparseStore();
    const width = () => s.counts.constructor.name;
    s.add(3, 65_535);
    assert.equal(width(), 'Uint16Array');
    s.add(3, 1);
    assert.equal(width(), 'Uint32Array');
    assert.equal(s.get(3), 65_536);
    s.add(7, 2 ** 32 - 1);
    assert.equal(width(), 'Uint32Array', '2^32 - 1 still fits');
    assert.equal(s.get(7), 2 ** 32 - 1);
    s.add(7, 10);
    assert.equal(width(), 'Float64Array');
    assert.equal(s.get(7), 2 ** 32 + 9);
    assert.equal(s.get(3), 65_536);
  });

  test('downscale(d) puts bucket i into ceil(i / 2^d), as Prometheus does for schema - d', () => {
    const s = new SparseStore();
    const idx = [-65, -64, -63, -2, -1, 0, 1, 2, 3, 4, 63, 64, 65];
    for (const i of idx) s.add(i, 1);
    s.downscale(1);
    const want = new Map<number, number>();
    const ceilHalf = (i: number) => Math.ceil(i / 2) + 0; // + 0: no -0
    for (const i of idx) want.set(ceilHalf(i), (want.get(ceilHalf(i)) ?? 0) + 1);
    assert.deepEqual(
      s.buckets(),
      [...want.entries()].sort((a, b) => a[0] - b[0]),
    );
    for (const i of idx) assert.equal(downscaleIndex(i, 3), Math.ceil(i / 8) + 0);
    assert.equal(s.total(), idx.length);
  });

  test('mergeFrom adds counts (downscaled when asked); clear releases the pages', () => {
    const a = new SparseStore();
    const b = new SparseStore();
    a.add(10, 2);
    b.add(10, 3);
    b.add(11, 1);
    a.mergeFrom(b);
    assert.deepEqual(a.buckets(), [
      [10, 5],
      [11, 1],
    ]);
    const c = new SparseStore();
    c.mergeFrom(b, 1);
    assert.deepEqual(c.buckets(), [
      [5, 3],
      [6, 1],
    ]);
    a.clear();
    assert.ok(a.empty);
    assert.equal(a.byteLength, 0);
    a.add(1, 1);
    assert.deepEqual(a.buckets(), [[1, 1]]);
  });
});
