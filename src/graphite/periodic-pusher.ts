/**
 * A Graphite pusher that pushes by itself every period (Python's `GraphitePeriodicPusher`), on
 * one unref'd timer aligned to the period, so it never keeps the process alive; a push still
 * running when the next one is due makes that one skipped (and counted), never doubled.
 * Timed pushes are background reads: a gauge slower than the registry's `gaugeBudgetMs` is skipped
 * by them (nothing is sent for it) and retried after a back-off, until a read finds it fast again.
 */

import { type ScheduledTask, type Scheduler, systemScheduler } from '../sampling/scheduler.js';
import { DEFAULT_FLUSH_TIMEOUT_MS, GraphitePusher, type GraphitePusherOptions, type PushResult } from './pusher.js';

/** Default push period, in seconds. */
export const DEFAULT_PUSH_PERIOD_SECONDS = 60;
/** Pushes start this long after a period boundary, so a timer that fires early never lands in the previous period. */
const AFTER_BOUNDARY_MS = 20;

/** Options of a {@link GraphitePeriodicPusher}: those of a pusher, with `period` (seconds, default 60). */
export interface GraphitePeriodicPusherOptions extends GraphitePusherOptions {
  /** Seconds between pushes (default {@link DEFAULT_PUSH_PERIOD_SECONDS}); timestamps are aligned to it. */
  period?: number;
  /**
   * Runs the wait until each push and tells the time the periods are aligned to (default:
   * unref'd Node timers and `Date.now`; tests: a manual scheduler). Without `now`, the
   * datapoints' timestamps also come from its `now()`.
   */
  scheduler?: Scheduler;
}

/**
 * Pushes the stat tree to Graphite every `period` seconds.
 *
 * @example
 * const pusher = new GraphitePeriodicPusher('graphite-collector-hostname', 2003, 'my.server.prefix.');
 * pusher.allow('*');
 * pusher.start();
 * // ... at shutdown: a final push, a flush, and the socket is closed
 * await pusher.stop();
 */
export class GraphitePeriodicPusher extends GraphitePusher {
  #timer: ScheduledTask | null = null;
  #started = false;
  readonly #clock: () => number;
  readonly #scheduler: Scheduler;

  /**
   * @param host carbon's host name or address
   * @param port default 2003 (2004 for pickle)
   * @param prefix default the lower-cased host name
   * @param options the period in seconds, or options (`{ period, protocol, deltas, source, ... }`)
   */
  constructor(host: string, port?: number, prefix?: string, options: number | GraphitePeriodicPusherOptions = {}) {
    const opts: GraphitePeriodicPusherOptions = typeof options === 'number' ? { period: options } : options;
    const scheduler = opts.scheduler ?? systemScheduler;
    const now = opts.now ?? (() => scheduler.now());
    super(host, port, prefix, { ...opts, now, period: opts.period ?? DEFAULT_PUSH_PERIOD_SECONDS });
    this.#scheduler = scheduler;
    this.#clock = now;
  }

  /** Starts pushing every period (the first push at the next period boundary). Calling it again does nothing. */
  start(): this {
    if (this.closed) throw new Error(`GraphitePeriodicPusher for ${this.destination} was stopped; create a new one`);
    if (this.#started) return this;
    this.#started = true;
    this.#schedule();
    return this;
  }

  /** True between start() and stop(). */
  get running(): boolean {
    return this.#started && !this.closed;
  }

  /** Stops the timer, makes a final push, flushes (up to `timeoutMs`) and closes the connection. Never rejects. */
  async stop(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<PushResult | undefined> {
    if (this.closed) return undefined;
    this.#started = false;
    this.#timer?.cancel();
    this.#timer = null;
    const last = await this.push();
    await this.close(timeoutMs);
    return last;
  }

  #schedule(): void {
    const periodMs = this.period * 1000;
    const now = this.#clock();
    const next = (Math.floor(now / periodMs) + 1) * periodMs + AFTER_BOUNDARY_MS;
    this.#timer = this.#scheduler.schedule(() => this.#tick(), next - now);
  }

  #tick(): void {
    this.#timer = null;
    if (!this.#started || this.closed) return;
    this.#schedule();
    if (this.busy) {
      this.countOverlap();
      return;
    }
    // A background read: gauges over the registry's gaugeBudgetMs are not called (nothing is sent
    // for them this period). push() never rejects; the catch is a second guard for the host app.
    this.enqueuePush(false, true).catch(() => {});
  }
}
