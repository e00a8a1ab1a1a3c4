import type { JsonValue } from '../core/snapshot.js';
import type { DataFormat } from './data-formats.js';

/**
 * One aggregator of an {@link Aggregation} spec leaf. The instance written in the spec is a
 * prototype: the aggregation clones it for every place in the result where it collects values.
 * `addValue` validates before it changes any state and throws (with a message naming what it
 * expected) when a value does not fit; the aggregation turns that into a warning.
 */
export interface Aggregator {
  /** Key of this aggregator's result in the result tree (e.g. 'sum'). */
  readonly name: string;
  /** Adds the leaf `data` of one source. */
  addValue(source: string, data: JsonValue): void;
  /** The aggregated value, as plain JSON. */
  result(): JsonValue;
  /** A fresh aggregator with the same settings and no values. */
  clone(): Aggregator;
}

/** Options shared by the aggregators that read their input through a {@link DataFormat}. */
export interface AggregatorOptions {
  /** Key of the result (defaults to the aggregator's own name, e.g. 'sum'). */
  name?: string;
  /** Where the count and the value live in a leaf (default `DataFormats.DEFAULT`). */
  dataFormat?: DataFormat;
}

/** Returns `value` if it is a finite number, else throws an error naming `what`. */
export function requireNumber(value: JsonValue, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${what}: expected a finite number, got ${describe(value)}`);
  }
  return value;
}

/** A short description of a JSON value for error messages. */
export function describe(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    const shown = keys.slice(0, 4).join(', ');
    return `an object {${shown}${keys.length > 4 ? ', ...' : ''}}`;
  }
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`;
  return `${typeof value} ${String(value)}`;
}
