/**
 * Meter: Dropwizard-equivalent EWMA rates (first version).
 */
import type { Clock } from './clock.js';
import { resolveClocks } from './coarse-clock.js';

/** Rates of a {@link Meter}, per second. */
export interface MeterRates {
  count: number;
  m1: number;
  m5: number;
  m15: number;
  mean: number;
}

const TICK_MS = 5000;

/** A meter with 1/5/15-minute exponentially weighted moving average rates. */
export class Meter {
  private readonly clocks: { write: Clock; read: Clock };
  private start: number;
  private lastTick: number;
  private count = 0;
  private uncounted = 0;
  private r = [0, 0, 0];
  private init = false;

  constructor(clock?: Clock) {
    this.clocks = resolveClocks(clock);
    this.start = this.clocks.read.now();
    this.lastTick = this.start;
  }

  private tickIfNecessary(now: number): void {
    while (now - this.lastTick >= TICK_MS) {
      this.lastTick += TICK_MS;
      const inst = this.uncounted / (TICK_MS / 1000);
      this.uncounted = 0;
      const mins = [1, 5, 15];
      for (let i = 0; i < 3; i++) {
        const alpha = 1 - Math.exp(-5 / 60 / mins[i]);
        this.r[i] = this.init ? this.r[i] + alpha * (inst - this.r[i]) : inst;
      }
      this.init = true;
    }
  }

  /** Marks `n` events (default 1). */
  mark(n = 1): void {
    this.tickIfNecessary(this.clocks.write.now());
    this.count += n;
    this.uncounted += n;
  }

  /** Current rates. */
  rates(): MeterRates {
    const now = this.clocks.read.now();
    this.tickIfNecessary(now);
    const el = (now - this.start) / 1000;
    return { count: this.count, m1: this.r[0], m5: this.r[1], m15: this.r[2], mean: el > 0 ? this.count / el : 0 };
  }

  /** Forgets everything. */
  reset(): void {
    this.start = this.clocks.read.now();
    this.lastTick = this.start;
    this.count = 0;
    this.uncounted = 0;
    this.r = [0, 0, 0];
    this.init = false;
  }
}
