import { type DeclarationOptions, describeStat, KEY_LABELS } from '../core/description.js';
import { isNumber, nestedShape } from '../core/json.js';
import type { KindOutputs } from '../core/samples.js';
import { CURRENT_DICT_SUM_MERGE } from '../core/merge.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { type Aggregator, defineStatProperty, keyLimitOf, mapToJson, OVERFLOW_KEY, StatCell, toKey } from '../core/stat-cell.js';
import { boundedKey } from './bounded-keys.js';
import { type NumberDict, numberDictSamples } from './int-dict-stat.js';
import { dictProxy } from './dict-proxy.js';
import { histogramKey } from './value-stat.js';

/** Options of a `histogramAggregationStat`. */
export interface HistogramAggregationOptions extends DeclarationOptions {
  /** Remove a value whose count falls to 0 (default false: it stays, showing 0). */
  autoDelete?: boolean;
  /** At most this many distinct values (default: the registry's `keyLimit`). */
  keyLimit?: number;
}

/** Handle of a `histogramAggregationStat`. */
export interface HistogramAggregationHandle {
  /** How many children hold `value` now. */
  get(value: string): number;
  /** Every value with its count. */
  entries(): IterableIterator<[string, number]>;
}

/**
 * `histogramAggregationStat`: `{value: number of descendants currently holding that value}`
 * over the same-named stats of the descendants. Counts fall to 0 when children move away
 * (or the value is removed, with autoDelete).
 */
export class HistogramAggregationCell extends StatCell implements Aggregator {
  readonly kind = 'histogramAggregation';
  override readonly aggregates = true;
  override readonly forgetsRemoved = true;
  readonly counts = new Map<string, number>();
  readonly autoDelete: boolean;
  readonly keyLimit: number;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], options: HistogramAggregationOptions) {
    super(name, container, ctx);
    this.autoDelete = options.autoDelete ?? false;
    this.keyLimit = keyLimitOf(options.keyLimit, ctx.keyLimit, name);
  }

  onValue(oldValue: unknown, newValue: unknown): void {
    const ko = histogramKey(oldValue);
    const kn = histogramKey(newValue);
    if (ko === kn) return;
    if (ko !== undefined) this.add(ko, -1);
    if (kn !== undefined) this.add(kn, 1);
    // Histograms of further ancestors count the same leaves: pass the move on unchanged.
    if (this.up !== null) this.up.onValue(oldValue, newValue);
  }

  onKey(): void {}

  /** Counts cannot overflow: every write is admitted. */
  admitsValue(): boolean {
    return true;
  }

  admitsKey(): boolean {
    return true;
  }

  private add(key: string, d: number): void {
    let c = this.counts.get(key);
    if (c === undefined) {
      if (d < 0) {
        // The value was folded into the overflow key when it was counted.
        c = this.counts.get(OVERFLOW_KEY);
        if (c === undefined) return;
        key = OVERFLOW_KEY;
      } else {
        key = boundedKey(this.counts, key, this.keyLimit, this);
        c = this.counts.get(key);
      }
    }
    const n = (c ?? 0) + d;
    if (n <= 0 && this.autoDelete) this.counts.delete(key);
    else this.counts.set(key, Math.max(0, n));
  }

  read(): NumberDict {
    return mapToJson(this.counts) as NumberDict;
  }

  override feeds(kind: string): boolean {
    return kind === 'histogramAggregation';
  }

  override contribute(target: Aggregator, sign: 1 | -1): void {
    // Replays the leaves counted here, so a histogram linked late to an ancestor's brings them.
    for (const [k, n] of this.counts) {
      for (let i = 0; i < n; i++) {
        if (sign === 1) target.onValue(undefined, k);
        else target.onValue(k, undefined);
      }
    }
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    const view = dictProxy<number>({
      get: (k) => cell.counts.get(k) ?? 0,
      has: (k) => cell.counts.has(k),
      keys: () => cell.counts.keys(),
      reject: (k, v) => cell.ctx.reject(cell, v, `not assignable: key ${JSON.stringify(k)} of the aggregation ${cell.path}`),
      badKey: (k) => cell.rejectKey(k),
    });
    defineStatProperty(this, target, view);
    const handle: HistogramAggregationHandle = {
      get: (v) => {
        const key = toKey(v);
        return key === undefined ? 0 : (cell.counts.get(key) ?? 0);
      },
      entries: () => cell.counts.entries(),
    };
    handles[this.name] = handle;
  }

  clear(): void {
    // Derived from the descendants' current values, which clearing them resets: nothing to do.
  }
}

/** How a histogram aggregation shows in every output: a gauge per value (label `key`). */
export const histogramAggregationOutputs: KindOutputs<NumberDict> = {
  shape: nestedShape(isNumber),
  merge: CURRENT_DICT_SUM_MERGE,
  samples: (v) => numberDictSamples(v, 'key', undefined),
  family: () => 'gauge',
  display: { format: () => 'n' },
};

/** `{value: how many descendants hold it now}` over the same-named stats of the descendants. */
export function histogramAggregationStat<N extends string>(
  name: N,
  options: HistogramAggregationOptions = {},
): StatDef<N, Readonly<Record<string, number>>, HistogramAggregationHandle, false> {
  return defineStat(
    name,
    'histogramAggregation',
    (c, ctx) => new HistogramAggregationCell(name, c, ctx, options),
    describeStat(name, options, KEY_LABELS),
  );
}
