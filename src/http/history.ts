/**
 * History of every numeric stat since the status handler was created (for the page's charts and
 * sparklines), in bounded memory: per series a fine ring (default every 5 s for the last hour)
 * and a coarse ring (default every minute for the last day) holding each minute's highest and
 * lowest fine value — so a spike inside a minute is kept, and a counter's highest value is its
 * value at the minute's end — plus one series per overview figure (see formats/overview.ts). ONE unref'd timer per
 * registry and options, started when the first handler is created (not at the first page view,
 * so the page opened at 3am shows 2:40) and stopped when the last handler is closed. Samples
 * are background reads: gauges over the registry's time budget are not called. The number of
 * series is capped ({@link HistoryOptions.maxSeries}, and {@link HistoryOptions.maxBytes} over
 * all rings); series under /http and /process are taken first, then the tree in order; a
 * series absent for a whole fine window is dropped, freeing its slot.
 */
import type { SnapshotOptions } from '../core/snapshot.js';
import type { SnapshotNode } from '../registry/snapshot.js';
import type { StatsSource } from '../registry/source.js';
import { forEachSliced } from '../core/slices.js';
import { liveEntries } from '../formats/live.js';
import { nodeAt, overviewFigures, overviewKey } from '../formats/overview.js';
import { type ScheduledTask, type Scheduler, systemScheduler } from '../sampling/scheduler.js';

/** Options of the history sampler. */
export interface HistoryOptions {
  /** Period of the fine tier (default {@link DEFAULT_HISTORY_INTERVAL_MS}). */
  intervalMs?: number;
  /** Samples kept per series in the fine tier (default {@link DEFAULT_HISTORY_POINTS}: one hour at 5 s). */
  points?: number;
  /** Fine samples per coarse sample (default {@link DEFAULT_HISTORY_COARSE_EVERY}: a minute at 5 s). */
  coarseEvery?: number;
  /** Samples kept per series in the coarse tier (default {@link DEFAULT_HISTORY_COARSE_POINTS}: a day of minutes). */
  coarsePoints?: number;
  /** Most series kept; new series beyond it get no history (default {@link DEFAULT_HISTORY_MAX_SERIES}). */
  maxSeries?: number;
  /**
   * Most bytes of samples over all series (8 bytes a fine sample, 12 a coarse one: its max in 8,
   * its min in 4; both tiers allocated when a series is first seen); lowers the series cap when
   * smaller (default {@link DEFAULT_HISTORY_MAX_BYTES}).
   */
  maxBytes?: number;
  /** Runs the sampling timer and tells the time of each sample (default: Node timers and `Date.now`; tests: a manual one). */
  scheduler?: Scheduler;
}

/** Default fine period: 5 s. */
export const DEFAULT_HISTORY_INTERVAL_MS = 5000;
/** Default fine samples per series: 720 (an hour at 5 s). */
export const DEFAULT_HISTORY_POINTS = 720;
/** Default fine samples per coarse one: 12 (a minute at 5 s). */
export const DEFAULT_HISTORY_COARSE_EVERY = 12;
/** Default coarse samples per series: 1,440 (a day of minutes). */
export const DEFAULT_HISTORY_COARSE_POINTS = 1440;
/** Default cap on series: 1,000. */
export const DEFAULT_HISTORY_MAX_SERIES = 1000;
/** Default cap on the bytes of samples: 16 MiB (with the default tiers, 23,040 bytes a series: 728 series). */
export const DEFAULT_HISTORY_MAX_BYTES = 16 * 1024 * 1024;
/** Samples a sparkline shows (the last ten minutes at 5 s). */
export const SPARK_POINTS = 120;

// Samples skip gauges that were too slow (see RegistryOptions.gaugeBudgetMs).
const BACKGROUND: SnapshotOptions = { background: true };
/** Subtrees sampled first, so that the overview's stats get their slots before a big tree takes them. */
const FIRST = ['/http', '/process'];

interface Series {
  fine: Float64Array;
  /** Per coarse sample: the highest fine value of its period (a counter's value at the period's end), and the lowest (float32: it is drawn, never subtracted). */
  coarseMax: Float64Array;
  coarseMin: Float32Array;
  /** The highest and lowest value of the coarse period under way (NaN: none yet). */
  hi: number;
  lo: number;
  /** Fine tick of the last value. */
  last: number;
}

/**
 * The whole history on one time axis: sample times (epoch ms, oldest first), and each series'
 * values at those times. The first {@link HistoryTimeline.coarse} times are coarse samples (the
 * end of each period): their value is the period's highest (for a counter, its value at the end),
 * and {@link HistoryTimeline.low} has the lowest.
 */
export interface HistoryTimeline {
  readonly t: readonly number[];
  /** How many of the first times are coarse samples. */
  readonly coarse: number;
  /** The values of a series (null: no value then), or undefined when it is not held. */
  read(key: string): Array<number | null> | undefined;
  /** The lowest value of each coarse sample of a series (`coarse` of them, null: none), or undefined when it is not held. */
  low(key: string): Array<number | null> | undefined;
}

/** Samples the numeric leaves of a registry into bounded rings. */
export class HistorySampler {
  readonly intervalMs: number;
  readonly points: number;
  readonly coarseEvery: number;
  readonly coarsePoints: number;
  /** The effective cap on series (the smaller of maxSeries and what maxBytes allows). */
  readonly maxSeries: number;
  /** Bytes of one series (both rings). */
  readonly bytesPerSeries: number;
  private readonly series = new Map<string, Series>();
  /** Fine samples taken, and coarse ones. */
  private tick = 0;
  private coarseTick = 0;
  private readonly fineT: Float64Array;
  private readonly coarseT: Float64Array;
  private readonly scheduler: Scheduler;
  private timer: ScheduledTask | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly source: StatsSource,
    options: HistoryOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_HISTORY_INTERVAL_MS;
    this.points = options.points ?? DEFAULT_HISTORY_POINTS;
    this.coarseEvery = options.coarseEvery ?? DEFAULT_HISTORY_COARSE_EVERY;
    this.coarsePoints = options.coarsePoints ?? DEFAULT_HISTORY_COARSE_POINTS;
    const maxSeries = options.maxSeries ?? DEFAULT_HISTORY_MAX_SERIES;
    const maxBytes = options.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
    const checked = {
      intervalMs: this.intervalMs,
      points: this.points,
      coarseEvery: this.coarseEvery,
      coarsePoints: this.coarsePoints,
      maxSeries,
      maxBytes,
    };
    for (const [k, v] of Object.entries(checked)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`invalid history option ${k}: ${v} (a positive integer)`);
    }
    this.bytesPerSeries = this.points * 8 + this.coarsePoints * 12;
    this.maxSeries = Math.min(maxSeries, Math.floor(maxBytes / this.bytesPerSeries));
    this.fineT = new Float64Array(this.points);
    this.coarseT = new Float64Array(this.coarsePoints);
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  /** Whether the timer is running. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Number of series held. */
  get size(): number {
    return this.series.size;
  }

  /** Bytes held by the series' rings now (at most `maxSeries * bytesPerSeries`). */
  get bytes(): number {
    return this.series.size * this.bytesPerSeries;
  }

  /**
   * Starts sampling when stopped: the first sample one period later (a sample at once would
   * read every gauge while the app is still starting). Idempotent.
   */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = this.scheduler.schedule(this.onTimer, this.intervalMs);
  }

  /** Stops sampling; the history is kept for a later restart. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One period: the next one is scheduled first, so a slow sample does not shift the rate. */
  private readonly onTimer = (): void => {
    this.timer = this.scheduler.schedule(this.onTimer, this.intervalMs);
    void this.sample();
  };

  /** Takes one sample now (also called by the timer); while one runs, returns it. Never rejects. */
  sample(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.takeSample().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private put(key: string, v: number, t: number, slot: number): void {
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.maxSeries) return;
      s = {
        fine: new Float64Array(this.points).fill(Number.NaN),
        coarseMax: new Float64Array(this.coarsePoints).fill(Number.NaN),
        coarseMin: new Float32Array(this.coarsePoints).fill(Number.NaN),
        hi: Number.NaN,
        lo: Number.NaN,
        last: t,
      };
      this.series.set(key, s);
    }
    s.fine[slot] = v;
    s.last = t;
    // (NaN compares false: the period's first value sets both.)
    if (!(v <= s.hi)) s.hi = v;
    if (!(v >= s.lo)) s.lo = v;
  }

  private async takeSample(): Promise<void> {
    try {
      const now = this.scheduler.now();
      const top = await this.source.snapshotAsync('/', BACKGROUND);
      if (!top) return;
      // The new tick becomes visible only when every series holds its value (readers see whole samples).
      const t = this.tick + 1;
      const slot = t % this.points;
      for (const [f, v] of overviewFigures(top)) if (v !== null && Number.isFinite(v)) this.put(overviewKey(f.id), v, t, slot);
      const visit = ([key, v]: [string, unknown]): void => {
        if (typeof v === 'number' && Number.isFinite(v)) this.put(key, v, t, slot);
      };
      const firsts: SnapshotNode[] = [];
      for (const p of FIRST) {
        const n = nodeAt(top, p);
        if (n) firsts.push(n);
      }
      for (const n of firsts) await forEachSliced(liveEntries(n), visit);
      // The rest of the tree (the subtrees above again: their series are already in, a cheap no-op).
      await forEachSliced(liveEntries(top), visit);
      const coarseDue = t % this.coarseEvery === 0;
      const cslot = coarseDue ? (this.coarseTick + 1) % this.coarsePoints : 0;
      for (const [key, s] of this.series) {
        if (s.last !== t) {
          if (t - s.last >= this.points) {
            this.series.delete(key);
            continue;
          }
          s.fine[slot] = Number.NaN;
        }
        if (coarseDue) {
          s.coarseMax[cslot] = s.hi;
          s.coarseMin[cslot] = s.lo;
          s.hi = Number.NaN;
          s.lo = Number.NaN;
        }
      }
      this.fineT[slot] = now;
      this.tick = t;
      if (coarseDue) {
        this.coarseT[cslot] = now;
        this.coarseTick++;
      }
    } catch {
      // A failing snapshot must not escape a background timer; the next tick tries again.
    }
  }

  /** The last `n` (default {@link SPARK_POINTS}) fine samples of one series, oldest first (`null` where it had no value), or undefined. */
  history(key: string, n = SPARK_POINTS): Array<number | null> | undefined {
    const s = this.series.get(key);
    if (!s) return undefined;
    const count = Math.min(this.tick, this.points, n);
    const out: Array<number | null> = new Array(count);
    for (let i = 0; i < count; i++) {
      const v = s.fine[(this.tick - count + 1 + i) % this.points];
      out[i] = Number.isNaN(v) ? null : v;
    }
    return out;
  }

  /** Whether a series is held. */
  has(key: string): boolean {
    return this.series.has(key);
  }

  /** Keys of the series held at or below a path (its segments; `[]`: every series). */
  keysUnder(segments: readonly string[]): string[] {
    const out: string[] = [];
    if (segments.length === 0) {
      for (const k of this.series.keys()) out.push(k);
      return out;
    }
    // `["web","latency"` followed by `]` or `,`: not `["web","latencyX"...`.
    const open = JSON.stringify(segments).slice(0, -1);
    for (const k of this.series.keys()) {
      if (k.startsWith(open) && (k.length === open.length + 1 || k[open.length] === ',')) out.push(k);
    }
    return out;
  }

  /**
   * The whole history on one time axis: the coarse samples older than the fine tier, then the
   * fine ones. Series are read when asked for (a big tree's history is not copied at once).
   */
  timeline(): HistoryTimeline {
    const fineN = Math.min(this.tick, this.points);
    const fineStart = fineN > 0 ? this.fineT[(this.tick - fineN + 1) % this.points] : Number.POSITIVE_INFINITY;
    const coarseN = Math.min(this.coarseTick, this.coarsePoints);
    const coarseSlots: number[] = [];
    for (let i = 0; i < coarseN; i++) {
      const slot = (this.coarseTick - coarseN + 1 + i) % this.coarsePoints;
      if (this.coarseT[slot] < fineStart) coarseSlots.push(slot);
    }
    const t: number[] = coarseSlots.map((s) => this.coarseT[s]);
    const fineSlots: number[] = [];
    for (let i = 0; i < fineN; i++) fineSlots.push((this.tick - fineN + 1 + i) % this.points);
    for (const s of fineSlots) t.push(this.fineT[s]);
    const value = (v: number): number | null => (Number.isNaN(v) ? null : v);
    return {
      t,
      coarse: coarseSlots.length,
      read: (k) => {
        const s = this.series.get(k);
        if (!s) return undefined;
        const vs: Array<number | null> = [];
        for (const slot of coarseSlots) vs.push(value(s.coarseMax[slot]));
        for (const slot of fineSlots) vs.push(value(s.fine[slot]));
        return vs;
      },
      low: (k) => {
        const s = this.series.get(k);
        if (!s) return undefined;
        // float32 may round a min above its max by a hair: never past it.
        return coarseSlots.map((slot) => value(Math.min(s.coarseMin[slot], s.coarseMax[slot])));
      },
    };
  }
}

const shared = new WeakMap<StatsSource, Map<Scheduler, Map<string, { sampler: HistorySampler; refs: number }>>>();

/**
 * The history sampler shared by every handler of one registry with the same options, started
 * at once; `release()` stops it when the last user is gone.
 */
export function acquireHistory(source: StatsSource, options: HistoryOptions): { sampler: HistorySampler; release(): void } {
  let bySource = shared.get(source);
  if (!bySource) shared.set(source, (bySource = new Map()));
  const scheduler = options.scheduler ?? systemScheduler;
  let bySettings = bySource.get(scheduler);
  if (!bySettings) bySource.set(scheduler, (bySettings = new Map()));
  const key = JSON.stringify([options.intervalMs, options.points, options.coarseEvery, options.coarsePoints, options.maxSeries, options.maxBytes]);
  let entry = bySettings.get(key);
  if (!entry) bySettings.set(key, (entry = { sampler: new HistorySampler(source, options), refs: 0 }));
  entry.refs++;
  entry.sampler.start();
  const e = entry;
  let released = false;
  return {
    sampler: e.sampler,
    release() {
      if (released) return;
      released = true;
      if (--e.refs === 0) {
        e.sampler.stop();
        bySettings.delete(key);
        if (bySettings.size === 0) bySource.delete(scheduler);
      }
    },
  };
}
