/**
 * A cheap, coarse view of the system clock for hot paths: one module-level number advanced by
 * ONE shared, unref'd interval timer (never a timer per stat), so that `record()` and `mark()`
 * read a variable instead of calling `performance.now()` (~25 ns) on every write.
 * Readers (summaries, rates) call {@link refreshCoarseNow} to get the precise time, which also
 * moves the shared value forward, so writers and readers agree on time.
 */
import { type Clock, systemClock } from './clock.js';

/** Resolution of the coarse clock, in milliseconds. */
export const COARSE_CLOCK_INTERVAL_MS = 100;

let coarseNow = performance.now();
let timer: ReturnType<typeof setInterval> | undefined;

function startTicker(): void {
  if (timer !== undefined) return;
  timer = setInterval(() => {
    coarseNow = performance.now();
  }, COARSE_CLOCK_INTERVAL_MS);
  // Never keep the host process alive for our sake.
  timer.unref?.();
}

/** Reads the precise time and publishes it as the shared coarse time. */
export function refreshCoarseNow(): number {
  const t = performance.now();
  if (t > coarseNow) coarseNow = t;
  return coarseNow;
}

/**
 * The shared coarse clock: `now()` is the system time at most {@link COARSE_CLOCK_INTERVAL_MS}
 * old while the event loop runs. Starts the shared ticker on first use.
 */
export const coarseClock: Clock = {
  now: () => coarseNow,
};

/**
 * Resolves the clocks a time-dependent structure uses: `write` for the hot path (coarse for
 * the system clock, the injected clock itself otherwise), `read` for summaries (precise).
 */
export function resolveClocks(clock: Clock | undefined): { write: Clock; read: Clock } {
  if (clock === undefined || clock === systemClock) {
    startTicker();
    return { write: coarseClock, read: { now: refreshCoarseNow } };
  }
  return { write: clock, read: clock };
}
