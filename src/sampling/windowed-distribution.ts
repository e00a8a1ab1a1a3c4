/**
 * WindowedDistribution: what a PmfStat records into. Percentiles describe a recent window
 * (default the last 5 minutes) made of rotating sub-windows (default 5 x 60 s); each
 * sub-window holds its own native-histogram buckets (see sketch.ts) and moments, so after a
 * change in load the reported percentiles follow within one sub-window. A lifetime sketch
 * (bounded the same way) receives each sub-window as it retires; lifetime count, sum, min,
 * max, mean and stddev are kept apart and survive rotation.
 *
 * Write path: one read of the shared coarse clock, a comparison, a few field updates, the
 * bucket index from the float's bits and a table, and one typed-array increment: no
 * performance.now(), no allocation, no Math.log.
 * Memory: at most {@link MAX_BYTES_PER_DISTRIBUTION} bytes whatever the data (see byteSize()).
 */
import type { Clock } from './clock.js';
import { resolveClocks } from './coarse-clock.js';
import { index6, MAX_SCHEMA, MIN_SCHEMA, relativeErrorAt, ZERO_THRESHOLD } from './exponential-index.js';
import { addMoments, DOWN, emptyMoments, figures, type Moments, momentsFromShifted, SAFE, WIDE_SHIFT } from './moments.js';
import { checkQuantiles, walkQuantiles } from './quantile-walk.js';
import { LogSketch, MIN_SKETCH_MAX_BYTES } from './sketch.js';
import { PAGE_BINS, PAGE_SHIFT, SparseStore } from './sparse-store.js';

/** Options of a {@link WindowedDistribution}. */
export interface WindowedDistributionOptions {
  /** Length of the recent window in ms (default {@link DEFAULT_WINDOW_MS}: 5 minutes). */
  windowMs?: number;
  /**
   * Number of rotating sub-windows (default {@link DEFAULT_SUB_WINDOWS}, an integer in 1..10).
   * The window covers between (subWindows - 1) and subWindows sub-windows of time. The byte
   * budget is shared by the sub-windows and the lifetime sketch (see {@link sketchBytesFor}).
   */
  subWindows?: number;
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
 * two 1e308, a stddev beyond 1.8e308) is ±Infinity here, and a stddev of values less than
 * ~3e-151 apart (whose squares underflow) is NaN: never a wrong finite number.
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
  /** Schema of the window's buckets (6 unless the byte budget forced coarser ones). */
  schema: number;
  /** Error bound of the quantiles at that schema: 0.0054 at schema 6, 0.0109 at 5, ... */
  relativeError: number;
}

/** Default window: 5 minutes. */
export const DEFAULT_WINDOW_MS = 300_000;
/** Default number of sub-windows (5 x 60 s). */
export const DEFAULT_SUB_WINDOWS = 5;
/** Upper bound of {@link WindowedDistribution.byteSize}, proven by test/sampling/memory.test.ts. */
export const MAX_BYTES_PER_DISTRIBUTION = 64 * 1024;
/**
 * Allowance for the objects of one distribution (fields, the slot array, the lifetime sketch
 * object) plus those of the stat that owns it (a PmfStat's cell, handle and cached snapshot),
 * in bytes; measured by test/sampling/memory.test.ts (a bare distribution and a PmfStat).
 */
export const BASE_OVERHEAD_BYTES = 4096;
/** Allowance for each sketch (a sub-window or the lifetime): its fields, two stores, four typed arrays. */
export const SKETCH_OVERHEAD_BYTES = 1024;
/** Most sub-windows a distribution may have (each gets a share of the fixed byte budget). */
export const MAX_SUB_WINDOWS = 10;
/**
 * Bucket bytes of one sketch that hold dense data spanning 9 decades at schema 6 (1,914
 * buckets in at most 64 pages of 32 with the straddling ones, both signs, Uint32 counts, and
 * the directories).
 */
export const NINE_DECADES_BYTES = 8704;

/**
 * Bucket budget (bytes) of each sketch of a distribution with `subWindows` sub-windows: the
 * sub-windows and the lifetime sketch share {@link MAX_BYTES_PER_DISTRIBUTION} less the object
 * allowances, capped at {@link NINE_DECADES_BYTES}: with 5 sub-windows (a PmfStat) each sketch
 * keeps schema 6 for dense data spanning 9 decades; with 10, about 5 decades.
 */
export function sketchBytesFor(subWindows: number): number {
  const free = MAX_BYTES_PER_DISTRIBUTION - BASE_OVERHEAD_BYTES - (subWindows + 1) * SKETCH_OVERHEAD_BYTES;
  return Math.max(MIN_SKETCH_MAX_BYTES, Math.min(NINE_DECADES_BYTES, Math.floor(free / (subWindows + 1) / 8) * 8));
}

/** One sub-window: buckets plus shifted sums of what was recorded into it. */
class SubWindow {
  readonly pos = new SparseStore();
  readonly neg = new SparseStore();
  /** Schema of pos/neg, and MAX_SCHEMA - schema (the shift applied to schema-6 indices). */
  schema = MAX_SCHEMA;
  shift = 0;
  zero = 0;
  n = 0;
  /** Shift: the first value recorded in this sub-window (scaled by 2^-WIDE_SHIFT once wide). */
  k = 0;
  s1 = 0;
  s2 = 0;
  /**
   * Set when a value lay {@link SAFE} (2^480) or more from the shift (squares of such values
   * could overflow): k, s1 and s2 then hold values scaled by 2^-WIDE_SHIFT. A wide sub-window
   * is written only by the slow path (the distribution closes its fast branch meanwhile).
   */
  wide = false;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Data merged in from other distributions (kept apart: it is not part of our lifetime). */
  merged: LogSketch | null = null;
  mergedMoments: Moments | null = null;

  recorded(): Moments {
    return momentsFromShifted(this.n, this.k, this.s1, this.s2, this.min, this.max, this.wide ? WIDE_SHIFT : 0);
  }

  /** The write path's slow branch: a value too far from the shift to square safely. */
  addWide(value: number): void {
    if (!this.wide) {
      this.wide = true;
      this.k *= DOWN;
      this.s1 *= DOWN;
      this.s2 = this.s2 * DOWN * DOWN;
    }
    const d = value * DOWN - this.k;
    this.s1 += d;
    this.s2 += d * d;
  }

  get bytes(): number {
    return this.pos.byteLength + this.neg.byteLength + (this.merged?.binBytes ?? 0);
  }

  /** Halves the resolution of the own buckets until they fit `maxBytes`. */
  fitBudget(maxBytes: number): void {
    while (this.schema > MIN_SCHEMA && this.pos.byteLength + this.neg.byteLength > maxBytes) {
      this.pos.downscale(1);
      this.neg.downscale(1);
      this.schema--;
      this.shift++;
    }
  }

  clear(): void {
    this.pos.clear();
    this.neg.clear();
    this.schema = MAX_SCHEMA;
    this.shift = 0;
    this.zero = 0;
    this.n = 0;
    this.k = 0;
    this.s1 = 0;
    this.s2 = 0;
    this.wide = false;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.merged = null;
    this.mergedMoments = null;
  }
}

function toStats(m: Moments): DistributionStats {
  if (m.n === 0) return { count: 0, sum: 0, min: null, max: null, mean: null, stddev: null };
  const f = figures(m);
  return { count: m.n, sum: f.sum, min: m.min, max: m.max, mean: f.mean, stddev: f.stddev };
}

/** Adds 1 to bucket `i` of `st` (a store of `w`): in place when the page exists, else via add(). */
function bump(w: SubWindow, st: SparseStore, i: number, maxBytes: number): void {
  if (st.addInPlace(i, 1)) return;
  st.add(i, 1);
  if (w.pos.byteLength + w.neg.byteLength > maxBytes) w.fitBudget(maxBytes);
}

/**
 * A distribution over a recent rotating window, with lifetime figures and a lifetime sketch.
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
  /** Bucket budget (bytes) of each sub-window and of the lifetime sketch. */
  readonly sketchBytes: number;
  private readonly slots: SubWindow[];
  private curIdx = 0;
  private cur: SubWindow;
  /** Sub-window number (time / subWindowMs) of the current sub-window. */
  private epoch: number;
  /**
   * When the write path must leave its fast branch: the start of the next sub-window, or
   * -Infinity while the current sub-window is wide (its writes then take {@link recordWide}).
   */
  private rotateAt: number;
  private readonly writeClock: Clock;
  private readonly readClock: Clock;
  /** Lifetime figures of every sub-window retired so far (the current one is added on read). */
  private folded: Moments = emptyMoments();
  /** Buckets of every sub-window retired so far, and of merged-in lifetimes. */
  private readonly life: LogSketch;

  constructor(options: WindowedDistributionOptions = {}) {
    const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    const k = options.subWindows ?? DEFAULT_SUB_WINDOWS;
    if (!(Number.isFinite(windowMs) && windowMs > 0)) {
      throw new RangeError(`WindowedDistribution: windowMs ${windowMs} is not a positive number`);
    }
    if (!(Number.isInteger(k) && k >= 1 && k <= MAX_SUB_WINDOWS)) {
      throw new RangeError(`WindowedDistribution: subWindows ${k} is not an integer in 1..${MAX_SUB_WINDOWS}`);
    }
    if ('relativeAccuracy' in options) {
      throw new RangeError('WindowedDistribution: relativeAccuracy is no longer an option (buckets are native-histogram schema 6: 0.54%)');
    }
    this.windowMs = windowMs;
    this.subWindowMs = windowMs / k;
    this.sketchBytes = sketchBytesFor(k);
    this.slots = Array.from({ length: k }, () => new SubWindow());
    this.cur = this.slots[0];
    this.life = new LogSketch({ maxBytes: this.sketchBytes });
    const clocks = resolveClocks(options.clock);
    this.writeClock = clocks.write;
    this.readClock = clocks.read;
    this.epoch = Math.floor(this.readClock.now() / this.subWindowMs);
    this.rotateAt = (this.epoch + 1) * this.subWindowMs;
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
    // cannot overflow. Only a new min or max can break that: the range test sits in the (rarely
    // taken) new-extreme branch, costing the common write nothing.
    if ((value < w.min || value > w.max) && this.newExtreme(w, value, d)) return;
    w.n++;
    w.s1 += d;
    w.s2 += d * d;
    if (value > ZERO_THRESHOLD) bump(w, w.pos, ((index6(value) - 1) >> w.shift) + 1, this.sketchBytes);
    else if (value < -ZERO_THRESHOLD) bump(w, w.neg, ((index6(-value) - 1) >> w.shift) + 1, this.sketchBytes);
    else w.zero++;
  }

  /**
   * Stores a new min or max of `w`; a value SAFE or more from the shift is recorded wide instead
   * (returns true: recorded). Kept out of recordFinite so that it stays small enough to inline.
   */
  private newExtreme(w: SubWindow, value: number, d: number): boolean {
    if (d <= -SAFE || d >= SAFE) {
      this.recordWide(w, value);
      return true;
    }
    if (value < w.min) w.min = value;
    if (value > w.max) w.max = value;
    return false;
  }

  /** The write path past a sub-window boundary, or into a wide sub-window. */
  private recordSlow(value: number): void {
    const now = this.writeClock.now();
    if (now >= (this.epoch + 1) * this.subWindowMs) this.rotate(now);
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
    if (value > ZERO_THRESHOLD) bump(w, w.pos, ((index6(value) - 1) >> w.shift) + 1, this.sketchBytes);
    else if (value < -ZERO_THRESHOLD) bump(w, w.neg, ((index6(-value) - 1) >> w.shift) + 1, this.sketchBytes);
    else w.zero++;
    this.rotateAt = Number.NEGATIVE_INFINITY;
  }

  /** Moves the window to `now`: retires the current sub-window and clears expired ones. */
  private rotate(now: number): void {
    const e = Math.floor(now / this.subWindowMs);
    if (e > this.epoch) {
      this.retire(this.cur);
      const k = this.slots.length;
      const steps = Math.min(e - this.epoch, k);
      for (let i = 0; i < steps; i++) {
        this.curIdx = (this.curIdx + 1) % k;
        this.slots[this.curIdx].clear();
      }
      this.cur = this.slots[this.curIdx];
      this.epoch = e;
    }
    this.rotateAt = this.cur.wide ? Number.NEGATIVE_INFINITY : (this.epoch + 1) * this.subWindowMs;
  }

  /** Folds what was recorded into `w` into the lifetime figures and sketch. */
  private retire(w: SubWindow): void {
    const m = w.recorded();
    if (m.n === 0) return;
    addMoments(this.folded, m);
    this.life.mergeParts(w.schema, w.pos, w.neg, w.zero);
    this.life.addTotals(m.n, figures(m).sum, m.min, m.max);
  }

  private windowMoments(): Moments {
    const m = emptyMoments();
    for (const s of this.slots) {
      addMoments(m, s.recorded());
      if (s.mergedMoments !== null) addMoments(m, s.mergedMoments);
    }
    return m;
  }

  private lifetimeMoments(): Moments {
    const m = emptyMoments();
    addMoments(m, this.folded);
    addMoments(m, this.cur.recorded());
    return m;
  }

  /** The window's non-empty bucket sets: [schema, positive, negative, zeros]. */
  private windowParts(): [number, SparseStore, SparseStore, number][] {
    const parts: [number, SparseStore, SparseStore, number][] = [];
    for (const s of this.slots) {
      if (s.n > 0) parts.push([s.schema, s.pos, s.neg, s.zero]);
      const m = s.merged;
      // (a merged-in sketch carries buckets only: its totals are in mergedMoments)
      if (m !== null) parts.push([m.schema, m.positive, m.negative, m.zeroCount]);
    }
    return parts;
  }

  /** Schema of the window: the coarsest of its sub-windows' (6 when empty). */
  windowSchema(): number {
    let schema = MAX_SCHEMA;
    for (const [s] of this.windowParts()) if (s < schema) schema = s;
    return schema;
  }

  /**
   * Window and lifetime figures and the window's quantiles (each within `relativeError` of the
   * exact value at 0-based rank ceil(q * count) - 1 of the window's values: the nearest-rank
   * rule of `quantileRank`), with the window's schema and error bound.
   */
  summary(quantiles: readonly number[]): DistributionSummary {
    checkQuantiles(quantiles, 'WindowedDistribution.summary');
    this.rotate(this.readClock.now());
    const w = this.windowMoments();
    const parts = this.windowParts();
    let schema = MAX_SCHEMA;
    let zeroCount = 0;
    for (const [s, , , z] of parts) {
      if (s < schema) schema = s;
      zeroCount += z;
    }
    const totals = { count: w.n, min: w.min, max: w.max, zeroCount };
    let q: (number | null)[];
    const sameSchema = parts.every(([s]) => s === schema);
    if (sameSchema || mergedFits(parts, schema, w.n, this.mergedBytes())) {
      // Read the sub-windows' buckets in place: no merged copy is built. Sub-windows at different
      // schemas (after a budget overflow): the finer ones are read as if downscaled to the
      // coarsest, which is what the merged copy would hold.
      q = walkQuantiles(
        schema,
        parts.map((p) => p[2]),
        parts.map((p) => p[1]),
        totals,
        quantiles,
        sameSchema ? undefined : parts.map((p) => p[0] - schema),
      );
    } else {
      // A merged copy could pass its budget and halve again: build it and read that.
      const m = this.mergedWindow(parts);
      q = walkQuantiles(m.schema, [m.negative], [m.positive], totals, quantiles);
    }
    return {
      window: toStats(w),
      lifetime: toStats(this.lifetimeMoments()),
      quantiles: q,
      schema,
      relativeError: relativeErrorAt(schema),
    };
  }

  /** Budget of the window's merged copy. */
  private mergedBytes(): number {
    return this.sketchBytes * (this.slots.length + 1);
  }

  private mergedWindow(parts: [number, SparseStore, SparseStore, number][]): LogSketch {
    const out = new LogSketch({ maxBytes: this.mergedBytes() });
    for (const [s, pos, neg, zero] of parts) out.mergeParts(s, pos, neg, zero);
    return out;
  }

  /** Lifetime figures only (cheap: no buckets are read). */
  lifetime(): DistributionStats {
    return toStats(this.lifetimeMoments());
  }

  /** A merged copy of the live sub-windows as a standalone {@link LogSketch}. */
  windowSketch(): LogSketch {
    this.rotate(this.readClock.now());
    const out = this.mergedWindow(this.windowParts());
    const m = this.windowMoments();
    if (m.n > 0) out.addTotals(m.n, figures(m).sum, m.min, m.max);
    return out;
  }

  /**
   * A copy of the lifetime sketch (every value since creation or the last reset, the current
   * sub-window included, and the lifetimes merged in): cumulative buckets for a Prometheus
   * native histogram. Bounded like a sub-window: past {@link sketchBytes} it halves its
   * resolution (see its `schema`).
   */
  lifetimeSketch(): LogSketch {
    this.rotate(this.readClock.now());
    const out = new LogSketch({ maxBytes: this.sketchBytes * 2 });
    out.merge(this.life);
    const c = this.cur;
    const m = c.recorded();
    if (m.n > 0) {
      out.mergeParts(c.schema, c.pos, c.neg, c.zero);
      out.addTotals(m.n, figures(m).sum, m.min, m.max);
    }
    return out;
  }

  /**
   * Adds another distribution's data: its window's buckets go into the sub-windows of the same
   * age (or into the current one when the sub-window lengths differ), its lifetime figures and
   * lifetime sketch into this lifetime.
   */
  mergeFrom(other: WindowedDistribution): void {
    if (other === this) throw new RangeError('WindowedDistribution.mergeFrom: cannot merge a distribution into itself');
    this.rotate(this.readClock.now());
    other.rotate(other.readClock.now());
    addMoments(this.folded, other.lifetimeMoments());
    const otherLife = other.lifetimeSketch();
    this.life.mergeParts(otherLife.schema, otherLife.positive, otherLife.negative, otherLife.zeroCount);
    this.life.addTotals(otherLife.count, otherLife.sum, otherLife.min, otherLife.max);
    const k = other.slots.length;
    const sameLayout = other.subWindowMs === this.subWindowMs;
    for (let age = 0; age < k; age++) {
      const src = other.slots[(other.curIdx - age + k) % k];
      const m = src.recorded();
      if (src.mergedMoments !== null) addMoments(m, src.mergedMoments);
      if (m.n === 0) continue;
      const ourAge = sameLayout ? age + (this.epoch - other.epoch) : 0;
      if (ourAge < 0 || ourAge >= this.slots.length) continue; // older than our window
      const dst = this.slots[(this.curIdx - ourAge + this.slots.length) % this.slots.length];
      if (dst.merged === null) dst.merged = new LogSketch({ maxBytes: this.sketchBytes });
      if (src.n > 0) dst.merged.mergeParts(src.schema, src.pos, src.neg, src.zero);
      const sm = src.merged;
      if (sm !== null) dst.merged.mergeParts(sm.schema, sm.positive, sm.negative, sm.zeroCount);
      if (dst.mergedMoments === null) dst.mergedMoments = emptyMoments();
      addMoments(dst.mergedMoments, m);
    }
  }

  /** Forgets everything (window and lifetime). */
  reset(): void {
    for (const s of this.slots) s.clear();
    this.folded = emptyMoments();
    this.life.clear();
    this.rotateAt = (this.epoch + 1) * this.subWindowMs;
  }

  /**
   * Bytes this instance holds: the buckets of every sub-window and of the lifetime sketch plus
   * a fixed allowance for the objects themselves. Never more than
   * {@link MAX_BYTES_PER_DISTRIBUTION} (sub-windows that received merges from other
   * distributions hold up to one more budget each).
   */
  byteSize(): number {
    let bins = this.life.binBytes;
    for (const s of this.slots) bins += s.bytes;
    return bins + BASE_OVERHEAD_BYTES + (this.slots.length + 1) * SKETCH_OVERHEAD_BYTES;
  }
}

/**
 * True when a merged copy of `parts` at `schema` surely fits `maxBytes` (so it would not halve
 * its resolution again), so summary() may read the parts in place (@internal, exported for the
 * tests): an upper bound of its bytes, each finer page landing on at most two
 * pages, every count at the width `count` needs, its directory spanning every part's range.
 */
export function mergedFits(parts: [number, SparseStore, SparseStore, number][], schema: number, count: number, maxBytes: number): boolean {
  const width = count <= 0xffff ? 2 : count <= 0xffffffff ? 4 : 8;
  let bytes = 0;
  for (const k of [1, 2] as const) {
    let pages = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const part of parts) {
      const st = part[k];
      if (st.empty) continue;
      const d = part[0] - schema;
      pages += d === 0 ? st.pages : 2 * st.pages;
      const first = coarse(st.pageLo * PAGE_BINS, d) >> PAGE_SHIFT;
      const last = coarse((st.pageLo + st.dir.length) * PAGE_BINS - 1, d) >> PAGE_SHIFT;
      if (first < lo) lo = first;
      if (last > hi) hi = last;
    }
    if (pages > 0) bytes += pages * PAGE_BINS * width + (hi - lo + 1) * 4;
  }
  return bytes <= maxBytes;
}

/** Index `i` at a schema `d` coarser (the rounding of SparseStore.mergeFrom). */
function coarse(i: number, d: number): number {
  return d === 0 ? i : ((i - 1) >> d) + 1;
}
