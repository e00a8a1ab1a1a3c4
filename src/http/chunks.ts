/**
 * Pulls rendered pieces into one string while letting the event loop breathe: after every
 * `sliceMs` of work it waits for `setImmediate`, so a 10,000-stat page never blocks the host
 * for more than a few milliseconds at a time. Stops early when the text grows past a bound.
 */

/** Work done between two yields to the event loop, in ms. */
export const DEFAULT_SLICE_MS = 4;

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Joins the pieces of `source`; resolves `undefined` when their total length exceeds
 * `maxChars` (the caller answers with an error instead of an unbounded body).
 */
export async function collectChunks(source: Iterable<string>, maxChars: number, sliceMs = DEFAULT_SLICE_MS): Promise<string | undefined> {
  const parts: string[] = [];
  let size = 0;
  let start = performance.now();
  let n = 0;
  for (const piece of source) {
    parts.push(piece);
    size += piece.length;
    if (size > maxChars) return undefined;
    // Checking the clock every piece costs more than the pieces themselves: every 32 pieces.
    if ((++n & 31) === 0 && performance.now() - start > sliceMs) {
      await yieldToEventLoop();
      start = performance.now();
    }
  }
  return parts.join('');
}

/** Runs `fn` on every item, yielding to the event loop after every `sliceMs` of work. */
export async function forEachSliced<T>(source: Iterable<T>, fn: (item: T) => void, sliceMs = DEFAULT_SLICE_MS): Promise<void> {
  let start = performance.now();
  let n = 0;
  for (const item of source) {
    fn(item);
    if ((++n & 255) === 0 && performance.now() - start > sliceMs) {
      await yieldToEventLoop();
      start = performance.now();
    }
  }
}
