/**
 * Dense bin counts for a contiguous range of integer keys, grown on demand, with a hard limit
 * on the number of bins: when the keys in use would span more than `maxBins`, the lowest keys
 * are collapsed into the lowest kept bin (DDSketch's collapsing-lowest store), so memory is
 * bounded whatever the range of the data. Counts live in a Uint32Array (compact) that is
 * promoted to a Float64Array if a bin would pass 2^32 - 1, or in a Float64Array from the start.
 */

const MAX_U32 = 0xffffffff;
const INITIAL_BINS = 64;

/** Dense, collapsing bin counts keyed by integer bin index. */
export class DenseStore {
  /** counts[j] is the count of key `offset + j`. */
  counts: Uint32Array | Float64Array;
  /** Key of counts[0]. */
  offset = 0;
  /** Hard limit on counts.length. */
  readonly maxBins: number;
  /** True once some keys were folded into the lowest bin. */
  collapsed = false;

  /** True when counts start as Uint32 (and go back to Uint32 on clear after a promotion). */
  readonly compact: boolean;

  constructor(maxBins: number, wide: boolean) {
    this.maxBins = maxBins;
    this.compact = !wide;
    this.counts = wide ? new Float64Array(0) : new Uint32Array(0);
  }

  /** Bytes held by the counts. */
  get byteLength(): number {
    return this.counts.byteLength;
  }

  /** Adds `n` to the count of `key`. */
  add(key: number, n: number): void {
    let j = key - this.offset;
    if (j < 0 || j >= this.counts.length) j = this.makeRoom(key);
    const c = this.counts[j] + n;
    if (c > MAX_U32 && this.counts instanceof Uint32Array) this.counts = Float64Array.from(this.counts);
    this.counts[j] = c;
  }

  /** Lowest key with a non-zero count, or undefined when empty. */
  minKey(): number | undefined {
    const a = this.counts;
    for (let j = 0; j < a.length; j++) if (a[j] !== 0) return this.offset + j;
    return undefined;
  }

  /** Highest key with a non-zero count, or undefined when empty. */
  maxKey(): number | undefined {
    const a = this.counts;
    for (let j = a.length - 1; j >= 0; j--) if (a[j] !== 0) return this.offset + j;
    return undefined;
  }

  /** Sum of all counts. */
  total(): number {
    let t = 0;
    const a = this.counts;
    for (let j = 0; j < a.length; j++) t += a[j];
    return t;
  }

  /** Zeroes every count; keeps the allocated bins for reuse. */
  clear(): void {
    if (this.compact && this.counts instanceof Float64Array) this.counts = new Uint32Array(this.counts.length);
    else this.counts.fill(0);
    this.collapsed = false;
  }

  /** Adds every count of `other` into this store. */
  mergeFrom(other: DenseStore): void {
    const lo = other.minKey();
    if (lo === undefined) return;
    const hi = other.maxKey()!;
    // Make room for both ends first so that the bins are laid out (or collapsed) once.
    this.makeRoomFor(lo, hi);
    const a = other.counts;
    for (let j = lo - other.offset, end = hi - other.offset; j <= end; j++) {
      if (a[j] !== 0) this.add(other.offset + j, a[j]);
    }
    if (other.collapsed) this.collapsed = true;
  }

  /**
   * Re-lays the bins so that `key` fits, collapsing the lowest keys if the span would pass
   * maxBins; returns the array position where `key`'s count now lives.
   */
  makeRoom(key: number): number {
    // Once collapsed at full size, the top is pinned: lower keys go straight to the lowest bin.
    if (this.collapsed && key < this.offset && this.counts.length === this.maxBins) return 0;
    this.makeRoomFor(key, key);
    const j = key - this.offset;
    return Math.max(j, 0); // a key below a collapsed range lands in the lowest bin
  }

  private makeRoomFor(keyLo: number, keyHi: number): void {
    const old = this.counts;
    const usedLo = this.minKey();
    const lo = usedLo === undefined ? keyLo : Math.min(usedLo, keyLo);
    const hi = usedLo === undefined ? keyHi : Math.max(this.maxKey()!, keyHi);
    if (lo >= this.offset && hi < this.offset + old.length) return;
    const span = hi - lo + 1;
    let size = old.length;
    if (span > size) size = Math.min(this.maxBins, Math.max(span + (span >> 1), size * 2, INITIAL_BINS));
    let newOffset: number;
    if (span > size) {
      newOffset = hi - size + 1; // collapse: keep the highest keys
    } else {
      // Leave the spare bins on the side the data is growing towards.
      const spare = size - span;
      newOffset = usedLo !== undefined && keyLo < usedLo ? lo - spare : lo;
      if (usedLo !== undefined && keyLo < usedLo && keyHi > this.maxKey()!) newOffset = lo - (spare >> 1);
    }
    const next = old instanceof Float64Array ? new Float64Array(size) : new Uint32Array(size);
    if (usedLo !== undefined) {
      for (let j = usedLo - this.offset, end = this.maxKey()! - this.offset; j <= end; j++) {
        const c = old[j];
        if (c === 0) continue;
        let t = this.offset + j - newOffset;
        if (t < 0) {
          t = 0;
          this.collapsed = true;
        }
        const sum = next[t] + c;
        if (sum > MAX_U32 && next instanceof Uint32Array) {
          // Extremely unlikely: promote and restart the copy.
          this.counts = Float64Array.from(old);
          this.makeRoomFor(keyLo, keyHi);
          return;
        }
        next[t] = sum;
      }
    }
    if (keyLo < newOffset) this.collapsed = true;
    this.counts = next;
    this.offset = newOffset;
  }
}
