// How long work holds the event loop, measured so that a loaded machine does not count: the
// event-loop tests (test/http/load.test.ts, test/http/page-stall.test.ts) share 2 cores with
// other test files, Prometheus and Chromium, and CI may be busier still.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** What {@link worstStallMs} measured. */
export interface Stall<T> {
  /** What `fn` resolved to. */
  result: T;
  /**
   * The longest stall in ms: between two ticks of a 1 ms interval (and from the last tick to the
   * end), the smaller of the time that passed and the CPU time this process used meanwhile.
   * On a loaded machine the time that passed also holds the time other processes had the CPU,
   * which no code of ours can shorten; the process's CPU time does not, and it is never less
   * than what the main thread itself ran. On an idle machine the two agree.
   */
  worst: number;
  /** The longest stall in wall-clock time alone: the larger of the longest gap and Node's delay monitor's max. */
  wall: number;
  /** How long `fn` took in all, in ms. */
  ms: number;
}

/** The process's CPU time (user and system, every thread), in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * The worst event-loop stall while `fn` runs (see {@link Stall}). Node's delay monitor alone can
 * read 0 when the work ends within a few of its own ticks, hence the interval's gaps.
 */
export async function worstStallMs<T>(fn: () => Promise<T>): Promise<Stall<T>> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let lastCpu = cpuMs();
  let gap = 0;
  let worst = 0;
  const tick = () => {
    const t = performance.now();
    const c = cpuMs();
    gap = Math.max(gap, t - last);
    worst = Math.max(worst, Math.min(t - last, c - lastCpu));
    last = t;
    lastCpu = c;
  };
  const iv = setInterval(tick, 1);
  h.enable();
  const t0 = performance.now();
  try {
    const result = await fn();
    tick();
    return { result, worst, wall: Math.max(gap, h.max / 1e6), ms: performance.now() - t0 };
  } finally {
    h.disable();
    clearInterval(iv);
  }
}
