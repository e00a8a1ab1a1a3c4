import { type DeclarationOptions, describeStat, KEY_LABELS } from '../core/description.js';
import type { KindOutputs, Sample } from '../core/samples.js';
import type { JsonValue, MeterSnapshot } from '../core/snapshot.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { defineStatProperty, isFiniteNumber, keyLimitOf, setKey, StatCell, toKey } from '../core/stat-cell.js';
import { boundedKey } from './bounded-keys.js';
import { dictProxy } from './dict-proxy.js';
import { MeterCell, type MeterHandle, meterDisplay, meterSamplesInto } from './meter-stat.js';

/** Options of a `meterDictStat`. */
export interface MeterDictOptions extends DeclarationOptions {
  /** At most this many keys (default: the registry's `keyLimit`). */
  keyLimit?: number;
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

function meterDictSamples(value: MeterDict): Sample[] {
  const out: Sample[] = [];
  for (const k of Object.keys(value)) meterSamplesInto(out, value[k], [k], [['key', k]]);
  return out;
}

/** How a meterDict shows in every output: a meter's samples per key (label `key`). */
export const meterDictOutputs: KindOutputs<MeterDict> = {
  samples: meterDictSamples,
  family: () => 'counter',
  display: meterDisplay(1),
};

/** A meter per key: `STATS.hitsByRoute[route].mark()`. */
export function meterDictStat<N extends string>(
  name: N,
  options: MeterDictOptions = {},
): StatDef<N, Record<string, MeterHandle>, MeterDictHandle, false> {
  return defineStat(name, 'meterDict', (c, ctx) => new MeterDictCell(name, c, ctx, options), describeStat(name, options, KEY_LABELS));
}
