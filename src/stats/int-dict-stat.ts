import type { KindOutputs, Sample } from '../core/samples.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { type Aggregator, contributeKeys, defineStatProperty, isFiniteNumber, keyLimitOf, mapToJson, StatCell, toKey } from '../core/stat-cell.js';
import { boundedKey } from './bounded-keys.js';
import { dictProxy } from './dict-proxy.js';

/** Options of an `intDictStat`. */
export interface IntDictOptions {
  /** Remove a key whose value becomes 0 (Python's autoDelete). Default false. */
  autoDelete?: boolean;
  /**
   * At most this many keys (default: the registry's `keyLimit`, 1,000). Writes to new keys
   * beyond it go to the key `__overflow__` and are counted under `/scales/overflow`.
   */
  keyLimit?: number;
}

/** Handle of an `intDictStat`: the explicit (and fastest) way to write it. */
export interface IntDictHandle {
  /** The value of `key`; 0 when missing. */
  get(key: string): number;
  /** Adds `n` (default 1) to `key`. */
  inc(key: string, n?: number): void;
  /** Subtracts `n` (default 1) from `key`. */
  dec(key: string, n?: number): void;
  /** Sets `key`. */
  set(key: string, value: number): void;
  /** Whether `key` is present. */
  has(key: string): boolean;
  /** Removes `key` (its value leaves any sum aggregation). */
  delete(key: string): boolean;
  /** The keys present. */
  keys(): IterableIterator<string>;
  /** The number of keys present. */
  readonly size: number;
}

/**
 * `intDictStat`: `{key: number}`; a missing key reads 0, so `d[key] += 1` just works. Keys are
 * any strings, kept in a Map (no prototype involved). Bounded by a key limit.
 */
export class IntDictCell extends StatCell {
  readonly map = new Map<string, number>();
  readonly autoDelete: boolean;
  readonly keyLimit: number;

  constructor(
    name: string,
    container: StatCell['container'],
    ctx: StatCell['ctx'],
    options: IntDictOptions,
    readonly kind: string = 'intDict',
  ) {
    super(name, container, ctx);
    this.autoDelete = options.autoDelete ?? false;
    this.keyLimit = keyLimitOf(options.keyLimit, ctx.keyLimit, name);
  }

  get(key: string): number {
    return this.map.get(key) ?? 0;
  }

  set(key: string, v: unknown): void {
    if (!isFiniteNumber(v)) {
      this.ctx.reject(this, v, `not a finite number (key ${JSON.stringify(key)})`);
      return;
    }
    if (this.up === null && !this.autoDelete && this.map.size < this.keyLimit) {
      // Below the key limit nothing depends on the old value: one Map store.
      this.map.set(key, v as number);
      return;
    }
    let old = this.map.get(key);
    if (old === undefined) {
      const to = boundedKey(this.map, key, this.keyLimit, this);
      if (to !== key) {
        // The caller computed v from a missing key (0): fold that delta into the overflow key.
        key = to;
        old = this.map.get(key);
        v = (old ?? 0) + v;
      }
    }
    this.store(key, old ?? 0, v as number);
  }

  /** Adds n to key; the common case (existing key, no aggregation) is one Map get and set. */
  inc(key: string, n = 1): void {
    const old = this.map.get(key);
    if (old !== undefined && this.up === null && !this.autoDelete && isFiniteNumber(n)) this.map.set(key, old + n);
    else this.set(key, (old ?? 0) + n);
  }

  private store(key: string, old: number, v: number): void {
    if (v === 0 && this.autoDelete) this.map.delete(key);
    else this.map.set(key, v);
    if (this.up !== null) this.up.onKey(key, old, v);
  }

  delete(key: string): boolean {
    const old = this.map.get(key);
    if (old === undefined) return false;
    this.map.delete(key);
    if (this.up !== null) this.up.onKey(key, old, 0);
    return true;
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
    const proxy = dictProxy<number>({
      get: (k) => cell.get(k),
      set: (k, v) => cell.set(k, v),
      has: (k) => cell.map.has(k),
      delete: (k) => cell.delete(k),
      keys: () => cell.map.keys(),
    });
    defineStatProperty(this, target, proxy);
    const handle: IntDictHandle = {
      get: (k) => cell.get(toKey(k)),
      inc: (k, n = 1) => cell.inc(toKey(k), n),
      dec: (k, n = 1) => cell.inc(toKey(k), -n),
      set: (k, v) => cell.set(toKey(k), v),
      has: (k) => cell.map.has(toKey(k)),
      delete: (k) => cell.delete(toKey(k)),
      keys: () => cell.map.keys(),
      get size() {
        return cell.map.size;
      },
    };
    handles[this.name] = handle;
  }

  clear(): void {
    for (const k of [...this.map.keys()]) this.delete(k);
  }
}

/** The snapshot value of the numeric dict kinds: `{key: number}`. */
export type NumberDict = { [key: string]: number };

/** Every key of a numeric dict as a gauge labelled `label`, with the given delta mode. */
export function numberDictSamples(value: NumberDict, label: string, delta: 'diff' | undefined): Sample[] {
  const out: Sample[] = [];
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (typeof v === 'number') out.push(delta === undefined ? { type: 'gauge', field: [k], labels: [[label, k]], value: v } : { type: 'gauge', field: [k], labels: [[label, k]], value: v, delta });
  }
  return out;
}

/** How an intDict shows in every output: a gauge per key (label `key`), counted as per-period differences. */
export const intDictOutputs: KindOutputs<NumberDict> = {
  samples: (v) => numberDictSamples(v, 'key', 'diff'),
  family: () => 'gauge',
  display: { format: () => 'n' },
};

/**
 * Counts per key: `STATS.byPath[path] += 1` (a missing key reads 0), or the faster
 * `STATS.$.byPath.inc(path)`. `autoDelete` removes keys that fall to 0; new keys beyond
 * `keyLimit` (default 1,000) are folded into `__overflow__`.
 */
export function intDictStat<N extends string>(name: N, options: IntDictOptions = {}): StatDef<N, Record<string, number>, IntDictHandle, false> {
  return defineStat(name, 'intDict', (c, ctx) => new IntDictCell(name, c, ctx, options));
}
