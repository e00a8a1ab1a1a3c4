import type { JsonValue } from '../core/snapshot.js';
import { type Aggregator, type AggregatorOptions, requireNumber } from './aggregator.js';
import { DataFormats, type DataFormat } from './data-formats.js';

/**
 * Averages a leaf over every source, weighted by each source's count: with the DEFAULT format a
 * PmfStat leaf `{count: 900, mean: 0.1}` weighs 9 times as much as `{count: 100, mean: 0.3}`.
 * Result: `{count, total, average}` where `total` is the sum of value × count and `average` is
 * `total / count`, or `null` when the count is 0 (Python's scales said 0; a made-up 0 hides
 * the fact that nothing was measured).
 */
export class Average implements Aggregator {
  readonly name: string;
  private readonly dataFormat: DataFormat;
  private count = 0;
  private total = 0;

  constructor(options: AggregatorOptions = {}) {
    this.name = options.name ?? 'average';
    this.dataFormat = options.dataFormat ?? DataFormats.DEFAULT;
  }

  addValue(_source: string, data: JsonValue): void {
    const count = this.dataFormat.getCount(data);
    const raw = this.dataFormat.getValue(data);
    if (count === 0) return;
    if (raw === null) {
      throw new TypeError(`${this.name} (${this.dataFormat.name} format): count is ${count} but the value is null`);
    }
    const value = requireNumber(raw, `${this.name} (${this.dataFormat.name} format)`);
    this.count += count;
    this.total += value * count;
  }

  result(): JsonValue {
    return { count: this.count, total: this.total, average: this.count > 0 ? this.total / this.count : null };
  }

  clone(): Average {
    return new Average({ name: this.name, dataFormat: this.dataFormat });
  }
}
