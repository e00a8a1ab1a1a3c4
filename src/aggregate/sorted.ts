import type { JsonValue } from '../core/snapshot.js';
import type { Aggregator, AggregatorOptions } from './aggregator.js';
import { DataFormats, type DataFormat } from './data-formats.js';
import { humanCompare } from './human-sort.js';

/** One `[source, value]` entry of a {@link Sorted} result. */
export type SortedEntry = [source: string, value: JsonValue];

/** Options of {@link Sorted}. */
export interface SortedOptions extends AggregatorOptions {
  /** Custom order of two entries (default: by value, numbers before other values, then by source). */
  compare?: (a: SortedEntry, b: SortedEntry) => number;
  /** Largest first. */
  reverse?: boolean;
  /** Keep only the first `limit` entries after sorting (e.g. the 5 slowest servers). */
  limit?: number;
}

/** Default order: numbers ascending, then other values by their JSON text; ties by source. */
export function compareEntries(a: SortedEntry, b: SortedEntry): number {
  const [sa, va] = a;
  const [sb, vb] = b;
  const na = typeof va === 'number';
  const nb = typeof vb === 'number';
  let diff = 0;
  if (na && nb) diff = (va as number) - (vb as number);
  else if (na !== nb) diff = na ? -1 : 1;
  else diff = humanCompare(JSON.stringify(va), JSON.stringify(vb));
  return diff !== 0 ? diff : humanCompare(sa, sb);
}

/**
 * Every source's value as a sorted list of `[source, value]` pairs. Unlike Python's `Sorted`,
 * whose default order was by source name, the default order here is by value (the useful one:
 * which servers are slowest); `reverse` puts the largest first and `limit` keeps the top N.
 * @example
 * new Sorted({ dataFormat: DataFormats.field('99percentile'), reverse: true, limit: 3 })
 */
export class Sorted implements Aggregator {
  readonly name: string;
  private readonly options: SortedOptions;
  private readonly dataFormat: DataFormat;
  private readonly entries: SortedEntry[] = [];

  constructor(options: SortedOptions = {}) {
    if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit > 0)) {
      throw new RangeError(`Sorted: limit must be a positive integer, got ${options.limit}`);
    }
    this.options = options;
    this.name = options.name ?? 'sorted';
    this.dataFormat = options.dataFormat ?? DataFormats.DEFAULT;
  }

  addValue(source: string, data: JsonValue): void {
    this.entries.push([source, this.dataFormat.getValue(data)]);
  }

  result(): JsonValue {
    const compare = this.options.compare ?? compareEntries;
    const sorted = [...this.entries].sort(this.options.reverse ? (a, b) => compare(b, a) : compare);
    return this.options.limit === undefined ? sorted : sorted.slice(0, this.options.limit);
  }

  clone(): Sorted {
    return new Sorted({ ...this.options, name: this.name, dataFormat: this.dataFormat });
  }
}
