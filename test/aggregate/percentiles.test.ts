import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as scales from 'scales-metrics';
import * as aggregation from 'scales-metrics/aggregate';

const { Aggregation, Percentiles } = aggregation;

const QUANTILES = [0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1];

/** The exact nearest-rank value (1-based rank ceil(q * n)), which the sketch answers within 1%. */
function exact(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

// Values within the range a PmfStat window keeps at full accuracy (about 8 decades of positive
// values, 3 of negative ones; see the percentiles section of the README), zeros included.
const value = fc.oneof(
  fc.double({ min: 1e-5, max: 1e3, noNaN: true }),
  fc.double({ min: -50, max: -0.05, noNaN: true }),
  fc.constant(0),
  fc.integer({ min: 1, max: 5 }),
);

describe('Percentiles merges many sources into the fleet-wide quantiles', () => {
  it('every quantile is within 1% of the exact one of the union (random fleets)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 400 }), { minLength: 1, maxLength: 8 }), (servers) => {
        const agg = new Aggregation({ lat: [new Percentiles({ quantiles: QUANTILES })] });
        servers.forEach((values, i) => {
          const registry = new scales.Registry();
          const S = registry.collection('/', scales.pmfStat('lat'));
          for (const v of values) S.lat.record(v);
          agg.addSource(`server-${i}`, registry.getStats('/', { sketches: true }) ?? null);
        });
        assert.deepEqual(agg.warnings, []);
        const all = servers.flat().sort((a, b) => a - b);
        const p = (agg.result() as { lat: { percentiles: Record<string, number | null> } }).lat.percentiles;
        assert.equal(p.count, all.length);
        assert.equal(p.sources, servers.length);
        for (const q of QUANTILES) {
          const got = p[aggregation.quantileKey(q)];
          if (all.length === 0) {
            assert.equal(got, null);
            continue;
          }
          const truth = exact(all, q);
          assert.equal(typeof got, 'number');
          assert.ok(Math.abs((got as number) - truth) <= Math.abs(truth) * 0.01 + 1e-12, `q=${q}: ${got} vs exact ${truth}`);
        }
        if (all.length > 0) {
          assert.equal(p.min, all[0]);
          assert.equal(p.max, all[all.length - 1]);
        }
      }),
      { numRuns: 60, seed: 6 },
    );
  });

  it('a source in other units, or with a sketch of an unknown format version, is left out with a warning', () => {
    const ms = new scales.Registry();
    ms.collection('/', scales.pmfStat('lat', { unit: 'ms' })).lat.record(5);
    const s = new scales.Registry();
    s.collection('/', scales.pmfStat('lat')).lat.record(0.005);
    const agg = new Aggregation({ lat: [new Percentiles()] });
    const future = Buffer.from([9, 12]).toString('base64url'); // a format version this library does not know
    agg.addSource('in-seconds', s.getStats('/', { sketches: true }) ?? null);
    agg.addSource('in-ms', ms.getStats('/', { sketches: true }) ?? null);
    agg.addSource('future', { lat: { count: 1, unit: 's', sketch: future } });
    const p = (agg.result() as { lat: { percentiles: { count: number; sources: number; unit: string; max: number } } }).lat.percentiles;
    assert.deepEqual([p.count, p.sources, p.unit, p.max], [1, 1, 's', 0.005], 'only the first source counted');
    assert.equal(agg.warnings.length, 2);
    assert.match(agg.warnings[0]!, /source "in-ms" at \/lat: percentiles: unit "ms" differs from "s"/);
    assert.match(agg.warnings[1]!, /source "future" at \/lat: .*unknown format version 9/);
  });
});
