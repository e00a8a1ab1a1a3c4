/**
 * LogSketch: a mergeable quantile sketch with a guaranteed relative error (DDSketch's idea).
 * Values are counted in logarithmically sized bins (see index-mapping.ts); negative values in
 * a mirrored store, zeros apart. Any quantile it reports is within `relativeAccuracy` of the
 * true value at that rank, and two sketches merge into exactly the sketch of the union.
 */
import { DenseStore } from './dense-store.js';
import { IndexMapping, MIN_INDEXABLE } from './index-mapping.js';
import { checkQuantiles, walkQuantiles } from './quantile-walk.js';
import { decodeSketch, encodeSketch } from './sketch-codec.js';

/** Options of a {@link LogSketch}. */
export interface LogSketchOptions {
  /** Relative accuracy of every quantile, in (0, 1). Default {@link DEFAULT_RELATIVE_ACCURACY}. */
  relativeAccuracy?: number;
  /**
   * Hard limit on the bins of each of the positive and negative stores (default
   * {@link DEFAULT_MAX_BINS}). 2048 bins cover 58 doublings (17 decades) at 1%; beyond that the
   * lowest values are folded together and only the quantiles above them keep the guarantee.
   */
  maxBins?: number;
}

/** Default relative accuracy: 1%. */
export const DEFAULT_RELATIVE_ACCURACY = 0.01;
/** Default bin limit of each store of a {@link LogSketch}. */
export const DEFAULT_MAX_BINS = 2048;

/**
 * A mergeable quantile sketch: `quantile(q)` is within `relativeAccuracy` (default 1%) of the
 * exact value at 0-based rank ceil(q * count) - 1 of the sorted data (the nearest-rank rule,
 * see `quantileRank`), for positive, zero and negative values alike. Memory is bounded by `maxBins` per sign (8 bytes a bin).
 *
 * @example
 * const s = new LogSketch();
 * for (const v of [0.012, 0.015, 0.230]) s.add(v);
 * s.quantile(0.5); // ~0.015 (within 1%)
 * const t = LogSketch.deserialize(s.serialize()); // same sketch, e.g. from another server
 * s.merge(t);
 */
export class LogSketch {
  /** The relative accuracy guaranteed on every quantile. */
  readonly relativeAccuracy: number;
  /** Bin limit of each store. */
  readonly maxBins: number;
  /** @internal the bin mapping (shared by all sketches of the same accuracy). */
  readonly mapping: IndexMapping;
  /** @internal bins of positive values, keyed by index. */
  readonly positive: DenseStore;
  /** @internal bins of negative values, keyed by -index (so keys ascend with the values). */
  readonly negative: DenseStore;
  /** @internal number of zeros (and magnitudes below 2.2e-308). */
  zeroCount = 0;
  private n = 0;
  private total = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  constructor(options: LogSketchOptions = {}) {
    this.mapping = IndexMapping.of(options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY);
    this.relativeAccuracy = this.mapping.relativeAccuracy;
    const maxBins = options.maxBins ?? DEFAULT_MAX_BINS;
    if (!Number.isInteger(maxBins) || maxBins < 16 || maxBins > 65536) {
      throw new RangeError(`LogSketch: maxBins ${maxBins} is not an integer in [16, 65536]`);
    }
    this.maxBins = maxBins;
    this.positive = new DenseStore(maxBins, true);
    this.negative = new DenseStore(maxBins, true);
  }

  /** Number of values added. */
  get count(): number {
    return this.n;
  }
  /** Sum of the values added (0 when empty). */
  get sum(): number {
    return this.total;
  }
  /** Smallest value added (+Infinity when empty). */
  get min(): number {
    return this.lo;
  }
  /** Largest value added (-Infinity when empty). */
  get max(): number {
    return this.hi;
  }

  /** Bytes held by the bins (the rest of the object is a few hundred bytes). */
  get binBytes(): number {
    return this.positive.byteLength + this.negative.byteLength;
  }

  /** Adds one value; throws a RangeError on NaN or an infinity. */
  add(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`LogSketch.add: ${value} is not a finite number`);
    this.n++;
    this.total += value;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
    if (value >= MIN_INDEXABLE) this.positive.add(this.mapping.index(value), 1);
    else if (value <= -MIN_INDEXABLE) this.negative.add(-this.mapping.index(-value), 1);
    else this.zeroCount++;
  }

  /**
   * Adds every value of `other` into this sketch: afterwards this sketch is the sketch of the
   * union (negative values included). Both must have the same relative accuracy.
   */
  merge(other: LogSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new RangeError(
        `LogSketch.merge: relative accuracies differ (${this.relativeAccuracy} vs ${other.relativeAccuracy})`,
      );
    }
    this.positive.mergeFrom(other.positive);
    this.negative.mergeFrom(other.negative);
    this.zeroCount += other.zeroCount;
    this.addTotals(other.n, other.total, other.lo, other.hi);
  }

  /** @internal adds count/sum/min/max figures whose bins were merged separately. */
  addTotals(n: number, sum: number, min: number, max: number): void {
    this.n += n;
    this.total += sum;
    if (min < this.lo) this.lo = min;
    if (max > this.hi) this.hi = max;
  }

  /**
   * The value at quantile `q` (0 = min, 0.5 = median, 1 = max): within the relative accuracy
   * of the exact value at 0-based rank ceil(q * count) - 1 (at least q of the values are at or
   * below it); ranks 0 and count - 1 give the exact min and max. Null when the sketch is empty.
   */
  quantile(q: number): number | null {
    return this.quantiles([q])[0];
  }

  /** Several quantiles in one pass over the bins (same rules as {@link LogSketch.quantile}). */
  quantiles(qs: readonly number[]): (number | null)[] {
    checkQuantiles(qs, 'LogSketch.quantile');
    return walkQuantiles(this.mapping, [this.negative], [this.positive], {
      count: this.n,
      min: this.lo,
      max: this.hi,
      zeroCount: this.zeroCount,
    }, qs);
  }

  /** Empties the sketch (keeps its allocated bins). */
  clear(): void {
    this.positive.clear();
    this.negative.clear();
    this.zeroCount = 0;
    this.n = 0;
    this.total = 0;
    this.lo = Number.POSITIVE_INFINITY;
    this.hi = Number.NEGATIVE_INFINITY;
  }

  /**
   * Compact, versioned text form (base64url, ASCII only): bins are run-length coded varints,
   * so a typical latency sketch takes a few hundred characters.
   */
  serialize(): string {
    return encodeSketch({
      relativeAccuracy: this.relativeAccuracy,
      maxBins: this.maxBins,
      count: this.n,
      sum: this.total,
      min: this.lo,
      max: this.hi,
      zeroCount: this.zeroCount,
      positive: this.positive,
      negative: this.negative,
    });
  }

  /** Rebuilds a sketch from {@link LogSketch.serialize}; throws a TypeError naming what is wrong. */
  static deserialize(text: string): LogSketch {
    const d = decodeSketch(text);
    const s = new LogSketch({ relativeAccuracy: d.relativeAccuracy, maxBins: d.maxBins });
    const { minIndex, maxIndex } = s.mapping;
    for (const [name, bins, sign] of [
      ['positive', d.positive, 1],
      ['negative', d.negative, -1],
    ] as const) {
      for (const [key, c] of bins) {
        const index = sign * key;
        if (index < minIndex || index > maxIndex) {
          throw new TypeError(
            `LogSketch.deserialize: ${name} bin ${key} is outside the range of finite doubles at accuracy ${d.relativeAccuracy}`,
          );
        }
        (sign === 1 ? s.positive : s.negative).add(key, c);
      }
    }
    s.zeroCount = d.zeroCount;
    s.n = d.count;
    s.total = d.sum;
    s.lo = d.min;
    s.hi = d.max;
    return s;
  }
}
