import { type DeclarationOptions, describeStat, KEY_LABELS } from '../core/description.js';
import type { KindOutputs, Sample } from '../core/samples.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import {
  type Aggregator,
  contributeKeys,
  defineStatProperty,
  isFiniteNumber,
  keyLimitOf,
  mapToJson,
  overflowReason,
  StatCell,
  toKey,
} from '../core/stat-cell.js';
import { foldedKey } from './bounded-keys.js';
import { dictProxy } from './dict-proxy.js';

/** Options of an `intDictStat`. */
export interface IntDictOptions extends DeclarationOptions {
  /** Remove a key whose value becomes 0 (Python's autoDelete). Default false. */
  autoDelete?: boolean;
  /**
   * At most this many keys (default: the registry's `keyLimit`, 1,000). Writes to new keys
   * beyond it go to the key `__overflow__` and are counted under `/scales/overflow`.
   */
  keyLimit?: number;
}

/**
 * Handle of an `intDictStat`: the explicit (and fastest) way to write it. A key that is no
 * string (numbers, bigints and booleans are converted; symbols and objects are not), a value
 * that is no finite number, or a result beyond the double range is rejected and counted under
 * `/scales/rejected`; no argument makes a method throw.
 */
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

  set(key: string, value: unknown): void {
    if (!isFiniteNumber(value)) {
      this.ctx.reject(this, value, `not a finite number (key ${JSON.stringify(key)})`);
      return;
    }
    let v = value;
    if (this.up === null && !this.autoDelete && this.map.size < this.keyLimit) {
      // Below the key limit nothing depends on the old value: one Map store.
      this.map.set(key, v);
      return;
    }
    let old = this.map.get(key);
    if (old === undefined) {
      const to = foldedKey(this.map, key, this.keyLimit);
      if (to !== key) {
        // The caller computed v from a missing key (0): fold that delta into the overflow key
        // (reported once the folded value is known to be in range).
        key = to;
        old = this.map.get(key);
        const folded = (old ?? 0) + v;
        if (!isFiniteNumber(folded)) {
          this.ctx.reject(this, v, overflowReason(`${this.path}[${JSON.stringify(key)}]`, old ?? 0));
          return;
        }
        this.ctx.overflow(this);
        v = folded;
      }
    }
    this.store(key, old ?? 0, v);
  }

  /**
   * Adds n to key; the common case (existing key, no aggregation) is one Map get and set. `n`
   * is checked to be a number before any arithmetic, the result to be finite.
   */
  inc(key: string, n: unknown = 1): void {
    if (typeof n === 'number') {
      const old = this.map.get(key);
      const v = (old ?? 0) + n;
      if (isFiniteNumber(v)) {
        if (old !== undefined && this.up === null && !this.autoDelete) this.map.set(key, v);
        else this.set(key, v);
        return;
      }
      if (isFiniteNumber(n)) {
        this.ctx.reject(this, n, overflowReason(`${this.path}[${JSON.stringify(key)}]`, old ?? 0));
        return;
      }
    }
    this.ctx.reject(this, n, `not a finite number (key ${JSON.stringify(key)})`);
  }

  private store(key: string, old: number, v: number): void {
    const up = this.up;
    if (up !== null && !up.admitsKey(key, old, v)) {
      this.ctx.reject(
        this,
        v,
        `a finite number that would take the sum aggregation ${up.path}[${JSON.stringify(key)}] beyond the double range (±${Number.MAX_VALUE})`,
      );
      return;
    }
    if (v === 0 && this.autoDelete) this.map.delete(key);
    else this.map.set(key, v);
    if (up !== null) up.onKey(key, old, v);
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
      badKey: (k) => cell.rejectKey(k),
    });
    defineStatProperty(this, target, proxy);
    // Keys are converted without running user code (toKey), values checked before arithmetic:
    // no argument makes a handle method throw.
    const handle: IntDictHandle = {
      get: (k) => {
        const key = toKey(k);
        return key === undefined ? 0 : cell.get(key);
      },
      inc: (k, n = 1) => {
        const key = toKey(k);
        if (key === undefined) cell.rejectKey(k);
        else cell.inc(key, n);
      },
      dec: (k, n = 1) => {
        const key = toKey(k);
        if (key === undefined) cell.rejectKey(k);
        else cell.inc(key, typeof n === 'number' ? -n : n);
      },
      set: (k, v) => {
        const key = toKey(k);
        if (key === undefined) cell.rejectKey(k);
        else cell.set(key, v);
      },
      has: (k) => {
        const key = toKey(k);
        return key !== undefined && cell.map.has(key);
      },
      delete: (k) => {
        const key = toKey(k);
        return key !== undefined && cell.delete(key);
      },
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
    if (typeof v === 'number')
      out.push(
        delta === undefined
          ? { type: 'gauge', field: [k], labels: [[label, k]], value: v }
          : { type: 'gauge', field: [k], labels: [[label, k]], value: v, delta },
      );
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
  return defineStat(name, 'intDict', (c, ctx) => new IntDictCell(name, c, ctx, options), describeStat(name, options, KEY_LABELS));
}
