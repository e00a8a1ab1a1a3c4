import type { JsonValue, MeterSnapshot, StatKind } from '../core/snapshot.js';
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
  readonly kind: StatKind = 'meter';
  readonly meter: Meter;
  readonly handle: MeterHandle;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx']) {
    super(name, container, ctx);
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
    if (!this.meter.markFinite(n)) this.ctx.reject(this, n, overflowReason(`the count of ${this.path}`, this.meter.rates().count));
  }

  summary(): MeterSnapshot {
    const r = this.meter.rates();
    return { count: r.count, m1: r.m1, m5: r.m5, m15: r.m15, mean: r.mean, unit: 'per second' };
  }

  read(): JsonValue {
    return this.summary() as unknown as JsonValue;
  }

  bind(target: object, handles: Record<string, unknown>): void {
    defineStatProperty(this, target, this.handle, (v) => this.mark(v));
    handles[this.name] = this.handle;
  }

  clear(): void {
    this.meter.reset();
  }
}
