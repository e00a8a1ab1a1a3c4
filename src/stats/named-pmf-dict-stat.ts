import { describeStat, labelNamesOf } from '../core/description.js';
import { nestedShape } from '../core/json.js';
import type { KindOutputs, Sample, StatMeta } from '../core/samples.js';
import { pmfDictMerge } from './pmf-merge.js';
import type { JsonValue, PmfSnapshot, SnapshotOptions } from '../core/snapshot.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { defineStatProperty, isFiniteNumber, keyLimitOf, setKey, StatCell, toKey } from '../core/stat-cell.js';
import { boundedKey } from './bounded-keys.js';
import { dictProxy } from './dict-proxy.js';
import { entryDictSamples, LabelledEntriesCell, type LabelSet, type LabelValues, type ManyLabels } from './labels.js';
import {
  checkPmfOptions,
  isPmfShape,
  PMF_QUANTILES,
  type PmfHandle,
  PmfCell,
  type PmfOptions,
  type PmfSettings,
  pmfDisplay,
  pmfSamplesInto,
} from './pmf-stat.js';

/** Options of a `namedPmfDictStat`. */
export interface NamedPmfDictOptions extends PmfOptions {
  /** At most this many keys (default 100: each key holds a sketch of up to 32 KiB). */
  keyLimit?: number;
  /**
   * The label names, outermost first: `['method', 'route']` makes a labelled dict
   * (`record({ method, route }, v)`, `labels('GET', '/a').record(v)`), its JSON nested in label order.
   * One name only renames the label of a plain dict (default `key`). The key limit counts combinations.
   */
  labels?: readonly string[];
}

/**
 * Handle of a `namedPmfDictStat` declared with two or more `labels` (also its property on the
 * stats object). A label set that is not one is rejected and counted; no argument makes a
 * method throw.
 */
export interface LabelledPmfDictHandle<L extends readonly string[]> {
  /** The label names, outermost first. */
  readonly labelNames: L;
  /** The PmfStat of a combination, created on first use. */
  get(labels: LabelSet<L>): PmfHandle;
  /** Records `value` under a combination. */
  record(labels: LabelSet<L>, value: number): void;
  /** The PmfStat of a combination, values in label order: cache it (`d.labels('GET', '/a').time(fn)`). */
  labels(...values: LabelValues<L>): PmfHandle;
  /** The number of combinations present. */
  readonly size: number;
}

/** Default key limit of a namedPmfDictStat. */
export const DEFAULT_PMF_DICT_KEY_LIMIT = 100;

/** Handle of a `namedPmfDictStat`. */
export interface NamedPmfDictHandle {
  /**
   * The PmfStat of `key`, created on first use. A key that is no string or number (a symbol,
   * an object) is rejected and counted; the PmfStat returned then belongs to no key.
   */
  get(key: string): PmfHandle;
  /** Records `value` under `key`. */
  record(key: string, value: number): void;
  /** The keys present. */
  keys(): IterableIterator<string>;
}

/** `namedPmfDictStat`: `{key: PmfStat}`; `d[key].record(v)`, or `d[key] = v` from JavaScript. */
export class NamedPmfDictCell extends StatCell {
  readonly kind = 'namedPmfDict';
  override readonly costly = true;
  readonly map = new Map<string, PmfCell>();
  readonly keyLimit: number;

  constructor(
    name: string,
    container: StatCell['container'],
    ctx: StatCell['ctx'],
    options: NamedPmfDictOptions,
    private readonly settings: PmfSettings,
  ) {
    super(name, container, ctx);
    this.keyLimit = keyLimitOf(options.keyLimit, DEFAULT_PMF_DICT_KEY_LIMIT, name);
  }

  entry(key: string): PmfCell {
    let c = this.map.get(key);
    if (c === undefined) {
      const to = boundedKey(this.map, key, this.keyLimit, this);
      if (to !== key) return this.entry(to);
      c = new PmfCell(this.name, this.container, this.ctx, this.settings);
      this.map.set(key, c);
    }
    return c;
  }

  /** Records `v` under `key`; a value that is no finite number is rejected before any key is created. */
  record(key: string, v: unknown): void {
    if (isFiniteNumber(v)) this.entry(key).record(v);
    else this.ctx.reject(this, v, `not a finite number (key ${JSON.stringify(key)})`);
  }

  private detached: PmfCell | null = null;

  /**
   * What `get(key)` gives for a key that is no key (a symbol, an object): the write is rejected
   * and counted, and the PmfStat returned is kept apart (in no snapshot), so the caller's
   * `get(k).record(v)` does not throw either.
   */
  badKeyEntry(key: unknown): PmfCell {
    this.rejectKey(key);
    if (this.detached === null) this.detached = new PmfCell(this.name, this.container, this.ctx, this.settings);
    return this.detached;
  }

  read(options: SnapshotOptions): PmfDict {
    const out: Record<string, JsonValue> = {};
    for (const [k, c] of this.map) setKey(out, k, c.read(options));
    return out as PmfDict;
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    const proxy = dictProxy<PmfHandle>({
      get: (k) => cell.entry(k).handle,
      set: (k, v) => cell.record(k, v),
      has: (k) => cell.map.has(k),
      delete: (k) => cell.map.delete(k),
      keys: () => cell.map.keys(),
      badKey: (k) => cell.rejectKey(k),
      badGet: (k) => cell.badKeyEntry(k).handle,
    });
    defineStatProperty(this, target, proxy);
    const handle: NamedPmfDictHandle = {
      get: (k) => {
        const key = toKey(k);
        return key === undefined ? cell.badKeyEntry(k).handle : cell.entry(key).handle;
      },
      record: (k, v) => {
        const key = toKey(k);
        if (key === undefined) cell.rejectKey(k);
        else cell.record(key, v);
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

/** The snapshot value of a namedPmfDict: `{key: PmfSnapshot}`. */
export type PmfDict = { [key: string]: PmfSnapshot };

function pmfDictSamples(value: PmfDict, meta: StatMeta): Sample[] {
  return entryDictSamples(value, meta, pmfSamplesInto);
}

/** How a namedPmfDict shows in every output: a pmf's samples per key (label `key`). */
export const namedPmfDictOutputs: KindOutputs<PmfDict> = {
  shape: nestedShape(isPmfShape),
  merge: pmfDictMerge<PmfDict>(PMF_QUANTILES),
  samples: pmfDictSamples,
  family: () => 'summary',
  display: pmfDisplay(1),
};

/** A PmfStat per key: `STATS.byRoute[route].record(seconds)`; with `labels`, per combination. */
export function namedPmfDictStat<N extends string, const L extends ManyLabels>(
  name: N,
  options: NamedPmfDictOptions & { labels: L },
): StatDef<N, LabelledPmfDictHandle<L>, LabelledPmfDictHandle<L>, false>;
/** Without `labels` (or with one name), a plain dict: `STATS.byRoute[route].record(seconds)`. */
export function namedPmfDictStat<N extends string>(
  name: N,
  options?: NamedPmfDictOptions & { labels?: readonly [string] },
): StatDef<N, Record<string, PmfHandle>, NamedPmfDictHandle, false>;
export function namedPmfDictStat<N extends string>(name: N, options: NamedPmfDictOptions = {}): StatDef<N, unknown, unknown, false> {
  const labels = labelNamesOf(options?.labels, name);
  const settings = checkPmfOptions(name, options);
  const description = describeStat(name, options, labels, settings.unit);
  if (labels.length === 1) return defineStat(name, 'namedPmfDict', (c, ctx) => new NamedPmfDictCell(name, c, ctx, options, settings), description);
  return defineStat(name, 'namedPmfDict', (c, ctx) => new LabelledPmfDictCell(name, c, ctx, options, settings, labels), description);
}

/** `namedPmfDictStat` with two or more labels: a PmfStat per combination of label values, nested in label order. */
export class LabelledPmfDictCell extends LabelledEntriesCell<PmfCell> {
  readonly kind = 'namedPmfDict';

  constructor(
    name: string,
    container: StatCell['container'],
    ctx: StatCell['ctx'],
    options: NamedPmfDictOptions,
    settings: PmfSettings,
    names: readonly string[],
  ) {
    super(
      name,
      container,
      ctx,
      names,
      keyLimitOf(options.keyLimit, DEFAULT_PMF_DICT_KEY_LIMIT, name),
      () => new PmfCell(name, container, ctx, settings),
    );
  }

  /** Records `v` under a label set; a value that is no finite number is rejected before any combination is created. */
  record(set: unknown, v: unknown): void {
    this.cellFor(set, v)?.record(v as number);
  }

  read(options: SnapshotOptions): PmfDict {
    return this.cells.tree.toJson((c) => c.read(options)) as PmfDict;
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    const handle: LabelledPmfDictHandle<readonly string[]> = {
      labelNames: cell.cells.names,
      get: (set) => cell.cells.handleOf(set, false).handle,
      record: (set, v) => cell.record(set, v),
      labels: (...values) => cell.cells.handleOf(values, true).handle,
      get size() {
        return cell.cells.tree.size;
      },
    };
    defineStatProperty(this, target, handle);
    handles[this.name] = handle;
  }
}
