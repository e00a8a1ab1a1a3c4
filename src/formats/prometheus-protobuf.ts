/**
 * The Prometheus protobuf exposition (`application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited`): each `MetricFamily` message of
 * client_model's `metrics.proto`, preceded by its length as a varint. It is the only exposition
 * that carries **native histograms** (Prometheus 2.40+ with `--enable-feature=native-histograms`
 * asks for it first).
 *
 * A small hand-written encoder, no dependency: it writes the wire format (varints, zigzag,
 * little-endian doubles, length-delimited messages) straight into one growing byte buffer. Input
 * is plain data ({@link ProtoFamily}); the encoder validates what Prometheus would reject
 * (schema range, bucket order, counts that do not add up) and throws a `RangeError`/`TypeError`
 * naming the family and the metric, so a caller can skip or report that family.
 *
 * Field numbers (client_model `io/prometheus/client/metrics.proto`, proto2):
 * MetricFamily{name 1, help 2, type 3 (enum), metric 4, unit 5}; Metric{label 1, gauge 2,
 * counter 3, summary 4, untyped 5, timestamp_ms 6, histogram 7}; LabelPair{name 1, value 2};
 * Gauge/Counter/Untyped{value 1 (double)}; Summary{sample_count 1, sample_sum 2, quantile 3};
 * Quantile{quantile 1, value 2}; Histogram{sample_count 1, sample_sum 2, bucket 3, schema 5
 * (sint32), zero_threshold 6, zero_count 7, negative_span 9, negative_delta 10 (sint64),
 * positive_span 12, positive_delta 13 (sint64)}; Bucket{cumulative_count 1, upper_bound 2};
 * BucketSpan{offset 1 (sint32), length 2}.
 *
 * Native buckets: at schema `s` the bucket of index `i` holds the values in
 * `(2^((i-1)/2^s), 2^(i/2^s)]` (the negative side mirrors it). On the wire the non-empty
 * buckets are runs ("spans"): the first span's offset is the index of its first bucket, a later
 * span's offset the number of empty buckets since the previous span ended; the counts follow
 * as deltas, each bucket's count minus the previous bucket's (the first against 0), over all
 * spans of that side. Gaps of up to {@link MAX_ZERO_RUN_IN_SPAN} empty buckets stay inside a
 * span as zero counts (two zero deltas cost less than a new span).
 */

import type { HistogramBuckets } from '../core/snapshot.js';
import { type Labels as SampleLabels, type Sample, unhandled } from '../core/samples.js';
import { kindOf, type SnapshotNode, type SnapshotStat, seriesFamily } from '../registry/snapshot.js';
import { hasHistogram, NameClaims, renderAll, type StatNames, type StatRenderer, SUFFIXES, walkStats } from './prometheus.js';

/** Content type of the delimited protobuf exposition. */
export const PROMETHEUS_PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

/** Empty buckets kept inside a span instead of starting a new span. */
export const MAX_ZERO_RUN_IN_SPAN = 2;

/** Smallest and largest native-histogram schema Prometheus accepts. */
export const MIN_NATIVE_SCHEMA = -4;
export const MAX_NATIVE_SCHEMA = 8;

/** The family's type (`MetricType` enum of metrics.proto). */
export type ProtoMetricType = 'counter' | 'gauge' | 'summary' | 'untyped' | 'histogram' | 'gaugehistogram';

const TYPE_NUMBER: Record<ProtoMetricType, number> = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4, gaugehistogram: 5 };

/** One label of a metric. Names and values are written as UTF-8 (a lone surrogate becomes U+FFFD: escape such keys before). */
export interface ProtoLabel {
  readonly name: string;
  readonly value: string;
}

/**
 * Non-empty native buckets of one side (positive or negative values), in increasing index
 * order: `counts[k]` observations in the bucket of index `indexes[k]`. Zero counts are allowed
 * (they are skipped, or kept inside a span when that is shorter). A dense store fits too:
 * `{ offset, counts }` means index `offset + k` for `counts[k]`.
 */
export type NativeBuckets =
  | { readonly indexes: ArrayLike<number>; readonly counts: ArrayLike<number> }
  | { readonly offset: number; readonly counts: ArrayLike<number> };

/** A classic (`le`) bucket: observations `<= upperBound`, cumulative. */
export interface ClassicBucket {
  readonly upperBound: number;
  readonly cumulativeCount: number;
}

/**
 * A histogram. With `schema` set it is a native histogram (Prometheus reads only the native
 * fields then); without it, a classic one made of `buckets` (a `+Inf` bucket is optional).
 */
export interface ProtoHistogram {
  /** Number of observations (an integer). */
  readonly count: number;
  /** Sum of the observations. */
  readonly sum: number;
  /** Classic buckets, increasing `upperBound`, cumulative counts. */
  readonly buckets?: readonly ClassicBucket[];
  /** Native: the schema, an integer in [-4, 8] (bucket bounds grow by 2^(2^-schema)). */
  readonly schema?: number;
  /** Native: values with |v| <= zeroThreshold are counted in the zero bucket (default 0). */
  readonly zeroThreshold?: number;
  /** Native: observations in the zero bucket (default 0). */
  readonly zeroCount?: number;
  /** Native: buckets of positive values. */
  readonly positive?: NativeBuckets;
  /** Native: buckets of negative values (index i holds [-2^(i/2^s), -2^((i-1)/2^s))). */
  readonly negative?: NativeBuckets;
}

/** A summary: count and sum, and quantiles (0..1) with their values. */
export interface ProtoSummary {
  readonly count: number;
  readonly sum: number;
  readonly quantiles?: ReadonlyArray<{ readonly quantile: number; readonly value: number }>;
}

/** One metric (series) of a family: its labels and the value its family's type calls for. */
export interface ProtoMetric {
  readonly labels?: readonly ProtoLabel[];
  /** Counter, gauge or untyped value. */
  readonly value?: number;
  /** For a summary family. */
  readonly summary?: ProtoSummary;
  /** For a histogram or gaugehistogram family. */
  readonly histogram?: ProtoHistogram;
  /** Optional sample timestamp, epoch milliseconds (an integer). */
  readonly timestampMs?: number;
}

/** One metric family: a name (counters include `_total`), help, type, its metrics. */
export interface ProtoFamily {
  readonly name: string;
  readonly help?: string;
  readonly type: ProtoMetricType;
  /** OpenMetrics unit (field 5; Prometheus 2.42 ignores it). */
  readonly unit?: string;
  readonly metrics: readonly ProtoMetric[];
}

const TWO_32 = 2 ** 32;
/** A scratch buffer bigger than this is not kept between calls (no pinned memory). */
const KEEP_BYTES = 1 << 20;
const INITIAL_BYTES = 4096;

/**
 * Writes protobuf wire format into one growing buffer. A nested message is written in place
 * after a one-byte length placeholder; when the message turns out to need a longer length
 * varint, its bytes are moved up (rare for labels and values, once per family or big metric).
 */
class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** A varint of a non-negative integer below 2^53. */
  varint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    if (v < 0x80000000) {
      while (v > 0x7f) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[p++] = v;
    } else {
      while (v >= 0x80) {
        b[p++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
      b[p++] = v;
    }
    this.pos = p;
  }

  /** The 64-bit two's complement varint of an integer in (-2^53, 2^53) (int64 fields). */
  int64(v: number): void {
    if (v >= 0) {
      this.varint(v);
      return;
    }
    // -v = hi * 2^32 + lo; the complement is ~(-v) + 1 over 64 bits.
    const m = -v;
    let hi = ~Math.floor(m / TWO_32) >>> 0;
    let lo = ~(m % TWO_32) >>> 0;
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    this.varint64(hi, lo);
  }

  /** A varint of the 64-bit value hi * 2^32 + lo. */
  varint64(hi: number, lo: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (hi !== 0 || lo > 0x7f) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[p++] = lo;
    this.pos = p;
  }

  /** A zigzag varint of a 32-bit integer (sint32). */
  sint32(v: number): void {
    this.varint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** A zigzag varint of an integer in (-2^53, 2^53) (sint64), exact over the whole range. */
  sint64(v: number): void {
    if (v > -0x40000000 && v < 0x40000000) {
      this.varint(((v << 1) ^ (v >> 31)) >>> 0);
      return;
    }
    // zigzag(v) = 2v for v >= 0, 2|v| - 1 for v < 0; computed on (hi, lo) so no bit is lost.
    const m = v < 0 ? -v : v;
    let hi = Math.floor(m / TWO_32);
    let lo = m % TWO_32;
    hi = ((hi << 1) | (lo >>> 31)) >>> 0;
    lo = (lo << 1) >>> 0;
    if (v < 0) {
      if (lo === 0) {
        hi = (hi - 1) >>> 0;
        lo = 0xffffffff;
      } else lo -= 1;
    }
    this.varint64(hi, lo);
  }

  tag(field: number, wireType: number): void {
    this.ensure(1);
    // Every field number here is below 16: one byte.
    this.buf[this.pos++] = (field << 3) | wireType;
  }

  double(field: number, v: number): void {
    this.ensure(9);
    this.buf[this.pos++] = (field << 3) | 1;
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string field. */
  string(field: number, s: string): void {
    this.tag(field, 2);
    const n = s.length;
    // At most 3 bytes per UTF-16 unit: under 43 units the length fits one byte.
    if (n < 43) {
      this.ensure(1 + n * 3);
      const start = ++this.pos;
      this.utf8(s);
      this.buf[start - 1] = this.pos - start;
      return;
    }
    const len = utf8Length(s);
    this.varint(len);
    this.ensure(len);
    this.utf8(s);
  }

  /** Writes s as UTF-8 (room already ensured). */
  utf8(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) b[p++] = c;
      else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            i++;
            b[p++] = 0xf0 | (c >> 18);
            b[p++] = 0x80 | ((c >> 12) & 0x3f);
            b[p++] = 0x80 | ((c >> 6) & 0x3f);
            b[p++] = 0x80 | (c & 0x3f);
            continue;
          }
          c = 0xfffd; // a lone surrogate: UTF-8 cannot carry it
        }
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = p;
  }

  /** Starts a length-delimited field; returns the position of its content. */
  begin(field: number): number {
    this.tag(field, 2);
    this.ensure(1);
    return ++this.pos;
  }

  /** Ends the field begun at `start`: writes its length, moving the content if the length needs more than one byte. */
  end(start: number): void {
    const len = this.pos - start;
    if (len < 0x80) {
      this.buf[start - 1] = len;
      return;
    }
    const extra = varintSize(len) - 1;
    this.ensure(extra);
    const b = this.buf;
    b.copyWithin(start + extra, start, this.pos);
    // The length varint goes into the placeholder byte plus the `extra` bytes just freed.
    let p = start - 1;
    let v = len;
    while (v >= 0x80) {
      b[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    b[p] = v;
    this.pos += extra;
  }

  /** The bytes written, copied out. */
  take(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Where an error happened, for its message. */
function where(f: ProtoFamily, m: number): string {
  return `prometheus protobuf: family "${f.name}" metric ${m}`;
}

function checkCount(v: unknown, what: string, at: () => string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${at()}: ${what} must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

/** Sum of the counts of one side, validated; the side is checked for increasing indexes. */
function sideCheck(side: NativeBuckets, name: string, at: () => string): void {
  const counts = side.counts;
  const indexes = 'indexes' in side ? side.indexes : undefined;
  if (indexes !== undefined && indexes.length !== counts.length) {
    throw new RangeError(`${at()}: ${name} has ${indexes.length} indexes but ${counts.length} counts`);
  }
  const first = indexes === undefined ? (side as { offset: number }).offset : 0;
  if (indexes === undefined && !Number.isInteger(first)) throw new RangeError(`${at()}: ${name} offset must be an integer, got ${String(first)}`);
  if (counts.length > 0 && indexes === undefined) {
    if (first < -0x80000000 || first + counts.length - 1 > 0x7fffffff) throw new RangeError(`${at()}: ${name} indexes must fit 32 bits`);
  }
}

/** A count or index the side's one pass found wrong (see {@link writeSide}). */
function badBucket(side: NativeBuckets, name: string, at: () => string): RangeError {
  const counts = side.counts;
  const indexes = 'indexes' in side ? side.indexes : undefined;
  let prev = -Infinity;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k];
    if (!(c >= 0) || !Number.isSafeInteger(c)) return new RangeError(`${at()}: ${name} count ${k} must be a non-negative integer, got ${String(c)}`);
    if (indexes !== undefined) {
      const i = indexes[k];
      if (!Number.isInteger(i) || i <= prev)
        return new RangeError(`${at()}: ${name} indexes must be increasing integers, got ${String(i)} after ${String(prev)}`);
      prev = i;
    }
  }
  return new RangeError(`${at()}: ${name} indexes must fit 32 bits`);
}

/** Spans of the side being written: [offset, length] pairs (reused; grows as needed). */
let spanScratch = new Int32Array(256);

/**
 * Writes one side's deltas (field `deltaField`, packed) and spans (field `spanField`) in one
 * pass over the buckets: the spans are gathered while the deltas are written and written after
 * them (protobuf fields may come in any order). Empty buckets are skipped; runs of up to
 * MAX_ZERO_RUN_IN_SPAN of them stay inside a span as zero counts.
 */
function writeSide(w: Writer, side: NativeBuckets, spanField: number, deltaField: number): number {
  const counts = side.counts;
  const indexes = 'indexes' in side ? side.indexes : undefined;
  const offset = indexes === undefined ? (side as { offset: number }).offset : 0;
  const n = counts.length;
  // The checks ride along: counts non-negative integers (the usual below 2^32 without a call),
  // indexes increasing 32-bit integers; -1 on the first wrong one (the caller names it).
  let total = 0;
  let prevIndex = -Infinity;
  let k0 = 0;
  for (; k0 < n; k0++) {
    const c = counts[k0];
    if (c >>> 0 !== c && (!(c >= 0) || !Number.isSafeInteger(c))) return -1;
    if (indexes !== undefined) {
      const i = indexes[k0];
      if ((i | 0) !== i || i <= prevIndex) return -1;
      prevIndex = i;
    }
    if (c !== 0) break;
  }
  if (k0 === n) return 0; // no bucket
  // Room for every varint at once: at most 10 bytes per bucket and per zero kept in a span.
  const start = w.begin(deltaField);
  w.ensure(10 * n * (MAX_ZERO_RUN_IN_SPAN + 1));
  const b = w.buf;
  let pos = w.pos;
  let spans = spanScratch;
  let s = 0; // spans gathered, times 2
  let prevCount = 0;
  let next = 0; // the index after the last bucket written
  for (let k = k0; k < n; k++) {
    const c = counts[k];
    if (c >>> 0 !== c && (!(c >= 0) || !Number.isSafeInteger(c))) return -1;
    if (indexes !== undefined && k > k0) {
      const i = indexes[k];
      if ((i | 0) !== i || i <= prevIndex) return -1;
      prevIndex = i;
    }
    if (c === 0) continue;
    total += c;
    const i = indexes === undefined ? offset + k : indexes[k];
    if (s > 0 && i - next <= MAX_ZERO_RUN_IN_SPAN) {
      // a small gap stays inside the span as zero counts
      for (let z = next; z < i; z++) {
        pos = zigzagInline(w, b, pos, -prevCount);
        prevCount = 0;
      }
      spans[s - 1] += i - next + 1;
    } else {
      if (s === spans.length) {
        const grown = new Int32Array(spans.length * 2);
        grown.set(spans);
        spans = spanScratch = grown;
      }
      spans[s] = s === 0 ? i : i - next;
      spans[s + 1] = 1;
      s += 2;
    }
    pos = zigzagInline(w, b, pos, c - prevCount);
    prevCount = c;
    next = i + 1;
  }
  w.pos = pos;
  w.end(start);
  for (let j = 0; j < s; j += 2) writeSpan(w, spanField, spans[j], spans[j + 1]);
  return total;
}

/** Writes the zigzag varint of `d` at `pos` of `b` (room ensured); returns the position after it. */
function zigzagInline(w: Writer, b: Uint8Array, pos: number, d: number): number {
  if (d > -0x40000000 && d < 0x40000000) {
    let v = ((d << 1) ^ (d >> 31)) >>> 0;
    while (v > 0x7f) {
      b[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[pos++] = v;
    return pos;
  }
  w.pos = pos;
  w.sint64(d);
  return w.pos;
}

function writeSpan(w: Writer, field: number, offset: number, length: number): void {
  const s = w.begin(field);
  if (offset !== 0) {
    w.tag(1, 0);
    w.sint32(offset);
  }
  w.tag(2, 0);
  w.varint(length);
  w.end(s);
}

function writeHistogram(w: Writer, f: ProtoFamily, m: number, h: ProtoHistogram): void {
  const at = () => where(f, m);
  const count = checkCount(h.count, 'histogram count', at);
  if (typeof h.sum !== 'number') throw new TypeError(`${at()}: histogram sum must be a number`);
  const hs = w.begin(7);
  w.tag(1, 0);
  w.varint(count);
  w.double(2, h.sum);
  if (h.buckets !== undefined) {
    let prevBound = -Infinity;
    let prevCount = 0;
    for (const b of h.buckets) {
      const c = checkCount(b.cumulativeCount, 'cumulative bucket count', at);
      if (!(b.upperBound > prevBound)) throw new RangeError(`${at()}: bucket bounds must increase, got ${b.upperBound} after ${prevBound}`);
      if (c < prevCount) throw new RangeError(`${at()}: cumulative bucket counts must not decrease, got ${c} after ${prevCount}`);
      if (c > count) throw new RangeError(`${at()}: bucket le=${b.upperBound} counts ${c}, more than the histogram's count ${count}`);
      prevBound = b.upperBound;
      prevCount = c;
      const bs = w.begin(3);
      w.tag(1, 0);
      w.varint(c);
      w.double(2, b.upperBound);
      w.end(bs);
    }
  }
  if (h.schema !== undefined) {
    const schema = h.schema;
    if (!Number.isInteger(schema) || schema < MIN_NATIVE_SCHEMA || schema > MAX_NATIVE_SCHEMA) {
      throw new RangeError(`${at()}: native schema must be an integer in [${MIN_NATIVE_SCHEMA}, ${MAX_NATIVE_SCHEMA}], got ${String(schema)}`);
    }
    const zt = h.zeroThreshold ?? 0;
    if (!(zt >= 0) || zt === Infinity) throw new RangeError(`${at()}: zeroThreshold must be a finite number >= 0, got ${String(zt)}`);
    const zc = checkCount(h.zeroCount ?? 0, 'zeroCount', at);
    if (h.negative) sideCheck(h.negative, 'negative buckets', at);
    if (h.positive) sideCheck(h.positive, 'positive buckets', at);
    w.tag(5, 0);
    w.sint32(schema);
    w.double(6, zt);
    w.tag(7, 0);
    w.varint(zc);
    const before = w.pos;
    // The buckets are checked as they are written (one pass); what is wrong throws, and the
    // family's half-written bytes are dropped by writeFamily.
    const neg = h.negative ? writeSide(w, h.negative, 9, 10) : 0;
    if (neg < 0) throw badBucket(h.negative!, 'negative buckets', at);
    const pos = h.positive ? writeSide(w, h.positive, 12, 13) : 0;
    if (pos < 0) throw badBucket(h.positive!, 'positive buckets', at);
    const inBuckets = pos + neg + zc;
    // Prometheus rejects a histogram whose buckets do not add up to its count (more than the
    // count when the sum is NaN, since NaN observations are counted but in no bucket).
    if (Number.isNaN(h.sum) ? inBuckets > count : inBuckets !== count) {
      throw new RangeError(
        `${at()}: native buckets hold ${inBuckets} observations (zero bucket ${zc}, positive ${pos}, negative ${neg}) but count is ${count}`,
      );
    }
    // No bucket at all and no zero bucket: an empty span marks the histogram as native (else
    // it would read as a classic histogram without buckets).
    if (w.pos === before && zt === 0) writeSpan(w, 12, 0, 0);
  }
  w.end(hs);
}

function writeMetric(w: Writer, f: ProtoFamily, m: number, metric: ProtoMetric, type: ProtoMetricType): void {
  const ms = w.begin(4);
  const labels = metric.labels;
  if (labels !== undefined) {
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      const ls = w.begin(1);
      w.string(1, l.name);
      w.string(2, l.value);
      w.end(ls);
    }
  }
  switch (type) {
    case 'counter':
    case 'gauge':
    case 'untyped': {
      const v = metric.value;
      if (typeof v !== 'number') throw new TypeError(`${where(f, m)}: a ${type} needs a number value, got ${typeof v}`);
      const vs = w.begin(type === 'gauge' ? 2 : type === 'counter' ? 3 : 5);
      w.double(1, v);
      w.end(vs);
      break;
    }
    case 'summary': {
      const s = metric.summary;
      if (s === undefined) throw new TypeError(`${where(f, m)}: a summary needs \`summary\``);
      const ss = w.begin(4);
      w.tag(1, 0);
      w.varint(checkCount(s.count, 'summary count', () => where(f, m)));
      w.double(2, s.sum);
      if (s.quantiles !== undefined) {
        for (const q of s.quantiles) {
          const qs = w.begin(3);
          w.double(1, q.quantile);
          w.double(2, q.value);
          w.end(qs);
        }
      }
      w.end(ss);
      break;
    }
    case 'histogram':
    case 'gaugehistogram': {
      const h = metric.histogram;
      if (h === undefined) throw new TypeError(`${where(f, m)}: a ${type} needs \`histogram\``);
      writeHistogram(w, f, m, h);
      break;
    }
  }
  if (metric.timestampMs !== undefined) {
    if (!Number.isSafeInteger(metric.timestampMs)) throw new RangeError(`${where(f, m)}: timestampMs must be an integer`);
    w.tag(6, 0);
    w.int64(metric.timestampMs);
  }
  w.end(ms);
}

/** Writes one family, preceded by its length (the delimited framing). */
function writeFamily(w: Writer, f: ProtoFamily): void {
  const type = f.type;
  const typeNumber = TYPE_NUMBER[type];
  if (typeNumber === undefined) throw new TypeError(`prometheus protobuf: family "${f.name}" has an unknown type "${String(type)}"`);
  if (typeof f.name !== 'string' || f.name === '') throw new TypeError('prometheus protobuf: a family needs a non-empty name');
  const mark = w.pos;
  // The delimited framing is a bare varint length: a 1-byte placeholder, fixed by end().
  w.ensure(1);
  const start = ++w.pos;
  try {
    w.string(1, f.name);
    if (f.help !== undefined && f.help !== '') w.string(2, f.help);
    w.tag(3, 0);
    w.varint(typeNumber);
    const metrics = f.metrics;
    for (let m = 0; m < metrics.length; m++) writeMetric(w, f, m, metrics[m], type);
    if (f.unit !== undefined && f.unit !== '') w.string(5, f.unit);
  } catch (err) {
    w.pos = mark; // nothing half-written stays in the buffer
    throw err;
  }
  w.end(start);
}

let scratch: Writer | undefined;

function writer(): Writer {
  const w = scratch ?? new Writer(INITIAL_BYTES);
  scratch = undefined;
  w.pos = 0;
  return w;
}

function release(w: Writer): void {
  if (w.buf.length <= KEEP_BYTES) scratch = w;
}

/**
 * Encodes metric families as the delimited protobuf exposition (serve it with
 * {@link PROMETHEUS_PROTOBUF_CONTENT_TYPE}). Throws a `RangeError`/`TypeError` naming the family
 * and metric on input Prometheus would reject; nothing is returned then.
 *
 * @example
 * const body = encodeMetricFamilies([
 *   { name: 'jobs_total', type: 'counter', metrics: [{ labels: [{ name: 'queue', value: 'a' }], value: 3 }] },
 *   { name: 'latency_seconds', type: 'histogram', metrics: [{ histogram: {
 *     count: 3, sum: 1.5, schema: 3, positive: { indexes: [-8, 0], counts: [2, 1] } } }] },
 * ]);
 */
export function encodeMetricFamilies(families: Iterable<ProtoFamily>): Uint8Array {
  const w = writer();
  try {
    for (const f of families) writeFamily(w, f);
    return w.take();
  } finally {
    release(w);
  }
}

/**
 * Encodes one family (with its delimiting length): the pieces of a body built family by family
 * (their concatenation equals {@link encodeMetricFamilies} of all of them).
 */
export function encodeMetricFamily(family: ProtoFamily): Uint8Array {
  return encodeMetricFamilies([family]);
}

/**
 * Whether an `Accept` header asks for the delimited protobuf exposition (Prometheus with
 * native histograms enabled does, first): `application/vnd.google.protobuf` with
 * `proto=io.prometheus.client.MetricFamily`, `encoding=delimited` (or no encoding), not `q=0`.
 */
export function wantsPrometheusProtobuf(accept: string | null | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((p) => p.trim());
    if (type.toLowerCase() !== 'application/vnd.google.protobuf') continue;
    let proto = false;
    let ok = true;
    for (const p of params) {
      const eq = p.indexOf('=');
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim();
      if (key === 'proto') proto = value === 'io.prometheus.client.MetricFamily';
      else if (key === 'encoding') ok &&= value.toLowerCase() === 'delimited';
      else if (key === 'q') ok &&= Number(value) > 0;
    }
    if (proto && ok) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// A snapshot as metric families: the same families, names and labels as the text exposition
// (src/formats/prometheus.ts), distributions as native histograms when the snapshot carries
// their lifetime buckets (`{ histograms: true }`).

/** Bytes encoded before a chunk is handed over. */
const CHUNK_BYTES = 16 * 1024;

const LONE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/**
 * Labels of a sample as protobuf label pairs, with the text exposition's rule for values UTF-8
 * cannot carry: a value holding a lone surrogate is written as its JSON escape (`\ud800`) and
 * named in an added `escaped` label, so two keys never become one series (nor U+FFFD).
 */
function protoLabels(pairs: SampleLabels, extra?: ProtoLabel): ProtoLabel[] {
  const out: ProtoLabel[] = new Array(pairs.length);
  let escaped = '';
  for (let i = 0; i < pairs.length; i++) {
    const name = pairs[i][0];
    let value = pairs[i][1];
    if (LONE.test(value) && LONE_SURROGATE.test(value)) {
      value = JSON.stringify(value).slice(1, -1);
      escaped = escaped === '' ? name : escaped + ',' + name;
    }
    out[i] = { name, value };
  }
  if (escaped !== '') out.push({ name: 'escaped', value: escaped });
  if (extra !== undefined) out.push(extra);
  return out;
}

/** A help text with lone surrogates written as their code (`\ud800`), as the text exposition does. */
function protoHelp(help: string): string {
  return LONE.test(help) && LONE_SURROGATE.test(help) ? help.replace(LONE_SURROGATES, (c) => '\\u' + c.charCodeAt(0).toString(16)) : help;
}

/** Native buckets of one side with their indexes moved by `shift` (a unit conversion). */
function shifted(side: { indexes: number[]; counts: number[] }, shift: number): NativeBuckets {
  if (shift === 0) return side;
  const indexes = new Array<number>(side.indexes.length);
  for (let k = 0; k < indexes.length; k++) indexes[k] = side.indexes[k] + shift;
  return { indexes, counts: side.counts };
}

/**
 * The native histogram of lifetime buckets whose values are multiplied by `scale` on export
 * (1e-3: ms to seconds). Multiplying by `scale` moves every bucket boundary by log2(scale) *
 * 2^schema buckets: the indexes are moved by that number rounded (638 at schema 6 for ms), so
 * each boundary lands within half a bucket (0.27% at schema 6) of where it belongs.
 */
export function nativeHistogram(h: HistogramBuckets, scale: number): ProtoHistogram {
  const shift = scale === 1 ? 0 : Math.round(Math.log2(scale) * 2 ** h.schema);
  return {
    count: h.count,
    sum: h.sum * scale,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold * scale,
    zeroCount: h.zeroCount,
    positive: shifted(h.positive, shift),
    negative: shifted(h.negative, shift),
  };
}

/** Builds the families of one stat at a time and encodes them in chunks. */
class FamilyWriter implements StatRenderer<Uint8Array> {
  private readonly names = new NameClaims();
  /** Families are encoded as they come, into one buffer handed over per chunk. */
  private readonly w = new Writer(INITIAL_BYTES);

  constructor(private readonly chunkBytes = CHUNK_BYTES) {}

  get full(): boolean {
    return this.w.pos >= this.chunkBytes;
  }

  get empty(): boolean {
    return this.w.pos === 0;
  }

  take(): Uint8Array {
    const out = this.w.take();
    this.w.pos = 0;
    return out;
  }

  stat(names: StatNames, stat: SnapshotStat): void {
    if (stat.error !== undefined || stat.prometheusRefused) return;
    // A stat held many times (a cluster's workers): their labelled series in its one family.
    const series = stat.series !== undefined ? seriesFamily(stat as Parameters<typeof seriesFamily>[0]) : undefined;
    if (series === null) return;
    const kind = kindOf(stat);
    const family = series !== undefined ? series.family : kind.family(stat.value, stat);
    if (family === null) return;
    const samples = series?.samples ?? kind.samples(stat.value, stat);
    switch (family) {
      case 'gauge':
        this.gauge(names, samples);
        break;
      case 'info':
        this.info(names, samples);
        break;
      case 'summary':
        this.distribution(names, samples, names.scale);
        break;
      case 'counter':
        this.counter(names, samples);
        break;
      default:
        unhandled(family);
    }
  }

  /**
   * Encodes a family. One the encoder refuses (a histogram whose buckets do not add up, which a
   * consistent snapshot never holds) is left out rather than failing the whole scrape.
   */
  private push(name: string, help: string, type: ProtoMetricType, metrics: ProtoMetric[]): void {
    if (metrics.length === 0) return;
    try {
      writeFamily(this.w, { name, help: protoHelp(help), type, metrics });
    } catch {
      // left out: see above
    }
  }

  /**
   * A family of one unlabelled gauge: its name, help and type fields encoded once per stat and
   * kept (see {@link StatNames.protoHead}), then the metric's 13 bytes.
   */
  private scalar(stat: StatNames, name: string, help: string, type: 'gauge' | 'counter', value: number): void {
    let head = stat.protoHead;
    if (head === null || stat.protoHeadName !== name || stat.protoHeadHelp !== help) {
      const hw = new Writer(64 + name.length * 3 + help.length * 3);
      hw.string(1, name);
      if (help !== '') hw.string(2, protoHelp(help));
      hw.tag(3, 0);
      hw.varint(TYPE_NUMBER[type]);
      head = hw.take();
      stat.protoHead = head;
      stat.protoHeadName = name;
      stat.protoHeadHelp = help;
    }
    const w = this.w;
    const len = head.length + 13;
    w.varint(len);
    w.ensure(len);
    w.buf.set(head, w.pos);
    w.pos += head.length;
    // Metric (field 4, 11 bytes) { Gauge (field 2) or Counter (field 3), 9 bytes { value (field 1, double) } }
    w.buf[w.pos++] = 0x22;
    w.buf[w.pos++] = 11;
    w.buf[w.pos++] = type === 'gauge' ? 0x12 : 0x1a;
    w.buf[w.pos++] = 9;
    w.double(1, value);
  }

  private gauge(stat: StatNames, samples: readonly Sample[]): void {
    const names = this.names.claim(stat, SUFFIXES.gauge);
    if (names === null) return;
    const scale = stat.scale;
    if (samples.length === 1) {
      const s = samples[0];
      if (s.labels !== null && s.labels.length === 0 && (s.type === 'gauge' || s.type === 'counter' || s.type === 'state')) {
        this.scalar(stat, names[0], stat.help, 'gauge', s.value * scale);
        return;
      }
    }
    const metrics: ProtoMetric[] = [];
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s.labels === null) continue;
      switch (s.type) {
        case 'gauge':
        case 'state':
        case 'counter':
          metrics.push(s.labels.length === 0 ? { value: s.value * scale } : { labels: protoLabels(s.labels), value: s.value * scale });
          break;
        case 'quantile':
        case 'distribution':
        case 'info':
          break; // a gauge family has no place for them
        default:
          unhandled(s);
      }
    }
    this.push(names[0], stat.help, 'gauge', metrics);
  }

  private info(stat: StatNames, samples: readonly Sample[]): void {
    const names = this.names.claim(stat, SUFFIXES.info);
    if (names === null) return;
    const metrics: ProtoMetric[] = [];
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s.labels === null) continue;
      switch (s.type) {
        case 'info':
          metrics.push({ labels: protoLabels(s.labels), value: 1 });
          break;
        case 'gauge':
        case 'state':
        case 'counter':
        case 'quantile':
        case 'distribution':
          break; // an info family holds text only
        default:
          unhandled(s);
      }
    }
    // The protobuf exposition has no info type: a gauge of 1, as the text format 0.0.4 has it.
    this.push(names[1], stat.help, 'gauge', metrics);
  }

  private distribution(stat: StatNames, samples: readonly Sample[], scale: number): void {
    const histogram = hasHistogram(samples);
    const names = this.names.claim(stat, histogram ? SUFFIXES.histogram : SUFFIXES.summary);
    if (names === null) return;
    const metrics: ProtoMetric[] = [];
    let pairs: SampleLabels | undefined;
    let quantiles: { quantile: number; value: number }[] = [];
    let sum = 0;
    let count: number | undefined;
    let native: HistogramBuckets | undefined;
    const end = () => {
      if (pairs === undefined) return;
      const labels = pairs.length === 0 ? undefined : protoLabels(pairs);
      if (histogram) {
        if (native !== undefined) metrics.push({ labels, histogram: nativeHistogram(native, scale) });
      } else if (count !== undefined) {
        metrics.push({ labels, summary: { count, sum: sum * scale, quantiles } });
      }
    };
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s.labels === null) continue;
      switch (s.type) {
        case 'quantile':
        case 'distribution':
          if (s.labels !== pairs) {
            end();
            pairs = s.labels;
            quantiles = [];
            sum = 0;
            count = undefined;
            native = undefined;
          }
          if (s.type === 'quantile') {
            if (!histogram) quantiles.push({ quantile: s.quantile, value: s.value === null ? Number.NaN : s.value * scale });
          } else if (s.scope === 'lifetime' && s.value !== null) {
            if (s.figure === 'sum') sum = s.value;
            else if (s.figure === 'count') {
              count = s.value;
              native = s.histogram;
            }
          }
          break;
        case 'gauge':
        case 'state':
        case 'counter':
        case 'info':
          break; // not part of a summary or histogram
        default:
          unhandled(s);
      }
    }
    end();
    this.push(names[0], stat.help, histogram ? 'histogram' : 'summary', metrics);
  }

  private counter(stat: StatNames, samples: readonly Sample[]): void {
    const names = this.names.claim(stat, SUFFIXES.counter);
    if (names === null) return;
    const scale = stat.scale;
    if (samples.length === 1) {
      const s = samples[0];
      if (s.type === 'counter' && s.labels !== null && s.labels.length === 0) {
        this.scalar(stat, names[1], s.unit === undefined ? stat.help : stat.help + ' (' + s.unit + ')', 'counter', s.value * scale);
        return;
      }
    }
    const totals: ProtoMetric[] = [];
    const rates: ProtoMetric[] = [];
    let totalUnit: string | undefined;
    let rateUnit: string | undefined;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s.labels === null) continue;
      switch (s.type) {
        case 'counter':
          totals.push(s.labels.length === 0 ? { value: s.value * scale } : { labels: protoLabels(s.labels), value: s.value * scale });
          totalUnit ??= s.unit;
          break;
        case 'gauge':
          rates.push(s.labels.length === 0 ? { value: s.value * scale } : { labels: protoLabels(s.labels), value: s.value * scale });
          rateUnit ??= s.unit;
          break;
        case 'state':
        case 'quantile':
        case 'distribution':
        case 'info':
          break; // not part of a counter family
        default:
          unhandled(s);
      }
    }
    const help = stat.help;
    this.push(names[1], totalUnit === undefined ? help : help + ' (' + totalUnit + ')', 'counter', totals);
    this.push(names[3], rateUnit === undefined ? help : help + ' (' + rateUnit + ')', 'gauge', rates);
  }
}

/**
 * Renders the snapshot as the delimited protobuf exposition, in pieces of whole families: the
 * same families and names as {@link prometheusChunks}; pmf stats as native histograms when the
 * snapshot was taken with `{ histograms: true }` (else summaries).
 */
export function* prometheusProtobufChunks(node: SnapshotNode): Generator<Uint8Array> {
  const w = new FamilyWriter();
  yield* walkStats(node, w);
  if (!w.empty) yield w.take();
}

/**
 * The snapshot as one delimited protobuf exposition body (serve it with
 * {@link PROMETHEUS_PROTOBUF_CONTENT_TYPE}).
 *
 * @example renderPrometheusProtobuf(registry.snapshot('/', { histograms: true })!)
 */
export function renderPrometheusProtobuf(node: SnapshotNode): Uint8Array {
  const w = new FamilyWriter(Number.POSITIVE_INFINITY);
  renderAll(node, w);
  return w.take();
}
