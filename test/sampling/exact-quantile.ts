/**
 * The truth every sampling test and the pmf bench compare against: the exact value at the
 * nearest rank (0-based ceil(q * n) - 1, see quantileRank in src/sampling/quantile-walk.ts) of
 * the ascending sorted values. quantile-rank.test.ts checks quantileRank itself against the
 * definition in exact integer arithmetic.
 */
import { quantileRank } from '../../src/sampling/quantile-walk.js';

/** The exact quantile q of `sorted` (ascending) under the nearest-rank rule. */
export function exactQuantile(sorted: Float64Array | number[], q: number): number {
  return sorted[quantileRank(q, sorted.length)];
}
