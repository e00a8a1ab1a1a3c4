/**
 * Event-loop slicing, written once: long work (a snapshot of a big tree, a render, a Graphite
 * walk) runs in slices of a few milliseconds and yields to the event loop between them, so the
 * host application's requests and timers are never held up for long.
 */

/** Work done between two yields to the event loop, in ms. */
export const DEFAULT_SLICE_MS = 4;

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The clock of one slice of work: `spent` once `ms` have passed since the slice began;
 * `next()` yields to the event loop and begins a new slice.
 */
export class TimeSlice {
  #start = performance.now();

  constructor(readonly ms: number = DEFAULT_SLICE_MS) {}

  /** Whether this slice has used its time. */
  get spent(): boolean {
    return performance.now() - this.#start >= this.ms;
  }

  /** Begins a new slice without yielding (after waiting for something else, e.g. I/O). */
  restart(): void {
    this.#start = performance.now();
  }

  /** Yields to the event loop, then begins a new slice. */
  async next(): Promise<void> {
    await yieldToEventLoop();
    this.#start = performance.now();
  }
}

/**
 * Runs a generator that `yield`s at safe points to completion, yielding to the event loop
 * whenever it has worked for `sliceMs`; resolves to what the generator returns.
 */
export async function runSliced<T>(gen: Generator<void, T>, sliceMs: number = DEFAULT_SLICE_MS): Promise<T> {
  const slice = new TimeSlice(sliceMs);
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    if (slice.spent) await slice.next();
  }
}

/** Runs a generator that `yield`s at safe points to completion, synchronously. */
export function runToEnd<T>(gen: Generator<void, T>): T {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs `fn` on every item, yielding to the event loop after every `sliceMs` of work (the clock
 * is read every `checkEvery` items, since reading it costs more than most items).
 */
export async function forEachSliced<T>(
  items: Iterable<T>,
  fn: (item: T) => void,
  sliceMs: number = DEFAULT_SLICE_MS,
  checkEvery = 256,
): Promise<void> {
  const slice = new TimeSlice(sliceMs);
  let n = 0;
  for (const item of items) {
    fn(item);
    if (++n % checkEvery === 0 && slice.spent) await slice.next();
  }
}
