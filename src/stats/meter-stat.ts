import { type DeclarationOptions, describeStat } from '../core/description.js';
import { isObject } from '../core/json.js';
import { AT_VALUE, type DisplayHints, fieldAt, type KindOutputs, type Labels, NO_LABELS, type Sample } from '../core/samples.js';
import { METER_MERGE } from './meter-merge.js';
import type { JsonValue, MeterSnapshot } from '../core/snapshot.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { defineStatProperty, isFiniteNumber, overflowReason, StatCell } from '../core/stat-cell.js';
import { Meter } from '../sampling/meter.js';

/** Handle of a `meterStat` (also its property on the stats object). */
export interface MeterHandle {
  /** Counts `n` events (default 1). */
  mark(n?: number): void;
  /** Count, 1/5/15-minute rates and mean rate, per second. */
  snapshot(): MeterSnapshot;
}

/** `meterStat`: 1/5/15-minute exponentially weighted rates (Dropwizard's definition) and a count. */
export class MeterCell extends StatCell {
  readonly kind = 'meter';
  readonly meter: Meter;
  readonly handle: MeterHandle;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx']) {
    super(name, container, ctx);
    this.counter = true;
    this.meter = new Meter(ctx.clock);
    const cell = this;
    this.handle = {
      mark: (n = 1) => cell.mark(n),
      snapshot: () => cell.summary(),
    };
  }

  /** Marks `n` events: a finite number (typeof-checked first), whose count stays finite. */
  mark(n: unknown): void {
    if (!isFiniteNumber(n)) {
      this.ctx.reject(this, n, 'not a finite number');
      return;
    }
    if (n < 0) {
      this.ctx.reject(this, n, 'a negative number of events (a meter is a counter: it only goes up)');
      return;
    }
    if (!this.meter.markFinite(n)) this.ctx.reject(this, n, overflowReason(`the count of ${this.path}`, this.meter.rates().count));
  }

  summary(): MeterSnapshot {
    const r = this.meter.rates();
    return { count: r.count, m1: r.m1, m5: r.m5, m15: r.m15, mean: r.mean, unit: 'per second' };
  }

  read(): MeterSnapshot {
    return this.summary();
  }

  bind(target: object, handles: Record<string, unknown>): void {
    defineStatProperty(this, target, this.handle, (v) => this.mark(v));
    handles[this.name] = this.handle;
  }

  clear(): void {
    this.meter.reset();
  }
}

const RATE_FIELDS: ReadonlySet<string> = new Set(['m1', 'm5', 'm15', 'mean']);

const METER_FIELDS: ReadonlyMap<string, readonly string[]> = new Map(['count', ...RATE_FIELDS].map((k) => [k, Object.freeze([k])] as const));
const WINDOW_LABELS: ReadonlyMap<string, Labels> = new Map(
  [...RATE_FIELDS].map((k) => [k, Object.freeze([Object.freeze(['window', k] as const)])] as const),
);

/**
 * Appends the samples of one meter snapshot to `out`: its count (a counter of events) and its
 * rates (gauges in events per second, labelled `window`). `at` is where it sits in the stat's value.
 */
export function meterSamplesInto(out: Sample[], meter: MeterSnapshot, at: readonly string[], labels: Labels): void {
  const value: JsonValue = meter;
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v !== 'number') continue;
    if (key === 'count') out.push({ type: 'counter', field: fieldAt(at, key, METER_FIELDS), labels, value: v, delta: 'monotonic', unit: 'events' });
    else if (RATE_FIELDS.has(key)) {
      const window = labels.length === 0 ? WINDOW_LABELS.get(key)! : [...labels, ['window', key] as const];
      out.push({ type: 'gauge', field: fieldAt(at, key, METER_FIELDS), labels: window, value: v, unit: 'events per second' });
    } else out.push({ type: 'gauge', field: fieldAt(at, key), labels: null, value: v });
  }
}

/** Display of meter snapshots found at `depth` of a stat's value (0 for a meter, 1 for a dict of them). */
export function meterDisplay(depth: number): DisplayHints {
  return {
    format: (field) => (field !== undefined && RATE_FIELDS.has(field) ? 'r' : 'n'),
    table: { className: 'meter', fromDepth: depth, order: ['count', 'm1', 'm5', 'm15', 'mean', 'unit'] },
    row: { form: 'rates', depth },
  };
}

/** Whether `v` has a meter's value shape (count, m1, m5, m15, mean). */
export const isMeterShape = (v: JsonValue): boolean => isObject(v) && ['count', 'm1', 'm5', 'm15', 'mean'].every((k) => typeof v[k] === 'number');

/** How a meter shows in every output: a counter of events with gauges of its 1/5/15-minute and mean rates. */
export const meterOutputs: KindOutputs<MeterSnapshot> = {
  shape: isMeterShape,
  merge: METER_MERGE,
  samples: (v) => {
    const out: Sample[] = [];
    meterSamplesInto(out, v, AT_VALUE, NO_LABELS);
    return out;
  },
  family: () => 'counter',
  display: meterDisplay(0),
  recognize: (v) => isObject(v) && typeof v.count === 'number' && 'm1' in v && 'm5' in v && 'm15' in v,
};

/** 1/5/15-minute rates: `STATS.hits.mark()` or `STATS.hits.mark(5)`. */
export function meterStat<N extends string>(name: N, options?: DeclarationOptions): StatDef<N, MeterHandle, MeterHandle, false> {
  return defineStat(name, 'meter', (c, ctx) => new MeterCell(name, c, ctx), describeStat(name, options));
}
