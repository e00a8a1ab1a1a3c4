/**
 * When periodic work runs. The history sampler, the Graphite periodic pusher and the periodic
 * dump take a {@link Scheduler} (as Dropwizard's `ScheduledReporter` takes an executor), so a
 * test drives them by hand instead of sleeping, and an application can run them on its own loop.
 */

/** A task waiting in a {@link Scheduler}. */
export interface ScheduledTask {
  /** Makes sure the task does not run (nothing happens if it already ran). */
  cancel(): void;
}

/**
 * Runs one-shot tasks later, and tells the time they are measured against. Periodic work
 * schedules its next run from inside each run.
 *
 * @example
 * // A scheduler of your own: run every task at once (e.g. in a simulation).
 * const immediate: scales.Scheduler = {
 *   now: () => Date.now(),
 *   schedule: (task) => (queueMicrotask(task), { cancel() {} }),
 * };
 */
export interface Scheduler {
  /** The current time in epoch milliseconds (`Date.now()` for the {@link systemScheduler}). */
  now(): number;
  /**
   * Runs `task` once, `delayMs` from now. A scheduler must not keep the process alive for its
   * tasks (the system one uses unref'd timers) and must not let a task's exception escape into
   * the caller of schedule().
   */
  schedule(task: () => void, delayMs: number): ScheduledTask;
}

/** The default scheduler: `Date.now()` and unref'd Node timers (they never keep the process alive). */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(task: () => void, delayMs: number): ScheduledTask {
    const timer = setTimeout(task, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
