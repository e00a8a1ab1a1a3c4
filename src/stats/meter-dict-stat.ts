import { type DeclarationOptions, describeStat, labelNamesOf } from '../core/description.js';
import { nestedShape } from '../core/json.js';
import type { KindOutputs, Sample, StatMeta } from '../core/samples.js';
import { meterDictMerge } from './meter-merge.js';
import type { JsonValue, MeterSnapshot } from '../core/snapshot.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { defineStatProperty, isFiniteNumber, keyLimitOf, setKey, StatCell, toKey } from '../core/stat-cell.js';
import { boundedKey } from './bounded-keys.js';
import { dictProxy } from './dict-proxy.js';
import { entryDictSamples, LabelledEntriesCell, type LabelSet, type LabelValues, type ManyLabels } from './labels.js';
import { isMeterShape, MeterCell, type MeterHandle, meterDisplay, meterSamplesInto } from './meter-stat.js';

/** Options of a `meterDictStat`. */
export interface MeterDictOptions extends DeclarationOptions {
  /** At most this many keys (default: the registry's `keyLimit`). */
  keyLimit?: number;
  /**
   * The label names, outermost first: `['method', 'route']` makes a labelled dict
   * (`mark({ method, route })`, `labels('GET', '/a').mark()`), its JSON nested in label order.
   * One name only renames the label of a plain dict (default `key`). The key limit counts combinations.
   */
  labels?: readonly string[];
}

/**
 * Handle of a `meterDictStat` declared with two or more `labels` (also its property on the
 * stats object). A label set that is not one is rejected and counted; no argument makes a
 * method throw.
 */
export interface LabelledMeterDictHandle<L extends readonly string[]> {
  /** The label names, outermost first. */
  readonly labelNames: L;
  /** The meter of a combination, created on first use. */
  get(labels: LabelSet<L>): MeterHandle;
  /** Counts `n` events (default 1) under a combination. */
  mark(labels: LabelSet<L>, n?: number): void;
  /** The meter of a combination, values in label order: cache it (`d.labels('GET', '/a').mark()`). */
  labels(...values: LabelValues<L>): MeterHandle;
  /** The number of combinations present. */
  readonly size: number;
}

/** Handle of a `meterDictStat`. */
export interface MeterDictHandle {
  /**
   * The meter of `key`, created on first use. A key that is no string or number (a symbol, an
   * object) is rejected and counted; the meter returned then belongs to no key.
   */
  get(key: string): MeterHandle;
  /** Counts `n` events (default 1) under `key`. */
  mark(key: string, n?: number): void;
  /** The keys present. */
  keys(): IterableIterator<string>;
}

/** `meterDictStat`: `{key: meter}`; `d[key].mark()`. */
export class MeterDictCell extends StatCell {
  readonly kind = 'meterDict';
  override readonly costly = true;
  readonly map = new Map<string, MeterCell>();
  readonly keyLimit: number;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], options: MeterDictOptions) {
    super(name, container, ctx);
    this.counter = true;
    this.keyLimit = keyLimitOf(options.keyLimit, ctx.keyLimit, name);
  }

  entry(key: string): MeterCell {
    let c = this.map.get(key);
    if (c === undefined) {
      const to = boundedKey(this.map, key, this.keyLimit, this);
      if (to !== key) return this.entry(to);
      c = new MeterCell(this.name, this.container, this.ctx);
      this.map.set(key, c);
    }
    return c;
  }

  /** Marks `n` under `key`; a value that is no finite number is rejected before any key is created. */
  mark(key: string, n: unknown): void {
    if (isFiniteNumber(n)) this.entry(key).mark(n);
    else this.ctx.reject(this, n, `not a finite number (key ${JSON.stringify(key)})`);
  }

  private detached: MeterCell | null = null;

  /**
   * What `get(key)` gives for a key that is no key (a symbol, an object): the write is rejected
   * and counted, and the meter returned is kept apart (in no snapshot), so the caller's
   * `get(k).mark()` does not throw either.
   */
  badKeyEntry(key: unknown): MeterCell {
    this.rejectKey(key);
    if (this.detached === null) this.detached = new MeterCell(this.name, this.container, this.ctx);
    return this.detached;
  }

  read(): MeterDict {
    const out: Record<string, JsonValue> = {};
    for (const [k, c] of this.map) setKey(out, k, c.read());
    return out as MeterDict;
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    const proxy = dictProxy<MeterHandle>({
      get: (k) => cell.entry(k).handle,
      set: (k, v) => cell.mark(k, v),
      has: (k) => cell.map.has(k),
      delete: (k) => cell.map.delete(k),
      keys: () => cell.map.keys(),
      badKey: (k) => cell.rejectKey(k),
      badGet: (k) => cell.badKeyEntry(k).handle,
    });
    defineStatProperty(this, target, proxy);
    const handle: MeterDictHandle = {
      get: (k) => {
        const key = toKey(k);
        return key === undefined ? cell.badKeyEntry(k).handle : cell.entry(key).handle;
      },
      mark: (k, n = 1) => {
        const key = toKey(k);
        if (key === undefined) cell.rejectKey(k);
        else cell.mark(key, n);
      },
      keys: () => cell.map.keys(),
    };
    handles[this.name] = handle;
  }

  clear(): void {
    // Keys stay (handles held by callers keep working); their values start again.
    for (const c of this.map.values()) c.clear();
  }
}

/** The snapshot value of a meterDict: `{key: MeterSnapshot}`. */
export type MeterDict = { [key: string]: MeterSnapshot };

function meterDictSamples(value: MeterDict, meta: StatMeta): Sample[] {
  return entryDictSamples(value, meta, meterSamplesInto);
}

/** How a meterDict shows in every output: a meter's samples per key (label `key`). */
export const meterDictOutputs: KindOutputs<MeterDict> = {
  shape: nestedShape(isMeterShape),
  merge: meterDictMerge<MeterDict>(),
  samples: meterDictSamples,
  family: () => 'counter',
  display: meterDisplay(1),
};

/** A meter per key: `STATS.hitsByRoute[route].mark()`. */
export function meterDictStat<N extends string, const L extends ManyLabels>(
  name: N,
  options: MeterDictOptions & { labels: L },
): StatDef<N, LabelledMeterDictHandle<L>, LabelledMeterDictHandle<L>, false>;
/** Without `labels` (or with one name), a plain dict: `STATS.hitsByRoute[route].mark()`. */
export function meterDictStat<N extends string>(
  name: N,
  options?: MeterDictOptions & { labels?: readonly [string] },
): StatDef<N, Record<string, MeterHandle>, MeterDictHandle, false>;
export function meterDictStat<N extends string>(name: N, options: MeterDictOptions = {}): StatDef<N, unknown, unknown, false> {
  const labels = labelNamesOf(options?.labels, name);
  const description = describeStat(name, options, labels);
  if (labels.length === 1) return defineStat(name, 'meterDict', (c, ctx) => new MeterDictCell(name, c, ctx, options), description);
  return defineStat(name, 'meterDict', (c, ctx) => new LabelledMeterDictCell(name, c, ctx, options, labels), description);
}

/** `meterDictStat` with two or more labels: a meter per combination of label values, nested in label order. */
export class LabelledMeterDictCell extends LabelledEntriesCell<MeterCell> {
  readonly kind = 'meterDict';

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], options: MeterDictOptions, names: readonly string[]) {
    super(name, container, ctx, names, keyLimitOf(options.keyLimit, ctx.keyLimit, name), () => new MeterCell(name, container, ctx));
    this.counter = true;
  }

  /** Marks `n` under a label set; a value that is no finite number is rejected before any combination is created. */
  mark(set: unknown, n: unknown): void {
    this.cellFor(set, n)?.mark(n as number);
  }

  read(): MeterDict {
    return this.cells.tree.toJson((c) => c.read()) as MeterDict;
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    const handle: LabelledMeterDictHandle<readonly string[]> = {
      labelNames: cell.cells.names,
      get: (set) => cell.cells.handleOf(set, false).handle,
      mark: (set, n = 1) => cell.mark(set, n),
      labels: (...values) => cell.cells.handleOf(values, true).handle,
      get size() {
        return cell.cells.tree.size;
      },
    };
    defineStatProperty(this, target, handle);
    handles[this.name] = handle;
  }
}
