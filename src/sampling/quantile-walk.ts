/**
 * Quantiles straight from one or more sets of bins (a sketch's stores, or the stores of every
 * sub-window of a window) in one ascending pass, without merging them into a new sketch first.
 * Ranks follow the nearest-rank rule ({@link quantileRank}): the answer for q is the bin holding
 * the value at 0-based rank ceil(q * n) - 1; rank 0 and rank n - 1 are the exact min and max;
 * every answer is clamped to [min, max] (which can only move it towards the truth).
 */
import type { DenseStore } from './dense-store.js';
import type { IndexMapping } from './index-mapping.js';

/**
 * Size of the one scratch array (shared by every reader: reads are synchronous) into which
 * overlapping stores are summed before the scan. A distribution's stores hold at most
 * 32 KiB / 4 = 8192 bins in all, so any cluster of them fits.
 */
const SCRATCH_BINS = 8192;
const scratch = new Float64Array(SCRATCH_BINS);

/** What the walk needs to know about the values behind the bins. */
export interface WalkTotals {
  /** Number of values in all the bins (zeros included). */
  count: number;
  min: number;
  max: number;
  zeroCount: number;
}

/**
 * The 0-based rank of the value reported for quantile `q` of `n` values: the nearest-rank rule,
 * ceil(q * n) - 1 (at least 0), i.e. the smallest value such that at least a fraction q of the
 * values are at or below it. So "p99 = x" means that 99% of the values are <= x, whatever n:
 * with fewer than 100 values p99 is the max (as Dropwizard, prom-client's Summary and
 * HdrHistogram report it), and the median of 4 values is the 2nd. A product q * n within floating-point
 * rounding of an integer counts as that integer (0.07 * 100 is 7.000000000000001 in doubles).
 *
 * @example
 * quantileRank(0.99, 3); // 2: the largest of 3 values
 * quantileRank(0.5, 4); // 1: the 2nd smallest
 */
export function quantileRank(q: number, n: number): number {
  const x = q * n;
  const r = Math.ceil(x - x * 1e-12) - 1;
  return Math.max(0, r);
}

/** Validates quantiles: each in [0, 1]. */
export function checkQuantiles(qs: readonly number[], who: string): void {
  for (const q of qs) {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`${who}: quantile ${q} is not in [0, 1]`);
  }
}

/** The cumulative count after the last {@link crossing} call (a second return value). */
let crossingCum = 0;

/**
 * Scans a[from..to) adding counts to `cum`; returns the first position where the running
 * total passes `rank`, or -1. The total reached is left in {@link crossingCum}.
 */
function crossing(a: Uint32Array | Float64Array, from: number, to: number, cum: number, rank: number): number {
  for (let j = from; j < to; j++) {
    const c = a[j];
    if (c !== 0) {
      cum += c;
      if (cum > rank) {
        crossingCum = cum;
        return j;
      }
    }
  }
  crossingCum = cum;
  return -1;
}

/** Sums the counts of `stores` (keys lo..lo+span) into the scratch array. */
function sumIntoScratch(stores: readonly DenseStore[], lo: number, span: number): void {
  scratch.fill(0, 0, span);
  for (const st of stores) {
    const a = st.counts;
    const base = st.offset - lo;
    for (let j = 0, n = a.length; j < n; j++) scratch[base + j] += a[j];
  }
}

/** The state of one walk over the bins in ascending value order. */
class Walk {
  cum = 0;
  k = 0;
  constructor(
    readonly mapping: IndexMapping,
    readonly totals: WalkTotals,
    readonly order: number[],
    readonly ranks: number[],
    readonly out: (number | null)[],
  ) {}

  get done(): boolean {
    return this.k >= this.order.length;
  }

  /** Answers every pending quantile whose rank lies below the running total with `value`. */
  take(value: number): void {
    const { min, max, count } = this.totals;
    const v = Math.min(Math.max(value, min), max);
    while (this.k < this.order.length && this.cum > this.ranks[this.k]) {
      this.out[this.order[this.k]] = this.ranks[this.k] === count - 1 ? max : v;
      this.k++;
    }
  }

  /** Walks bins a[0..len) whose keys start at `lo` (sign -1: negative keys are -index). */
  scan(a: Uint32Array | Float64Array, len: number, lo: number, sign: number): void {
    let pos = 0;
    while (!this.done) {
      const j = crossing(a, pos, len, this.cum, this.ranks[this.k]);
      this.cum = crossingCum;
      if (j < 0) return;
      this.take(sign * this.mapping.value(sign * (lo + j)));
      pos = j + 1;
    }
  }

  /** Walks a set of stores of one sign, summing overlapping ones. */
  stores(stores: readonly DenseStore[], sign: number): void {
    const live = stores.filter((s) => s.counts.length > 0).sort((x, y) => x.offset - y.offset);
    let i = 0;
    while (i < live.length && !this.done) {
      // A cluster: stores whose key ranges overlap, in ascending order.
      const lo = live[i].offset;
      let end = lo + live[i].counts.length;
      let next = i + 1;
      while (next < live.length && live[next].offset < end) {
        end = Math.max(end, live[next].offset + live[next].counts.length);
        next++;
      }
      if (next === i + 1) {
        this.scan(live[i].counts, live[i].counts.length, lo, sign);
      } else if (end - lo <= SCRATCH_BINS) {
        sumIntoScratch(live.slice(i, next), lo, end - lo);
        this.scan(scratch, end - lo, lo, sign);
      } else {
        this.keyByKey(live.slice(i, next), lo, end, sign);
      }
      i = next;
    }
  }

  /** A cluster too wide for the scratch array (unreachable from a distribution): key by key. */
  private keyByKey(stores: DenseStore[], lo: number, end: number, sign: number): void {
    for (let key = lo; key < end && !this.done; key++) {
      let c = 0;
      for (const st of stores) {
        const j = key - st.offset;
        if (j >= 0 && j < st.counts.length) c += st.counts[j];
      }
      if (c !== 0) {
        this.cum += c;
        if (this.cum > this.ranks[this.k]) this.take(sign * this.mapping.value(sign * key));
      }
    }
  }
}

/**
 * The quantiles `qs` (answers in request order; all null when count is 0) of the values
 * counted in `negative` stores (keys = -index, ascending with the values), `zeroCount` zeros
 * and `positive` stores (keys = index).
 */
export function walkQuantiles(
  mapping: IndexMapping,
  negative: readonly DenseStore[],
  positive: readonly DenseStore[],
  totals: WalkTotals,
  qs: readonly number[],
): (number | null)[] {
  const out: (number | null)[] = new Array(qs.length).fill(null);
  const n = totals.count;
  if (n === 0) return out;
  const order = qs.map((_, i) => i).sort((a, b) => qs[a] - qs[b]);
  const ranks = order.map((i) => quantileRank(qs[i], n));
  const w = new Walk(mapping, totals, order, ranks, out);
  // The extremes are known exactly.
  while (w.k < order.length && ranks[w.k] === 0) out[order[w.k++]] = totals.min;
  w.stores(negative, -1);
  if (totals.zeroCount > 0 && !w.done) {
    w.cum += totals.zeroCount;
    w.take(0);
  }
  w.stores(positive, 1);
  while (w.k < order.length) out[order[w.k++]] = totals.max; // only if counts and bins disagree
  return out;
}
