/**
 * Count, sum, min, max, mean and M2 (sum of squared deviations) of a set of values, combined
 * with Chan et al.'s parallel formula, which stays accurate whatever the offset of the data.
 *
 * Range: M2 of finite doubles can far exceed the double range (values 0.5 and 1e308 have
 * M2 = 5e615) although the standard deviation (7e307) is a double. So moments whose figures
 * reach {@link SAFE} are kept *wide*: sum, mean and M2 scaled down by 2^{@link WIDE_SHIFT}
 * (M2 by its square), which no finite data can overflow. Scaling by a power of two is exact;
 * only values below ~2^-534 are lost in wide moments, negligible beside the values that made
 * them wide. {@link figures} scales back: a figure that truly exceeds the double range (a sum
 * of two 1e308) comes out as ±Infinity, for the caller to report as out of range, never a
 * wrong or made-up number.
 */

/** Mergeable first and second moments plus extremes. */
export interface Moments {
  n: number;
  /** The sum, in units of 2^e. */
  sum: number;
  /** The mean, in units of 2^e. */
  mean: number;
  /** The sum of squared deviations from the mean, in units of 2^(2e). */
  m2: number;
  /** Exact (never scaled). */
  min: number;
  max: number;
  /** Scale exponent: 0, or {@link WIDE_SHIFT} for wide moments. */
  e: number;
}

/** Exponent by which wide moments are scaled down (a power of two: exact). */
export const WIDE_SHIFT = 540;
/** 2^-WIDE_SHIFT. */
export const DOWN = 2 ** -WIDE_SHIFT;
const UP = 2 ** WIDE_SHIFT;
/**
 * Deviations below this (2^480) square and sum without overflow (2^960 per value leaves room
 * for 2^63 values); beyond it moments go wide.
 */
export const SAFE = 2 ** 480;
const SAFE_SQ = 2 ** 960;

/** Empty moments. */
export function emptyMoments(): Moments {
  return { n: 0, sum: 0, mean: 0, m2: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, e: 0 };
}

function narrow(m: Moments): boolean {
  return m.e === 0 && m.mean < SAFE && m.mean > -SAFE && m.sum < SAFE_SQ && m.sum > -SAFE_SQ && m.m2 < SAFE_SQ;
}

/** Adds `b` into `a` (Chan's parallel update); `b` is not changed. */
export function addMoments(a: Moments, b: Moments): void {
  if (b.n === 0) return;
  if (a.n === 0) {
    a.n = b.n;
    a.sum = b.sum;
    a.mean = b.mean;
    a.m2 = b.m2;
    a.min = b.min;
    a.max = b.max;
    a.e = b.e;
    return;
  }
  let bSum = b.sum;
  let bMean = b.mean;
  let bM2 = b.m2;
  if (!(narrow(a) && narrow(b))) {
    // Either side is (or is about to be) beyond what narrow arithmetic can square: go wide.
    if (a.e === 0) {
      a.sum *= DOWN;
      a.mean *= DOWN;
      a.m2 = a.m2 * DOWN * DOWN;
      a.e = WIDE_SHIFT;
    }
    if (b.e === 0) {
      bSum *= DOWN;
      bMean *= DOWN;
      bM2 = bM2 * DOWN * DOWN;
    }
  }
  const n = a.n + b.n;
  const delta = bMean - a.mean;
  a.mean += (delta * b.n) / n;
  a.m2 += bM2 + ((delta * delta * a.n) / n) * b.n;
  a.n = n;
  a.sum += bSum;
  if (b.min < a.min) a.min = b.min;
  if (b.max > a.max) a.max = b.max;
}

/**
 * Moments of values accumulated as shifted sums: n values x with s1 = sum(x - k) and
 * s2 = sum((x - k)^2) for a shift k close to the data (the first value), which keeps the
 * variance free of catastrophic cancellation for data far from zero. With `e` =
 * {@link WIDE_SHIFT}, k, s1 and s2 are in wide units (x scaled by 2^-e). Narrow sums of a
 * shift at or beyond {@link SAFE} (values near the top of the range) come out wide, so that
 * `n * k` cannot overflow.
 */
export function momentsFromShifted(n: number, k: number, s1: number, s2: number, min: number, max: number, e = 0): Moments {
  if (n === 0) return emptyMoments();
  if (e === 0 && !(k < SAFE && k > -SAFE)) {
    k *= DOWN;
    s1 *= DOWN;
    s2 = s2 * DOWN * DOWN;
    e = WIDE_SHIFT;
  }
  const d = s1 / n;
  const m2 = s2 - s1 * d;
  return { n, sum: n * k + s1, mean: k + d, m2: Math.max(m2, 0), min, max, e };
}

/**
 * Below this spread (max - min, about 3e-151) the squared deviations fall under the smallest
 * normal double (~2.2e-308) and lose their precision: such a stddev is not reported as a number.
 */
export const TINY_SPREAD = 2 ** -500;

/** The figures of moments in real units. */
export interface MomentFigures {
  /** ±Infinity when the sum is beyond the double range. */
  sum: number;
  mean: number;
  /**
   * Sample standard deviation (n - 1); 0 for one value or equal values; +Infinity beyond the
   * double range; NaN when the values differ by less than {@link TINY_SPREAD} (their squared
   * deviations underflow): never a wrong number.
   */
  stddev: number;
}

/** Sum, mean and sample standard deviation of non-empty moments, scaled back to real units. */
export function figures(m: Moments): MomentFigures {
  const f = m.e === 0 ? 1 : UP;
  let stddev = 0;
  if (m.n > 1) {
    const spread = m.max - m.min;
    stddev = spread > 0 && spread < TINY_SPREAD ? Number.NaN : Math.sqrt(m.m2 / (m.n - 1)) * f;
  }
  return { sum: m.sum * f, mean: m.mean * f, stddev };
}
