/**
 * How a pmf (and a dict of them) merges over workers: the window's sketches merged, so the
 * percentiles are those of all values together (never averaged), lifetime counts added.
 */
import { isObject } from '../core/json.js';
import { type MergeOptions, type MergeRule, type Merged, mapKeyed, mergeKeyed, num, type Part, pooledStddev } from '../core/merge.js';
import type { HistogramBuckets, JsonValue, PmfSnapshot } from '../core/snapshot.js';
import { downscaleIndex, upperBound } from '../sampling/exponential-index.js';
import { LogSketch } from '../sampling/sketch.js';

/** The percentiles a pmf reports, with their keys (PMF_QUANTILES, passed in by the pmf's file). */
type Quantiles = readonly (readonly [number, keyof PmfSnapshot])[];

/** The window sketch of a pmf, decoded from its text. */
export function decodeSketchOf(pmf: PmfSnapshot): LogSketch {
  return LogSketch.deserialize(pmf.sketch as string);
}

function isPmf(v: JsonValue): boolean {
  return isObject(v) && typeof v.count === 'number' && 'windowSeconds' in v && isObject(v.lifetime);
}

/**
 * One pmf from many: the window's percentiles from the merged sketches (true percentiles of all
 * values together, within the sketch's error), counts and sums added, extremes kept, means and
 * standard deviations pooled. Units must agree.
 */
export function mergePmfs(parts: readonly Part<PmfSnapshot>[], options: MergeOptions, quantiles: Quantiles): Merged<PmfSnapshot> {
  const QS = quantiles.map(([q]) => q);
  const first = parts[0]!.value;
  const unit = first.unit;
  for (const p of parts) {
    if (p.value.unit !== unit) return { error: `unit "${p.value.unit}" of worker ${p.worker} differs from "${unit}"` };
  }
  let sketch: LogSketch | null = null;
  const windows: { n: number; mean: number | null; sd: number | null }[] = [];
  let missing = 0;
  let windowSeconds = 0;
  for (const p of parts) {
    const v = p.value;
    windowSeconds = Math.max(windowSeconds, num(v.windowSeconds) ?? 0);
    if (!(v.count > 0)) continue;
    if (typeof v.sketch !== 'string') {
      missing++;
      continue;
    }
    const s = (options.sketchOf ?? decodeSketchOf)(v);
    if (sketch === null) sketch = new LogSketch();
    sketch.merge(s);
    windows.push({ n: s.count, mean: v.mean, sd: v.stddev });
  }
  if (missing > 0) return { error: `${missing} worker(s) reported a window without its sketch: no merged percentiles` };
  const n = sketch?.count ?? 0;
  const qs = sketch === null || n === 0 ? QS.map(() => null) : sketch.quantiles(QS);
  const outOfRange: string[] = [];
  const finite = (v: number | null, figure: string): number | null => {
    if (v === null || Number.isFinite(v)) return v;
    outOfRange.push(figure);
    return null;
  };
  const mean = n > 0 && sketch !== null ? finite(sketch.sum / n, 'mean') : null;
  // Lifetime: counts and sums added over every part, extremes kept, the spread pooled.
  let lCount = 0;
  let lSum: number | null = 0;
  let lMin: number | null = null;
  let lMax: number | null = null;
  const lifetimes: { n: number; mean: number | null; sd: number | null }[] = [];
  for (const p of parts) {
    const l = p.value.lifetime;
    const c = num(l.count) ?? 0;
    if (c === 0) continue;
    lCount += c;
    lSum = lSum === null || num(l.sum) === null ? null : lSum + (l.sum as number);
    if (num(l.min) !== null) lMin = lMin === null ? (l.min as number) : Math.min(lMin, l.min as number);
    if (num(l.max) !== null) lMax = lMax === null ? (l.max as number) : Math.max(lMax, l.max as number);
    lifetimes.push({ n: c, mean: num(l.mean), sd: num(l.stddev) });
  }
  const lMean = lCount > 0 && lSum !== null ? finite(lSum / lCount, 'lifetime.mean') : null;
  // The lifetime's native buckets (a snapshot taken with { histograms: true }), added bucket by bucket.
  const histograms: HistogramBuckets[] = [];
  let withoutHistogram = 0;
  for (const p of parts) {
    const h = p.value.histogram;
    if (h !== undefined) histograms.push(h);
    else if ((num(p.value.lifetime.count) ?? 0) > 0) withoutHistogram++;
  }
  const value: PmfSnapshot = {
    ...first,
    count: n,
    min: n > 0 && sketch !== null ? sketch.min : null,
    max: n > 0 && sketch !== null ? sketch.max : null,
    mean,
    stddev: mean === null ? null : finite(pooledStddev(windows, n, mean), 'stddev'),
    unit,
    windowSeconds,
    schema: sketch?.schema ?? first.schema,
    relativeError: sketch?.relativeError ?? first.relativeError,
    lifetime: {
      ...first.lifetime,
      count: lCount,
      sum: lSum,
      min: lMin,
      max: lMax,
      mean: lMean,
      stddev: lMean === null ? null : finite(pooledStddev(lifetimes, lCount, lMean), 'lifetime.stddev'),
    },
  };
  for (const [i, [, key]] of quantiles.entries()) (value as Record<string, unknown>)[key] = qs[i] ?? null;
  delete value.histogram;
  // A part that counted values without their buckets (a worker's pmf declared { summary: true }):
  // a histogram of the others would undercount, so the merge has none (exported as a summary).
  if (histograms.length > 0 && withoutHistogram === 0) value.histogram = mergeHistograms(histograms);
  delete value.sketch;
  delete value.outOfRange;
  if (outOfRange.length > 0) value.outOfRange = outOfRange;
  if (options.sketches && sketch !== null) value.sketch = sketch.serialize();
  return { value };
}

/**
 * The sum of native histograms: at the coarsest schema of them (a finer one brought down to it
 * first: bucket i at schema s lies inside bucket ceil(i / 2^d) at schema s - d), counts added per
 * bucket index; zero buckets, counts and sums added. With different zero thresholds, the widest
 * is kept and the buckets it covers are counted in the zero bucket. The classic bounds are the
 * first's (workers declare the same stat).
 */
export function mergeHistograms(hs: readonly HistogramBuckets[]): HistogramBuckets {
  let schema = hs[0]!.schema;
  let zeroThreshold = hs[0]!.zeroThreshold;
  for (const h of hs) {
    schema = Math.min(schema, h.schema);
    zeroThreshold = Math.max(zeroThreshold, h.zeroThreshold);
  }
  let zeroCount = 0;
  let count = 0;
  let sum = 0;
  const pos = new Map<number, number>();
  const neg = new Map<number, number>();
  const add = (into: Map<number, number>, side: HistogramBuckets['positive'], d: number, widerZero: boolean): void => {
    for (let k = 0; k < side.indexes.length; k++) {
      const c = side.counts[k]!;
      if (c === 0) continue;
      const i = downscaleIndex(side.indexes[k]!, d);
      if (widerZero && upperBound(i, schema) <= zeroThreshold) zeroCount += c;
      else into.set(i, (into.get(i) ?? 0) + c);
    }
  };
  for (const h of hs) {
    const d = h.schema - schema;
    const widerZero = h.zeroThreshold < zeroThreshold;
    add(pos, h.positive, d, widerZero);
    add(neg, h.negative, d, widerZero);
    zeroCount += h.zeroCount;
    count += h.count;
    sum += h.sum;
  }
  const side = (m: Map<number, number>): HistogramBuckets['positive'] => {
    const indexes = [...m.keys()].sort((a, b) => a - b);
    return { indexes, counts: indexes.map((i) => m.get(i)!) };
  };
  const out: HistogramBuckets = { schema, zeroThreshold, zeroCount, positive: side(pos), negative: side(neg), count, sum };
  if (hs[0]!.bounds !== undefined) out.bounds = [...hs[0]!.bounds];
  return out;
}

/** A pmf reduced to what outlives its worker: the lifetime figures and buckets (the window is empty). */
function retiredPmf(v: PmfSnapshot, quantiles: Quantiles): PmfSnapshot {
  const out: PmfSnapshot = { ...v, count: 0, min: null, max: null, mean: null, stddev: null, lifetime: { ...v.lifetime } };
  for (const [, key] of quantiles) (out as Record<string, unknown>)[key] = null;
  delete out.sketch;
  delete out.outOfRange;
  return out;
}

/** The merge rule of a pmf reporting `quantiles`. */
export function pmfMerge(quantiles: Quantiles): MergeRule<PmfSnapshot> {
  return { merge: (parts, options) => mergePmfs(parts, options, quantiles), retire: (v) => retiredPmf(v, quantiles) };
}

/** The merge rule of a dict of pmfs (labelled: nested, one level per label), merged per key. */
export function pmfDictMerge<D extends JsonValue>(quantiles: Quantiles): MergeRule<D> {
  return {
    merge: (parts, options) => {
      const errors: string[] = [];
      const value = mergeKeyed<PmfSnapshot>(parts, isPmf, (ps) => {
        const m = mergePmfs(ps, options, quantiles);
        if ('error' in m) errors.push(m.error);
        return 'error' in m ? null : m.value;
      });
      return errors.length > 0 ? { error: errors[0]! } : { value: value as D };
    },
    retire: (v) => mapKeyed(v, isPmf, (l) => retiredPmf(l as PmfSnapshot, quantiles) as unknown as JsonValue) as D,
  };
}
