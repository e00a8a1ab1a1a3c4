/**
 * Graphite's plaintext protocol: one `name value timestamp\n` line per datapoint, encoded in
 * chunks that always end on a line boundary (so a chunk can be dropped or re-sent whole).
 */

import type { DatapointBatch, EncodedChunk } from './datapoints.js';

/** Default chunk size for TCP: large enough that a push costs few writes. */
export const DEFAULT_PLAINTEXT_CHUNK_BYTES = 256 * 1024;

/**
 * Formats a value at full precision: the shortest string that reads back as the same double
 * (`0.000045` stays `0.000045`, `1e+21` is understood by carbon's `float()`).
 */
export function formatValue(value: number): string {
  return String(value);
}

/**
 * Encodes a batch as plaintext lines, split into chunks of at most `maxChunkBytes` bytes
 * (a single line longer than that still gets a chunk of its own). With `exact` the byte size
 * of every line is measured (needed for UDP datagrams); without it, chunks are cut by character
 * count, which bounds them to 3 × `maxChunkBytes` bytes and is faster.
 *
 * @example
 * encodePlaintext({ names: ['a.b'], values: [1.5], timestamp: 1700000000 })[0].bytes.toString();
 * // 'a.b 1.5 1700000000\n'
 */
export function encodePlaintext(batch: DatapointBatch, maxChunkBytes = DEFAULT_PLAINTEXT_CHUNK_BYTES, exact = false): EncodedChunk[] {
  const { names, values } = batch;
  const tail = ` ${formatValue(batch.timestamp)}\n`;
  const chunks: EncodedChunk[] = [];
  let text = '';
  let size = 0;
  let count = 0;
  for (let i = 0; i < names.length; i++) {
    const line = names[i] + ' ' + formatValue(values[i]) + tail;
    const lineSize = exact ? Buffer.byteLength(line, 'utf8') : line.length;
    if (count > 0 && size + lineSize > maxChunkBytes) {
      chunks.push({ bytes: Buffer.from(text, 'utf8'), count });
      text = '';
      size = 0;
      count = 0;
    }
    text += line;
    size += lineSize;
    count++;
  }
  if (count > 0) chunks.push({ bytes: Buffer.from(text, 'utf8'), count });
  return chunks;
}
