import { describeStat, type ValueOptions } from '../core/description.js';
import { isObject } from '../core/json.js';
import { AT_VALUE, type KindOutputs, NO_LABELS, type Sample, type StatMeta } from '../core/samples.js';
import { VALUE_MERGE } from '../core/merge.js';
import type { JsonValue } from '../core/snapshot.js';
import { defineStat, type StatDef, type Widen } from '../core/stat-def.js';
import { type Aggregator, StatCell, setKey } from '../core/stat-cell.js';

/** Handle of a `stat`: read the current value (gauges are called) or set a value or a function. */
export interface ValueHandle<T> {
  /** The current value; a gauge function is called. */
  get(): T | undefined;
  /** Sets a value, or a function to call whenever the stat is read (a gauge). */
  set(value: T | (() => T)): void;
}

/** A plain value histogram aggregations can count: strings, finite numbers, booleans. */
export function histogramKey(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return v - v === 0 ? String(v) : undefined;
    case 'boolean':
      return String(v);
    default:
      return undefined;
  }
}

/** Deepest nesting of a gauge's value that is converted; deeper parts show as '[too deep]'. */
const MAX_DEPTH = 32;

/**
 * Converts any value to JSON-safe data: non-finite numbers and bigints as strings, dates as ISO
 * strings, Maps as objects, cycles as '[circular]', nesting beyond {@link MAX_DEPTH} as
 * '[too deep]'; keys such as `__proto__` stay own data properties.
 */
export function toJson(v: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): JsonValue {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return v.toString();
    case 'undefined':
      return null;
    case 'object': {
      if (v === null) return null;
      if (depth >= MAX_DEPTH) return '[too deep]';
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
      if (seen.has(v)) return '[circular]';
      seen.add(v);
      let out: JsonValue;
      if (Array.isArray(v)) out = v.map((x) => toJson(x, depth + 1, seen));
      else {
        const o: Record<string, JsonValue> = {};
        const entries =
          v instanceof Map
            ? [...v].map(([k, x]) => [String(k), x] as const)
            : Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]] as const);
        for (const [k, x] of entries) setKey(o, k, toJson(x, depth + 1, seen));
        out = o;
      }
      // Only the current path counts as a cycle: the same object twice side by side is fine.
      seen.delete(v);
      return out;
    }
    default:
      return String(v);
  }
}

/**
 * `stat(name, initial?)`: holds any value, or a function that is called when the stat is read
 * (a gauge). Feeds a parent's histogram aggregation of the same name with its value.
 */
export class ValueCell<T = unknown> extends StatCell {
  readonly kind = 'value';
  value: T | (() => T) | undefined;

  constructor(
    name: string,
    container: StatCell['container'],
    ctx: StatCell['ctx'],
    private readonly initial: T | (() => T) | undefined,
  ) {
    super(name, container, ctx);
    this.value = initial;
  }

  get(): T | undefined {
    const v = this.value;
    return typeof v === 'function' ? (v as () => T)() : v;
  }

  set(v: T | (() => T)): void {
    const old = this.value;
    this.value = v;
    if (this.up !== null) this.up.onValue(typeof old === 'function' ? undefined : old, typeof v === 'function' ? undefined : v);
  }

  read(): JsonValue {
    return toJson(this.get());
  }

  override feeds(kind: string): boolean {
    return kind === 'histogramAggregation';
  }

  override contribute(target: Aggregator, sign: 1 | -1): void {
    const v = typeof this.value === 'function' ? undefined : this.value;
    if (sign === 1) target.onValue(undefined, v);
    else target.onValue(v, undefined);
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    Object.defineProperty(target, this.name, {
      get: () => cell.get(),
      set: (v: T | (() => T)) => cell.set(v),
      enumerable: true,
    });
    const handle: ValueHandle<T> = { get: () => cell.get(), set: (v) => cell.set(v) };
    handles[this.name] = handle;
  }

  clear(): void {
    this.set(this.initial as T);
  }
}

// The text a snapshot holds for a number JSON cannot (toJson), back to the number.
const NON_FINITE = new Map<JsonValue, number>([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);

/** The number a non-finite value's text stands for (the snapshot says so), else undefined: text is text, "NaN" included. */
function nonFiniteOf(v: JsonValue, meta: StatMeta): number | undefined {
  return meta.nonFinite === true ? NON_FINITE.get(v) : undefined;
}

/** The numeric leaves inside an object a gauge returned: Graphite sends them; no metric family can. */
function nestedSamples(value: JsonValue, field: string[], out: Sample[] = []): Sample[] {
  if (typeof value === 'number') out.push({ type: 'gauge', field, labels: null, value });
  else if (isObject(value)) for (const k of Object.keys(value)) nestedSamples(value[k], [...field, k], out);
  return out;
}

/**
 * How a `stat` shows in every output: a number is a gauge; a boolean a gauge 0/1 and a number
 * NaN or ±Infinity (held as text, the snapshot says so) a gauge `NaN`/`+Inf`/`-Inf` (neither a
 * JSON leaf Graphite could send); text an info (`value` label), whatever it says; the numbers
 * inside an object are leaves for Graphite only; lists nothing.
 */
export const valueOutputs: KindOutputs<JsonValue> = {
  shape: () => true,
  merge: VALUE_MERGE,
  samples(v, meta) {
    if (typeof v === 'number')
      return meta.description?.counter
        ? [{ type: 'counter', field: AT_VALUE, labels: NO_LABELS, value: v, delta: 'monotonic' }]
        : [{ type: 'gauge', field: AT_VALUE, labels: NO_LABELS, value: v }];
    if (typeof v === 'boolean') return [{ type: 'gauge', field: null, labels: NO_LABELS, value: v ? 1 : 0 }];
    if (typeof v === 'string') {
      const n = nonFiniteOf(v, meta);
      return n !== undefined
        ? [{ type: 'gauge', field: null, labels: NO_LABELS, value: n }]
        : [{ type: 'info', field: [], labels: [['value', v]], value: v }];
    }
    return isObject(v) ? nestedSamples(v, []) : [];
  },
  family: (v, meta) =>
    typeof v === 'number' && meta.description?.counter
      ? 'counter'
      : typeof v === 'number' || typeof v === 'boolean' || nonFiniteOf(v, meta) !== undefined
        ? 'gauge'
        : typeof v === 'string'
          ? 'info'
          : null,
  display: { format: () => 'n' },
};

/**
 * A stat holding any value, or a function called whenever the stat is read (a gauge).
 * Children's values feed a parent's `histogramAggregationStat` of the same name.
 * @example
 * scales.collection('/proc', scales.stat('currentTime', () => Date.now()), scales.stat('state', 'idle'));
 */
export function stat<T = unknown, N extends string = string>(name: N, gauge: () => T, options?: ValueOptions): StatDef<N, T, ValueHandle<T>, true>;
/** Without an initial value the stat reads `undefined` until written, and is typed so. */
export function stat<T = unknown, N extends string = string>(name: N): StatDef<N, Widen<T> | undefined, ValueHandle<Widen<T>>, true>;
/** `options` (help, unit, prometheusName, counter) come third: `stat('state', 'idle', { help: '...' })`. */
export function stat<T = unknown, N extends string = string>(
  name: N,
  initial: T,
  options?: ValueOptions,
): StatDef<N, Widen<T>, ValueHandle<Widen<T>>, true>;
export function stat<T, N extends string>(name: N, initial?: T | (() => T), options?: ValueOptions): StatDef<N, unknown, unknown, true> {
  return defineStat(name, 'value', (c, ctx) => new ValueCell<T>(name, c, ctx, initial), describeStat(name, options));
}
