/**
 * The memory bound of issue 11 through the public API: a worst-case PmfStat (its cell, handle
 * and cached snapshot) stays within 64 KiB, and a typical latency PmfStat within 8 KiB,
 * measured on the V8 heap plus ArrayBuffers. The bound of the WindowedDistribution inside it
 * is proven in memory.test.ts (through src).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as scales from 'scales-metrics';
import { lognormal } from '../helpers/datasets.js';
import { fillWorstCase, settledBytes } from '../helpers/heap.js';

describe('PmfStat memory bound', () => {
  test('measured: a worst-case PmfStat (public API, its cell, handle and cached snapshot) <= 64 KiB', async (t) => {
    const clock = new scales.ManualClock();
    const r = new scales.Registry({ clock });
    const S = r.collection('/m', scales.namedPmfDictStat('lat', { keyLimit: 1000 }), scales.pmfStat('warm'));
    const unused = new scales.ManualClock(); // the registry's clock moves once per sub-window for all stats
    // One-time allocations (compiled code of every path of the fill, the walk's shared scratch
    // array) are not per stat: one stat goes through the whole worst case before measuring (in
    // a process of its own, nothing else has warmed these paths up).
    fillWorstCase(S.warm, unused, 0, 0);
    S.warm.snapshot();
    const before = await settledBytes();
    const stats = Array.from({ length: 150 }, (_, i) => S.$.lat.get(`k${i}`));
    for (let sub = 0; sub <= 5; sub++) {
      for (const [i, p] of stats.entries()) fillWorstCase(p, unused, 1000 * sub + i, 0);
      if (sub < 5) clock.advance(60_000);
    }
    for (const p of stats) assert.ok(p.snapshot().count > 0); // each caches its snapshot
    const perStat = ((await settledBytes()) - before) / stats.length;
    t.diagnostic(`measured ${perStat.toFixed(0)} bytes per worst-case PmfStat (5 sub-windows, snapshot cached)`);
    assert.ok(perStat <= 64 * 1024, `${perStat.toFixed(0)} bytes per PmfStat`);
    assert.ok(perStat > 40 * 1024, `${perStat.toFixed(0)} bytes: the fill was not worst case`);
    assert.equal(Object.keys(r.getStats('/m')?.lat as object).length, 150);
  });

  test('measured: a typical latency PmfStat (100,000 values within 4 decades) <= 8 KiB; and once every sub-window and the lifetime hold such data', async (t) => {
    const values = lognormal(100_000, 21, 0.02, 0.8); // 20 ms median; 99.99% within 4 decades
    const clock = new scales.ManualClock();
    const r = new scales.Registry({ clock });
    const warm = r.collection('/warm', scales.pmfStat('x')).x;
    warm.record(1);
    warm.snapshot();
    // The containers are the tree's, not the pmf's: measure 100 containers holding an intStat
    // the same way and count only what the PmfStat adds.
    const base = await settledBytes();
    const holders = Array.from({ length: 100 }, (_, i) => r.collection(`/c${i}`, scales.intStat('x')));
    const container = ((await settledBytes()) - base) / holders.length;
    t.diagnostic(`measured ${container.toFixed(0)} bytes per container holding one intStat (subtracted)`);
    const before = await settledBytes();
    const stats = Array.from({ length: 100 }, (_, i) => r.collection(`/t${i}`, scales.pmfStat('x')).x);
    for (const p of stats) for (const v of values) p.record(v);
    for (const p of stats) assert.equal(p.snapshot().count, 100_000);
    const fresh = ((await settledBytes()) - before) / stats.length - container;
    t.diagnostic(`measured ${fresh.toFixed(0)} bytes per typical PmfStat, its container's own cost subtracted (100,000 values)`);
    assert.ok(fresh <= 8 * 1024, `${fresh.toFixed(0)} bytes`);
    for (let sub = 0; sub < 5; sub++) {
      clock.advance(60_000);
      for (const p of stats) for (let i = 0; i < 20_000; i++) p.record(values[i]);
    }
    for (const p of stats) assert.equal(p.snapshot().count, 100_000);
    const steady = ((await settledBytes()) - before) / stats.length - container;
    t.diagnostic(`measured ${steady.toFixed(0)} bytes per typical PmfStat with all 5 sub-windows and the lifetime holding data`);
    assert.ok(steady <= 8 * 1024, `${steady.toFixed(0)} bytes`);
  });
});
