import type { JsonValue } from '../core/snapshot.js';
import type { Aggregator } from './aggregator.js';
import { DataFormats, type DataFormat } from './data-formats.js';

/** Options of {@link Highlight}. */
export interface HighlightOptions {
  /** Where the compared value lives in a leaf (default DIRECT: the leaf itself, as in Python). */
  dataFormat?: DataFormat;
}

/**
 * Picks one source's value: `fn(current, candidate)` returns true when `candidate` should
 * replace the value picked so far. Result: `{source, value}` (the first source wins ties).
 * `Highlight.max()` and `Highlight.min()` pick the largest and smallest number.
 * @example
 * new Highlight('slowest', (cur, next) => (next as number) > (cur as number),
 *   { dataFormat: DataFormats.field('99percentile') })
 */
export class Highlight implements Aggregator {
  readonly name: string;
  private readonly fn: (current: JsonValue, candidate: JsonValue) => boolean;
  private readonly dataFormat: DataFormat;
  private source: string | null = null;
  private value: JsonValue = null;

  constructor(name: string, fn: (current: JsonValue, candidate: JsonValue) => boolean, options: HighlightOptions = {}) {
    this.name = name;
    this.fn = fn;
    this.dataFormat = options.dataFormat ?? DataFormats.DIRECT;
  }

  /** Highlights the largest number (non-numbers are skipped with a warning). */
  static max(name = 'max', options: HighlightOptions = {}): Highlight {
    return new Highlight(name, (cur, next) => requireNumeric(next, name) > (cur as number), options);
  }

  /** Highlights the smallest number (non-numbers are skipped with a warning). */
  static min(name = 'min', options: HighlightOptions = {}): Highlight {
    return new Highlight(name, (cur, next) => requireNumeric(next, name) < (cur as number), options);
  }

  addValue(source: string, data: JsonValue): void {
    const value = this.dataFormat.getValue(data);
    if (this.source === null) {
      // Run fn once against itself so a type check inside it (max/min) sees the first value too.
      this.fn(value, value);
      this.source = source;
      this.value = value;
    } else if (this.fn(this.value, value)) {
      this.source = source;
      this.value = value;
    }
  }

  result(): JsonValue {
    return { source: this.source, value: this.value };
  }

  clone(): Highlight {
    return new Highlight(this.name, this.fn, { dataFormat: this.dataFormat });
  }
}

function requireNumeric(value: JsonValue, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${name}: expected a number, got ${value === null ? 'null' : typeof value}`);
  }
  return value;
}
