/**
 * Count, sum, min, max, mean and M2 (sum of squared deviations) of a set of values, combined
 * with Chan et al.'s parallel formula, which stays accurate whatever the offset of the data.
 */

/** Mergeable first and second moments plus extremes. */
export interface Moments {
  n: number;
  sum: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

/** Empty moments. */
export function emptyMoments(): Moments {
  return { n: 0, sum: 0, mean: 0, m2: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
}

/** Adds `b` into `a` (Chan's parallel update). */
export function addMoments(a: Moments, b: Moments): void {
  if (b.n === 0) return;
  if (a.n === 0) {
    a.n = b.n;
    a.sum = b.sum;
    a.mean = b.mean;
    a.m2 = b.m2;
    a.min = b.min;
    a.max = b.max;
    return;
  }
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  a.mean += (delta * b.n) / n;
  a.m2 += b.m2 + ((delta * delta * a.n) / n) * b.n;
  a.n = n;
  a.sum += b.sum;
  if (b.min < a.min) a.min = b.min;
  if (b.max > a.max) a.max = b.max;
}

/**
 * Moments of values accumulated as shifted sums: n values x with s1 = sum(x - k) and
 * s2 = sum((x - k)^2) for a shift k close to the data (the first value), which keeps the
 * variance free of catastrophic cancellation for data far from zero.
 */
export function momentsFromShifted(n: number, k: number, s1: number, s2: number, min: number, max: number): Moments {
  if (n === 0) return emptyMoments();
  const d = s1 / n;
  const m2 = s2 - s1 * d;
  // biome-ignore lint/complexity/useMathMinMax: a NaN m2 (from infinite sums) must become 0 here; Math.max would keep NaN
  return { n, sum: n * k + s1, mean: k + d, m2: m2 > 0 ? m2 : 0, min, max };
}
