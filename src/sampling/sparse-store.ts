/**
 * Bucket counts keyed by bucket index, stored in pages of {@link PAGE_BINS} consecutive
 * indices (half an octave at schema 6): memory grows with the pages that hold data, not with
 * the range between them. All pages of a store live in one typed array (`counts`, no object per
 * page); `dir` maps each page number in [pageLo, pageLo + dir.length) to its offset in `counts`
 * (-1: no page). Two narrow clusters eighteen decades apart therefore cost one page each plus
 * 4 bytes per half-octave between them in `dir` (~480 bytes for 1e-9 and 1e9).
 *
 * Counts start as Uint16 (half the memory: a sub-window rarely counts 65,535 values in one
 * bucket) and the whole store is widened to Uint32, then Float64 (exact to 2^53), when one
 * count would pass the width's maximum. Chosen over a Map of pages, measured in
 * bench/pmf.bench.ts: a Map lookup per record cost more than the dense directory's two
 * typed-array reads.
 */

/** Bucket indices per page. */
export const PAGE_BINS = 32;
/** log2 of {@link PAGE_BINS}. */
export const PAGE_SHIFT = 5;
/** PAGE_BINS - 1. */
export const PAGE_MASK = PAGE_BINS - 1;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

/** Typed arrays a store's counts can live in. */
export type Counts = Uint16Array | Uint32Array | Float64Array;

// Shared by every empty store (never written: the first page allocates fresh arrays), so an
// empty sub-window costs no typed arrays of its own.
const NO_DIR = new Int32Array(0);
const NO_COUNTS = new Uint16Array(0);

/** Sparse, paged bucket counts (see the module comment). */
export class SparseStore {
  /** Counts of every allocated page, PAGE_BINS each. */
  counts: Counts = NO_COUNTS;
  /** Largest count the current width holds: a count below it can take +1 in place. */
  limit = U16_MAX;
  /** dir[p] is the offset in `counts` of page pageLo + p, or -1. */
  dir: Int32Array = NO_DIR;
  /** Page number of dir[0]. */
  pageLo = 0;

  /** Bytes held by the counts and the directory. */
  get byteLength(): number {
    return this.counts.byteLength + this.dir.byteLength;
  }

  /** Number of allocated pages. */
  get pages(): number {
    return this.counts.length >> PAGE_SHIFT;
  }

  /** True when no value is counted (pages are only allocated for non-zero counts). */
  get empty(): boolean {
    return this.counts.length === 0;
  }

  /** Adds `n` (> 0, an integer) to the count of bucket `i`. */
  add(i: number, n: number): void {
    const page = i >> PAGE_SHIFT;
    const p = page - this.pageLo;
    let off = p >= 0 && p < this.dir.length ? this.dir[p] : -1;
    if (off < 0) off = this.allocate(page);
    const k = off + (i & PAGE_MASK);
    const c = this.counts[k] + n;
    if (c > this.limit) this.widen(c);
    this.counts[k] = c;
  }

  /**
   * The write path's fast branch: adds `n` to bucket `i` in place when its page exists and the
   * count stays within the current width; false (nothing done) otherwise, and the caller goes
   * through {@link add} (which allocates or widens) and its own budget check.
   */
  addInPlace(i: number, n: number): boolean {
    const p = (i >> PAGE_SHIFT) - this.pageLo;
    if (p < 0 || p >= this.dir.length) return false;
    const off = this.dir[p];
    if (off < 0) return false;
    const a = this.counts;
    const k = off + (i & PAGE_MASK);
    if (a[k] + n > this.limit) return false;
    a[k] += n;
    return true;
  }

  /** Count of bucket `i` (0 when absent). */
  get(i: number): number {
    const p = (i >> PAGE_SHIFT) - this.pageLo;
    if (p < 0 || p >= this.dir.length || this.dir[p] < 0) return 0;
    return this.counts[this.dir[p] + (i & PAGE_MASK)];
  }

  /** Allocates the page `page` (zeroed) and returns its offset in `counts`. */
  private allocate(page: number): number {
    const len = this.dir.length;
    if (len === 0) {
      this.dir = new Int32Array(1);
      this.pageLo = page;
    } else if (page < this.pageLo || page >= this.pageLo + len) {
      const lo = Math.min(this.pageLo, page);
      const hi = Math.max(this.pageLo + len - 1, page);
      const dir = new Int32Array(hi - lo + 1).fill(-1);
      dir.set(this.dir, this.pageLo - lo);
      this.dir = dir;
      this.pageLo = lo;
    }
    const old = this.counts;
    const next = new (old.constructor as new (n: number) => Counts)(old.length + PAGE_BINS);
    next.set(old);
    this.counts = next;
    this.dir[page - this.pageLo] = old.length;
    return old.length;
  }

  private widen(c: number): void {
    if (c <= U32_MAX && this.counts instanceof Uint16Array) {
      this.counts = Uint32Array.from(this.counts);
      this.limit = U32_MAX;
    } else if (!(this.counts instanceof Float64Array)) {
      this.counts = Float64Array.from(this.counts);
      this.limit = Number.MAX_SAFE_INTEGER;
    }
  }

  /** Sum of all counts. */
  total(): number {
    let t = 0;
    const a = this.counts;
    for (let j = 0; j < a.length; j++) t += a[j];
    return t;
  }

  /** Non-zero buckets as [index, count] pairs in ascending index order. */
  buckets(): [number, number][] {
    const out: [number, number][] = [];
    const { dir, counts } = this;
    for (let p = 0; p < dir.length; p++) {
      const off = dir[p];
      if (off < 0) continue;
      const base = (this.pageLo + p) * PAGE_BINS;
      for (let s = 0; s < PAGE_BINS; s++) if (counts[off + s] !== 0) out.push([base + s, counts[off + s]]);
    }
    return out;
  }

  /**
   * Adds every count of `other`, its indices divided by 2^d (rounded up: schema - d). The
   * missing pages are allocated together first (one copy of the counts, not one per page).
   */
  mergeFrom(other: SparseStore, d = 0): void {
    const { dir, counts } = other;
    const missing: number[] = [];
    let last = Number.NaN;
    for (let p = 0; p < dir.length; p++) {
      if (dir[p] < 0) continue;
      const base = (other.pageLo + p) * PAGE_BINS;
      // The page's indices map to (at most) the target pages of its first and last index.
      for (const i of [base, base + PAGE_MASK]) {
        const page = (d === 0 ? i : ((i - 1) >> d) + 1) >> PAGE_SHIFT;
        if (page !== last && !this.hasPage(page)) missing.push(page);
        last = page;
      }
    }
    if (missing.length > 0) this.allocatePages(missing);
    for (let p = 0; p < dir.length; p++) {
      const off = dir[p];
      if (off < 0) continue;
      const base = (other.pageLo + p) * PAGE_BINS;
      for (let s = 0; s < PAGE_BINS; s++) {
        const c = counts[off + s];
        if (c !== 0) this.add(d === 0 ? base + s : ((base + s - 1) >> d) + 1, c);
      }
    }
  }

  private hasPage(page: number): boolean {
    const p = page - this.pageLo;
    return p >= 0 && p < this.dir.length && this.dir[p] >= 0;
  }

  /** Allocates the given pages (ascending or not, duplicates allowed) with one copy of the counts. */
  private allocatePages(pages: number[]): void {
    const fresh = [...new Set(pages)].filter((pg) => !this.hasPage(pg));
    if (fresh.length === 0) return;
    let lo = Math.min(...fresh);
    let hi = Math.max(...fresh);
    if (this.dir.length > 0) {
      lo = Math.min(lo, this.pageLo);
      hi = Math.max(hi, this.pageLo + this.dir.length - 1);
    }
    if (this.dir.length === 0 || lo < this.pageLo || hi >= this.pageLo + this.dir.length) {
      const dir = new Int32Array(hi - lo + 1).fill(-1);
      if (this.dir.length > 0) dir.set(this.dir, this.pageLo - lo);
      this.dir = dir;
      this.pageLo = lo;
    }
    const old = this.counts;
    const next = new (old.constructor as new (n: number) => Counts)(old.length + fresh.length * PAGE_BINS);
    next.set(old);
    this.counts = next;
    for (const [k, pg] of fresh.entries()) this.dir[pg - this.pageLo] = old.length + k * PAGE_BINS;
  }

  /** Re-buckets this store at a schema `d` steps coarser (neighbouring buckets merged). */
  downscale(d: number): void {
    if (d <= 0 || this.empty) return;
    const old = new SparseStore();
    old.counts = this.counts;
    old.dir = this.dir;
    old.pageLo = this.pageLo;
    old.limit = this.limit;
    this.clear();
    this.mergeFrom(old, d);
  }

  /** Forgets every count and releases the pages. */
  clear(): void {
    this.counts = NO_COUNTS;
    this.limit = U16_MAX;
    this.dir = NO_DIR;
    this.pageLo = 0;
  }
}
