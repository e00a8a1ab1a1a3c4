import type { Clock } from '../sampling/clock.js';
import type { Container } from './container.js';
import type { StatDescription } from './description.js';
import type { JsonValue, SnapshotOptions } from './snapshot.js';
import { setOwn as setKey } from './json.js';

/** The key that dict stats fold new keys into once they hold `keyLimit` keys. */
export const OVERFLOW_KEY = '__overflow__';

/** What a stat needs from the registry that owns it. (not part of the public API) */
export interface StatContext {
  readonly clock: Clock;
  /** Default key limit of dict stats. */
  readonly keyLimit: number;
  /** Reports a write that was rejected (non-finite number, wrong type). Throws in strict mode. */
  reject(cell: StatCell, value: unknown, reason: string): void;
  /** Reports that a dict stat folded a new key into {@link OVERFLOW_KEY}. */
  overflow(cell: StatCell): void;
}

/**
 * An aggregation stat: a stat of a parent container that children's stats of the same name
 * report their changes to (not part of the public API).
 */
export interface Aggregator {
  /** A child value moved from `oldValue` to `newValue` (`undefined`: no value). */
  onValue(oldValue: unknown, newValue: unknown): void;
  /** A child dict's `key` moved from `oldValue` to `newValue`. */
  onKey(key: string, oldValue: number, newValue: number): void;
  /**
   * Whether a child number moving from `oldValue` to `newValue` keeps this aggregation, and
   * every one above it, within the double range. Asked before the child stores the value: a
   * write that would take a sum to ±Infinity is rejected, so no sum is ever poisoned.
   */
  admitsValue(oldValue: number, newValue: number): boolean;
  /** {@link admitsValue} for a child dict's `key`. */
  admitsKey(key: string, oldValue: number, newValue: number): boolean;
}

/**
 * The live state of one stat in the tree. Subclasses (one file per kind under src/stats/)
 * hold the value, the write methods and the snapshot of their kind (not part of the public API).
 */
export abstract class StatCell {
  /** The kind's name in the catalogue. */
  abstract readonly kind: string;
  /** Whether the stat aggregates its descendants' same-named stats (cleared after them). */
  readonly aggregates: boolean = false;
  /** Whether reading it is expensive (a percentile summary): a sliced snapshot yields after it. */
  readonly costly: boolean = false;
  /**
   * For an aggregation: whether it forgets what a removed child contributed (a histogram of
   * current values), rather than keeping it (a sum: totals never go backwards).
   */
  readonly forgetsRemoved: boolean = false;
  /** The nearest ancestor aggregation this stat reports to, or null. */
  up: (StatCell & Aggregator) | null = null;
  /**
   * Whether it is a counter: its value only goes up until a reset (`clear()`); a decrease is
   * rejected (see {@link decreaseReason}). Kinds that count by default set it unless declared
   * `{ gauge: true }`.
   */
  counter = false;
  /** What its declaration said besides name and kind (set by the registry from the StatDef). */
  description: StatDescription | undefined = undefined;

  constructor(
    readonly name: string,
    readonly container: Container,
    readonly ctx: StatContext,
  ) {}

  /** The stat's path, e.g. `/web/errors`. */
  get path(): string {
    const p = this.container.path;
    return p === '/' ? `/${this.name}` : `${p}/${this.name}`;
  }

  /** The stat's value as plain JSON. May throw (a gauge function): callers catch. */
  abstract read(options: SnapshotOptions): JsonValue;

  /** Whether this stat reports to an aggregation of kind `kind` (the aggregation `target`: a labelled dict feeds a sum of the same labels only). */
  feeds(_kind: string, _target?: StatCell): boolean {
    return false;
  }

  /** Adds (sign 1) or withdraws (sign -1) this stat's whole current value to/from `target`. */
  contribute(_target: Aggregator, _sign: 1 | -1): void {}

  /** Points this stat at a (new) aggregation, moving its contribution. */
  linkUp(target: (StatCell & Aggregator) | null): void {
    if (target === this.up) return;
    if (this.up !== null) this.contribute(this.up, -1);
    this.up = target;
    if (target !== null) this.contribute(target, 1);
  }

  /** Rejects (counts, reports) a write whose dict key is no key: see {@link toKey}. */
  rejectKey(key: unknown): void {
    this.ctx.reject(this, key, NOT_A_KEY);
  }

  /** Defines the stat's property on a stats object and its handle on the handles object. */
  abstract bind(target: object, handles: Record<string, unknown>): void;

  /**
   * Starts the stat again from its initial value (0, empty, the initial value of a `stat`),
   * telling its aggregation (used by `Registry.clear`). Aggregations clear only what removed
   * children left in them: the rest follows from their children's clears.
   */
  abstract clear(): void;
}

/**
 * True for a finite number (the one check on a numeric write). Written as comparisons rather
 * than `v - v === 0` or `Number.isFinite`: V8 compiles these to nothing measurable on the
 * integer fast path, where a subtraction forces a float conversion (~0.6 ns a write).
 */
export function isFiniteNumber(v: unknown): v is number {
  // biome-ignore lint/suspicious/noSelfCompare: v === v is the NaN test, deliberately
  return typeof v === 'number' && v === v && v !== Number.POSITIVE_INFINITY && v !== Number.NEGATIVE_INFINITY;
}

/**
 * A dict key as the string it is everywhere else: a JavaScript caller's number
 * (`d.inc(res.statusCode)`) is the same key as `d['200']`, not a second entry that would collide
 * with it in JSON. Used by the handles (the index syntax always gives strings). Only primitives
 * are converted (numbers, bigints, booleans: their conversion runs no user code); for anything
 * else (a symbol, an object, a Proxy, undefined, null) it returns undefined and the write is
 * rejected: converting an object would call its `toString`, which may throw into the caller.
 */
export function toKey(k: unknown): string | undefined {
  return typeof k === 'string' ? k : primitiveKey(k);
}

function primitiveKey(k: unknown): string | undefined {
  switch (typeof k) {
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(k);
    default:
      return undefined;
  }
}

/** The reason given when a dict key is rejected. */
export const NOT_A_KEY = 'not a dict key (a string, or a number from JavaScript)';

/** The reason given when a write would take a counter down (`where`: `, key "k"`, if any). */
export function decreaseReason(old: number, where = ''): string {
  return `a decrease of a counter (now ${old}${where}): declare it with { gauge: true } if it may go down`;
}

/** The reason given when a finite write would take a value beyond the double range. */
export function overflowReason(path: string, now: number): string {
  return `a finite number that would take ${path} (now ${now}) beyond the double range (±${Number.MAX_VALUE})`;
}

/**
 * The key limit of a dict stat: `value` when given (a positive integer, else a RangeError naming
 * the stat: a NaN or a string from a config file would have silently lifted the bound), else
 * `fallback`.
 */
export function keyLimitOf(value: unknown, fallback: number, statName: string): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new RangeError(
    `stat "${statName}": keyLimit must be a positive integer, not ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
  );
}

export { setKey };

/**
 * Defines the property of a structured stat (pmf, meter, dict, aggregation): reading gives
 * `value` (its handle or dict view); assigning calls `assign` (Python's `STATS.latency = v`
 * records, `STATS.hits = n` marks) or, without one, rejects the write — dropped and counted
 * under /scales/rejected, never thrown into the application.
 */
export function defineStatProperty(cell: StatCell, target: object, value: unknown, assign?: (v: unknown) => void): void {
  Object.defineProperty(target, cell.name, {
    get: () => value,
    set:
      assign ??
      ((v: unknown) => cell.ctx.reject(cell, v, `not assignable: ${cell.path} is a stat of kind ${cell.kind} (write through its methods or keys)`)),
    enumerable: true,
  });
}

/** A Map as a plain JSON object (keys such as `__proto__` kept as own data properties). */
export function mapToJson(map: ReadonlyMap<string, JsonValue>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of map) setKey(out, k, v);
  return out;
}

/** Adds (sign 1) or withdraws (sign -1) every key of a numeric dict to/from an aggregation. */
export function contributeKeys(map: ReadonlyMap<string, number>, target: Aggregator, sign: 1 | -1): void {
  for (const [k, v] of map) {
    if (sign === 1) target.onKey(k, 0, v);
    else target.onKey(k, v, 0);
  }
}
