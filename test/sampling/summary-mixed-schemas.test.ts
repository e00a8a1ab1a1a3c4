/**
 * WindowedDistribution.summary when its sub-windows hold buckets at different schemas (one of
 * them halved its resolution after passing its byte budget): the quantiles read in place (the
 * finer sub-windows mapped to the coarsest schema on the fly) are exactly those of the merged
 * copy that summary() used to build and walk, which windowSketch() still builds (the oracle).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/sampling/clock.js';
import { mergedFits, WindowedDistribution } from '../../src/sampling/windowed-distribution.js';
import { seededRandom } from '../helpers/datasets.js';

const MIN = 60_000;
const QS = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.999, 1];

/** One sub-window's values: `n` values log-uniform over `decades` from 10^from, some negated, some zero. */
interface Fill {
  n: number;
  from: number;
  decades: number;
  negative: number;
  zeros: number;
}

function fill(d: WindowedDistribution, f: Fill, seed: number): void {
  const r = seededRandom(seed);
  for (let i = 0; i < f.n; i++) {
    const u = r();
    if (u < f.zeros) {
      d.record(0);
      continue;
    }
    const x = 10 ** (f.from + f.decades * r());
    d.record(r() < f.negative ? -x : x);
  }
}

/** How summary() read the window: 'same' schema everywhere, mixed 'in place', or mixed via a 'copy'. */
type Path = 'same' | 'in place' | 'copy';

type Parts = Parameters<typeof mergedFits>[0];

/** The path summary() takes for `d` (its private parts and budget, reached past the type). */
function pathOf(d: WindowedDistribution): Path {
  const inner = d as unknown as { windowParts(): Parts; mergedBytes(): number; windowMoments(): { n: number } };
  const parts = inner.windowParts();
  const schema = Math.min(6, ...parts.map((p) => p[0]));
  if (parts.every((p) => p[0] === schema)) return 'same';
  return mergedFits(parts, schema, inner.windowMoments().n, inner.mergedBytes()) ? 'in place' : 'copy';
}

function check(subWindows: number, fills: Fill[], seed: number, qs: number[]): Path {
  const clock = new ManualClock();
  const d = new WindowedDistribution({ clock, subWindows });
  fills.forEach((f, k) => {
    if (k > 0) clock.advance(MIN);
    fill(d, f, seed + k);
  });
  const got = d.summary(qs);
  const path = pathOf(d);
  const oracle = d.windowSketch();
  assert.deepEqual(got.quantiles, oracle.quantiles(qs), `schemas: summary ${got.schema}, merged copy ${oracle.schema}`);
  if (path === 'in place') assert.equal(oracle.schema, got.schema, 'the merged copy kept the coarsest schema');
  return path;
}

test('mixed schemas: a sub-window halved to schema 4 beside one at 6 reads as the merged copy', () => {
  const path = check(
    6,
    [
      { n: 20_000, from: -30, decades: 60, negative: 0, zeros: 0 },
      { n: 20_000, from: -3, decades: 3, negative: 0, zeros: 0 },
    ],
    1,
    QS,
  );
  assert.equal(path, 'in place');
});

test('mixed schemas, both signs and zeros, schemas far apart (downscale shifts of 5 and more)', () => {
  const path = check(
    3,
    [
      { n: 3_000, from: -3, decades: 2, negative: 0.4, zeros: 0.05 },
      { n: 60_000, from: -300, decades: 600, negative: 0.5, zeros: 0.01 },
      { n: 3_000, from: 1, decades: 1, negative: 0.6, zeros: 0.1 },
    ],
    7,
    QS,
  );
  assert.equal(path, 'in place');
});

test('property: any mix of sub-windows at any schemas reads exactly as the merged copy', () => {
  // A narrow fill keeps schema 6; a wide one (thousands of occupied buckets) halves it.
  const sign = { negative: fc.constantFrom(0, 0.3, 1), zeros: fc.constantFrom(0, 0.02) };
  const narrow = fc.record({
    n: fc.integer({ min: 0, max: 3_000 }),
    from: fc.integer({ min: -300, max: 290 }),
    decades: fc.double({ min: 0, max: 4, noNaN: true }),
    ...sign,
  });
  const wide = fc.record({
    n: fc.integer({ min: 3_000, max: 15_000 }),
    from: fc.integer({ min: -300, max: 0 }),
    decades: fc.double({ min: 20, max: 600, noNaN: true }),
    ...sign,
  });
  const fillArb = fc.oneof(narrow, wide);
  const paths = { same: 0, 'in place': 0, copy: 0 };
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 6 }),
      fc.array(fillArb, { minLength: 2, maxLength: 6 }),
      fc.integer({ min: 1, max: 1e6 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
      (subWindows, fills, seed, qs) => {
        const path = check(
          subWindows,
          fills.map((f) => ({ ...f, decades: Math.min(f.decades, 300 - f.from) })),
          seed,
          [...qs, ...QS],
        );
        paths[path]++;
      },
    ),
    { numRuns: 150, seed: 11 },
  );
  assert.ok(paths['in place'] >= 20, `only ${paths['in place']} runs read mixed schemas in place: ${JSON.stringify(paths)}`);
});
