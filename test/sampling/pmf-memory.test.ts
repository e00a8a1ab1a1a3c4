/**
 * The memory bound of issue 3 through the public API: a worst-case PmfStat (its cell, handle
 * and cached snapshot) stays within 32 KiB, measured on the V8 heap plus ArrayBuffers. The
 * bound of the WindowedDistribution inside it is proven in memory.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as scales from 'scales-metrics';
import { fillWorstCase, settledBytes } from '../helpers/heap.js';

describe('PmfStat memory bound', () => {
  test('measured: a worst-case PmfStat (public API, its cell, handle and cached snapshot) <= 32 KiB', async (t) => {
    const clock = new scales.ManualClock();
    const r = new scales.Registry({ clock });
    const S = r.collection('/m', scales.namedPmfDictStat('lat', { keyLimit: 1000 }), scales.pmfStat('warm'));
    const unused = new scales.ManualClock(); // the registry's clock moves once per sub-window for all stats
    // One-time allocations (compiled code of every path of the fill, the walk's shared scratch
    // array) are not per stat: one stat goes through the whole worst case before measuring (in
    // a process of its own, nothing else has warmed these paths up).
    for (let sub = 0; sub < 5; sub++) {
      fillWorstCase(S.warm, unused, 99_000 + sub, 1);
      clock.advance(60_000);
    }
    S.warm.snapshot();
    const before = await settledBytes();
    const stats = Array.from({ length: 150 }, (_, i) => S.$.lat.get(`k${i}`));
    for (let sub = 0; sub < 5; sub++) {
      for (const [i, p] of stats.entries()) fillWorstCase(p, unused, 1000 * sub + i, 1);
      clock.advance(60_000);
    }
    for (const p of stats) assert.ok(p.snapshot().count > 0); // each caches its snapshot
    const perStat = ((await settledBytes()) - before) / stats.length;
    t.diagnostic(`measured ${perStat.toFixed(0)} bytes per worst-case PmfStat (5 sub-windows, snapshot cached)`);
    assert.ok(perStat <= 32 * 1024, `${perStat.toFixed(0)} bytes per PmfStat`);
    assert.ok(perStat > 20 * 1024, `${perStat.toFixed(0)} bytes: the fill was not worst case`);
    assert.equal(Object.keys(r.getStats('/m')?.lat as object).length, 150);
  });
});
