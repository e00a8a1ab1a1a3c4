/**
 * Quantiles straight from one or more sets of buckets at one schema (a sketch's stores, or the
 * stores of every sub-window of a window) in one ascending pass, without merging them first:
 * page by page, summing the pages of the same number.
 * Ranks follow the nearest-rank rule ({@link quantileRank}): the answer for q is the bin holding
 * the value at 0-based rank ceil(q * n) - 1; rank 0 and rank n - 1 are the exact min and max;
 * every answer is clamped to [min, max] (which can only move it towards the truth).
 */
import { bucketValue } from './exponential-index.js';
import { type Counts, PAGE_BINS, PAGE_MASK, PAGE_SHIFT, type SparseStore } from './sparse-store.js';

/** One page's worth of summed counts (reads are synchronous: one shared scratch is enough). */
const scratch = new Float64Array(PAGE_BINS);
/** Offsets of the current page in each store of a walk (at most 2 x MAX_SUB_WINDOWS + 1 stores). */
const offs = new Int32Array(64);

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

/** The state of one walk over the buckets in ascending value order. */
class Walk {
  cum = 0;
  k = 0;
  constructor(
    readonly schema: number,
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

  /**
   * Adds the counts a[off..off + PAGE_BINS) of page `page` in value order (sign -1: descending
   * indices), answering the quantiles whose rank falls among them. A page that holds none of
   * the pending ranks is added as a whole.
   */
  private page(a: Counts, off: number, page: number, sign: number): void {
    const total = pageTotal(a, off);
    let cum = this.cum;
    if (cum + total <= this.ranks[this.k]) {
      this.cum = cum + total;
      return;
    }
    for (let t = 0; t < PAGE_BINS; t++) {
      const s = sign > 0 ? t : PAGE_BINS - 1 - t;
      const c = a[off + s];
      if (c === 0) continue;
      cum += c;
      if (cum > this.ranks[this.k]) {
        this.cum = cum;
        this.take(sign * bucketValue(page * PAGE_BINS + s, this.schema));
        if (this.done) return;
      }
    }
    this.cum = cum;
  }

  /**
   * Walks the stores of one sign, summing pages of the same number. Store j holds buckets at a
   * schema shifts[j] (>= 0, default 0) finer than this walk's: its index i is read as
   * ((i - 1) >> d) + 1 (the rounding of {@link SparseStore.mergeFrom}), on the fly, without a
   * downscaled copy.
   */
  stores(stores: readonly SparseStore[], sign: number, shifts?: readonly number[]): void {
    const live: SparseStore[] = [];
    const ds: number[] = [];
    for (let j = 0; j < stores.length; j++) {
      if (stores[j].empty) continue;
      live.push(stores[j]);
      ds.push(shifts === undefined ? 0 : shifts[j]);
    }
    if (live.length === 0) return;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < live.length; j++) {
      const s = live[j];
      const d = ds[j];
      const first = coarsePage(s.pageLo, d);
      const last = coarsePage(s.pageLo + s.dir.length - 1, d, PAGE_MASK);
      if (first < lo) lo = first;
      if (last > hi) hi = last;
    }
    const n = live.length;
    let anyFine = false;
    for (const d of ds) if (d > 0) anyFine = true;
    for (let t = 0; t <= hi - lo && !this.done; t++) {
      const page = sign > 0 ? lo + t : hi - t;
      if (n === 1 && !anyFine) {
        const st = live[0];
        const off = st.dir[page - st.pageLo];
        if (off >= 0) this.page(st.counts, off, page, sign);
        continue;
      }
      // The page's total over the stores first: only a page where a pending rank falls is
      // summed bucket by bucket into the scratch page and scanned (a finer store's buckets each
      // into the coarse bucket they map to).
      let total = 0;
      let found = 0;
      for (let j = 0; j < n; j++) {
        const st = live[j];
        const d = ds[j];
        if (d > 0) {
          const t0 = fineRange(st, d, page, false);
          if (t0 > 0) found++;
          total += t0;
          offs[j] = -1;
          continue;
        }
        const p = page - st.pageLo;
        const dir = st.dir;
        offs[j] = -1;
        if (p < 0 || p >= dir.length) continue;
        const off = dir[p];
        if (off < 0) continue;
        offs[j] = off;
        found++;
        total += pageTotal(st.counts, off);
      }
      if (found === 0) continue;
      if (this.cum + total <= this.ranks[this.k]) {
        this.cum += total;
        continue;
      }
      scratch.fill(0);
      for (let j = 0; j < n; j++) if (ds[j] > 0) fineRange(live[j], ds[j], page, true);
      for (let j = 0; j < n; j++) if (offs[j] >= 0) addPage(live[j].counts, offs[j]);
      this.page(scratch, 0, page, sign);
    }
  }
}

/** The page, at a schema `d` coarser, of index `page * PAGE_BINS + slot`. */
function coarsePage(page: number, d: number, slot = 0): number {
  const i = page * PAGE_BINS + slot;
  return (d === 0 ? i : ((i - 1) >> d) + 1) >> PAGE_SHIFT;
}

/**
 * Sum of the counts of `st` (at a schema `d` > 0 finer) that map to the coarse page `page`; with
 * `add`, also adds each into its coarse bucket of the scratch page. Coarse index c gathers the
 * fine indices ((c - 1) << d) + 1 .. c << d.
 */
function fineRange(st: SparseStore, d: number, page: number, add: boolean): number {
  const base = page * PAGE_BINS;
  const a = ((base - 1) << d) + 1;
  const b = (base + PAGE_MASK) << d;
  const { dir, counts, pageLo } = st;
  let pLo = (a >> PAGE_SHIFT) - pageLo;
  let pHi = (b >> PAGE_SHIFT) - pageLo;
  if (pLo < 0) pLo = 0;
  if (pHi >= dir.length) pHi = dir.length - 1;
  let total = 0;
  for (let p = pLo; p <= pHi; p++) {
    const off = dir[p];
    if (off < 0) continue;
    const first = (pageLo + p) * PAGE_BINS;
    const sLo = a > first ? a - first : 0;
    const sHi = b < first + PAGE_MASK ? b - first : PAGE_MASK;
    if (!add) {
      for (let s = off + sLo, end = off + sHi; s <= end; s++) total += counts[s];
      continue;
    }
    for (let s = sLo; s <= sHi; s++) {
      const c = counts[off + s];
      if (c === 0) continue;
      scratch[((first + s - 1) >> d) + 1 - base] += c;
      total += c;
    }
  }
  return total;
}

/** Adds the page at `off` of `a` into the scratch page. */
function addPage(a: Counts, off: number): void {
  for (let s = 0; s < PAGE_BINS; s++) scratch[s] += a[off + s];
}

/** Sum of the page at `off` of `a`. */
function pageTotal(a: Counts, off: number): number {
  let t = 0;
  for (let s = off, end = off + PAGE_BINS; s < end; s++) t += a[s];
  return t;
}

/**
 * The quantiles `qs` (answers in request order; all null when count is 0) of the values
 * counted in `negative` stores (indices of |x|), `zeroCount` zeros and `positive` stores, all
 * at `schema`, or, with `shifts`, store j of each sign at schema + shifts[j] (read as if
 * downscaled to `schema`).
 */
export function walkQuantiles(
  schema: number,
  negative: readonly SparseStore[],
  positive: readonly SparseStore[],
  totals: WalkTotals,
  qs: readonly number[],
  shifts?: readonly number[],
): (number | null)[] {
  const out: (number | null)[] = new Array(qs.length).fill(null);
  const n = totals.count;
  if (n === 0) return out;
  const order = qs.map((_, i) => i).sort((a, b) => qs[a] - qs[b]);
  const ranks = order.map((i) => quantileRank(qs[i], n));
  const w = new Walk(schema, totals, order, ranks, out);
  // The extremes are known exactly.
  while (w.k < order.length && ranks[w.k] === 0) out[order[w.k++]] = totals.min;
  w.stores(negative, -1, shifts);
  if (totals.zeroCount > 0 && !w.done) {
    w.cum += totals.zeroCount;
    w.take(0);
  }
  w.stores(positive, 1, shifts);
  while (w.k < order.length) out[order[w.k++]] = totals.max; // only if counts and buckets disagree
  return out;
}
