import { type CounterOptions, type DeclarationOptions, describeStat } from '../core/description.js';
import { isNumber } from '../core/json.js';
import { AT_VALUE, type KindOutputs, NO_LABELS } from '../core/samples.js';
import { GAUGE_MERGE, NUMBER_MERGE } from '../core/merge.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { type Aggregator, decreaseReason, isFiniteNumber, overflowReason, StatCell } from '../core/stat-cell.js';

/**
 * Handle of an `intStat` or `doubleStat`. A value that is no finite number, or a result beyond
 * the double range, is rejected and counted under `/scales/rejected`; no argument makes a
 * method throw.
 */
export interface NumberHandle {
  /** The current value. */
  readonly value: number;
  /** Adds `n` (default 1). */
  inc(n?: number): void;
  /** Subtracts `n` (default 1). */
  dec(n?: number): void;
  /** Sets the value. */
  set(value: number): void;
}

/**
 * `intStat` / `doubleStat`: a number, 0 until written. A write is a field update plus one
 * finiteness check; NaN, ±Infinity, anything but a number, and a finite write whose result
 * (or whose sum aggregation's result) would leave the double range are rejected (counted under
 * `/scales/rejected`, see the registry's `strict` option) and never reach the value or any sum.
 * Values are checked with `typeof` before any arithmetic, so a BigInt, a Symbol or an object
 * whose `valueOf` throws never throws into the caller.
 */
export class NumberCell extends StatCell {
  value = 0;

  constructor(
    name: string,
    container: StatCell['container'],
    ctx: StatCell['ctx'],
    readonly kind: 'int' | 'double',
    counter = false,
  ) {
    super(name, container, ctx);
    this.counter = counter;
  }

  set(v: unknown): void {
    if (isFiniteNumber(v)) {
      if (v < this.value && this.counter) this.ctx.reject(this, v, decreaseReason(this.value));
      else if (this.up === null) this.value = v;
      else this.setLinked(v);
      return;
    }
    this.ctx.reject(this, v, 'not a finite number');
  }

  /** Adds `n`: checked to be a number before any arithmetic, and the sum to be finite. */
  add(n: unknown): void {
    if (typeof n === 'number') {
      if (n < 0 && this.counter) {
        this.ctx.reject(this, n, decreaseReason(this.value));
        return;
      }
      const v = this.value + n;
      if (isFiniteNumber(v)) {
        if (this.up === null) this.value = v;
        else this.setLinked(v);
        return;
      }
      if (isFiniteNumber(n)) {
        this.ctx.reject(this, n, overflowReason(this.path, this.value));
        return;
      }
    }
    this.ctx.reject(this, n, 'not a finite number');
  }

  /** A finite write under an aggregation: stored only when every sum above stays finite. */
  private setLinked(v: number): void {
    const up = this.up!;
    const old = this.value;
    if (!up.admitsValue(old, v)) {
      this.ctx.reject(this, v, `a finite number that would take the sum aggregation ${up.path} beyond the double range (±${Number.MAX_VALUE})`);
      return;
    }
    this.value = v;
    up.onValue(old, v);
  }

  read(): number {
    return this.value;
  }

  override feeds(kind: string): boolean {
    return kind === 'sumAggregation' || kind === 'histogramAggregation';
  }

  override contribute(target: Aggregator, sign: 1 | -1): void {
    if (sign === 1) target.onValue(undefined, this.value);
    else target.onValue(this.value, undefined);
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    // The common case inline (no aggregation, a finite number): as cheap as a field store.
    // Picked once: a counter's `v >= value` also excludes NaN and -Infinity (and any decrease).
    const set = this.counter
      ? (v: number) => {
          if (typeof v === 'number' && v >= cell.value && v !== Number.POSITIVE_INFINITY && cell.up === null) cell.value = v;
          else cell.set(v);
        }
      : (v: number) => {
          // biome-ignore lint/suspicious/noSelfCompare: v === v is the NaN test, deliberately
          if (typeof v === 'number' && v === v && v !== Number.POSITIVE_INFINITY && v !== Number.NEGATIVE_INFINITY && cell.up === null)
            cell.value = v;
          else cell.set(v);
        };
    Object.defineProperty(target, this.name, { get: () => cell.value, set, enumerable: true });
    const handle: NumberHandle = new NumberHandleImpl(this);
    handles[this.name] = handle;
  }

  clear(): void {
    // A reset, allowed for counters too.
    if (this.up === null) this.value = 0;
    else this.setLinked(0);
  }
}

/** The handle as a class: monomorphic, so `inc()` inlines into the caller. */
class NumberHandleImpl implements NumberHandle {
  constructor(private readonly cell: NumberCell) {}
  get value(): number {
    return this.cell.value;
  }
  inc(n = 1): void {
    this.cell.add(n);
  }
  dec(n = 1): void {
    // typeof first: negating a Symbol or an object whose valueOf throws would throw here.
    this.cell.add(typeof n === 'number' ? -n : n);
  }
  set(v: number): void {
    this.cell.set(v);
  }
}

/**
 * How an intStat shows in every output: a counter (a decrease read as a reset by per-period
 * outputs), or, declared `{ gauge: true }`, a gauge counted as per-period differences.
 */
export const intOutputs: KindOutputs<number> = {
  shape: isNumber,
  merge: NUMBER_MERGE,
  samples: (v, meta) =>
    meta.description?.gauge
      ? [{ type: 'gauge', field: AT_VALUE, labels: NO_LABELS, value: v, delta: 'diff' }]
      : [{ type: 'counter', field: AT_VALUE, labels: NO_LABELS, value: v, delta: 'monotonic' }],
  family: (_v, meta) => (meta.description?.gauge ? 'gauge' : 'counter'),
  display: { format: () => 'n' },
};

/** How a doubleStat shows in every output: a gauge. */
export const doubleOutputs: KindOutputs<number> = {
  shape: isNumber,
  merge: GAUGE_MERGE,
  samples: (v) => [{ type: 'gauge', field: AT_VALUE, labels: NO_LABELS, value: v }],
  family: () => 'gauge',
  display: { format: () => 'n' },
};

/**
 * An integer counter (0 until written): `STATS.errors += 1`, or `STATS.$.errors.inc()`. A
 * counter only goes up: a decrease (`-=`, `dec`, a lower value) is rejected and counted under
 * /scales/rejected (thrown in strict mode); `{ gauge: true }` declares a value that may go down
 * (an in-flight count). Feeds a parent's `sumAggregationStat` / `histogramAggregationStat` of
 * the same name.
 */
export function intStat<N extends string>(name: N, options?: CounterOptions): StatDef<N, number, NumberHandle, true> {
  const counter = options?.gauge !== true;
  return defineStat(name, 'int', (c, ctx) => new NumberCell(name, c, ctx, 'int', counter), describeStat(name, options));
}

/** A floating-point value (0 until written); like `intStat`. */
export function doubleStat<N extends string>(name: N, options?: DeclarationOptions): StatDef<N, number, NumberHandle, true> {
  return defineStat(name, 'double', (c, ctx) => new NumberCell(name, c, ctx, 'double'), describeStat(name, options));
}
