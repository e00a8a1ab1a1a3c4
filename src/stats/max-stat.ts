import { type DeclarationOptions, describeStat } from '../core/description.js';
import { AT_VALUE, type KindOutputs, NO_LABELS } from '../core/samples.js';
import { MAX_MERGE } from '../core/merge.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { isFiniteNumber, StatCell } from '../core/stat-cell.js';

/** Handle of a `maxStat`. */
export interface MaxHandle {
  /** Keeps `value` if it is the largest so far. NaN and ±Infinity are rejected. */
  record(value: number): void;
  /** The largest value recorded (null before the first). */
  readonly value: number | null;
}

/** `maxStat`: the largest value it was given since creation or the last clear; null before any. */
export class MaxCell extends StatCell {
  readonly kind = 'max';
  value: number | null = null;

  record(v: number): void {
    if (!isFiniteNumber(v)) {
      this.ctx.reject(this, v, 'not a finite number');
      return;
    }
    if (this.value === null || v > this.value) this.value = v;
  }

  read(): number | null {
    return this.value;
  }

  bind(target: object, handles: Record<string, unknown>): void {
    const cell = this;
    const handle: MaxHandle = {
      record: (v) => cell.record(v),
      get value() {
        return cell.value;
      },
    };
    // `STATS.peak = v` records, as assigning a pmf does.
    Object.defineProperty(target, this.name, { get: () => cell.value, set: (v: number) => cell.record(v), enumerable: true });
    handles[this.name] = handle;
  }

  clear(): void {
    this.value = null;
  }
}

/** How a maxStat shows in every output: a gauge (nothing before the first value). */
export const maxOutputs: KindOutputs<number | null> = {
  shape: (v) => v === null || typeof v === 'number',
  merge: MAX_MERGE,
  samples: (v) => (typeof v === 'number' ? [{ type: 'gauge', field: AT_VALUE, labels: NO_LABELS, value: v }] : []),
  family: () => 'gauge',
  display: { format: () => 'n' },
};

/** The largest value given: `STATS.peak = queue.length` or `STATS.$.peak.record(n)`. */
export function maxStat<N extends string>(name: N, options?: DeclarationOptions): StatDef<N, number | null, MaxHandle, true> {
  return defineStat(name, 'max', (c, ctx) => new MaxCell(name, c, ctx), describeStat(name, options));
}
