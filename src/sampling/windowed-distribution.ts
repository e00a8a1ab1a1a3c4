/**
 * WindowedDistribution: what a PmfStat records into. Percentiles describe a recent window
 * (default the last 5 minutes) made of rotating sub-windows (default 5 x 60 s); each
 * sub-window holds its own log-bucketed bins (see sketch.ts) and moments, so after a change in
 * load the reported percentiles follow within one sub-window. Lifetime count, sum, min, max,
 * mean and stddev are kept apart and survive rotation.
 *
 * Write path: one read of the shared coarse clock, a comparison, a few field updates and one
 * typed-array increment: no performance.now(), no allocation, no Math.log.
 * Memory: at most {@link MAX_BYTES_PER_DISTRIBUTION} bytes whatever the data (see byteSize()).
 */
import type { Clock } from './clock.js';
import { resolveClocks } from './coarse-clock.js';
import { DenseStore } from './dense-store.js';
import { IndexMapping, MIN_INDEXABLE } from './index-mapping.js';
import { addMoments, DOWN, emptyMoments, figures, type Moments, momentsFromShifted, SAFE, WIDE_SHIFT } from './moments.js';
import { checkQuantiles, walkQuantiles } from './quantile-walk.js';
import { DEFAULT_RELATIVE_ACCURACY, LogSketch } from './sketch.js';

/** Options of a {@link WindowedDistribution}. */
export interface WindowedDistributionOptions {
  /** Length of the recent window in ms (default {@link DEFAULT_WINDOW_MS}: 5 minutes). */
  windowMs?: number;
  /**
   * Number of rotating sub-windows (default {@link DEFAULT_SUB_WINDOWS}, an integer in 1..10).
   * The window covers between (subWindows - 1) and subWindows sub-windows of time. The bin
   * budget is shared by the sub-windows: more sub-windows, narrower range per sub-window.
   */
  subWindows?: number;
  /** Relative accuracy of the percentiles (default 0.01). */
  relativeAccuracy?: number;
  /**
   * Time source. The default (or `systemClock`) is read on writes through the shared coarse
   * clock (no `performance.now()` per record); any other clock, such as a ManualClock in
   * tests, is called on every record.
   */
  clock?: Clock;
}

/**
 * Figures of a distribution over some span (a window or the lifetime). Moments are kept so that
 * they never overflow (see moments.ts); a figure that truly exceeds the double range (a sum of
 * two 1e308, a stddev beyond 1.8e308) is ±Infinity here, never a wrong finite number.
 */
export interface DistributionStats {
  count: number;
  sum: number;
  /** Null when count is 0 (as are mean and stddev). */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (divides by count - 1); 0 for a single value. */
  stddev: number | null;
}

/** What {@link WindowedDistribution.summary} returns. */
export interface DistributionSummary {
  /** Figures over the recent window. */
  window: DistributionStats;
  /** Figures since creation or the last reset. */
  lifetime: DistributionStats;
  /** The requested quantiles of the window, in request order (null when the window is empty). */
  quantiles: (number | null)[];
}

/** Default window: 5 minutes. */
export const DEFAULT_WINDOW_MS = 300_000;
/** Default number of sub-windows (5 x 60 s). */
export const DEFAULT_SUB_WINDOWS = 5;
/** Upper bound of {@link WindowedDistribution.byteSize}, proven by test/sampling/memory.test.ts. */
export const MAX_BYTES_PER_DISTRIBUTION = 32 * 1024;
/**
 * Allowance for the objects of one distribution (fields, the slot array) plus those of the stat
 * that owns it (a PmfStat's cell, handle and cached snapshot: ~1.7 KiB), and of each sub-window
 * (its fields, two stores, two typed arrays and their buffers), in bytes; measured on Node 20
 * at up to ~800 per sub-window including allocator slack (test/sampling/memory.test.ts measures
 * both a bare distribution and a PmfStat), rounded up, plus 1 KiB of margin: with 2400 the
 * measured worst-case PmfStat came within 2% of 32 KiB and heap noise pushed one run in four
 * over it.
 */
export const BASE_OVERHEAD_BYTES = 3400;
/** See {@link BASE_OVERHEAD_BYTES}. */
export const SUB_WINDOW_OVERHEAD_BYTES = 900;
/** Most sub-windows a distribution may have (each gets a share of the fixed byte budget). */
export const MAX_SUB_WINDOWS = 10;

/**
 * Bins (4 bytes each) per sub-window so that the whole distribution stays within
 * {@link MAX_BYTES_PER_DISTRIBUTION}: with 5 sub-windows each gets 904 positive bins
 * (25.8 doublings, ~7.8 decades at 1%) and 339 negative bins (~2.9 decades); with 10, 370 and
 * 139. Values further below the top of a sub-window's range are folded into its lowest bin.
 */
export function binsPerSubWindow(subWindows: number): { positive: number; negative: number } {
  const bytes = MAX_BYTES_PER_DISTRIBUTION - BASE_OVERHEAD_BYTES - SUB_WINDOW_OVERHEAD_BYTES * subWindows;
  const perSlot = Math.min(4096, Math.floor(bytes / 4 / subWindows));
  const positive = Math.min(2048, Math.floor((perSlot * 8) / 11));
  return { positive, negative: Math.min(2048, perSlot - positive) };
}

const MAX_U32 = 0xffffffff;

/** One sub-window: bins plus shifted sums of what was recorded into it. */
class SubWindow {
  readonly pos: DenseStore;
  readonly neg: DenseStore;
  zero = 0;
  n = 0;
  /** Shift: the first value recorded in this sub-window (`kw` holds it scaled once wide). */
  k = 0;
  s1 = 0;
  s2 = 0;
  /**
   * Set when a value lay {@link SAFE} (2^480) or more from the shift (squares of such values
   * could overflow): s1 and s2 then sum values scaled by 2^-WIDE_SHIFT around `kw`, the scaled
   * shift.
   */
  wide = false;
  kw = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Data merged in from other distributions (kept apart: it is not part of our lifetime). */
  merged: Moments | null = null;

  constructor(posBins: number, negBins: number) {
    this.pos = new DenseStore(posBins, false);
    this.neg = new DenseStore(negBins, false);
  }

  recorded(): Moments {
    if (this.wide) return momentsFromShifted(this.n, this.kw, this.s1, this.s2, this.min, this.max, WIDE_SHIFT);
    return momentsFromShifted(this.n, this.k, this.s1, this.s2, this.min, this.max);
  }

  /** The write path's slow branch: a value too far from the shift to square safely. */
  addWide(value: number): void {
    if (!this.wide) {
      this.wide = true;
      this.kw = this.k * DOWN;
      this.s1 *= DOWN;
      this.s2 = this.s2 * DOWN * DOWN;
    }
    const d = value * DOWN - this.kw;
    this.s1 += d;
    this.s2 += d * d;
  }

  clear(): void {
    this.pos.clear();
    this.neg.clear();
    this.zero = 0;
    this.n = 0;
    this.k = 0;
    this.s1 = 0;
    this.s2 = 0;
    this.wide = false;
    this.kw = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.merged = null;
  }
}

function toStats(m: Moments): DistributionStats {
  if (m.n === 0) return { count: 0, sum: 0, min: null, max: null, mean: null, stddev: null };
  const f = figures(m);
  return { count: m.n, sum: f.sum, min: m.min, max: m.max, mean: f.mean, stddev: f.stddev };
}

/**
 * A distribution over a recent rotating window, with lifetime figures.
 *
 * @example
 * const d = new WindowedDistribution({ windowMs: 60_000, subWindows: 6 });
 * d.record(0.012);
 * const { window, lifetime, quantiles } = d.summary([0.5, 0.99]);
 */
export class WindowedDistribution {
  /** Length of the window in ms. */
  readonly windowMs: number;
  /** Length of one sub-window in ms. */
  readonly subWindowMs: number;
  /** Relative accuracy of the quantiles. */
  readonly relativeAccuracy: number;
  private readonly mapping: IndexMapping;
  private readonly slots: SubWindow[];
  private curIdx = 0;
  private cur: SubWindow;
  /** Sub-window number (time / subWindowMs) of the current sub-window. */
  private epoch: number;
  /** Start of the next sub-window. */
  private boundary: number;
  /**
   * When the write path must leave its fast branch: the boundary, or -Infinity while the current
   * sub-window is wide (its writes then take {@link recordWide}).
   */
  private rotateAt: number;
  private readonly writeClock: Clock;
  private readonly readClock: Clock;
  /** Lifetime figures of every sub-window retired so far (the current one is added on read). */
  private folded: Moments = emptyMoments();

  constructor(options: WindowedDistributionOptions = {}) {
    const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    const k = options.subWindows ?? DEFAULT_SUB_WINDOWS;
    if (!(Number.isFinite(windowMs) && windowMs > 0)) {
      throw new RangeError(`WindowedDistribution: windowMs ${windowMs} is not a positive number`);
    }
    if (!(Number.isInteger(k) && k >= 1 && k <= MAX_SUB_WINDOWS)) {
      throw new RangeError(`WindowedDistribution: subWindows ${k} is not an integer in 1..${MAX_SUB_WINDOWS}`);
    }
    this.windowMs = windowMs;
    this.subWindowMs = windowMs / k;
    this.mapping = IndexMapping.of(options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY);
    this.relativeAccuracy = this.mapping.relativeAccuracy;
    const bins = binsPerSubWindow(k);
    this.slots = Array.from({ length: k }, () => new SubWindow(bins.positive, bins.negative));
    this.cur = this.slots[0];
    const clocks = resolveClocks(options.clock);
    this.writeClock = clocks.write;
    this.readClock = clocks.read;
    this.epoch = Math.floor(this.readClock.now() / this.subWindowMs);
    this.boundary = (this.epoch + 1) * this.subWindowMs;
    this.rotateAt = this.boundary;
  }

  /** Records one finite value; NaN and infinities are refused with a RangeError (nothing recorded). */
  record(value: number): void {
    // typeof first (a Symbol or an object with a throwing valueOf must not throw its own error);
    // value - value is 0 for finite numbers and NaN for NaN and infinities.
    if (typeof value !== 'number' || value - value !== 0) {
      throw new RangeError(`WindowedDistribution.record: ${typeof value === 'number' ? value : `a ${typeof value}`} is not a finite number`);
    }
    this.recordFinite(value);
  }

  /**
   * {@link record} without the finiteness check, for callers that have made it already (a
   * PmfStat checks every write once, and counts the rejected ones). @internal
   */
  recordFinite(value: number): void {
    if (this.writeClock.now() >= this.rotateAt) {
      this.recordSlow(value);
      return;
    }
    const w = this.cur;
    if (w.n === 0) w.k = value;
    const d = value - w.k;
    // Every value of a narrow sub-window lies within SAFE of its shift k, so the squares below
    // cannot overflow. Only a new min or max can break that: the range test sits in those
    // (rarely taken) branches, costing the common write nothing.
    if (value < w.min) {
      if (d <= -SAFE) {
        this.recordWide(w, value);
        return;
      }
      w.min = value;
    }
    if (value > w.max) {
      if (d >= SAFE) {
        this.recordWide(w, value);
        return;
      }
      w.max = value;
    }
    w.n++;
    w.s1 += d;
    w.s2 += d * d;
    if (value >= MIN_INDEXABLE) {
      const key = this.mapping.index(value);
      const st = w.pos;
      const a = st.counts;
      const j = key - st.offset;
      if (j >= 0 && j < a.length && a[j] < MAX_U32) a[j]++;
      else st.add(key, 1);
    } else if (value <= -MIN_INDEXABLE) {
      w.neg.add(-this.mapping.index(-value), 1);
    } else {
      w.zero++;
    }
  }

  /** The write path past a sub-window boundary, or into a wide sub-window. */
  private recordSlow(value: number): void {
    const now = this.writeClock.now();
    if (now >= this.boundary) this.rotate(now);
    if (this.cur.wide) this.recordWide(this.cur, value);
    else this.recordFinite(value);
  }

  /**
   * Records into sums scaled by 2^-WIDE_SHIFT: a value 2^480 or more from the sub-window's
   * shift, and every later value of that sub-window (the fast branch is closed meanwhile).
   */
  private recordWide(w: SubWindow, value: number): void {
    w.n++;
    w.addWide(value);
    if (value < w.min) w.min = value;
    if (value > w.max) w.max = value;
    if (value >= MIN_INDEXABLE) w.pos.add(this.mapping.index(value), 1);
    else if (value <= -MIN_INDEXABLE) w.neg.add(-this.mapping.index(-value), 1);
    else w.zero++;
    this.rotateAt = Number.NEGATIVE_INFINITY;
  }

  /** Moves the window to `now`: retires the current sub-window and clears expired ones. */
  private rotate(now: number): void {
    const e = Math.floor(now / this.subWindowMs);
    if (e > this.epoch) {
      addMoments(this.folded, this.cur.recorded());
      const k = this.slots.length;
      const steps = Math.min(e - this.epoch, k);
      for (let i = 0; i < steps; i++) {
        this.curIdx = (this.curIdx + 1) % k;
        this.slots[this.curIdx].clear();
      }
      this.cur = this.slots[this.curIdx];
      this.epoch = e;
    }
    this.boundary = (this.epoch + 1) * this.subWindowMs;
    this.rotateAt = this.cur.wide ? Number.NEGATIVE_INFINITY : this.boundary;
  }

  private windowMoments(): Moments {
    const m = emptyMoments();
    for (const s of this.slots) {
      addMoments(m, s.recorded());
      if (s.merged !== null) addMoments(m, s.merged);
    }
    return m;
  }

  private lifetimeMoments(): Moments {
    const m = emptyMoments();
    addMoments(m, this.folded);
    addMoments(m, this.cur.recorded());
    return m;
  }

  /**
   * Window and lifetime figures and the window's quantiles (each within the relative accuracy
   * of the exact value at 0-based rank ceil(q * count) - 1 of the window's values: the
   * nearest-rank rule of `quantileRank`).
   */
  summary(quantiles: readonly number[]): DistributionSummary {
    checkQuantiles(quantiles, 'WindowedDistribution.summary');
    this.rotate(this.readClock.now());
    const w = this.windowMoments();
    let zeroCount = 0;
    for (const s of this.slots) zeroCount += s.zero;
    // Read the sub-windows' bins in place: no merged copy is built.
    const q = walkQuantiles(
      this.mapping,
      this.slots.map((s) => s.neg),
      this.slots.map((s) => s.pos),
      { count: w.n, min: w.min, max: w.max, zeroCount },
      quantiles,
    );
    return { window: toStats(w), lifetime: toStats(this.lifetimeMoments()), quantiles: q };
  }

  /** Lifetime figures only (cheap: no bins are read). */
  lifetime(): DistributionStats {
    return toStats(this.lifetimeMoments());
  }

  /** A merged copy of the live sub-windows as a standalone {@link LogSketch}. */
  windowSketch(): LogSketch {
    this.rotate(this.readClock.now());
    const out = new LogSketch({ relativeAccuracy: this.relativeAccuracy });
    for (const s of this.slots) {
      out.positive.mergeFrom(s.pos);
      out.negative.mergeFrom(s.neg);
      out.zeroCount += s.zero;
    }
    const m = this.windowMoments();
    if (m.n > 0) out.addTotals(m.n, figures(m).sum, m.min, m.max);
    return out;
  }

  /**
   * Adds another distribution's data: its window's bins go into the sub-windows of the same
   * age (or into the current one when the sub-window lengths differ), its lifetime figures into
   * this lifetime. Both must have the same relative accuracy.
   */
  mergeFrom(other: WindowedDistribution): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new RangeError(
        `WindowedDistribution.mergeFrom: relative accuracies differ (${this.relativeAccuracy} vs ${other.relativeAccuracy})`,
      );
    }
    if (other === this) throw new RangeError('WindowedDistribution.mergeFrom: cannot merge a distribution into itself');
    this.rotate(this.readClock.now());
    other.rotate(other.readClock.now());
    addMoments(this.folded, other.lifetimeMoments());
    const k = other.slots.length;
    const sameLayout = other.subWindowMs === this.subWindowMs;
    for (let age = 0; age < k; age++) {
      const src = other.slots[(other.curIdx - age + k) % k];
      const m = src.recorded();
      if (src.merged !== null) addMoments(m, src.merged);
      if (m.n === 0) continue;
      const ourAge = sameLayout ? age + (this.epoch - other.epoch) : 0;
      if (ourAge < 0 || ourAge >= this.slots.length) continue; // older than our window
      const dst = this.slots[(this.curIdx - ourAge + this.slots.length) % this.slots.length];
      dst.pos.mergeFrom(src.pos);
      dst.neg.mergeFrom(src.neg);
      dst.zero += src.zero;
      if (dst.merged === null) dst.merged = emptyMoments();
      addMoments(dst.merged, m);
    }
  }

  /** Forgets everything (window and lifetime). */
  reset(): void {
    for (const s of this.slots) s.clear();
    this.folded = emptyMoments();
    this.rotateAt = this.boundary;
  }

  /**
   * Bytes this instance holds: the bins of every sub-window plus a fixed allowance for the
   * objects themselves. Never more than {@link MAX_BYTES_PER_DISTRIBUTION}.
   */
  byteSize(): number {
    let bins = 0;
    for (const s of this.slots) bins += s.pos.byteLength + s.neg.byteLength;
    return bins + BASE_OVERHEAD_BYTES + this.slots.length * SUB_WINDOW_OVERHEAD_BYTES;
  }
}
