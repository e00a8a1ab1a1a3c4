import type { JsonValue } from '../core/snapshot.js';
import { type Aggregator, type AggregatorOptions, requireNumber } from './aggregator.js';
import { DataFormats, type DataFormat } from './data-formats.js';

/**
 * Sums the value of a leaf over every source. A `null` value (nothing recorded) adds nothing.
 * @example
 * new Aggregation({ web: { errors: [new Sum()] } }) // result: { web: { errors: { sum: 17 } } }
 */
export class Sum implements Aggregator {
  readonly name: string;
  private readonly dataFormat: DataFormat;
  private total = 0;

  constructor(options: AggregatorOptions = {}) {
    this.name = options.name ?? 'sum';
    this.dataFormat = options.dataFormat ?? DataFormats.DEFAULT;
  }

  addValue(_source: string, data: JsonValue): void {
    const value = this.dataFormat.getValue(data);
    if (value === null) return;
    this.total += requireNumber(value, `${this.name} (${this.dataFormat.name} format)`);
  }

  result(): JsonValue {
    return this.total;
  }

  clone(): Sum {
    return new Sum({ name: this.name, dataFormat: this.dataFormat });
  }
}
