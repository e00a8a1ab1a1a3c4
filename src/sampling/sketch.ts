/**
 * LogSketch: a mergeable quantile sketch whose buckets are Prometheus native-histogram buckets
 * (OpenTelemetry exponential-histogram buckets): at schema 6, bucket i covers
 * (2^((i-1)/64), 2^(i/64)], and every quantile it reports is within 0.55% of the true value at
 * that rank. Negative values are counted by the index of |x|, magnitudes <= 2^-128 in a zero
 * bucket. Memory grows with the occupied buckets (pages of 32, see sparse-store.ts) up to a
 * byte budget; past it, the resolution halves (schema 6 -> 5 -> ..., neighbouring buckets
 * merged) instead of folding one end of the range away. Sketches merge exactly (at the coarser
 * of their schemas), whatever process or dump they come from.
 */
import { index6, MAX_SCHEMA, MIN_SCHEMA, relativeErrorAt, ZERO_THRESHOLD, downscaleIndex } from './exponential-index.js';
import { IndexMapping } from './index-mapping.js';
import { checkQuantiles, walkQuantiles } from './quantile-walk.js';
import { decodeSketch, encodeSketch } from './sketch-codec.js';
import { SparseStore } from './sparse-store.js';

/** Options of a {@link LogSketch}. */
export interface LogSketchOptions {
  /**
   * Byte budget of the buckets, both signs together (default {@link DEFAULT_SKETCH_MAX_BYTES},
   * at least {@link MIN_SKETCH_MAX_BYTES}). When the occupied buckets would need more, the
   * sketch halves its resolution (schema - 1) until they fit.
   */
  maxBytes?: number;
  /** Starting schema, MIN_SCHEMA..MAX_SCHEMA (default 6, the finest). */
  schema?: number;
}

/** Default bucket budget of a standalone {@link LogSketch}: 32 KiB (~34 decades at schema 6). */
export const DEFAULT_SKETCH_MAX_BYTES = 32 * 1024;
/** Smallest budget accepted: what the coarsest schema may need in the worst case. */
export const MIN_SKETCH_MAX_BYTES = 4096;
/** The error bound of every quantile at the finest schema (6): 2^(1/128) - 1 ~ 0.54%. */
export const DEFAULT_RELATIVE_ACCURACY = relativeErrorAt(MAX_SCHEMA);

/** A native-histogram view of a sketch: what a Prometheus or OpenTelemetry exporter needs. */
export interface NativeHistogramBuckets {
  /** Prometheus schema (= OpenTelemetry scale): the base is 2^(2^-schema). */
  schema: number;
  /** Magnitudes at or below this are counted in `zeroCount` (2^-128). */
  zeroThreshold: number;
  zeroCount: number;
  /**
   * Non-zero buckets of positive values as [index, count] pairs in ascending index order;
   * bucket `index` covers (base^(index-1), base^index].
   */
  positive: [number, number][];
  /** The same for negative values: bucket `index` covers [-base^index, -base^(index-1)). */
  negative: [number, number][];
  count: number;
  sum: number;
}

/**
 * A mergeable quantile sketch on native-histogram buckets: `quantile(q)` is within
 * `relativeError` (0.54% at schema 6) of the exact value at 0-based rank ceil(q * count) - 1 of
 * the sorted data (the nearest-rank rule, see `quantileRank`), for positive, zero and negative
 * values alike.
 *
 * @example
 * const s = new LogSketch();
 * for (const v of [0.012, 0.015, 0.230]) s.add(v);
 * s.quantile(0.5); // ~0.015 (within 0.54%)
 * const t = LogSketch.deserialize(s.serialize()); // same sketch, e.g. from another server
 * s.merge(t);
 */
export class LogSketch {
  /** Byte budget of the buckets. */
  readonly maxBytes: number;
  /** @internal buckets of positive values. */
  positive = new SparseStore();
  /** @internal buckets of negative values, by the index of |x|. */
  negative = new SparseStore();
  /** @internal number of values with |x| <= zeroThreshold. */
  zeroCount = 0;
  private s: number;
  private n = 0;
  private total = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  constructor(options: LogSketchOptions = {}) {
    for (const removed of ['relativeAccuracy', 'maxBins']) {
      if (removed in options) {
        throw new RangeError(`LogSketch: ${removed} is no longer an option (buckets are native-histogram schema 6: 0.54%)`);
      }
    }
    const maxBytes = options.maxBytes ?? DEFAULT_SKETCH_MAX_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < MIN_SKETCH_MAX_BYTES) {
      throw new RangeError(`LogSketch: maxBytes ${maxBytes} is not an integer >= ${MIN_SKETCH_MAX_BYTES}`);
    }
    const schema = options.schema ?? MAX_SCHEMA;
    if (!Number.isInteger(schema) || schema < MIN_SCHEMA || schema > MAX_SCHEMA) {
      throw new RangeError(`LogSketch: schema ${schema} is not an integer in ${MIN_SCHEMA}..${MAX_SCHEMA}`);
    }
    this.maxBytes = maxBytes;
    this.s = schema;
  }

  /** Current schema: 6 unless the byte budget forced coarser buckets. */
  get schema(): number {
    return this.s;
  }
  /** Error bound of every quantile at the current schema (0.54% at 6, 1.09% at 5, ...). */
  get relativeError(): number {
    return relativeErrorAt(this.s);
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

  /** Bytes held by the buckets (the rest of the object is a few hundred bytes). */
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
    if (value > ZERO_THRESHOLD) this.bump(this.positive, downscaleIndex(index6(value), MAX_SCHEMA - this.s), 1);
    else if (value < -ZERO_THRESHOLD) this.bump(this.negative, downscaleIndex(index6(-value), MAX_SCHEMA - this.s), 1);
    else this.zeroCount++;
  }

  /** Adds `c` to bucket `i` of `store`: in place when its page exists, else through add() and the budget check. */
  private bump(store: SparseStore, i: number, c: number): void {
    if (store.addInPlace(i, c)) return;
    store.add(i, c);
    if (this.positive.byteLength + this.negative.byteLength > this.maxBytes) this.fitBudget();
  }

  /** Halves the resolution until the buckets fit the budget. */
  private fitBudget(): void {
    while (this.s > MIN_SCHEMA && this.positive.byteLength + this.negative.byteLength > this.maxBytes) {
      this.downscaleTo(this.s - 1);
    }
  }

  /** Re-buckets at a coarser `schema` (no-op if not coarser). */
  downscaleTo(schema: number): void {
    if (schema >= this.s) return;
    this.positive.downscale(this.s - schema);
    this.negative.downscale(this.s - schema);
    this.s = schema;
  }

  /**
   * Adds every value of `other` into this sketch: afterwards this sketch is the sketch of the
   * union (negative values included), at the coarser of the two schemas.
   */
  merge(other: LogSketch): void {
    if (other === this) throw new RangeError('LogSketch.merge: cannot merge a sketch into itself');
    this.mergeParts(other.s, other.positive, other.negative, other.zeroCount);
    this.addTotals(other.n, other.total, other.lo, other.hi);
  }

  /** @internal merges buckets at `schema` (count/sum/min/max go separately, through addTotals). */
  mergeParts(schema: number, positive: SparseStore, negative: SparseStore, zeroCount: number): void {
    this.downscaleTo(schema);
    this.positive.mergeFrom(positive, schema - this.s);
    this.negative.mergeFrom(negative, schema - this.s);
    this.zeroCount += zeroCount;
    this.fitBudget();
  }

  /** @internal adds count/sum/min/max figures whose buckets were merged separately. */
  addTotals(n: number, sum: number, min: number, max: number): void {
    this.n += n;
    this.total += sum;
    if (min < this.lo) this.lo = min;
    if (max > this.hi) this.hi = max;
  }

  /**
   * The value at quantile `q` (0 = min, 0.5 = median, 1 = max): within `relativeError` of
   * the exact value at 0-based rank ceil(q * count) - 1 (at least q of the values are at or
   * below it); ranks 0 and count - 1 give the exact min and max. Null when the sketch is empty.
   */
  quantile(q: number): number | null {
    return this.quantiles([q])[0];
  }

  /** Several quantiles in one pass over the buckets (same rules as {@link LogSketch.quantile}). */
  quantiles(qs: readonly number[]): (number | null)[] {
    checkQuantiles(qs, 'LogSketch.quantile');
    return walkQuantiles(
      this.s,
      [this.negative],
      [this.positive],
      {
        count: this.n,
        min: this.lo,
        max: this.hi,
        zeroCount: this.zeroCount,
      },
      qs,
    );
  }

  /**
   * The buckets as a Prometheus native histogram (or OpenTelemetry exponential histogram)
   * holds them: schema, zero bucket, and the non-zero buckets of each sign in index order.
   */
  nativeBuckets(): NativeHistogramBuckets {
    return {
      schema: this.s,
      zeroThreshold: ZERO_THRESHOLD,
      zeroCount: this.zeroCount,
      positive: this.positive.buckets(),
      negative: this.negative.buckets(),
      count: this.n,
      sum: this.total,
    };
  }

  /** Empties the sketch and goes back to schema 6. */
  clear(): void {
    this.positive.clear();
    this.negative.clear();
    this.zeroCount = 0;
    this.s = MAX_SCHEMA;
    this.n = 0;
    this.total = 0;
    this.lo = Number.POSITIVE_INFINITY;
    this.hi = Number.NEGATIVE_INFINITY;
  }

  /**
   * Compact, versioned text form (base64url, ASCII only; format version 2): buckets are
   * gap-coded varints, so a typical latency sketch takes a few hundred characters.
   */
  serialize(): string {
    return encodeSketch({
      schema: this.s,
      zeroThreshold: ZERO_THRESHOLD,
      count: this.n,
      sum: this.total,
      min: this.lo,
      max: this.hi,
      zeroCount: this.zeroCount,
      positive: this.positive,
      negative: this.negative,
    });
  }

  /**
   * Rebuilds a sketch from {@link LogSketch.serialize} (format version 2), or from a version-1
   * sketch of the first round (its bins are re-bucketed at schema 6 by their reported value, so
   * they keep their own 1% error on top of this sketch's); throws a TypeError naming what is
   * wrong, and the version found when it is neither.
   */
  static deserialize(text: string, options: LogSketchOptions = {}): LogSketch {
    const d = decodeSketch(text);
    const s = new LogSketch(options);
    if (d.version === 2) {
      s.downscaleTo(d.schema);
      // (s.s can drop while bucketing if the budget is smaller than the writer's)
      for (const [i, c] of d.positive) s.bump(s.positive, downscaleIndex(i, d.schema - s.s), c);
      for (const [i, c] of d.negative) s.bump(s.negative, downscaleIndex(i, d.schema - s.s), c);
    } else {
      const mapping = IndexMapping.of(d.relativeAccuracy);
      const { minIndex, maxIndex } = mapping;
      for (const [name, bins, sign] of [
        ['positive', d.positive, 1],
        ['negative', d.negative, -1],
      ] as const) {
        for (const [key, c] of bins) {
          const index = sign * key; // version 1 keyed negative bins by -index
          if (index < minIndex || index > maxIndex) {
            throw new TypeError(
              `LogSketch.deserialize: version-1 ${name} bin ${key} is outside the range of finite doubles at accuracy ${d.relativeAccuracy}`,
            );
          }
          const v = Math.min(mapping.value(index), Number.MAX_VALUE);
          if (v <= ZERO_THRESHOLD) s.zeroCount += c;
          else s.bump(sign === 1 ? s.positive : s.negative, downscaleIndex(index6(v), MAX_SCHEMA - s.s), c);
        }
      }
    }
    s.zeroCount += d.zeroCount;
    s.n = d.count;
    s.total = d.sum;
    s.lo = d.min;
    s.hi = d.max;
    return s;
  }
}
