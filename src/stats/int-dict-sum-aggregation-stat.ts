import { type CounterOptions, describeStat, labelNamesOf, sameLabels } from '../core/description.js';
import { isNumber, nestedShape } from '../core/json.js';
import type { KindOutputs } from '../core/samples.js';
import { DICT_SUM_MERGE } from '../core/merge.js';
import type { JsonValue } from '../core/snapshot.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import {
  type Aggregator,
  contributeKeys,
  defineStatProperty,
  keyLimitOf,
  mapToJson,
  OVERFLOW_KEY,
  StatCell,
  setKey,
  toKey,
} from '../core/stat-cell.js';
import { boundedKey, foldedKey } from './bounded-keys.js';
import { countingDictSamples, type NumberDict } from './int-dict-stat.js';
import { dictProxy } from './dict-proxy.js';
import { combinationKey, type LabelValue, valuesOf, valuesOfCombinationKey } from './labels.js';

/** Options of an `intDictSumAggregationStat`. */
export interface IntDictSumAggregationOptions extends CounterOptions {
  /** At most this many keys (default: the registry's `keyLimit`). */
  keyLimit?: number;
  /**
   * The label names of the intDicts it sums (they must be declared with the same ones): the
   * sums are then nested in label order like theirs. The key limit counts combinations.
   */
  labels?: readonly string[];
}

/** Handle of an `intDictSumAggregationStat`. */
export interface IntDictSumAggregationHandle {
  /** The sum over the children of `child[key]` (for labelled dicts, of a label set: `get({ method: 'GET', status: 200 })`). */
  get(key: string | { readonly [label: string]: LabelValue }): number;
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
  /** The key that new keys beyond the limit fold into: `__overflow__`, or every label's `__overflow__` for labelled dicts. */
  readonly overflowKey: string;

  constructor(
    name: string,
    container: StatCell['container'],
    ctx: StatCell['ctx'],
    options: IntDictSumAggregationOptions,
    readonly names: readonly string[] = ['key'],
  ) {
    super(name, container, ctx);
    this.keyLimit = keyLimitOf(options.keyLimit, ctx.keyLimit, name);
    this.counter = options.gauge !== true;
    this.overflowKey = names.length === 1 ? OVERFLOW_KEY : combinationKey(names.map(() => OVERFLOW_KEY));
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
      key = foldedKey(this.map, key, this.keyLimit, this.overflowKey);
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
      key = boundedKey(this.map, key, this.keyLimit, this, this.overflowKey);
      old = this.map.get(key);
    }
    const o = old ?? 0;
    const n = o + d;
    this.map.set(key, n);
    if (this.up !== null) this.up.onKey(key, o, n);
  }

  read(): NumberDict {
    if (this.names.length === 1) return mapToJson(this.map) as NumberDict;
    // Labelled: the flat combination keys nested in label order.
    const out: { [key: string]: JsonValue } = {};
    for (const [k, n] of this.map) {
      const values = valuesOfCombinationKey(k, this.names.length);
      if (values === undefined) continue;
      let o = out;
      for (let i = 0; i < values.length - 1; i++) {
        let next = Object.hasOwn(o, values[i]) ? o[values[i]] : undefined;
        if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
          next = {};
          setKey(o, values[i], next);
        }
        o = next;
      }
      setKey(o, values[values.length - 1], n);
    }
    return out as NumberDict;
  }

  /** The map key of what a handle is given: a key, or (labelled) a label set. */
  keyOf(k: unknown): string | undefined {
    if (this.names.length === 1) return toKey(k);
    const values = valuesOf(k, this.names);
    return values === undefined ? undefined : combinationKey(values);
  }

  override feeds(kind: string, target?: StatCell): boolean {
    return kind === 'intDictSumAggregation' && sameLabels(this.description, target?.description);
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
        const key = cell.keyOf(k);
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
  shape: nestedShape(isNumber),
  merge: DICT_SUM_MERGE,
  samples: (v, meta) => countingDictSamples(v, meta, 'diff'),
  family: (_v, meta) => (meta.description?.gauge ? 'gauge' : 'counter'),
  display: { format: () => 'n' },
};

/** `{key: sum over the descendants' same-named intDicts of [key]}` (read-only). */
export function intDictSumAggregationStat<N extends string>(
  name: N,
  options: IntDictSumAggregationOptions = {},
): StatDef<N, Readonly<Record<string, number>>, IntDictSumAggregationHandle, false> {
  const labels = labelNamesOf(options?.labels, name);
  return defineStat(
    name,
    'intDictSumAggregation',
    (c, ctx) => new IntDictSumAggregationCell(name, c, ctx, options, labels),
    describeStat(name, options, labels),
  );
}
