import { type CounterOptions, describeStat } from '../core/description.js';
import { isNumber } from '../core/json.js';
import { AT_VALUE, type KindOutputs, NO_LABELS } from '../core/samples.js';
import { NUMBER_MERGE } from '../core/merge.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { type Aggregator, StatCell } from '../core/stat-cell.js';

/** Handle of a `sumAggregationStat`. */
export interface SumAggregationHandle {
  /** The sum over the children's stats of the same name. */
  readonly value: number;
}

function num(v: unknown): number {
  return typeof v === 'number' && v - v === 0 ? v : 0;
}

/**
 * `sumAggregationStat`: the sum of the same-named number stats of every descendant (up to the
 * next aggregation of that name), kept up to date on each child write by adding the new value
 * and withdrawing the old one. The additions are compensated (Neumaier), so that floating-point
 * children that go back to 0 leave 0, not a residue such as 2.8e-17; integer sums are exact.
 * A child write that would take the sum (or one above it) beyond the double range is rejected
 * by the child before it is stored ({@link admitsValue}): the sum stays finite.
 */
export class SumAggregationCell extends StatCell implements Aggregator {
  readonly kind = 'sumAggregation';
  override readonly aggregates = true;
  value = 0;
  /** The running sum and its accumulated rounding error: `value` is `sum + comp`. */
  private sum = 0;
  private comp = 0;

  /** The running sum and its error after adding `x` to `s` (error in `this.nextComp`). */
  private nextComp = 0;
  private step(s: number, c: number, x: number): number {
    const t = s + x;
    // Once the sum overflows to ±Infinity there is no error left to track (and Infinity - Infinity
    // would turn it into NaN). Writes are admitted only when it does not (see admitsValue).
    this.nextComp = t - t === 0 ? c + (Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s) : c;
    return t;
  }

  /**
   * The value after a child moves from `o` to `n` (withdraw, then add: the order onValue uses),
   * or NaN/±Infinity when any step leaves the double range.
   */
  private next(o: number, n: number): number {
    const s = this.move(o, n);
    const v = s + this.nextComp;
    return s - s === 0 ? v : Number.NaN;
  }

  /** The running sum after withdrawing `o` and adding `n` (its error in `this.nextComp`). */
  private move(o: number, n: number): number {
    return this.step(this.step(this.sum, this.comp, -o), this.nextComp, n);
  }

  admitsValue(oldValue: number, newValue: number): boolean {
    const o = num(oldValue);
    const n = num(newValue);
    if (o === n) return true;
    const v = this.next(o, n);
    if (!(v - v === 0)) return false;
    return this.up === null || this.up.admitsValue(this.value, v);
  }

  admitsKey(): boolean {
    return true;
  }

  onValue(oldValue: unknown, newValue: unknown): void {
    const o = num(oldValue);
    const n = num(newValue);
    if (o === n) return;
    this.sum = this.move(o, n);
    this.comp = this.nextComp;
    const old = this.value;
    this.value = this.sum + this.comp;
    if (this.up !== null && this.value !== old) this.up.onValue(old, this.value);
  }

  onKey(): void {}

  read(): number {
    return this.value;
  }

  override feeds(kind: string): boolean {
    return kind === 'sumAggregation';
  }

  override contribute(target: Aggregator, sign: 1 | -1): void {
    if (sign === 1) target.onValue(undefined, this.value);
    else target.onValue(this.value, undefined);
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    Object.defineProperty(target, this.name, {
      get: () => cell.value,
      set: (v: unknown) => cell.ctx.reject(cell, v, `not assignable: ${cell.path} is a sum aggregation`),
      enumerable: true,
    });
    const handle: SumAggregationHandle = {
      get value() {
        return cell.value;
      },
    };
    handles[this.name] = handle;
  }

  clear(): void {
    // Called once every stat feeding this one has been cleared to 0: what is left came from
    // removed children. Start again from an exact 0.
    const old = this.value;
    this.value = 0;
    this.sum = 0;
    this.comp = 0;
    if (this.up !== null && old !== 0) this.up.onValue(old, 0);
  }
}

/**
 * How a sum aggregation shows in every output: a counter (its children are counters), or,
 * declared `{ gauge: true }`, a gauge; either counted as per-period differences (a child's
 * clear takes the sum down by what it held).
 */
export const sumAggregationOutputs: KindOutputs<number> = {
  shape: isNumber,
  merge: NUMBER_MERGE,
  samples: (v, meta) =>
    meta.description?.gauge
      ? [{ type: 'gauge', field: AT_VALUE, labels: NO_LABELS, value: v, delta: 'diff' }]
      : [{ type: 'counter', field: AT_VALUE, labels: NO_LABELS, value: v, delta: 'diff' }],
  family: (_v, meta) => (meta.description?.gauge ? 'gauge' : 'counter'),
  display: { format: () => 'n' },
};

/** The sum of the same-named number stats of the descendants (read-only). */
export function sumAggregationStat<N extends string>(name: N, options?: CounterOptions): StatDef<N, number, SumAggregationHandle, false> {
  const counter = options?.gauge !== true;
  return defineStat(
    name,
    'sumAggregation',
    (c, ctx) => {
      const cell = new SumAggregationCell(name, c, ctx);
      cell.counter = counter;
      return cell;
    },
    describeStat(name, options),
  );
}
