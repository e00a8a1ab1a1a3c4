/**
 * Pulls rendered pieces into one UTF-8 body while letting the event loop breathe: after every
 * `sliceMs` of work it waits for `setImmediate`, so a 10,000-stat page never blocks the host
 * for more than a few milliseconds at a time. Pieces are joined and encoded in batches (no
 * single big join or encode at the end), and collection stops once the body passes a bound.
 */
import { DEFAULT_SLICE_MS, TimeSlice } from '../core/slices.js';

/** Characters joined and encoded at once. */
const BATCH_CHARS = 64 * 1024;

/**
 * The UTF-8 body made of the pieces of `source`; resolves `undefined` when it would exceed
 * `maxBytes` (the caller answers with an error instead of an unbounded body).
 */
export async function collectBody(source: Iterable<string>, maxBytes: number, sliceMs = DEFAULT_SLICE_MS): Promise<Buffer | undefined> {
  const buffers: Buffer[] = [];
  let batch: string[] = [];
  let batchChars = 0;
  let bytes = 0;
  const time = new TimeSlice(sliceMs);
  let n = 0;
  const flush = (): boolean => {
    const buf = Buffer.from(batch.length === 1 ? batch[0] : batch.join(''), 'utf8');
    batch = [];
    batchChars = 0;
    bytes += buf.length;
    buffers.push(buf);
    return bytes <= maxBytes;
  };
  for (const piece of source) {
    batch.push(piece);
    batchChars += piece.length;
    if (batchChars >= BATCH_CHARS && !flush()) return undefined;
    // Checking the clock every piece costs more than most pieces: every 16 pieces.
    if ((++n & 15) === 0 && time.spent) await time.next();
  }
  if (batch.length > 0 && !flush()) return undefined;
  return buffers.length === 1 ? buffers[0] : Buffer.concat(buffers, bytes);
}

/** {@link collectBody} for binary pieces (the protobuf exposition): resolves `undefined` past `maxBytes`. */
export async function collectBytes(source: Iterable<Uint8Array>, maxBytes: number, sliceMs = DEFAULT_SLICE_MS): Promise<Buffer | undefined> {
  const buffers: Uint8Array[] = [];
  let bytes = 0;
  const time = new TimeSlice(sliceMs);
  for (const piece of source) {
    bytes += piece.length;
    if (bytes > maxBytes) return undefined;
    buffers.push(piece);
    if (time.spent) await time.next();
  }
  return Buffer.concat(buffers, bytes);
}
