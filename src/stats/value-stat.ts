import type { JsonValue, StatKind } from '../core/snapshot.js';
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
        const entries = v instanceof Map ? [...v].map(([k, x]) => [String(k), x] as const) : Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]] as const);
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
  readonly kind: StatKind = 'value';
  value: T | (() => T) | undefined;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], private readonly initial: T | (() => T) | undefined) {
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

  override feeds(kind: StatKind): boolean {
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
