import { type CounterOptions, describeStat, labelNamesOf, sameLabels } from '../core/description.js';
import { isNumber, nestedShape } from '../core/json.js';
import type { DeltaMode, KindOutputs, Sample, StatMeta } from '../core/samples.js';
import { DICT_SUM_MERGE } from '../core/merge.js';
import type { JsonValue } from '../core/snapshot.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import {
  type Aggregator,
  contributeKeys,
  decreaseReason,
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
import {
  badLabelsReason,
  combinationKey,
  forEachLeaf,
  LabelTree,
  type LabelSet,
  type LabelValues,
  labelNames,
  leafOfSet,
  type ManyLabels,
  valuesFromArgs,
  valuesOf,
} from './labels.js';

/** Options of an `intDictStat`. */
export interface IntDictOptions extends CounterOptions {
  /** Remove a key whose value becomes 0 (Python's autoDelete). Default false. */
  autoDelete?: boolean;
  /**
   * At most this many keys (default: the registry's `keyLimit`, 1,000). Writes to new keys
   * beyond it go to the key `__overflow__` and are counted under `/scales/overflow`.
   */
  keyLimit?: number;
  /**
   * The label names, outermost first: `['method', 'route', 'status']` makes a labelled dict,
   * written `inc({ method, route, status })` or through a bound child
   * (`labels('GET', '/a', 200).inc()`), its JSON nested in label order. One name only renames
   * the label of a plain dict (default `key`). The key limit counts combinations.
   */
  labels?: readonly string[];
}

/** A counter of one combination of label values (from `labels(...)`): keep it, it is the fastest write. */
export interface IntDictChild {
  /** The value; 0 when missing. */
  readonly value: number;
  /** Adds `n` (default 1). */
  inc(n?: number): void;
  /** Subtracts `n` (default 1). */
  dec(n?: number): void;
  /** Sets the value. */
  set(value: number): void;
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
  /** The counter of `key`, bound: `const c = d.labels('/a'); c.inc()`. */
  labels(key: string): IntDictChild;
}

/**
 * Handle of an `intDictStat` declared with two or more `labels` (also its property on the stats
 * object): writes name every label (`inc({ method: 'GET', route: '/a', status: 200 })`, a wrong
 * or missing name is a compile error), or go through a bound child (`labels('GET', '/a', 200)`,
 * the fastest form). A label set that is not one (a missing value, a symbol) is rejected and
 * counted under `/scales/rejected` like any bad write; no argument makes a method throw.
 */
export interface LabelledIntDictHandle<L extends readonly string[]> {
  /** The label names, outermost first. */
  readonly labelNames: L;
  /** The value of a combination; 0 when missing. */
  get(labels: LabelSet<L>): number;
  /** Adds `n` (default 1) to a combination. */
  inc(labels: LabelSet<L>, n?: number): void;
  /** Subtracts `n` (default 1) from a combination. */
  dec(labels: LabelSet<L>, n?: number): void;
  /** Sets a combination. */
  set(labels: LabelSet<L>, value: number): void;
  /** Whether a combination is present. */
  has(labels: LabelSet<L>): boolean;
  /** Removes a combination (its value leaves any sum aggregation). */
  delete(labels: LabelSet<L>): boolean;
  /** The counter of one combination, values in label order: cache it (`const ok = d.labels('GET', '/a', 200)`). */
  labels(...values: LabelValues<L>): IntDictChild;
  /** Every combination present: its values in label order, and its value. */
  entries(): IterableIterator<[values: readonly string[], value: number]>;
  /** The number of combinations present. */
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
    this.counter = options.gauge !== true;
  }

  get(key: string): number {
    return this.map.get(key) ?? 0;
  }

  set(key: string, value: unknown): void {
    if (!isFiniteNumber(value)) {
      this.ctx.reject(this, value, `not a finite number (key ${JSON.stringify(key)})`);
      return;
    }
    if (this.counter) {
      const was = this.map.get(key) ?? 0;
      if (value < was) {
        this.ctx.reject(this, value, decreaseReason(was, `, key ${JSON.stringify(key)}`));
        return;
      }
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
      if (n < 0 && this.counter) {
        this.ctx.reject(this, n, decreaseReason(this.map.get(key) ?? 0, `, key ${JSON.stringify(key)}`));
        return;
      }
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

  override feeds(kind: string, target?: StatCell): boolean {
    return kind === 'intDictSumAggregation' && sameLabels(this.description, target?.description);
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
      labels: (k) => new KeyChild(cell, k),
    };
    handles[this.name] = handle;
  }

  clear(): void {
    for (const k of [...this.map.keys()]) this.delete(k);
  }
}

/** The snapshot value of the numeric dict kinds: `{key: number}`. */
export type NumberDict = { [key: string]: number };

/**
 * Every key of a numeric dict as a gauge labelled `label`, with the given delta mode. With two
 * or more label names (`labels`, from the stat's description) the value is nested in label
 * order and every leaf a gauge carrying every label.
 */
export function numberDictSamples(value: NumberDict, label: string, delta: 'diff' | undefined, labels?: readonly string[]): Sample[] {
  const out: Sample[] = [];
  if (labels !== undefined && labels.length > 1) {
    forEachLeaf(value as JsonValue, labels, (v, field, ls) => {
      if (typeof v === 'number')
        out.push(delta === undefined ? { type: 'gauge', field, labels: ls, value: v } : { type: 'gauge', field, labels: ls, value: v, delta });
    });
    return out;
  }
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

/** The samples of a numeric dict whose label names are in its description (`key` when none). */
export function labelledNumberSamples(v: NumberDict, meta: StatMeta, delta: 'diff' | undefined): Sample[] {
  const names = labelNames(meta);
  return numberDictSamples(v, names[0], delta, names);
}

/**
 * The samples of a counting dict (intDict, intDictSumAggregation): counters (a per-period
 * output reads a decrease as a reset), or, declared `{ gauge: true }`, gauges counted as
 * per-period differences.
 */
export function countingDictSamples(v: NumberDict, meta: StatMeta, counterDelta: DeltaMode): Sample[] {
  if (meta.description?.gauge) return labelledNumberSamples(v, meta, 'diff');
  const names = labelNames(meta);
  const out: Sample[] = [];
  if (names.length > 1) {
    forEachLeaf(v as JsonValue, names, (x, field, labels) => {
      if (typeof x === 'number') out.push({ type: 'counter', field, labels, value: x, delta: counterDelta });
    });
    return out;
  }
  const label = names[0];
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (typeof x === 'number') out.push({ type: 'counter', field: [k], labels: [[label, k]], value: x, delta: counterDelta });
  }
  return out;
}

/**
 * How an intDict shows in every output: a gauge per key (label `key`, or its declared labels,
 * nested), counted as per-period differences.
 */
export const intDictOutputs: KindOutputs<NumberDict> = {
  shape: nestedShape(isNumber),
  merge: DICT_SUM_MERGE,
  samples: (v, meta) => countingDictSamples(v, meta, 'monotonic'),
  family: (_v, meta) => (meta.description?.gauge ? 'gauge' : 'counter'),
  display: { format: () => 'n' },
};

/**
 * Counts per key: `STATS.byPath[path] += 1` (a missing key reads 0), or the faster
 * `STATS.$.byPath.inc(path)`. `autoDelete` removes keys that fall to 0; new keys beyond
 * `keyLimit` (default 1,000) are folded into `__overflow__`.
 */
export function intDictStat<N extends string, const L extends ManyLabels>(
  name: N,
  options: IntDictOptions & { labels: L },
): StatDef<N, LabelledIntDictHandle<L>, LabelledIntDictHandle<L>, false>;
/** Without `labels` (or with one name), a plain dict: `STATS.byPath[path] += 1`. */
export function intDictStat<N extends string>(
  name: N,
  options?: IntDictOptions & { labels?: readonly [string] },
): StatDef<N, Record<string, number>, IntDictHandle, false>;
export function intDictStat<N extends string>(name: N, options: IntDictOptions = {}): StatDef<N, unknown, unknown, false> {
  const labels = labelNamesOf(options?.labels, name);
  const description = describeStat(name, options, labels);
  if (labels.length === 1) return defineStat(name, 'intDict', (c, ctx) => new IntDictCell(name, c, ctx, options), description);
  return defineStat(name, 'intDict', (c, ctx) => new LabelledIntDictCell(name, c, ctx, options, labels), description);
}

/** A one-key dict's bound counter: the key converted once. */
class KeyChild implements IntDictChild {
  private readonly key: string | undefined;
  constructor(
    private readonly cell: IntDictCell,
    private readonly raw: unknown,
  ) {
    this.key = toKey(raw);
  }
  get value(): number {
    return this.key === undefined ? 0 : this.cell.get(this.key);
  }
  inc(n: unknown = 1): void {
    if (this.key === undefined) this.cell.rejectKey(this.raw);
    else this.cell.inc(this.key, n);
  }
  dec(n: unknown = 1): void {
    this.inc(typeof n === 'number' ? -n : n);
  }
  set(v: unknown): void {
    if (this.key === undefined) this.cell.rejectKey(this.raw);
    else this.cell.set(this.key, v);
  }
}

/** One combination's value in a labelled dict; `live` false once it is deleted (a bound child then looks again). */
class Slot {
  n = 0;
  live = true;
  constructor(
    readonly values: readonly string[],
    /** Its key in the flat maps of aggregations. */
    readonly key: string,
  ) {}
}

/**
 * `intDictStat` with two or more labels: one counter per combination of label values, in
 * nested maps (outermost label first), the JSON nested the same way. The object form walks the
 * levels without allocating; a bound child keeps its slot and writes it directly.
 */
export class LabelledIntDictCell extends StatCell {
  readonly kind = 'intDict';
  readonly tree: LabelTree<Slot>;
  readonly autoDelete: boolean;
  /** Whether every write is a plain field update (no aggregation above, no autoDelete). */
  plain = true;

  constructor(
    name: string,
    container: StatCell['container'],
    ctx: StatCell['ctx'],
    options: IntDictOptions,
    readonly names: readonly string[],
  ) {
    super(name, container, ctx);
    this.autoDelete = options.autoDelete ?? false;
    this.tree = new LabelTree(names.length, keyLimitOf(options.keyLimit, ctx.keyLimit, name));
    this.plain = !this.autoDelete;
    this.counter = options.gauge !== true;
  }

  override linkUp(target: (StatCell & Aggregator) | null): void {
    super.linkUp(target);
    this.plain = target === null && !this.autoDelete;
  }

  /** The slot of a label set given by name, walking the levels (no allocation when it exists); undefined: not a label set. */
  slotOfSet(set: unknown): Slot | undefined {
    const found = leafOfSet(this.tree.root, set, this.names);
    if (found !== undefined) return found as Slot;
    const values = valuesOf(set, this.names);
    return values === undefined ? undefined : this.slot(values);
  }

  /** The slot of `values`, created (or folded into an overflow combination) when missing. */
  slot(values: readonly string[]): Slot {
    return this.tree.ensure(
      values,
      (v) => new Slot(v, combinationKey(v)),
      () => this.ctx.overflow(this),
    );
  }

  /** Rejects a decrease of the combination `values` (a counter's). */
  rejectDecrease(values: readonly string[], n: number): void {
    this.ctx.reject(this, n, decreaseReason(this.tree.find(values)?.n ?? 0, `, labels ${combinationKey(values)}`));
  }

  rejectSet(set: unknown): void {
    this.ctx.reject(this, set, badLabelsReason(this.names));
  }

  /** Adds `n` to a slot: a number checked before the arithmetic, the result checked finite. */
  add(s: Slot, n: unknown): void {
    if (typeof n === 'number') {
      if (n < 0 && this.counter) {
        this.ctx.reject(this, n, decreaseReason(s.n, `, labels ${s.key}`));
        return;
      }
      const v = s.n + n;
      if (isFiniteNumber(v)) {
        if (this.plain && s.live) s.n = v;
        else this.store(s, v);
        return;
      }
      if (isFiniteNumber(n)) {
        this.ctx.reject(this, n, overflowReason(`${this.path}${s.key}`, s.n));
        return;
      }
    }
    this.ctx.reject(this, n, `not a finite number (labels ${s.key})`);
  }

  /** Sets a combination (a new one beyond the key limit adds its value to the overflow combination). */
  setValues(values: readonly string[], v: unknown): void {
    if (!isFiniteNumber(v)) {
      this.ctx.reject(this, v, `not a finite number (labels ${combinationKey(values)})`);
      return;
    }
    const found = this.tree.find(values);
    if (this.counter && v < (found?.n ?? 0)) {
      this.ctx.reject(this, v, decreaseReason(found?.n ?? 0, `, labels ${combinationKey(values)}`));
      return;
    }
    if (found !== undefined) {
      this.store(found, v);
      return;
    }
    const s = this.slot(values);
    if (s.values.every((x, i) => x === values[i])) this.store(s, v);
    else this.add(s, v);
  }

  /** Adds `n` to a label set given by name (the object form). */
  incSet(set: unknown, n: unknown): void {
    if (!isFiniteNumber(n)) {
      this.ctx.reject(this, n, 'not a finite number');
      return;
    }
    if (n < 0 && this.counter) {
      // Rejected before a new combination is made for it.
      const values = valuesOf(set, this.names);
      if (values === undefined) this.rejectSet(set);
      else this.rejectDecrease(values, n);
      return;
    }
    const s = this.slotOfSet(set);
    if (s === undefined) this.rejectSet(set);
    else this.add(s, n);
  }

  private store(s: Slot, v: number): void {
    if (!s.live) {
      // Deleted since a bound child found it: the combination is made again.
      const again = this.slot(s.values);
      if (again !== s) {
        this.add(again, v - s.n);
        return;
      }
    }
    const up = this.up;
    const old = s.n;
    if (up !== null && !up.admitsKey(s.key, old, v)) {
      this.ctx.reject(
        this,
        v,
        `a finite number that would take the sum aggregation ${up.path}${s.key} beyond the double range (±${Number.MAX_VALUE})`,
      );
      return;
    }
    if (v === 0 && this.autoDelete) {
      this.tree.delete(s.values);
      s.live = false;
      s.n = 0;
    } else s.n = v;
    if (up !== null) up.onKey(s.key, old, v);
  }

  get(set: unknown): number {
    const values = valuesOf(set, this.names);
    return values === undefined ? 0 : (this.tree.find(values)?.n ?? 0);
  }

  delete(values: readonly string[]): boolean {
    const s = this.tree.delete(values);
    if (s === undefined) return false;
    s.live = false;
    const old = s.n;
    s.n = 0;
    if (this.up !== null) this.up.onKey(s.key, old, 0);
    return true;
  }

  read(): NumberDict {
    return this.tree.toJson((s) => s.n) as NumberDict;
  }

  override feeds(kind: string, target?: StatCell): boolean {
    return kind === 'intDictSumAggregation' && sameLabels(this.description, target?.description);
  }

  override contribute(target: Aggregator, sign: 1 | -1): void {
    for (const [, s] of this.tree.entries()) {
      if (sign === 1) target.onKey(s.key, 0, s.n);
      else target.onKey(s.key, s.n, 0);
    }
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const handle = new LabelledIntDictHandleImpl(this);
    defineStatProperty(this, target, handle);
    handles[this.name] = handle;
  }

  clear(): void {
    for (const [values] of [...this.tree.entries()]) this.delete(values);
  }
}

/** A labelled dict's handle as a class: monomorphic, so `inc` inlines into the caller. */
class LabelledIntDictHandleImpl implements LabelledIntDictHandle<readonly string[]> {
  constructor(private readonly cell: LabelledIntDictCell) {}
  get labelNames(): readonly string[] {
    return this.cell.names;
  }
  get(labels: unknown): number {
    return this.cell.get(labels);
  }
  inc(labels: unknown, n: unknown = 1): void {
    this.cell.incSet(labels, n);
  }
  dec(labels: unknown, n: unknown = 1): void {
    this.cell.incSet(labels, typeof n === 'number' ? -n : n);
  }
  set(labels: unknown, v: unknown): void {
    const values = valuesOf(labels, this.cell.names);
    if (values === undefined) this.cell.rejectSet(labels);
    else this.cell.setValues(values, v);
  }
  has(labels: unknown): boolean {
    const values = valuesOf(labels, this.cell.names);
    return values !== undefined && this.cell.tree.find(values) !== undefined;
  }
  delete(labels: unknown): boolean {
    const values = valuesOf(labels, this.cell.names);
    return values !== undefined && this.cell.delete(values);
  }
  labels(...values: unknown[]): IntDictChild {
    return new LabelledChild(this.cell, valuesFromArgs(values, this.cell.names.length), values);
  }
  *entries(): IterableIterator<[readonly string[], number]> {
    for (const [values, s] of this.cell.tree.entries()) yield [values, s.n];
  }
  get size(): number {
    return this.cell.tree.size;
  }
}

/**
 * A bound combination: its slot found once (on its first write) and then written directly, as
 * fast as a field update. A slot deleted since (autoDelete, delete, clear) is looked up again.
 */
class LabelledChild implements IntDictChild {
  private s: Slot | null = null;
  constructor(
    private readonly cell: LabelledIntDictCell,
    private readonly values: readonly string[] | undefined,
    private readonly raw: readonly unknown[],
  ) {}

  get value(): number {
    const s = this.s;
    if (s?.live) return s.n;
    return this.values === undefined ? 0 : (this.cell.tree.find(this.values)?.n ?? 0);
  }

  inc(n: unknown = 1): void {
    const s = this.s;
    if (s !== null && typeof n === 'number') {
      const v = s.n + n;
      if (this.cell.plain && s.live && isFiniteNumber(v) && (n >= 0 || !this.cell.counter)) {
        s.n = v;
        return;
      }
    }
    this.slow(n, false);
  }

  dec(n: unknown = 1): void {
    this.inc(typeof n === 'number' ? -n : n);
  }

  set(v: unknown): void {
    this.slow(v, true);
  }

  private slow(n: unknown, set: boolean): void {
    const cell = this.cell;
    if (this.values === undefined) {
      cell.rejectSet(this.raw);
      return;
    }
    if (set) {
      cell.setValues(this.values, n);
      return;
    }
    if (!isFiniteNumber(n)) {
      cell.ctx.reject(cell, n, 'not a finite number');
      return;
    }
    if (n < 0 && cell.counter) {
      cell.rejectDecrease(this.values, n);
      return;
    }
    let s = this.s;
    if (s === null || !s.live) {
      s = cell.slot(this.values);
      // A combination folded into an overflow one is not kept: room may come back.
      this.s = s.values.every((x, i) => x === this.values?.[i]) ? s : null;
    }
    cell.add(s, n);
  }
}
