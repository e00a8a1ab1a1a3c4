/**
 * WindowedDistribution: what a PmfStat records into (first version).
 */
import type { Clock } from './clock.js';
import { resolveClocks } from './coarse-clock.js';
import { LogSketch } from './sketch.js';

/** Options of a {@link WindowedDistribution}. */
export interface WindowedDistributionOptions {
  windowMs?: number;
  subWindows?: number;
  relativeAccuracy?: number;
  clock?: Clock;
}

/** Figures of a distribution over some span (a window or the lifetime). */
export interface DistributionStats {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
}

/** Default window: 5 minutes. */
export const DEFAULT_WINDOW_MS = 300_000;
/** Default number of sub-windows. */
export const DEFAULT_SUB_WINDOWS = 5;

/** A distribution over a recent rotating window, plus lifetime figures. */
export class WindowedDistribution {
  readonly windowMs: number;
  private readonly subMs: number;
  private readonly slots: LogSketch[];
  private epoch: number;
  private readonly clocks: { write: Clock; read: Clock };
  private readonly acc: number | undefined;
  private life = new LogSketch();

  constructor(options: WindowedDistributionOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    const k = options.subWindows ?? DEFAULT_SUB_WINDOWS;
    this.subMs = this.windowMs / k;
    this.acc = options.relativeAccuracy;
    this.slots = Array.from({ length: k }, () => new LogSketch({ relativeAccuracy: this.acc }));
    this.clocks = resolveClocks(options.clock);
    this.epoch = Math.floor(this.clocks.read.now() / this.subMs);
  }

  private rotate(now: number): void {
    const e = Math.floor(now / this.subMs);
    const steps = Math.min(e - this.epoch, this.slots.length);
    for (let i = 0; i < steps; i++) {
      const s = this.slots.pop()!;
      s.clear();
      this.slots.unshift(s);
    }
    if (e > this.epoch) this.epoch = e;
  }

  /** Records one finite value. */
  record(value: number): void {
    this.rotate(this.clocks.write.now());
    this.slots[0].add(value);
    this.life.add(value);
  }

  /** Window and lifetime figures plus the window's quantiles. */
  summary(quantiles: readonly number[]): { window: DistributionStats; lifetime: DistributionStats; quantiles: (number | null)[] } {
    const w = this.windowSketch();
    const f = (s: LogSketch): DistributionStats => ({
      count: s.count,
      sum: s.sum,
      min: s.count ? s.min : null,
      max: s.count ? s.max : null,
      mean: s.count ? s.sum / s.count : null,
      stddev: s.count ? 0 : null,
    });
    return { window: f(w), lifetime: f(this.life), quantiles: quantiles.map((q) => w.quantile(q)) };
  }

  /** A merged copy of the live sub-windows. */
  windowSketch(): LogSketch {
    this.rotate(this.clocks.read.now());
    const out = new LogSketch({ relativeAccuracy: this.acc });
    for (const s of this.slots) out.merge(s);
    return out;
  }

  /** Adds the other distribution's data into this one. */
  mergeFrom(other: WindowedDistribution): void {
    this.slots[0].merge(other.windowSketch());
    this.life.merge(other.life);
  }

  /** Forgets everything. */
  reset(): void {
    for (const s of this.slots) s.clear();
    this.life.clear();
  }
}
