/**
 * The first round's bin mapping, kept only to read sketches of format version 1 (old dumps):
 * LogSketch.deserialize places each old bin's value into the current native-histogram buckets.
 *
 * Maps positive numbers to integer bin indices so that every bin [lower, upper) satisfies
 * upper / lower <= (1 + a) / (1 - a): any value in a bin is then within relative error `a` of
 * the bin's representative value (the harmonic mean of its bounds).
 *
 * The index is computed without Math.log: the float's exponent and mantissa bits are read
 * through a shared Float64Array/Uint32Array view, and log2(1 + m) for the mantissa m in [0, 1)
 * is replaced by the cubic P(m) = A m^3 + B m^2 + C m with A = 6/35, B = -3/5, C = 10/7
 * (the cubic interpolation DDSketch describes). P is increasing, P(0) = 0 and P(1) = 1, so
 * f(x) = exponent + P(m) is a continuous increasing stand-in for log2(x) with f(2x) = f(x) + 1.
 *
 * The bin width in ln(x) per unit of f is 1 / ((1 + m) P'(m)); (1 + m) P'(m) is smallest,
 * exactly 10/7, at m = 0 and m = 2/3 (its derivative is (2/35)(27 m^2 - 24 m + 4)). So with
 * `scale` = 7 / (10 ln gamma) bins per unit of f, every bin's upper/lower ratio is <= gamma.
 * That costs about 1% more bins than an exact logarithmic mapping (35.0 vs 34.7 bins per
 * doubling at 1%).
 */

const A = 6 / 35;
const B = -3 / 5;
const C = 10 / 7;
/** min over m in [0, 1] of (1 + m) P'(m). */
const MIN_SLOPE = 10 / 7;

/** Magnitudes below the smallest normal double count as zero (no guarantee for subnormals). */
export const MIN_INDEXABLE = 2.2250738585072014e-308;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;
const TWO_M20 = 2 ** -20;
const TWO_M52 = 2 ** -52;

/** A relative-error bin mapping for one accuracy; shared by every sketch of that accuracy. */
export class IndexMapping {
  /** Guaranteed relative accuracy of a bin's representative value. */
  readonly relativeAccuracy: number;
  /** Bins per unit of f (per doubling). */
  readonly scale: number;
  /** Smallest index a positive double can map to (that of {@link MIN_INDEXABLE}). */
  readonly minIndex: number;
  /** Largest index a finite double can map to (that of Number.MAX_VALUE). */
  readonly maxIndex: number;

  private constructor(relativeAccuracy: number) {
    this.relativeAccuracy = relativeAccuracy;
    // A hair of margin so floating-point rounding at bin edges never exceeds the bound.
    const a = relativeAccuracy * (1 - 1e-6);
    const gamma = (1 + a) / (1 - a);
    this.scale = 1 / (MIN_SLOPE * Math.log(gamma));
    this.minIndex = this.index(MIN_INDEXABLE);
    this.maxIndex = this.index(Number.MAX_VALUE);
  }

  private static readonly cache = new Map<number, IndexMapping>();

  /** The shared mapping of `relativeAccuracy` (validated: a number in (0, 1)). */
  static of(relativeAccuracy: number): IndexMapping {
    let m = IndexMapping.cache.get(relativeAccuracy);
    if (m === undefined) {
      if (!(typeof relativeAccuracy === 'number' && relativeAccuracy > 0 && relativeAccuracy < 1)) {
        throw new RangeError(`relativeAccuracy ${String(relativeAccuracy)} is not a number in (0, 1)`);
      }
      m = new IndexMapping(relativeAccuracy);
      if (IndexMapping.cache.size < 64) IndexMapping.cache.set(relativeAccuracy, m);
    }
    return m;
  }

  /** Bin index of a positive normal double (x >= MIN_INDEXABLE, finite). */
  index(x: number): number {
    f64[0] = x;
    const hi = u32[HI];
    const m = (hi & 0xfffff) * TWO_M20 + u32[LO] * TWO_M52;
    return Math.floor((((hi >>> 20) & 0x7ff) - 1023 + ((A * m + B) * m + C) * m) * this.scale);
  }

  /** Inverse of f: the x with exponent + P(mantissa) = t. */
  private inverse(t: number): number {
    const e = Math.floor(t);
    const frac = t - e;
    let m = 2 ** frac - 1; // log2(1 + m) is close to P(m): a good start for Newton
    for (let i = 0; i < 6; i++) {
      const p = ((A * m + B) * m + C) * m - frac;
      const d = (3 * A * m + 2 * B) * m + C;
      const next = m - p / d;
      if (next === m) break;
      m = next;
    }
    if (m < 0) m = 0;
    else if (m > 1) m = 1;
    return 2 ** e * (1 + m);
  }

  /** Lower bound of bin `i`. */
  lowerBound(i: number): number {
    return this.inverse(i / this.scale);
  }

  /** The value reported for bin `i`: within the relative accuracy of every value in the bin. */
  value(i: number): number {
    const lo = this.inverse(i / this.scale);
    const hi = this.inverse((i + 1) / this.scale);
    // Harmonic mean of the bounds, written so that it never overflows.
    return 2 / (1 / lo + 1 / hi);
  }
}
