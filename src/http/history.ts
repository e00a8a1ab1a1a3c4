/**
 * Recent history of every numeric stat for the live view's sparklines: one bounded ring buffer
 * per series (default the last 10 minutes at 5 s), filled by ONE unref'd timer per registry
 * that runs only while a status handler is in use: it starts on the first request (its first
 * sample one period later: the request's own snapshot already read every gauge), stops when
 * the last handler is closed or after {@link HistoryOptions.idleStopMs} without requests.
 * Samples are background reads: gauges over the registry's time budget are not called.
 */
import type { SnapshotOptions } from '../core/snapshot.js';
import type { StatsSource } from '../registry/source.js';
import { forEachSliced } from '../core/slices.js';
import { liveEntries } from '../formats/live.js';
import { type ScheduledTask, type Scheduler, systemScheduler } from '../sampling/scheduler.js';

/** Options of the history sampler. */
export interface HistoryOptions {
  /** Sampling period (default {@link DEFAULT_HISTORY_INTERVAL_MS}). */
  intervalMs?: number;
  /** Samples kept per series (default {@link DEFAULT_HISTORY_POINTS}). */
  points?: number;
  /** Most series kept; new series beyond it get no history (default {@link DEFAULT_HISTORY_MAX_SERIES}). */
  maxSeries?: number;
  /** Stop sampling after this long without a request (default {@link DEFAULT_HISTORY_IDLE_STOP_MS}). */
  idleStopMs?: number;
  /** Runs the sampling timer and tells the time for the idle stop (default: Node timers and `Date.now`; tests: a manual one). */
  scheduler?: Scheduler;
}

/** Default sampling period of the history: 5 s. */
export const DEFAULT_HISTORY_INTERVAL_MS = 5000;
/** Default samples per series: 120 (10 minutes at 5 s). */
export const DEFAULT_HISTORY_POINTS = 120;
/** Default bound on the number of series: 2,000 (about 2 MB of samples). */
export const DEFAULT_HISTORY_MAX_SERIES = 2000;
/** Default idle time after which sampling stops: 15 minutes. */
export const DEFAULT_HISTORY_IDLE_STOP_MS = 15 * 60 * 1000;

// Samples skip gauges that were too slow (see RegistryOptions.gaugeBudgetMs).
const BACKGROUND: SnapshotOptions = { background: true };

interface Series {
  ring: Float64Array;
  last: number;
}

/** Samples the numeric leaves of a registry into bounded ring buffers. */
export class HistorySampler {
  readonly intervalMs: number;
  readonly points: number;
  readonly maxSeries: number;
  readonly idleStopMs: number;
  private readonly series = new Map<string, Series>();
  private tick = 0;
  private readonly scheduler: Scheduler;
  private timer: ScheduledTask | undefined;
  private inFlight: Promise<void> | undefined;
  private lastUse = 0;

  constructor(
    private readonly source: StatsSource,
    options: HistoryOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEFAULT_HISTORY_INTERVAL_MS;
    this.points = options.points ?? DEFAULT_HISTORY_POINTS;
    this.maxSeries = options.maxSeries ?? DEFAULT_HISTORY_MAX_SERIES;
    this.idleStopMs = options.idleStopMs ?? DEFAULT_HISTORY_IDLE_STOP_MS;
    this.scheduler = options.scheduler ?? systemScheduler;
    for (const [k, v] of Object.entries({ intervalMs: this.intervalMs, points: this.points, maxSeries: this.maxSeries })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`invalid history option ${k}: ${v} (a positive integer)`);
    }
  }

  /** Whether the timer is running. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Number of series held. */
  get size(): number {
    return this.series.size;
  }

  /**
   * Marks a use; starts sampling when stopped. The first sample comes one period later, not
   * at once: an immediate one would call every gauge a second time for the same page view.
   */
  touch(): void {
    this.lastUse = this.scheduler.now();
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
    if (this.timer !== undefined && this.scheduler.now() - this.lastUse > this.idleStopMs) {
      this.stop();
      return Promise.resolve();
    }
    this.inFlight = this.takeSample().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async takeSample(): Promise<void> {
    try {
      const top = await this.source.snapshotAsync('/', BACKGROUND);
      if (!top) return;
      const t = ++this.tick;
      const slot = t % this.points;
      await forEachSliced(liveEntries(top), ([key, v]) => {
        if (typeof v !== 'number') return;
        let s = this.series.get(key);
        if (!s) {
          if (this.series.size >= this.maxSeries) return;
          s = { ring: new Float64Array(this.points).fill(Number.NaN), last: t };
          this.series.set(key, s);
        }
        s.ring[slot] = v;
        s.last = t;
      });
      for (const [key, s] of this.series) {
        if (s.last === t) continue;
        if (t - s.last >= this.points) this.series.delete(key);
        else s.ring[slot] = Number.NaN;
      }
    } catch {
      // A failing snapshot must not escape a background timer; the next tick tries again.
    }
  }

  /** The samples of one series, oldest first (`null` where it had no value), or undefined. */
  history(key: string): Array<number | null> | undefined {
    const s = this.series.get(key);
    if (!s) return undefined;
    const n = Math.min(this.tick, this.points);
    const out: Array<number | null> = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = s.ring[(this.tick - n + 1 + i) % this.points];
      out[i] = Number.isNaN(v) ? null : v;
    }
    return out;
  }
}

const shared = new WeakMap<StatsSource, Map<Scheduler, Map<string, { sampler: HistorySampler; refs: number }>>>();

/**
 * The history sampler shared by every handler of one registry with the same options;
 * `release()` stops it when the last user is gone.
 */
export function acquireHistory(source: StatsSource, options: HistoryOptions): { sampler: HistorySampler; release(): void } {
  let bySource = shared.get(source);
  if (!bySource) shared.set(source, (bySource = new Map()));
  const scheduler = options.scheduler ?? systemScheduler;
  let bySettings = bySource.get(scheduler);
  if (!bySettings) bySource.set(scheduler, (bySettings = new Map()));
  const key = JSON.stringify([options.intervalMs, options.points, options.maxSeries, options.idleStopMs]);
  let entry = bySettings.get(key);
  if (!entry) bySettings.set(key, (entry = { sampler: new HistorySampler(source, options), refs: 0 }));
  entry.refs++;
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
