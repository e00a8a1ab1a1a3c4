/**
 * Property tests (fast-check, fixed seeds): the bucket index is Prometheus' for every double;
 * for random mixtures of narrow clusters anywhere within 1e-9..1e9 (both signs), random dense
 * data spanning up to 9 decades, and random arrays of any magnitude, every quantile is within
 * 0.55% (the schema-6 bound; the target is 1%) of the exact value at the nearest rank
 * ceil(q * n) - 1, in a LogSketch and in a WindowedDistribution with its default budget;
 * merging any split equals the sketch of the whole; the text form round-trips.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/sampling/clock.js';
import {
  BOUNDS,
  bucketValue,
  index6,
  indexAt,
  MAX_SCHEMA,
  MIN_SCHEMA,
  relativeErrorAt,
  upperBound,
  ZERO_THRESHOLD,
} from '../../src/sampling/exponential-index.js';
import { LogSketch } from '../../src/sampling/sketch.js';
import { WindowedDistribution } from '../../src/sampling/windowed-distribution.js';
import { relativeError, seededRandom } from '../helpers/datasets.js';
import { exactQuantile } from './exact-quantile.js';

const BOUND = relativeErrorAt(6) * (1 + 1e-9); // 0.543%
const QS = [0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.999, 1];

/**
 * Finite doubles of any sign, magnitudes up to 1e30, zeros included; magnitudes at or below the
 * zero threshold (2^-128) are zeros to the sketch, so they are generated as 0.
 */
const value = fc
  .oneof(
    fc.double({ min: -1e30, max: 1e30, noNaN: true, noDefaultInfinity: true }),
    fc.tuple(fc.double({ min: -30, max: 30, noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e),
    fc.constant(0),
  )
  .map((x) => (Math.abs(x) <= ZERO_THRESHOLD ? 0 : x));
const values = fc.array(value, { minLength: 1, maxLength: 400 });
const quantile = fc.double({ min: 0, max: 1, noNaN: true });

/** A narrow cluster: centre 10^e with e in [-9, 9), relative width <= 1%, either sign, 1..300 values. */
const cluster = fc.record({
  e: fc.double({ min: -9, max: 8.99, noNaN: true }),
  width: fc.double({ min: 0, max: 0.01, noNaN: true }),
  negative: fc.boolean(),
  n: fc.integer({ min: 1, max: 300 }),
});
/** A mixture of 1..16 narrow clusters, and the seed of the values drawn inside them. */
const mixture = fc.tuple(fc.array(cluster, { minLength: 1, maxLength: 16 }), fc.nat());

function mixtureValues([clusters, seed]: [{ e: number; width: number; negative: boolean; n: number }[], number]): number[] {
  const r = seededRandom(seed);
  const out: number[] = [];
  for (const c of clusters) {
    const centre = 10 ** c.e;
    for (let i = 0; i < c.n; i++) out.push((c.negative ? -1 : 1) * centre * (1 + c.width * r()));
  }
  // Shuffled, so the clusters interleave as they would in a real stat.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Every quantile of QS and `extra` within BOUND of the truth. */
function checkAll(got: (number | null)[], xs: number[], qs: readonly number[]): boolean {
  const sorted = Float64Array.from(xs).sort();
  return qs.every((q, i) => {
    const x = exactQuantile(sorted, q);
    const ok = got[i] !== null && relativeError(got[i]!, x) <= BOUND;
    if (!ok) throw new Error(`q=${q}: got ${got[i]}, exact ${x}`);
    return ok;
  });
}

/** Prometheus' index (client_golang's findBucket): frexp, then a search in the schema's table. */
function prometheusIndex(x: number, schema: number): number {
  let exp = Math.floor(Math.log2(x)) + 1;
  let frac = x / 2 ** (exp >> 1) / 2 ** (exp - (exp >> 1));
  // Fix Math.log2's rounding: frac must be in [0.5, 1).
  while (frac >= 1) {
    frac /= 2;
    exp++;
  }
  while (frac < 0.5) {
    frac *= 2;
    exp--;
  }
  if (schema > 0) {
    const stride = 2 ** (MAX_SCHEMA - schema);
    const bounds: number[] = [];
    for (let j = 0; j < 64; j += stride) bounds.push(BOUNDS[j] / 2);
    let key = bounds.findIndex((b) => b >= frac);
    if (key === -1) {
      key = 0;
      exp++;
    }
    return key + (exp - 1) * bounds.length;
  }
  if (frac === 0.5) exp--;
  const offset = (1 << -schema) - 1;
  return (exp + offset) >> -schema;
}

const positiveDouble = fc.oneof(
  fc.double({ min: ZERO_THRESHOLD, max: Number.MAX_VALUE, noNaN: true, minExcluded: true }),
  fc
    .tuple(fc.double({ min: -38, max: 308, noNaN: true }), fc.double({ min: 1, max: 10, noNaN: true }))
    .map(([e, m]) => Math.min(Number.MAX_VALUE, Math.max(ZERO_THRESHOLD * 2, m * 10 ** e))),
  fc.integer({ min: -8190, max: 65535 }).map((i) => upperBound(i, 6)),
);

describe('native-histogram bucket index', () => {
  test('is the index Prometheus computes, at every schema, for any double', () => {
    fc.assert(
      fc.property(positiveDouble, fc.integer({ min: MIN_SCHEMA, max: MAX_SCHEMA }), (x, schema) => {
        const i = indexAt(x, schema);
        assert.equal(i, prometheusIndex(x, schema), `x=${x} schema ${schema}`);
        // Upper-inclusive: (base^(i-1), base^i].
        return upperBound(i - 1, schema) < x && x <= upperBound(i, schema);
      }),
      { seed: 6, numRuns: 20_000 },
    );
  });

  test('every schema-6 boundary lands in the bucket it closes, the next double in the next one', () => {
    let checked = 0;
    for (let i = -8190; i <= 65535; i++) {
      const b = upperBound(i, 6);
      assert.equal(index6(b), i, `boundary ${i}`);
      const above = b + b * 2 ** -53 * 1.5; // the next double up (b's ulp is b * 2^-52 at most)
      if (above > b) assert.equal(index6(above), i + 1, `just above boundary ${i}`);
      checked++;
    }
    assert.equal(checked, 73_726);
    assert.equal(index6(1), 0);
    assert.equal(index6(2), 64);
    assert.equal(index6(Number.MAX_VALUE), 65536);
    assert.equal(index6(ZERO_THRESHOLD * (1 + 2 ** -52)), -8191);
  });

  test('the reported value of a bucket is within 0.543% of everything in it', () => {
    fc.assert(
      fc.property(positiveDouble, (x) => relativeError(bucketValue(index6(x), 6), x) <= BOUND),
      { seed: 7, numRuns: 20_000 },
    );
  });
});

describe('percentiles of narrow clusters anywhere in 1e-9..1e9 (both signs)', () => {
  test('LogSketch: every quantile within the schema-6 bound, for any mixture of up to 16 clusters', () => {
    fc.assert(
      fc.property(mixture, fc.array(quantile, { maxLength: 4 }), (m, extra) => {
        const xs = mixtureValues(m);
        const s = new LogSketch();
        for (const x of xs) s.add(x);
        assert.equal(s.schema, 6);
        const qs = [...QS, ...extra];
        return checkAll(s.quantiles(qs), xs, qs);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  test("WindowedDistribution (a PmfStat's budget): the same mixtures in one sub-window, and spread over five", () => {
    fc.assert(
      fc.property(mixture, fc.boolean(), (m, spread) => {
        const xs = mixtureValues(m);
        const clock = new ManualClock();
        const d = new WindowedDistribution({ clock });
        xs.forEach((x, i) => {
          if (spread && i > 0 && i % Math.ceil(xs.length / 5) === 0) clock.advance(60_000);
          d.record(x);
        });
        const s = d.summary(QS);
        assert.equal(s.schema, 6);
        assert.equal(s.window.count, xs.length);
        return checkAll(s.quantiles, xs, QS);
      }),
      { seed: 12, numRuns: 200 },
    );
  });

  test('30 clusters in the worst case (each straddling two pages, both signs, 32-bit counts) keep schema 6 in one sub-window', () => {
    const clock = new ManualClock();
    const d = new WindowedDistribution({ clock });
    const xs: number[] = [];
    for (let c = 0; c < 15; c++) {
      const page = -59 + 8 * c; // pages from 1e-9 to 1e9
      const lo = upperBound(page * 32 + 31, 6); // the last bucket of the page, then the next page's first
      for (const sign of [1, -1]) {
        for (let i = 0; i < (c === 0 ? 70_000 : 50); i++) {
          const x = sign * lo * (i % 2 === 0 ? 1 : 1.005);
          xs.push(x);
          d.record(x);
        }
      }
    }
    const s = d.summary(QS);
    assert.equal(s.schema, 6);
    assert.ok(checkAll(s.quantiles, xs, QS));
  });

  test('the measured case of the issue: half near 1e-9, half near 3.6e6 (the old sketch reported a median of 0.124)', () => {
    const r = seededRandom(13);
    const xs: number[] = [];
    for (let i = 0; i < 50_000; i++) xs.push(i % 2 === 0 ? 1e-9 * (1 + r()) : 3.6e6 * (1 + 0.1 * r()));
    const d = new WindowedDistribution({ clock: new ManualClock() });
    for (const x of xs) d.record(x);
    assert.ok(checkAll(d.summary(QS).quantiles, xs, QS));
  });
});

describe('percentiles of dense data spanning up to 9 decades', () => {
  /** Log-uniform magnitudes over [10^lo, 10^(lo + span)], a fraction of them negative. */
  const dense = fc.record({
    lo: fc.double({ min: -9, max: 0, noNaN: true }),
    span: fc.double({ min: 0.1, max: 9, noNaN: true }),
    negShare: fc.constantFrom(0, 0, 0.3, 0.5, 1),
    seed: fc.nat(),
  });

  test('WindowedDistribution keeps schema 6 and the bound, values spread over every sub-window', () => {
    fc.assert(
      fc.property(dense, ({ lo, span, negShare, seed }) => {
        const r = seededRandom(seed);
        const clock = new ManualClock();
        const d = new WindowedDistribution({ clock });
        const xs: number[] = [];
        for (let sub = 0; sub < 5; sub++) {
          for (let i = 0; i < 800; i++) {
            const x = (r() < negShare ? -1 : 1) * 10 ** (lo + span * r());
            xs.push(x);
            d.record(x);
          }
          if (sub < 4) clock.advance(60_000); // the fifth stays current: all five are in the window
        }
        const s = d.summary(QS);
        assert.equal(s.schema, 6);
        return checkAll(s.quantiles, xs, QS);
      }),
      { seed: 14, numRuns: 60 },
    );
  });

  test('every bucket of 9 decades full, in every sub-window and the lifetime: still schema 6', () => {
    for (const negShare of [0, 0.5]) {
      const clock = new ManualClock();
      const d = new WindowedDistribution({ clock });
      // 9 decades below 1e3, every schema-6 bucket hit (step: a tenth of a bucket).
      const lo = 1e-6;
      for (let sub = 0; sub < 6; sub++) {
        let k = 0;
        for (let x = lo; x <= lo * 1e9; x *= 2 ** (1 / 640)) d.record(k++ % 2 === 0 && negShare > 0 ? -x : x);
        if (sub < 5) clock.advance(60_000); // the first retires into the lifetime sketch
      }
      assert.equal(d.summary([0.5]).schema, 6, `negative share ${negShare}`);
      assert.equal(d.lifetimeSketch().schema, 6);
      assert.ok(d.byteSize() <= 64 * 1024, `${d.byteSize()} bytes`);
    }
  });
});

describe('LogSketch properties', () => {
  test('any quantile of any mixed-sign array (magnitudes 1e-30..1e30) is within the bound', () => {
    fc.assert(
      fc.property(values, fc.array(quantile, { minLength: 1, maxLength: 8 }), (xs, qs) => {
        const s = new LogSketch({ maxBytes: 1 << 20 }); // room for every bucket: no halving
        for (const x of xs) s.add(x);
        return checkAll(s.quantiles(qs), xs, qs);
      }),
      { seed: 1, numRuns: 500 },
    );
  });

  test('merging any split equals the sketch of the whole', () => {
    fc.assert(
      fc.property(values, fc.nat(), (xs, cut) => {
        const k = cut % (xs.length + 1);
        const sketchOf = (v: number[]) => {
          const s = new LogSketch();
          for (const x of v) s.add(x);
          return s;
        };
        const a = sketchOf(xs.slice(0, k));
        a.merge(sketchOf(xs.slice(k)));
        const whole = sketchOf(xs);
        const qs = [0, 0.1, 0.5, 0.9, 0.99, 1];
        assert.deepEqual(a.quantiles(qs), whole.quantiles(qs));
        assert.deepEqual(a.nativeBuckets().positive, whole.nativeBuckets().positive);
        return a.count === whole.count && a.min === whole.min && a.max === whole.max;
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  test('serialize / deserialize round-trips any sketch', () => {
    fc.assert(
      fc.property(values, (xs) => {
        const s = new LogSketch();
        for (const x of xs) s.add(x);
        const t = LogSketch.deserialize(s.serialize());
        const qs = [0, 0.25, 0.5, 0.75, 1];
        assert.deepEqual(t.quantiles(qs), s.quantiles(qs));
        assert.deepEqual(t.nativeBuckets(), s.nativeBuckets());
        return t.count === s.count && Object.is(t.sum, s.sum);
      }),
      { seed: 4, numRuns: 300 },
    );
  });

  test('deserialize of random text never throws anything but a TypeError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          LogSketch.deserialize(text);
        } catch (e) {
          return e instanceof TypeError && e.message.startsWith('LogSketch.deserialize:');
        }
        return true;
      }),
      { seed: 5, numRuns: 1000 },
    );
  });
});
