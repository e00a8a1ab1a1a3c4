import { doubleStat, intStat, stat } from '../registry/catalogue.js';
import { Registry } from '../registry/registry.js';
import { type ScheduledTask, type Scheduler, systemScheduler } from '../sampling/scheduler.js';
import { type DumpOptions, writeDump } from './dump-file.js';
import { sourceOf } from '../registry/default-registry.js';

/** Where the periodic dumps report on themselves, in the registry they dump. */
export const DUMP_SELF_STATS_PATH = '/scales/dump';

function declareSelfStats(registry: Registry) {
  return registry.collection(DUMP_SELF_STATS_PATH, intStat('writes'), intStat('errors'), doubleStat('lastWriteMs'), stat('lastError', ''));
}

/** Default period of {@link dumpStatsPeriodically}: one minute. */
export const DEFAULT_DUMP_PERIOD_MS = 60_000;

/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of {@link dumpStatsPeriodically}. */
export interface DumpPeriodicallyOptions extends DumpOptions {
  /** Time between the end of one write and the start of the next, in ms (default 60 000). */
  periodMs?: number;
  /**
   * The same in seconds, as Python's `installStatsLoop(file, delay)` and the Graphite pusher's
   * `period` take it. Give `period` or `periodMs`, not both.
   */
  period?: number;
  /**
   * Called with every failed write. Without it, the first failure is reported once through
   * `process.emitWarning` (code `SCALES_DUMP_FAILED`); later ones are only counted.
   */
  onError?: (error: Error) => void;
  /** Runs the wait between writes (default: unref'd Node timers; tests: a manual scheduler). */
  scheduler?: Scheduler;
}

/** The handle of a periodic dump. */
export interface PeriodicDump {
  /** Stops the loop; resolves once a write in progress (if any) has finished. */
  stop(): Promise<void>;
  /** Successful writes so far. */
  readonly writes: number;
  /** Failed writes so far. */
  readonly errors: number;
  /** The last failure, if any. */
  readonly lastError: Error | undefined;
}

/**
 * Writes the stats to `filename` now and then every `periodMs` (Python's `installStatsLoop`),
 * atomically, never two writes at once (the next is scheduled when the previous one ends), on
 * an unref'd timer (it never keeps the process alive; `scheduler` replaces it). Errors are reported, never thrown.
 * When the source is a `Registry`, the loop reports on itself there, under `/scales/dump`:
 * `writes`, `errors`, `lastWriteMs`, `lastError` (totals over every periodic dump of it).
 * Its writes are background reads: a gauge slower than the registry's `gaugeBudgetMs` is skipped
 * (the dump shows an error marker in its place) and retried after a back-off, until a read finds it fast.
 * @example
 * const dumping = dumpStatsPeriodically('/var/run/myapp/stats.json', { periodMs: 10_000 });
 * // later: await dumping.stop();
 */
export function dumpStatsPeriodically(filename: string, options: DumpPeriodicallyOptions = {}): PeriodicDump {
  if (options.period !== undefined && options.periodMs !== undefined) {
    throw new TypeError('dumpStatsPeriodically: give period (seconds) or periodMs, not both');
  }
  const periodMs = options.period !== undefined ? options.period * 1000 : (options.periodMs ?? DEFAULT_DUMP_PERIOD_MS);
  // Above 2^31 - 1 ms, setTimeout fires at once: the loop would write without pause.
  if (!(Number.isFinite(periodMs) && periodMs > 0 && periodMs <= MAX_TIMER_MS)) {
    throw new RangeError(
      `dumpStatsPeriodically: periodMs must be a positive number of milliseconds up to ${MAX_TIMER_MS} (24.8 days), got ${periodMs}`,
    );
  }
  let writes = 0;
  let errors = 0;
  let lastError: Error | undefined;
  let stopped = false;
  let timer: ScheduledTask | undefined;
  const scheduler = options.scheduler ?? systemScheduler;
  let inFlight: Promise<void> | undefined;
  const source = sourceOf(options, 'dumpStatsPeriodically');
  const self = source instanceof Registry ? declareSelfStats(source) : undefined;

  const report = (err: unknown): void => {
    const error = err instanceof Error ? err : new Error(String(err));
    errors++;
    lastError = error;
    if (self !== undefined) {
      self.errors += 1;
      self.lastError = error.message;
    }
    try {
      if (options.onError) options.onError(error);
      else if (errors === 1) {
        process.emitWarning(`scales-metrics: writing the stats dump ${filename} failed: ${error.message}`, {
          code: 'SCALES_DUMP_FAILED',
        });
      }
    } catch {
      // A throwing error callback must not escape from a background loop.
    }
  };

  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    const started = performance.now();
    // Background reads: a gauge over the registry's gaugeBudgetMs is not called again (it shows an error).
    inFlight = writeDump(filename, options, true).then(() => {
      writes++;
      if (self !== undefined) {
        self.writes += 1;
        self.lastWriteMs = performance.now() - started;
      }
    }, report);
    void inFlight.finally(() => {
      inFlight = undefined;
      schedule(periodMs);
    });
  };

  const schedule = (delay: number): void => {
    if (stopped) return;
    timer = scheduler.schedule(tick, delay);
  };

  // The first write starts now (not on a timer), so that stop() right away, or a short script
  // that ends at once, still gets the file that "writes now" promises.
  tick();
  return {
    async stop() {
      stopped = true;
      timer?.cancel();
      timer = undefined;
      await inFlight;
    },
    get writes() {
      return writes;
    },
    get errors() {
      return errors;
    },
    get lastError() {
      return lastError;
    },
  };
}
