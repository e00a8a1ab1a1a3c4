/**
 * Graphite's pickle protocol, written without Python: each frame is a 4-byte big-endian length
 * followed by a pickle (protocol 2) of a list of `(name, (timestamp, value))` tuples, the
 * format carbon's pickle receiver (default port 2004) accepts with its safe unpickler.
 *
 * Opcodes used: PROTO 2 (`80 02`), EMPTY_LIST (`5d`), MARK (`28`), BINUNICODE (`58` + uint32 LE
 * length + UTF-8), BINFLOAT (`47` + float64 BE), TUPLE2 (`86`), APPENDS (`65`), STOP (`2e`).
 */

import type { DatapointBatch, EncodedChunk } from './datapoints.js';

/** Carbon drops the connection on frames over `PICKLE_RECEIVER_MAX_LENGTH` (1 MiB by default). */
export const PICKLE_MAX_FRAME_BYTES = 1024 * 1024;

/** Default frame size: well under carbon's limit, large enough that a push costs few frames. */
export const DEFAULT_PICKLE_FRAME_BYTES = 256 * 1024;

const HEADER = 4 + 4; // length prefix + PROTO 2, EMPTY_LIST, MARK
const TRAILER = 2; // APPENDS, STOP
const FIXED_PER_POINT = 1 + 4 + 9 + 9 + 2; // BINUNICODE header, 2 x BINFLOAT, 2 x TUPLE2

/**
 * Encodes a batch as pickle frames of at most `maxFrameBytes` bytes each (capped at carbon's
 * 1 MiB limit); every frame holds whole datapoints.
 *
 * @example
 * const [frame] = encodePickle({ names: ['a.b'], values: [1.5], timestamp: 1700000000 });
 * frame.bytes.readUInt32BE(0) === frame.bytes.length - 4; // true
 */
export function encodePickle(batch: DatapointBatch, maxFrameBytes = DEFAULT_PICKLE_FRAME_BYTES): EncodedChunk[] {
  const cap = Math.max(256, Math.min(maxFrameBytes, PICKLE_MAX_FRAME_BYTES));
  const { names, values, timestamp } = batch;
  const chunks: EncodedChunk[] = [];
  let buf = Buffer.allocUnsafe(cap);
  let off = 0;
  let count = 0;

  const begin = (): void => {
    off = 4;
    buf[off++] = 0x80;
    buf[off++] = 0x02;
    buf[off++] = 0x5d;
    buf[off++] = 0x28;
    count = 0;
  };
  const finish = (): void => {
    buf[off++] = 0x65;
    buf[off++] = 0x2e;
    buf.writeUInt32BE(off - 4, 0);
    // Copy out (the work buffer is reused) so a frame holds exactly its own bytes.
    chunks.push({ bytes: Buffer.from(buf.subarray(0, off)), count });
  };

  begin();
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    // Worst case: 3 UTF-8 bytes per UTF-16 code unit.
    const worst = FIXED_PER_POINT + name.length * 3;
    if (count > 0 && off + worst + TRAILER > cap) {
      finish();
      begin();
    }
    if (off + worst + TRAILER > buf.length) {
      // A single datapoint larger than the frame size: give it a frame of its own size.
      const bigger = Buffer.allocUnsafe(HEADER + worst + TRAILER);
      buf.copy(bigger, 0, 0, off);
      buf = bigger;
    }
    buf[off] = 0x58;
    const len = buf.write(name, off + 5, 'utf8');
    buf.writeUInt32LE(len, off + 1);
    off += 5 + len;
    buf[off] = 0x47;
    buf.writeDoubleBE(timestamp, off + 1);
    buf[off + 9] = 0x47;
    buf.writeDoubleBE(values[i], off + 10);
    buf[off + 18] = 0x86;
    buf[off + 19] = 0x86;
    off += 20;
    count++;
  }
  if (count > 0) finish();
  return chunks;
}
