import { type DeclarationOptions, describeStat, KEY_LABELS } from '../core/description.js';
import type { KindOutputs } from '../core/samples.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { type Aggregator, contributeKeys, defineStatProperty, keyLimitOf, mapToJson, StatCell, toKey } from '../core/stat-cell.js';
import { boundedKey, foldedKey } from './bounded-keys.js';
import { type NumberDict, numberDictSamples } from './int-dict-stat.js';
import { dictProxy } from './dict-proxy.js';

/** Options of an `intDictSumAggregationStat`. */
export interface IntDictSumAggregationOptions extends DeclarationOptions {
  /** At most this many keys (default: the registry's `keyLimit`). */
  keyLimit?: number;
}

/** Handle of an `intDictSumAggregationStat`. */
export interface IntDictSumAggregationHandle {
  /** The sum over the children of `child[key]`. */
  get(key: string): number;
  /** Every key with its sum. */
  entries(): IterableIterator<[string, number]>;
}

/**
 * `intDictSumAggregationStat`: `{key: sum over the descendants' same-named intDicts of [key]}`.
 * A child write that would take a key's sum beyond the double range is rejected by the child.
 */
export class IntDictSumAggregationCell extends StatCell implements Aggregator {
  readonly kind = 'intDictSumAggregation';
  override readonly aggregates = true;
  readonly map = new Map<string, number>();
  readonly keyLimit: number;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], options: IntDictSumAggregationOptions) {
    super(name, container, ctx);
    this.keyLimit = keyLimitOf(options.keyLimit, ctx.keyLimit, name);
  }

  onValue(): void {}

  admitsValue(): boolean {
    return true;
  }

  /** Whether a child's `key` moving from `oldValue` to `newValue` keeps this sum (and those above) finite. */
  admitsKey(key: string, oldValue: number, newValue: number): boolean {
    const d = newValue - oldValue;
    if (d === 0) return true;
    let old = this.map.get(key);
    if (old === undefined) {
      key = foldedKey(this.map, key, this.keyLimit);
      old = this.map.get(key);
    }
    const o = old ?? 0;
    const n = o + d;
    if (!(n - n === 0)) return false;
    return this.up === null || this.up.admitsKey(key, o, n);
  }

  onKey(key: string, oldValue: number, newValue: number): void {
    const d = newValue - oldValue;
    if (d === 0) return;
    let old = this.map.get(key);
    if (old === undefined) {
      key = boundedKey(this.map, key, this.keyLimit, this);
      old = this.map.get(key);
    }
    const o = old ?? 0;
    const n = o + d;
    this.map.set(key, n);
    if (this.up !== null) this.up.onKey(key, o, n);
  }

  read(): NumberDict {
    return mapToJson(this.map) as NumberDict;
  }

  override feeds(kind: string): boolean {
    return kind === 'intDictSumAggregation';
  }

  override contribute(target: Aggregator, sign: 1 | -1): void {
    contributeKeys(this.map, target, sign);
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    const view = dictProxy<number>({
      get: (k) => cell.map.get(k) ?? 0,
      has: (k) => cell.map.has(k),
      keys: () => cell.map.keys(),
      reject: (k, v) => cell.ctx.reject(cell, v, `not assignable: key ${JSON.stringify(k)} of the aggregation ${cell.path}`),
      badKey: (k) => cell.rejectKey(k),
    });
    defineStatProperty(this, target, view);
    const handle: IntDictSumAggregationHandle = {
      get: (k) => {
        const key = toKey(k);
        return key === undefined ? 0 : (cell.map.get(key) ?? 0);
      },
      entries: () => cell.map.entries(),
    };
    handles[this.name] = handle;
  }

  clear(): void {
    for (const [k, v] of [...this.map]) this.onKey(k, v, 0);
    this.map.clear();
  }
}

/** How an intDict sum aggregation shows in every output: a gauge per key (label `key`), counted as per-period differences. */
export const intDictSumAggregationOutputs: KindOutputs<NumberDict> = {
  samples: (v) => numberDictSamples(v, 'key', 'diff'),
  family: () => 'gauge',
  display: { format: () => 'n' },
};

/** `{key: sum over the descendants' same-named intDicts of [key]}` (read-only). */
export function intDictSumAggregationStat<N extends string>(
  name: N,
  options: IntDictSumAggregationOptions = {},
): StatDef<N, Readonly<Record<string, number>>, IntDictSumAggregationHandle, false> {
  return defineStat(
    name,
    'intDictSumAggregation',
    (c, ctx) => new IntDictSumAggregationCell(name, c, ctx, options),
    describeStat(name, options, KEY_LABELS),
  );
}
