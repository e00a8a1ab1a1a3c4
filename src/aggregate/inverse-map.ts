import type { JsonObject, JsonValue } from '../core/snapshot.js';
import { setOwn } from '../core/json.js';
import type { Aggregator, AggregatorOptions } from './aggregator.js';
import { DataFormats, type DataFormat } from './data-formats.js';
import { humanCompare } from './human-sort.js';

/** The key under which a value is listed in an {@link InverseMap} result. */
function valueKey(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Which sources hold which value: `{value: [sources]}`, sources human-sorted ('server-2' before
 * 'server-10') and the values human-sorted too. Handy for versions, states and config hashes.
 * Non-string values are keyed by their JSON text (`3`, `true`, `null`).
 * @example
 * new Aggregation({ build: { version: [new InverseMap({ dataFormat: DataFormats.DIRECT })] } })
 * // { build: { version: { inverse: { '1.4.2': ['web-1', 'web-3'], '1.5.0': ['web-2'] } } } }
 */
export class InverseMap implements Aggregator {
  readonly name: string;
  private readonly dataFormat: DataFormat;
  private readonly sources = new Map<string, string[]>();

  constructor(options: AggregatorOptions = {}) {
    this.name = options.name ?? 'inverse';
    this.dataFormat = options.dataFormat ?? DataFormats.DEFAULT;
  }

  addValue(source: string, data: JsonValue): void {
    const key = valueKey(this.dataFormat.getValue(data));
    const list = this.sources.get(key);
    if (list === undefined) this.sources.set(key, [source]);
    else list.push(source);
  }

  result(): JsonValue {
    const out: JsonObject = {};
    for (const key of [...this.sources.keys()].sort(humanCompare)) {
      setOwn(out, key, [...this.sources.get(key)!].sort(humanCompare));
    }
    return out;
  }

  clone(): InverseMap {
    return new InverseMap({ name: this.name, dataFormat: this.dataFormat });
  }
}
