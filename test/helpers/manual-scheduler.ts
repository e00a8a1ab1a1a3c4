/**
 * A scheduler whose time moves only when a test says so (the `Scheduler` seam of the history
 * sampler, the Graphite periodic pusher and the periodic dump). It imports nothing, so tests of
 * the package by name and tests of `src` can both use it.
 */

interface Entry {
  at: number;
  seq: number;
  task: () => void;
  cancelled: boolean;
}

/** Time in epoch ms, tasks run by {@link advance} in time order; {@link scheduled} waits for the next schedule() call. */
export class ManualScheduler {
  #now: number;
  #seq = 0;
  #tasks: Entry[] = [];
  #waiters: Array<() => void> = [];
  /** How many times schedule() was called. */
  calls = 0;

  /** Starts at `startMs` (epoch ms; default 2027-01-15, a multiple of every period the tests use). */
  constructor(startMs = 1_800_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  schedule(task: () => void, delayMs: number): { cancel(): void } {
    const entry: Entry = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, task, cancelled: false };
    this.#tasks.push(entry);
    this.calls++;
    for (const wake of this.#waiters.splice(0)) wake();
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Tasks waiting (not cancelled, not run). */
  get pending(): number {
    return this.#tasks.filter((t) => !t.cancelled).length;
  }

  /** Delay from now until the next pending task, or undefined when none waits. */
  get nextDelay(): number | undefined {
    const next = this.#next();
    return next === undefined ? undefined : next.at - this.#now;
  }

  /** Moves time forward by `ms`, running every task due on the way (also those scheduled by them) in time order; returns how many ran. */
  advance(ms: number): number {
    const end = this.#now + ms;
    let ran = 0;
    for (let next = this.#next(); next !== undefined && next.at <= end; next = this.#next()) {
      this.#tasks.splice(this.#tasks.indexOf(next), 1);
      this.#now = Math.max(this.#now, next.at);
      next.task();
      ran++;
    }
    this.#now = end;
    return ran;
  }

  /** Jumps to the next pending task and runs it (and any due at the same time); returns the time moved. */
  runNext(): number {
    const delay = this.nextDelay;
    if (delay === undefined) throw new Error('ManualScheduler.runNext: nothing is scheduled');
    this.advance(delay);
    return delay;
  }

  /**
   * Resolves at the next schedule() call after `callsSeen` calls (default: the calls so far, so
   * it waits for a new one); rejects after `timeoutMs` of real time naming `what`.
   */
  scheduled(what: string, callsSeen = this.calls, timeoutMs = 10_000): Promise<void> {
    if (this.calls > callsSeen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} to schedule its next run`)), timeoutMs);
      const check = () => {
        if (this.calls > callsSeen) {
          clearTimeout(timer);
          resolve();
        } else this.#waiters.push(check);
      };
      check();
    });
  }

  #next(): Entry | undefined {
    this.#tasks = this.#tasks.filter((t) => !t.cancelled);
    let best: Entry | undefined;
    for (const t of this.#tasks) if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }
}
