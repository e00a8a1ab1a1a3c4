import type { JsonValue, StatKind } from '../core/snapshot.js';
import { type Aggregator, StatCell } from '../core/stat-cell.js';

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

/** Converts any value to JSON-safe data (functions called by the caller before this). */
export function toJson(v: unknown, depth = 0): JsonValue {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return v - v === 0 ? v : String(v);
    case 'bigint':
      return v.toString();
    case 'undefined':
      return null;
    case 'object': {
      if (v === null) return null;
      if (depth > 32) return '[too deep]';
      if (v instanceof Date) return v.toISOString();
      if (Array.isArray(v)) return v.map((x) => toJson(x, depth + 1));
      if (v instanceof Map) {
        const out: Record<string, JsonValue> = {};
        for (const [k, x] of v) Object.defineProperty(out, String(k), { value: toJson(x, depth + 1), enumerable: true, writable: true, configurable: true });
        return out;
      }
      const out: Record<string, JsonValue> = {};
      for (const k of Object.keys(v)) {
        Object.defineProperty(out, k, { value: toJson((v as Record<string, unknown>)[k], depth + 1), enumerable: true, writable: true, configurable: true });
      }
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
