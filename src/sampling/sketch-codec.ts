/**
 * The text form of a LogSketch: base64url (ASCII, URL- and JSON-safe) over bytes. Version 2
 * (written since the sketch moved to Prometheus' native-histogram buckets):
 *   u8 version (2) | zigzag varint schema | f64 zeroThreshold | varint count | f64 sum |
 *   f64 min | f64 max | varint zeroCount | positive buckets | negative buckets
 * where buckets are `varint n` then, for each non-zero bucket in ascending index order, the
 * index (zigzag varint for the first, varint gap to the previous for the others) and its count
 * (varint). Version 1 (the first round's log sketch) is still read:
 *   u8 version (1) | f64 relativeAccuracy | varint maxBins | varint count | f64 sum | f64 min |
 *   f64 max | varint zeroCount | positive store | negative store
 * with stores coded the same way (keys: bin indices of the gamma = (1+a)/(1-a) mapping, the
 * negative store keyed by -index). Floats are little-endian. Decoding checks every field and
 * names the first that is wrong.
 */
import { downscaleIndex, MAX_SCHEMA, MIN_SCHEMA, ZERO_THRESHOLD } from './exponential-index.js';
import type { SparseStore } from './sparse-store.js';

/** Current version byte of the format. */
export const SKETCH_FORMAT_VERSION = 2;
/** The first round's format (LogSketch with a relative-accuracy mapping), still read. */
export const LEGACY_FORMAT_VERSION = 1;

/** The parts of a sketch that are serialized (version 2). */
export interface SketchParts {
  schema: number;
  zeroThreshold: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  zeroCount: number;
}

/** Decoded parts, with buckets as [index, count] pairs in ascending index order. */
export interface DecodedSketch extends SketchParts {
  version: 2;
  positive: [number, number][];
  negative: [number, number][];
}

/** A decoded version-1 sketch: bins keyed as that format keyed them. */
export interface DecodedLegacySketch {
  version: 1;
  relativeAccuracy: number;
  maxBins: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  zeroCount: number;
  positive: [number, number][];
  negative: [number, number][];
}

/** Schema-6 indices of the smallest and largest magnitudes outside the zero bucket. */
const MIN_INDEX = -8191;
const MAX_INDEX = 65536;

/** Largest |key| a finite double can produce at any accuracy we accept (> 1e-6). */
const MAX_ABS_KEY = 2 ** 31 - 1;

class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  /** Unsigned integer up to 2^53, 7 bits a byte. */
  varint(v: number): void {
    this.reserve(8);
    while (v >= 128) {
      this.buf[this.length++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.length++] = v;
  }
  zigzag(v: number): void {
    this.varint(v < 0 ? -2 * v - 1 : 2 * v);
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

function bad(what: string): TypeError {
  return new TypeError(`LogSketch.deserialize: ${what}`);
}

class Reader {
  private pos = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number, field: string): void {
    if (this.pos + n > this.buf.length) throw bad(`input ends inside ${field} (at byte ${this.pos} of ${this.buf.length})`);
  }
  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++];
  }
  f64(field: string): number {
    this.need(8, field);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  varint(field: string): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (i >= 8) throw bad(`${field} is not a valid varint (too long)`);
      const b = this.u8(field);
      v += (b & 127) * mul;
      if (b < 128) break;
      mul *= 128;
    }
    if (v > Number.MAX_SAFE_INTEGER) throw bad(`${field} ${v} is too large`);
    return v;
  }
  zigzag(field: string): number {
    const v = this.varint(field);
    return v % 2 === 1 ? -(v + 1) / 2 : v / 2;
  }
  get done(): boolean {
    return this.pos === this.buf.length;
  }
  get offset(): number {
    return this.pos;
  }
}

function writeStore(w: Writer, store: SparseStore): void {
  const buckets = store.buckets();
  w.varint(buckets.length);
  let prev = 0;
  for (const [j, [index, count]] of buckets.entries()) {
    if (j === 0) w.zigzag(index);
    else w.varint(index - prev);
    w.varint(count);
    prev = index;
  }
}

function readStore(r: Reader, name: string, maxBins: number, checkSpan = true): [number, number][] {
  const bins = r.varint(`${name} bin count`);
  if (bins > maxBins) throw bad(`${name} store has ${bins} bins, more than maxBins ${maxBins}`);
  const out: [number, number][] = [];
  let key = 0;
  for (let i = 0; i < bins; i++) {
    if (i === 0) key = r.zigzag(`${name} first key`);
    else {
      const gap = r.varint(`${name} key gap`);
      if (gap < 1) throw bad(`${name} keys are not increasing (bin ${i})`);
      key += gap;
    }
    if (Math.abs(key) > MAX_ABS_KEY) throw bad(`${name} key ${key} is out of range`);
    const c = r.varint(`${name} count`);
    if (c < 1) throw bad(`${name} bin ${key} has a zero count`);
    out.push([key, c]);
  }
  if (checkSpan && out.length > 0 && out[out.length - 1][0] - out[0][0] >= maxBins) {
    throw bad(`${name} keys span more than maxBins ${maxBins}`);
  }
  return out;
}

/** Encodes a sketch's parts as base64url text (version 2). */
export function encodeSketch(p: SketchParts & { positive: SparseStore; negative: SparseStore }): string {
  const w = new Writer();
  w.u8(SKETCH_FORMAT_VERSION);
  w.zigzag(p.schema);
  w.f64(p.zeroThreshold);
  w.varint(p.count);
  w.f64(p.sum);
  w.f64(p.min);
  w.f64(p.max);
  w.varint(p.zeroCount);
  writeStore(w, p.positive);
  writeStore(w, p.negative);
  return Buffer.from(w.bytes()).toString('base64url');
}

/** Reads and checks count, sum, min, max (shared by both versions). */
function readTotals(r: Reader): { count: number; sum: number; min: number; max: number } {
  const count = r.varint('count');
  const sum = r.f64('sum');
  const min = r.f64('min');
  const max = r.f64('max');
  if (!Number.isFinite(sum)) throw bad(`sum ${sum} is not finite`);
  if (count === 0 ? min !== Number.POSITIVE_INFINITY || max !== Number.NEGATIVE_INFINITY || sum !== 0 : !(min <= max)) {
    throw bad(`min ${min} / max ${max} / sum ${sum} do not fit count ${count}`);
  }
  if (count > 0 && !(Number.isFinite(min) && Number.isFinite(max))) throw bad(`min ${min} or max ${max} is not finite`);
  return { count, sum, min, max };
}

function checkEnd(r: Reader, text: string, count: number, zeroCount: number, stores: [number, number][][]): void {
  if (!r.done) throw bad(`${text.length} characters hold extra bytes after the sketch (at byte ${r.offset})`);
  let binned = zeroCount;
  for (const st of stores) for (const [, c] of st) binned += c;
  if (binned !== count) throw bad(`count ${count} does not equal the ${binned} values in the bins`);
}

/**
 * Decodes and validates {@link encodeSketch} output (version 2) or a version-1 sketch of the
 * first round; throws a TypeError naming the problem (an unknown version names the one found).
 */
export function decodeSketch(text: string): DecodedSketch | DecodedLegacySketch {
  if (typeof text !== 'string') throw bad(`expected a string, got ${text === null ? 'null' : typeof text}`);
  if (text.length === 0) throw bad('empty input');
  const badChar = text.search(/[^A-Za-z0-9_-]/);
  if (badChar >= 0) throw bad(`character ${JSON.stringify(text[badChar])} at ${badChar} is not base64url`);
  if (text.length % 4 === 1) throw bad('length is not a valid base64url length');
  const r = new Reader(new Uint8Array(Buffer.from(text, 'base64url')));
  const version = r.u8('version');
  if (version === LEGACY_FORMAT_VERSION) return decodeLegacy(r, text);
  if (version !== SKETCH_FORMAT_VERSION) {
    throw bad(
      `unknown format version ${version} (this library reads version ${SKETCH_FORMAT_VERSION}, native-histogram buckets, and version ${LEGACY_FORMAT_VERSION}, the first round's log sketch)`,
    );
  }
  const schema = r.zigzag('schema');
  if (!(schema >= MIN_SCHEMA && schema <= MAX_SCHEMA)) throw bad(`schema ${schema} is not in ${MIN_SCHEMA}..${MAX_SCHEMA}`);
  const zeroThreshold = r.f64('zeroThreshold');
  if (zeroThreshold !== ZERO_THRESHOLD) throw bad(`zeroThreshold ${zeroThreshold} is not ${ZERO_THRESHOLD} (2^-128), the only one this library uses`);
  const { count, sum, min, max } = readTotals(r);
  const zeroCount = r.varint('zeroCount');
  const maxBuckets = MAX_INDEX - MIN_INDEX + 1;
  const positive = readStore(r, 'positive', maxBuckets, false);
  const negative = readStore(r, 'negative', maxBuckets, false);
  const lo = downscaleIndex(MIN_INDEX, MAX_SCHEMA - schema);
  const hi = downscaleIndex(MAX_INDEX, MAX_SCHEMA - schema);
  for (const [name, st] of [
    ['positive', positive],
    ['negative', negative],
  ] as const) {
    for (const [i] of st) {
      if (i < lo || i > hi) {
        throw bad(`${name} bucket ${i} is outside the range of finite doubles at schema ${schema}`);
      }
    }
  }
  checkEnd(r, text, count, zeroCount, [positive, negative]);
  return { version: 2, schema, zeroThreshold, count, sum, min, max, zeroCount, positive, negative };
}

function decodeLegacy(r: Reader, text: string): DecodedLegacySketch {
  const relativeAccuracy = r.f64('relativeAccuracy');
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw bad(`relativeAccuracy ${relativeAccuracy} is not in (0, 1)`);
  const maxBins = r.varint('maxBins');
  if (maxBins < 16 || maxBins > 65536) throw bad(`maxBins ${maxBins} is not in [16, 65536]`);
  const { count, sum, min, max } = readTotals(r);
  const zeroCount = r.varint('zeroCount');
  const positive = readStore(r, 'positive', maxBins);
  const negative = readStore(r, 'negative', maxBins);
  checkEnd(r, text, count, zeroCount, [positive, negative]);
  return { version: 1, relativeAccuracy, maxBins, count, sum, min, max, zeroCount, positive, negative };
}
