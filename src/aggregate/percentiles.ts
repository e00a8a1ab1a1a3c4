import type { JsonObject, JsonValue } from '../core/snapshot.js';
import { LogSketch } from '../sampling/sketch.js';
import { describe } from './aggregator.js';
import type { Aggregator } from './aggregator.js';

/** Quantiles reported by {@link Percentiles} by default: the PmfStat ones. */
export const DEFAULT_PERCENTILES_QUANTILES: readonly number[] = [0.5, 0.75, 0.95, 0.98, 0.99, 0.999];

/** Options of {@link Percentiles}. */
export interface PercentilesOptions {
  /** Key of the result (default 'percentiles'). */
  name?: string;
  /** Quantiles in [0, 1] to report (default {@link DEFAULT_PERCENTILES_QUANTILES}). */
  quantiles?: readonly number[];
}

/** Result key of a quantile, as PmfStat names them: 0.5 → 'median', 0.999 → '999percentile'. */
export function quantileKey(q: number): string {
  if (q === 0.5) return 'median';
  return `${String(Number((q * 100).toPrecision(12))).replace('.', '')}percentile`;
}

/**
 * True fleet-wide percentiles: merges the serialized sketches that PmfStat leaves carry in
 * dumps written with `{ sketches: true }`, then reads the quantiles of the merged sketch: within
 * the sketch's relative error (0.54% at schema 6) of the exact nearest-rank quantile of all the sources' values
 * together, as if one server had recorded them all. Averaging per-server percentiles, as one is tempted to do,
 * is simply wrong: the p99 of two servers is not the mean of their p99s.
 * Result: `{count, sources, min, max, median, 75percentile, ..., unit}` — `min`/`max` are exact
 * (the extremes of the leaves' own min/max), the quantiles `null` when nothing was recorded.
 * A leaf without `sketch`, with an unreadable sketch or another unit is skipped with a warning.
 * @example
 * new Aggregation({ web: { latency: [new Percentiles()] } })
 */
export class Percentiles implements Aggregator {
  readonly name: string;
  private readonly quantiles: readonly number[];
  private merged: LogSketch | null = null;
  private sources = 0;
  private min: number | null = null;
  private max: number | null = null;
  private unit: string | null = null;

  constructor(options: PercentilesOptions = {}) {
    this.name = options.name ?? 'percentiles';
    this.quantiles = options.quantiles ?? DEFAULT_PERCENTILES_QUANTILES;
    for (const q of this.quantiles) {
      if (!(q >= 0 && q <= 1)) throw new RangeError(`Percentiles: quantile ${q} is not in [0, 1]`);
    }
  }

  addValue(_source: string, data: JsonValue): void {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new TypeError(`${this.name}: expected a PmfStat leaf with "sketch", got ${describe(data)}`);
    }
    const text = data.sketch;
    if (typeof text !== 'string') {
      throw new TypeError(`${this.name}: the leaf has no "sketch" (write the dump with { sketches: true })`);
    }
    const unit = typeof data.unit === 'string' ? data.unit : null;
    if (this.unit !== null && unit !== null && unit !== this.unit) {
      throw new TypeError(`${this.name}: unit "${unit}" differs from "${this.unit}" of the other sources`);
    }
    let sketch: LogSketch;
    try {
      sketch = LogSketch.deserialize(text);
    } catch (err) {
      throw new TypeError(`${this.name}: unreadable sketch (${(err as Error).message})`);
    }
    if (this.merged === null) this.merged = sketch;
    else this.merged.merge(sketch);
    this.sources++;
    if (unit !== null) this.unit = unit;
    if (typeof data.min === 'number') this.min = this.min === null ? data.min : Math.min(this.min, data.min);
    if (typeof data.max === 'number') this.max = this.max === null ? data.max : Math.max(this.max, data.max);
  }

  result(): JsonValue {
    const out: JsonObject = { count: this.merged?.count ?? 0, sources: this.sources, min: this.min, max: this.max };
    for (const q of this.quantiles) {
      out[quantileKey(q)] = this.merged === null || this.merged.count === 0 ? null : this.merged.quantile(q);
    }
    if (this.unit !== null) out.unit = this.unit;
    return out;
  }

  clone(): Percentiles {
    return new Percentiles({ name: this.name, quantiles: this.quantiles });
  }
}
