/**
 * Per-period deltas for counters: users of the original asked for values "of the last interval,
 * not since start". A counter leaf is sent as its change since the end of the previous period;
 * pushes that fall into the same period (a final push on stop, a manual push) all measure from
 * the same base, so a period's delta is never split and then overwritten in carbon.
 */

import type { CounterMode } from './collect.js';

/**
 * Remembers the counters of the previous period, by metric name. Memory is two maps of the
 * current counters (names that disappear are forgotten at the next period).
 *
 * @example
 * const d = new DeltaTracker();
 * d.begin(60); d.delta('a.hits', 10, 'diff'); // 10 (from 0)
 * d.begin(120); d.delta('a.hits', 25, 'diff'); // 15
 */
export class DeltaTracker {
  #started = false;
  #slot = 0;
  #base = new Map<string, number>();
  #last = new Map<string, number>();

  /** Starts a push whose datapoints carry `timestamp` (the period they belong to). */
  begin(timestamp: number): void {
    if (!this.#started || timestamp !== this.#slot) {
      if (this.#started) this.#base = this.#last;
      this.#started = true;
      this.#slot = timestamp;
    }
    this.#last = new Map();
  }

  /** The value to send for a counter leaf that reads `value` now. */
  delta(name: string, value: number, mode: CounterMode): number {
    this.#last.set(name, value);
    const before = this.#base.get(name) ?? 0;
    if (mode === 'monotonic' && value < before) return value; // restarted from 0
    return value - before;
  }
}
