import { type DeclarationOptions, describeStat, KEY_LABELS } from '../core/description.js';
import { nestedShape } from '../core/json.js';
import type { KindOutputs, Sample } from '../core/samples.js';
import { LATEST_TEXT_MERGE } from '../core/merge.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { defineStatProperty, keyLimitOf, mapToJson, StatCell, toKey } from '../core/stat-cell.js';
import { boundedKey } from './bounded-keys.js';
import { dictProxy } from './dict-proxy.js';

/** Options of a `stringDictStat`. */
export interface StringDictOptions extends DeclarationOptions {
  /** At most this many keys (default: the registry's `keyLimit`); later new keys go to `__overflow__`. */
  keyLimit?: number;
}

/** Handle of a `stringDictStat`. */
export interface StringDictHandle {
  /** The value of `key`; '' when missing. */
  get(key: string): string;
  /** Sets `key`. */
  set(key: string, value: string): void;
  /** Whether `key` is present. */
  has(key: string): boolean;
  /** Removes `key`. */
  delete(key: string): boolean;
  /** The keys present. */
  keys(): IterableIterator<string>;
  /** The number of keys present. */
  readonly size: number;
}

/** `stringDictStat`: `{key: string}`, a missing key reads ''. Bounded by a key limit. */
export class StringDictCell extends StatCell {
  readonly kind = 'stringDict';
  readonly map = new Map<string, string>();
  readonly keyLimit: number;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], options: StringDictOptions) {
    super(name, container, ctx);
    this.keyLimit = keyLimitOf(options.keyLimit, ctx.keyLimit, name);
  }

  get(key: string): string {
    return this.map.get(key) ?? '';
  }

  set(key: string, v: unknown): void {
    if (typeof v !== 'string') {
      this.ctx.reject(this, v, `not a string (key ${JSON.stringify(key)})`);
      return;
    }
    this.map.set(boundedKey(this.map, key, this.keyLimit, this), v);
  }

  read(): StringDict {
    return mapToJson(this.map) as StringDict;
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    const proxy = dictProxy<string>({
      get: (k) => cell.get(k),
      set: (k, v) => cell.set(k, v),
      has: (k) => cell.map.has(k),
      delete: (k) => cell.map.delete(k),
      keys: () => cell.map.keys(),
      badKey: (k) => cell.rejectKey(k),
    });
    defineStatProperty(this, target, proxy);
    const handle: StringDictHandle = {
      get: (k) => {
        const key = toKey(k);
        return key === undefined ? '' : cell.get(key);
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
        return key !== undefined && cell.map.delete(key);
      },
      keys: () => cell.map.keys(),
      get size() {
        return cell.map.size;
      },
    };
    handles[this.name] = handle;
  }

  clear(): void {
    this.map.clear();
  }
}

/** The snapshot value of a stringDict: `{key: string}`. */
export type StringDict = { [key: string]: string };

function stringDictSamples(value: StringDict): Sample[] {
  const out: Sample[] = [];
  for (const k of Object.keys(value)) {
    const v = String(value[k]);
    out.push({
      type: 'info',
      field: [k],
      labels: [
        ['key', k],
        ['value', v],
      ],
      value: v,
    });
  }
  return out;
}

/** How a stringDict shows in every output: an info per key (labels `key` and `value`). */
export const stringDictOutputs: KindOutputs<StringDict> = {
  shape: nestedShape((v) => typeof v === 'string'),
  merge: LATEST_TEXT_MERGE,
  samples: stringDictSamples,
  family: () => 'info',
  display: { format: () => 'n' },
};

/** Strings per key: `STATS.owner[key] = 'alice'` (a missing key reads ''). */
export function stringDictStat<N extends string>(
  name: N,
  options: StringDictOptions = {},
): StatDef<N, Record<string, string>, StringDictHandle, false> {
  return defineStat(name, 'stringDict', (c, ctx) => new StringDictCell(name, c, ctx, options), describeStat(name, options, KEY_LABELS));
}
