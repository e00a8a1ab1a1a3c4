/**
 * The text form of a LogSketch: base64url (ASCII, URL- and JSON-safe) over bytes
 *   u8 version (1) | f64 relativeAccuracy | varint maxBins | varint count | f64 sum | f64 min |
 *   f64 max | varint zeroCount | positive store | negative store
 * where a store is `varint bins` then, for each non-zero bin in key order, the key (zigzag
 * varint for the first, varint gap to the previous for the others) and its count (varint).
 * Floats are little-endian. Decoding checks every field and names the first that is wrong.
 */
import type { DenseStore } from './dense-store.js';

/** Current version byte of the format. */
export const SKETCH_FORMAT_VERSION = 1;

/** The parts of a sketch that are serialized. */
export interface SketchParts {
  relativeAccuracy: number;
  maxBins: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  zeroCount: number;
}

/** Decoded parts, with bins as [key, count] pairs in ascending key order. */
export interface DecodedSketch extends SketchParts {
  positive: [number, number][];
  negative: [number, number][];
}

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

function writeStore(w: Writer, store: DenseStore): void {
  const a = store.counts;
  let bins = 0;
  for (let j = 0; j < a.length; j++) if (a[j] !== 0) bins++;
  w.varint(bins);
  let prev: number | undefined;
  for (let j = 0; j < a.length; j++) {
    if (a[j] === 0) continue;
    const key = store.offset + j;
    if (prev === undefined) w.zigzag(key);
    else w.varint(key - prev);
    w.varint(a[j]);
    prev = key;
  }
}

function readStore(r: Reader, name: string, maxBins: number): [number, number][] {
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
  if (out.length > 0 && out[out.length - 1][0] - out[0][0] >= maxBins) {
    throw bad(`${name} keys span more than maxBins ${maxBins}`);
  }
  return out;
}

/** Encodes a sketch's parts as base64url text. */
export function encodeSketch(p: SketchParts & { positive: DenseStore; negative: DenseStore }): string {
  const w = new Writer();
  w.u8(SKETCH_FORMAT_VERSION);
  w.f64(p.relativeAccuracy);
  w.varint(p.maxBins);
  w.varint(p.count);
  w.f64(p.sum);
  w.f64(p.min);
  w.f64(p.max);
  w.varint(p.zeroCount);
  writeStore(w, p.positive);
  writeStore(w, p.negative);
  return Buffer.from(w.bytes()).toString('base64url');
}

/** Decodes and validates {@link encodeSketch} output; throws a TypeError naming the problem. */
export function decodeSketch(text: string): DecodedSketch {
  if (typeof text !== 'string') throw bad(`expected a string, got ${text === null ? 'null' : typeof text}`);
  if (text.length === 0) throw bad('empty input');
  const badChar = text.search(/[^A-Za-z0-9_-]/);
  if (badChar >= 0) throw bad(`character ${JSON.stringify(text[badChar])} at ${badChar} is not base64url`);
  if (text.length % 4 === 1) throw bad('length is not a valid base64url length');
  const r = new Reader(new Uint8Array(Buffer.from(text, 'base64url')));
  const version = r.u8('version');
  if (version !== SKETCH_FORMAT_VERSION) {
    throw bad(`unknown format version ${version} (this library reads version ${SKETCH_FORMAT_VERSION})`);
  }
  const relativeAccuracy = r.f64('relativeAccuracy');
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw bad(`relativeAccuracy ${relativeAccuracy} is not in (0, 1)`);
  const maxBins = r.varint('maxBins');
  if (maxBins < 16 || maxBins > 65536) throw bad(`maxBins ${maxBins} is not in [16, 65536]`);
  const count = r.varint('count');
  const sum = r.f64('sum');
  const min = r.f64('min');
  const max = r.f64('max');
  if (!Number.isFinite(sum)) throw bad(`sum ${sum} is not finite`);
  if (count === 0 ? min !== Number.POSITIVE_INFINITY || max !== Number.NEGATIVE_INFINITY || sum !== 0 : !(min <= max)) {
    throw bad(`min ${min} / max ${max} / sum ${sum} do not fit count ${count}`);
  }
  if (count > 0 && !(Number.isFinite(min) && Number.isFinite(max))) throw bad(`min ${min} or max ${max} is not finite`);
  const zeroCount = r.varint('zeroCount');
  const positive = readStore(r, 'positive', maxBins);
  const negative = readStore(r, 'negative', maxBins);
  if (!r.done) throw bad(`${text.length} characters hold extra bytes after the sketch (at byte ${r.offset})`);
  let binned = zeroCount;
  for (const [, c] of positive) binned += c;
  for (const [, c] of negative) binned += c;
  if (binned !== count) throw bad(`count ${count} does not equal the ${binned} values in the bins`);
  return { relativeAccuracy, maxBins, count, sum, min, max, zeroCount, positive, negative };
}
