import type { KindOutputs, Sample } from '../core/samples.js';
import type { JsonValue, PmfSnapshot, SnapshotOptions } from '../core/snapshot.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { defineStatProperty, keyLimitOf, setKey, StatCell, toKey } from '../core/stat-cell.js';
import { boundedKey } from './bounded-keys.js';
import { dictProxy } from './dict-proxy.js';
import { type PmfHandle, PmfCell, type PmfOptions, pmfDisplay, pmfSamplesInto } from './pmf-stat.js';

/** Options of a `namedPmfDictStat`. */
export interface NamedPmfDictOptions extends PmfOptions {
  /** At most this many keys (default 100: each key holds a sketch of up to 32 KiB). */
  keyLimit?: number;
}

/** Default key limit of a namedPmfDictStat. */
export const DEFAULT_PMF_DICT_KEY_LIMIT = 100;

/** Handle of a `namedPmfDictStat`. */
export interface NamedPmfDictHandle {
  /** The PmfStat of `key`, created on first use. */
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
    private readonly options: NamedPmfDictOptions,
  ) {
    super(name, container, ctx);
    this.keyLimit = keyLimitOf(options.keyLimit, DEFAULT_PMF_DICT_KEY_LIMIT, name);
  }

  entry(key: string): PmfCell {
    let c = this.map.get(key);
    if (c === undefined) {
      const to = boundedKey(this.map, key, this.keyLimit, this);
      if (to !== key) return this.entry(to);
      c = new PmfCell(this.name, this.container, this.ctx, this.options);
      this.map.set(key, c);
    }
    return c;
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
      set: (k, v) => cell.entry(k).record(v as number),
      has: (k) => cell.map.has(k),
      delete: (k) => cell.map.delete(k),
      keys: () => cell.map.keys(),
    });
    defineStatProperty(this, target, proxy);
    const handle: NamedPmfDictHandle = {
      get: (k) => cell.entry(toKey(k)).handle,
      record: (k, v) => cell.entry(toKey(k)).record(v),
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

function pmfDictSamples(value: PmfDict): Sample[] {
  const out: Sample[] = [];
  for (const k of Object.keys(value)) pmfSamplesInto(out, value[k], [k], [['key', k]]);
  return out;
}

/** How a namedPmfDict shows in every output: a pmf's samples per key (label `key`). */
export const namedPmfDictOutputs: KindOutputs<PmfDict> = {
  samples: pmfDictSamples,
  family: () => 'summary',
  display: pmfDisplay(1),
};

/** A PmfStat per key: `STATS.byRoute[route].record(seconds)`. */
export function namedPmfDictStat<N extends string>(name: N, options: NamedPmfDictOptions = {}): StatDef<N, Record<string, PmfHandle>, NamedPmfDictHandle, false> {
  return defineStat(name, 'namedPmfDict', (c, ctx) => new NamedPmfDictCell(name, c, ctx, options));
}
