/**
 * Meter: event rates exactly as Dropwizard's Meter defines them. Marks are summed per 5-second
 * tick; at each tick the 1-, 5- and 15-minute rates move towards the tick's instant rate
 * (events / 5 s) as exponentially weighted moving averages with
 * alpha = 1 - exp(-5 s / 60 s / minutes); the first tick sets them to the instant rate.
 * Rates are per second; `mean` is count / seconds since creation (or reset).
 *
 * Ticks are applied lazily (on mark when the shared coarse clock says one is due, and on
 * read), never by a timer per meter. A long idle span of k ticks is caught up in closed form:
 * the first tick takes the pending marks, the other k - 1 multiply each rate by (1 - alpha)^(k-1);
 * rates below 1e-300 are flushed to 0 so no denormal numbers linger.
 */
import type { Clock } from './clock.js';
import { resolveClocks } from './coarse-clock.js';

/** Rates of a {@link Meter}: events per second, plus the total count. */
export interface MeterRates {
  /** Total events marked. */
  count: number;
  /** 1-minute exponentially weighted moving average rate. */
  m1: number;
  /** 5-minute EWMA rate. */
  m5: number;
  /** 15-minute EWMA rate. */
  m15: number;
  /** count / seconds since creation or reset. */
  mean: number;
}

/** The tick interval of the EWMAs, in ms (Dropwizard's 5 s). */
export const METER_TICK_MS = 5000;
/** Rates smaller than this are flushed to 0. */
export const METER_FLUSH_BELOW = 1e-300;

const TICK_S = METER_TICK_MS / 1000;
/** Per-tick decay (1 - alpha) of the 1, 5 and 15-minute averages. */
const DECAY1 = Math.exp(-TICK_S / 60 / 1);
const DECAY5 = Math.exp(-TICK_S / 60 / 5);
const DECAY15 = Math.exp(-TICK_S / 60 / 15);

function ewma(rate: number, instant: number, decay: number, extraTicks: number, initialized: boolean): number {
  let r = initialized ? rate + (1 - decay) * (instant - rate) : instant;
  if (extraTicks > 0) r *= decay ** extraTicks;
  return r < METER_FLUSH_BELOW ? 0 : r;
}

/**
 * A meter with Dropwizard's 1/5/15-minute EWMA rates and a mean rate.
 *
 * @example
 * const meter = new Meter();
 * meter.mark();        // one event
 * meter.mark(3);       // three more
 * meter.rates();       // { count: 4, m1, m5, m15, mean } (per second)
 */
export class Meter {
  private readonly writeClock: Clock;
  private readonly readClock: Clock;
  private startMs: number;
  /** Start of the current tick interval. */
  private tickStart: number;
  private nextTick: number;
  private count = 0;
  private uncounted = 0;
  private m1 = 0;
  private m5 = 0;
  private m15 = 0;
  private initialized = false;

  /** Uses the system's monotonic clock unless a clock is given (tests: a ManualClock). */
  constructor(clock?: Clock) {
    const clocks = resolveClocks(clock);
    this.writeClock = clocks.write;
    this.readClock = clocks.read;
    this.startMs = this.readClock.now();
    this.tickStart = this.startMs;
    this.nextTick = this.startMs + METER_TICK_MS;
  }

  /**
   * Marks `n` events (default 1); n must be a finite number, and the count must stay finite
   * (a RangeError otherwise, and nothing is marked).
   */
  mark(n = 1): void {
    // Number.isFinite converts nothing; the message describes a non-number by its type only.
    if (!Number.isFinite(n)) throw new RangeError(`Meter.mark: ${typeof n === 'number' ? n : `a ${typeof n}`} is not a finite number of events`);
    if (!this.markFinite(n)) throw new RangeError(`Meter.mark: ${n} more events would take the count (${this.count}) beyond the double range`);
  }

  /**
   * {@link mark} for a finite `n` already checked by the caller: returns false, marking nothing,
   * when the count would leave the double range. @internal
   */
  markFinite(n: number): boolean {
    const now = this.writeClock.now();
    if (now > this.nextTick) this.tick(now);
    const c = this.count + n;
    const u = this.uncounted + n;
    // Finite plus finite is never NaN: only the infinities need excluding (compares, no float subtraction).
    if (c === Number.POSITIVE_INFINITY || c === Number.NEGATIVE_INFINITY || u === Number.POSITIVE_INFINITY || u === Number.NEGATIVE_INFINITY)
      return false;
    this.count = c;
    this.uncounted = u;
    return true;
  }

  /** Called when more than one tick interval has passed (Dropwizard: age > interval). */
  private tick(now: number): void {
    const ticks = Math.floor((now - this.tickStart) / METER_TICK_MS);
    this.tickStart += ticks * METER_TICK_MS;
    this.nextTick = this.tickStart + METER_TICK_MS;
    const instant = this.uncounted / TICK_S;
    this.uncounted = 0;
    const extra = ticks - 1;
    this.m1 = ewma(this.m1, instant, DECAY1, extra, this.initialized);
    this.m5 = ewma(this.m5, instant, DECAY5, extra, this.initialized);
    this.m15 = ewma(this.m15, instant, DECAY15, extra, this.initialized);
    this.initialized = true;
  }

  /** The current rates (applies any ticks that are due first). */
  rates(): MeterRates {
    const now = this.readClock.now();
    if (now > this.nextTick) this.tick(now);
    const elapsedS = (now - this.startMs) / 1000;
    return {
      count: this.count,
      m1: this.m1,
      m5: this.m5,
      m15: this.m15,
      mean: elapsedS > 0 ? this.count / elapsedS : 0,
    };
  }

  /** Forgets every mark and restarts the clock of the mean rate. */
  reset(): void {
    this.startMs = this.readClock.now();
    this.tickStart = this.startMs;
    this.nextTick = this.startMs + METER_TICK_MS;
    this.count = 0;
    this.uncounted = 0;
    this.m1 = 0;
    this.m5 = 0;
    this.m15 = 0;
    this.initialized = false;
  }
}
