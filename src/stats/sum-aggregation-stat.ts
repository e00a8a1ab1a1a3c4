import type { JsonValue, StatKind } from '../core/snapshot.js';
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
 * next aggregation of that name), kept up to date by deltas on each child write.
 */
export class SumAggregationCell extends StatCell implements Aggregator {
  readonly kind: StatKind = 'sumAggregation';
  value = 0;

  onValue(oldValue: unknown, newValue: unknown): void {
    const d = num(newValue) - num(oldValue);
    if (d === 0) return;
    const old = this.value;
    this.value = old + d;
    if (this.up !== null) this.up.onValue(old, this.value);
  }

  onKey(): void {}

  read(): JsonValue {
    return this.value;
  }

  override feeds(kind: StatKind): boolean {
    return kind === 'sumAggregation';
  }

  override contribute(target: Aggregator, sign: 1 | -1): void {
    if (sign === 1) target.onValue(undefined, this.value);
    else target.onValue(this.value, undefined);
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    Object.defineProperty(target, this.name, { get: () => cell.value, enumerable: true });
    const handle: SumAggregationHandle = {
      get value() {
        return cell.value;
      },
    };
    handles[this.name] = handle;
  }

  clear(): void {
    this.onValue(this.value, 0);
  }
}
