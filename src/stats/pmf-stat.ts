import { type DeclarationOptions, describeStat } from '../core/description.js';
import { isObject } from '../core/json.js';
import { AT_VALUE, type DisplayHints, fieldAt, type KindOutputs, type Labels, NO_LABELS, type Sample } from '../core/samples.js';
import { pmfMerge } from './pmf-merge.js';
import type { HistogramBuckets, JsonValue, PmfSnapshot, SnapshotOptions } from '../core/snapshot.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { defineStatProperty, isFiniteNumber, StatCell } from '../core/stat-cell.js';
import { WindowedDistribution } from '../sampling/windowed-distribution.js';
import { MAX_SCHEMA, MIN_SCHEMA } from '../sampling/exponential-index.js';

/** Unit of a PmfStat's values: seconds (the default, as in Python scales), milliseconds, microseconds or nanoseconds. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';

/** How many of each time unit make a millisecond (what `time()` converts its measurements with). */
const PER_MS: Readonly<Record<TimeUnit, number>> = { s: 1 / 1000, ms: 1, us: 1000, ns: 1_000_000 };

/** Options of a `pmfStat`. */
export interface PmfOptions extends DeclarationOptions {
  /** Unit of recorded values and of `time()` measurements. Default 's'. */
  unit?: TimeUnit;
  /** Length of the recent window that percentiles describe, in ms. Default 300,000 (5 minutes). */
  windowMs?: number;
  /**
   * Upper bounds of the classic Prometheus buckets (`_bucket{le}`) derived from the sketch for
   * text scrapers, in the stat's unit, increasing (default prom-client's 0.005, 0.01, 0.025,
   * 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 and 10 seconds). Native histograms (the protobuf exposition)
   * do not use them.
   */
  buckets?: readonly number[];
  /**
   * Export to Prometheus as a summary (quantiles of the recent window, lifetime `_sum` and
   * `_count`) instead of a histogram (default false).
   */
  summary?: boolean;
}

/** The classic bucket bounds of `options` checked (finite, increasing, at most 1000), or undefined for the default. */
function bucketBounds(name: string, options: PmfOptions): readonly number[] | undefined {
  const b = options.buckets;
  if (b === undefined) return undefined;
  if (!Array.isArray(b) || b.length === 0 || b.length > 1000) {
    throw new TypeError(`pmfStat "${name}": buckets must be an array of 1 to 1000 increasing finite numbers`);
  }
  for (let i = 0; i < b.length; i++) {
    if (!isFiniteNumber(b[i]) || (i > 0 && !(b[i] > b[i - 1]))) {
      throw new RangeError(`pmfStat "${name}": buckets must be increasing finite numbers, got ${String(b[i])} at ${i}`);
    }
  }
  return Object.freeze([...b]);
}

/** A PmfStat's options once checked: made at declaration, shared by every PmfStat made from it. */
export interface PmfSettings {
  readonly unit: TimeUnit;
  readonly windowMs: number | undefined;
  /** Declared classic bucket bounds (undefined: the default); null when declared `summary: true`. */
  readonly bounds: readonly number[] | undefined | null;
}

/**
 * Checks a PmfStat's options (a TypeError or RangeError naming the stat), at declaration: a
 * namedPmfDictStat makes its PmfStats on first write, where nothing may throw, so each new key
 * takes the settings checked here instead of checking (and copying the bounds) again.
 */
export function checkPmfOptions(name: string, options: PmfOptions): PmfSettings {
  const unit = options.unit ?? 's';
  if (typeof unit !== 'string' || !Object.hasOwn(PER_MS, unit)) {
    throw new TypeError(`pmfStat "${name}": unit must be 's', 'ms', 'us' or 'ns', not ${JSON.stringify(unit)}`);
  }
  const w = options.windowMs;
  if (w !== undefined && !(typeof w === 'number' && Number.isFinite(w) && w > 0)) {
    throw new RangeError(`pmfStat "${name}": windowMs ${String(w)} is not a positive number of milliseconds`);
  }
  const bounds = bucketBounds(name, options);
  return Object.freeze({ unit, windowMs: w, bounds: options.summary === true ? null : bounds });
}

/** The percentiles a PmfStat reports, with their snapshot keys. */
export const PMF_QUANTILES: readonly (readonly [number, keyof PmfSnapshot])[] = [
  [0.5, 'median'],
  [0.75, '75percentile'],
  [0.95, '95percentile'],
  [0.98, '98percentile'],
  [0.99, '99percentile'],
  [0.999, '999percentile'],
];
const QS = PMF_QUANTILES.map(([q]) => q);

/** A running timing started by `pmf.time()`. */
export interface Timer {
  /** Records the elapsed time (once) and returns it in the stat's unit. */
  stop(): number;
  /** Drops the running sample: nothing is recorded. */
  discard(): void;
}

/** Called when a recorded value is at or above the current p99 (see `PmfHandle.warn99`). */
export type Warn99Hook = (value: number, p99: number, statPath: string) => void;

/** Handle of a `pmfStat` (also its property on the stats object). */
export interface PmfHandle {
  /** Records one value (in the stat's unit). NaN and ±Infinity are rejected. */
  record(value: number): void;
  /** Starts a timer: `const t = pmf.time(); ...; t.stop()` (or `t.discard()`). */
  time(): Timer;
  /**
   * Times `fn`: returns what it returns. When it returns a promise, the time is recorded when
   * the promise settles (fulfilled or rejected) and that promise's outcome is returned.
   */
  time<R>(fn: () => R): R;
  /**
   * Calls `hook(value, p99, statPath)` whenever a recorded value (or timing) lands at or above
   * the current p99 of the window (null to stop), e.g. to log slow requests. The p99 it compares
   * with is refreshed at most once a second, and the hook stays quiet until the window holds 100
   * values. It runs synchronously inside `record()`/`stop()`; what it throws, or a promise it
   * returns that rejects, is swallowed: logging never breaks the request being timed.
   */
  warn99(hook: Warn99Hook | null): void;
  /** The current summary (same data as the tree snapshot; a fresh object the caller may keep). */
  snapshot(): PmfSnapshot;
  /** Unit of the values. */
  readonly unit: TimeUnit;
}

const WARN_MIN_COUNT = 100;
const WARN_REFRESH_MS = 1000;
const CACHE_MS = 1000;

/**
 * `pmfStat`: a distribution of values (usually timings) with percentiles over a recent window
 * and lifetime figures. Values go into a mergeable sketch on native-histogram buckets;
 * percentiles are computed when read.
 */
export class PmfCell extends StatCell {
  readonly kind = 'pmf';
  override readonly costly = true;
  readonly dist: WindowedDistribution;
  readonly unit: TimeUnit;
  /** ms -> unit. */
  private readonly perMs: number;
  private hook: Warn99Hook | null = null;
  private p99 = Number.POSITIVE_INFINITY;
  private p99At = Number.NEGATIVE_INFINITY;
  private records = 0;
  private cache: PmfSnapshot | null = null;
  private cacheRecords = -1;
  private cacheAt = 0;
  /** Declared classic bucket bounds (undefined: the default); null when declared `summary: true`. */
  private readonly bounds: readonly number[] | undefined | null;
  readonly handle: PmfHandle;

  /** `settings`: the declaration's options, checked by {@link checkPmfOptions}. */
  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], settings: PmfSettings) {
    super(name, container, ctx);
    this.unit = settings.unit;
    this.perMs = PER_MS[this.unit];
    this.dist = new WindowedDistribution({ windowMs: settings.windowMs, clock: ctx.clock });
    this.bounds = settings.bounds;
    this.handle = makeHandle(this);
  }

  /** Records `v`: a finite number (typeof-checked before anything else), else rejected and counted. */
  record(v: unknown): void {
    if (!isFiniteNumber(v)) {
      this.ctx.reject(this, v, 'not a finite number');
      return;
    }
    this.dist.recordFinite(v);
    this.records++;
    if (this.hook !== null) this.checkWarn(v);
  }

  private checkWarn(v: number): void {
    const now = this.ctx.clock.now();
    if (now - this.p99At >= WARN_REFRESH_MS) {
      this.p99At = now;
      const s = this.dist.summary([0.99]);
      this.p99 = s.window.count >= WARN_MIN_COUNT ? (s.quantiles[0] ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    }
    if (v >= this.p99) {
      try {
        const r: unknown = this.hook?.(v, this.p99, this.path);
        if (isThenable(r)) r.then(undefined, () => {}); // an async hook's rejection goes nowhere
      } catch {
        // A logging hook must not break the request that was being timed.
      }
    }
  }

  setWarn99(hook: Warn99Hook | null): void {
    if (hook !== null && typeof hook !== 'function') throw new TypeError(`warn99 on ${this.path}: expected a function or null`);
    this.hook = hook;
    this.p99At = Number.NEGATIVE_INFINITY;
  }

  recordSince(startMs: number): number {
    const elapsed = (this.ctx.clock.now() - startMs) * this.perMs;
    this.record(elapsed);
    return elapsed;
  }

  summary(options: SnapshotOptions = {}): PmfSnapshot {
    const now = this.ctx.clock.now();
    if (!options.sketches && this.cache !== null && this.cacheRecords === this.records && now - this.cacheAt < CACHE_MS) return this.cache;
    const s = this.dist.summary(QS);
    const w = s.window;
    const l = s.lifetime;
    const outOfRange: string[] = [];
    const inRange = (v: number | null, figure: string): number | null => {
      if (v === null || Number.isFinite(v)) return v;
      outOfRange.push(figure);
      return null;
    };
    const out: PmfSnapshot = {
      count: w.count,
      min: w.min,
      max: w.max,
      mean: inRange(w.mean, 'mean'),
      stddev: inRange(w.stddev, 'stddev'),
      median: s.quantiles[0] ?? null,
      '75percentile': s.quantiles[1] ?? null,
      '95percentile': s.quantiles[2] ?? null,
      '98percentile': s.quantiles[3] ?? null,
      '99percentile': s.quantiles[4] ?? null,
      '999percentile': s.quantiles[5] ?? null,
      unit: this.unit,
      windowSeconds: this.dist.windowMs / 1000,
      schema: s.schema,
      relativeError: s.relativeError,
      lifetime: { ...l, sum: inRange(l.sum, 'lifetime.sum'), mean: inRange(l.mean, 'lifetime.mean'), stddev: inRange(l.stddev, 'lifetime.stddev') },
    };
    if (outOfRange.length > 0) out.outOfRange = outOfRange;
    if (options.sketches) {
      out.sketch = this.dist.windowSketch().serialize();
      return out;
    }
    this.cache = out;
    this.cacheRecords = this.records;
    this.cacheAt = now;
    return out;
  }

  read(options: SnapshotOptions): PmfSnapshot {
    const out = copyOf(this.summary(options));
    if (options.histograms && this.bounds !== null) out.histogram = this.histogram();
    return out;
  }

  /** The last histogram read, and the count of records it was read at (the lifetime changes only by records). */
  private histogramCache: HistogramBuckets | null = null;
  private histogramRecords = -1;

  /** The lifetime's native-histogram buckets (cumulative), with the declared classic bounds (a fresh copy). */
  histogram(): HistogramBuckets {
    if (this.histogramCache === null || this.histogramRecords !== this.records) {
      this.histogramCache = this.readHistogram();
      this.histogramRecords = this.records;
    }
    const h = this.histogramCache;
    const out: HistogramBuckets = { ...h, positive: { ...h.positive }, negative: { ...h.negative } };
    if (h.bounds !== undefined) out.bounds = h.bounds;
    return out;
  }

  private readHistogram(): HistogramBuckets {
    const nb = this.dist.lifetimeSketch().nativeBuckets();
    const out: HistogramBuckets = {
      schema: nb.schema,
      zeroThreshold: nb.zeroThreshold,
      zeroCount: nb.zeroCount,
      positive: split(nb.positive),
      negative: split(nb.negative),
      count: nb.count,
      sum: nb.sum,
    };
    if (this.bounds !== undefined && this.bounds !== null) out.bounds = [...this.bounds];
    return out;
  }

  bind(target: object, handles: Record<string, unknown>): void {
    defineStatProperty(this, target, this.handle, (v) => this.record(v));
    handles[this.name] = this.handle;
  }

  clear(): void {
    this.dist.reset();
    this.records++;
  }
}

/** [index, count] pairs as two arrays. */
function split(pairs: readonly (readonly [number, number])[]): { indexes: number[]; counts: number[] } {
  const indexes = new Array<number>(pairs.length);
  const counts = new Array<number>(pairs.length);
  for (let k = 0; k < pairs.length; k++) {
    indexes[k] = pairs[k][0];
    counts[k] = pairs[k][1];
  }
  return { indexes, counts };
}

class RunningTimer implements Timer {
  private done = false;
  constructor(
    private readonly cell: PmfCell,
    private readonly start: number,
  ) {}
  stop(): number {
    if (this.done) return 0;
    this.done = true;
    return this.cell.recordSince(this.start);
  }
  discard(): void {
    this.done = true;
  }
}

/** A copy of a (possibly cached) summary that its receiver may change freely. */
function copyOf(s: PmfSnapshot): PmfSnapshot {
  const out = { ...s, lifetime: { ...s.lifetime } };
  if (s.outOfRange !== undefined) out.outOfRange = [...s.outOfRange];
  return out;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** Times `fn` into `recordSince`; shared by PmfStat and NamedPmfDictStat. (not part of the public API) */
export function timeCall<R>(cell: PmfCell, fn: () => R): R {
  const start = cell.ctx.clock.now();
  let r: R;
  try {
    r = fn();
  } catch (e) {
    cell.recordSince(start);
    throw e;
  }
  if (isThenable(r)) {
    return Promise.resolve(r).then(
      (v) => {
        cell.recordSince(start);
        return v;
      },
      (e: unknown) => {
        cell.recordSince(start);
        throw e;
      },
    ) as R;
  }
  cell.recordSince(start);
  return r;
}

function makeHandle(cell: PmfCell): PmfHandle {
  function time(): Timer;
  function time<R>(fn: () => R): R;
  function time<R>(fn?: () => R): Timer | R {
    if (fn === undefined) return new RunningTimer(cell, cell.ctx.clock.now());
    if (typeof fn !== 'function') throw new TypeError(`time() on ${cell.path}: expected a function or nothing`);
    return timeCall(cell, fn);
  }
  return {
    record: (v) => cell.record(v),
    time,
    warn99: (hook) => cell.setWarn99(hook),
    snapshot: () => copyOf(cell.summary()),
    unit: cell.unit,
  };
}

const QUANTILE_OF: ReadonlyMap<string, number> = new Map(PMF_QUANTILES.map(([q, key]) => [key as string, q]));
const WINDOW_FIGURES: ReadonlySet<string> = new Set(['count', 'min', 'max', 'mean', 'stddev']);
const LIFETIME_FIGURES: ReadonlySet<string> = new Set(['count', 'sum', 'min', 'max', 'mean', 'stddev']);

function numberOrNull(v: JsonValue | undefined): number | null {
  return typeof v === 'number' ? v : null;
}

// Fields shared by every top-level pmf's samples (samples are read-only).
const FIELDS: ReadonlyMap<string, readonly string[]> = new Map(
  [...QUANTILE_OF.keys(), ...WINDOW_FIGURES, 'lifetime'].map((k) => [k, Object.freeze([k])] as const),
);
const LIFETIME_FIELDS: ReadonlyMap<string, readonly string[]> = new Map(
  [...LIFETIME_FIGURES].map((f) => [f, Object.freeze(['lifetime', f])] as const),
);

/**
 * Appends the samples of one pmf snapshot to `out`, in the order of its keys: window figures and
 * quantiles, the lifetime figures (count and sum cumulative), any other number as a plain leaf;
 * settings none. `at` is where the snapshot sits in the stat's value; `labels` its labels.
 */
export function pmfSamplesInto(out: Sample[], pmf: PmfSnapshot, at: readonly string[], labels: Labels): void {
  const value: JsonValue = pmf;
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    const v = value[key];
    switch (key) {
      case 'unit':
      case 'windowSeconds':
      case 'sketch':
      case 'histogram':
        break; // settings, not measurements (the histogram rides on the lifetime count)
      case 'count':
      case 'min':
      case 'max':
      case 'mean':
      case 'stddev':
        out.push({ type: 'distribution', field: fieldAt(at, key, FIELDS), labels, scope: 'window', figure: key, value: numberOrNull(v) });
        break;
      case 'lifetime':
        if (isObject(v)) lifetimeSamplesInto(out, v, at, labels, pmf.histogram);
        break;
      default: {
        const q = QUANTILE_OF.get(key);
        if (q !== undefined) out.push({ type: 'quantile', field: fieldAt(at, key, FIELDS), labels, quantile: q, value: numberOrNull(v) });
        else if (typeof v === 'number') out.push({ type: 'gauge', field: fieldAt(at, key), labels: null, value: v });
      }
    }
  }
}

function lifetimeSamplesInto(
  out: Sample[],
  lifetime: { [key: string]: JsonValue },
  at: readonly string[],
  labels: Labels,
  histogram: HistogramBuckets | undefined,
): void {
  const base = at.length === 0 ? undefined : fieldAt(at, 'lifetime');
  for (const f of Object.keys(lifetime)) {
    const x = numberOrNull(lifetime[f]);
    const field = base === undefined ? (LIFETIME_FIELDS.get(f) ?? ['lifetime', f]) : fieldAt(base, f);
    switch (f) {
      case 'count':
        if (histogram === undefined)
          out.push({ type: 'distribution', field, labels, scope: 'lifetime', figure: 'count', value: x, delta: 'monotonic' });
        else out.push({ type: 'distribution', field, labels, scope: 'lifetime', figure: 'count', value: x, delta: 'monotonic', histogram });
        break;
      case 'sum':
        out.push({ type: 'distribution', field, labels, scope: 'lifetime', figure: 'sum', value: x, delta: 'diff' });
        break;
      case 'min':
      case 'max':
      case 'mean':
      case 'stddev':
        out.push({ type: 'distribution', field, labels, scope: 'lifetime', figure: f, value: x });
        break;
      default:
        if (x !== null) out.push({ type: 'gauge', field, labels: null, value: x });
    }
  }
}

/** The fields of a pmf snapshot that are durations (shown in the pmf's unit). */
const DURATION_FIELDS: ReadonlySet<string> = new Set(['min', 'max', 'mean', 'stddev', ...QUANTILE_OF.keys(), 'sum']);

/** The order of a pmf snapshot's fields on the status page. */
const PMF_ORDER = ['count', 'min', 'max', 'mean', 'stddev', ...QUANTILE_OF.keys(), 'unit', 'windowSeconds', 'lifetime', 'sum'];

/** Display of pmf snapshots found at `depth` of a stat's value (0 for a pmf, 1 for a dict of them). */
export function pmfDisplay(depth: number): DisplayHints {
  return {
    // Durations in s or ms are shown as durations; in us or ns as the plain numbers they are (their unit shown beside).
    format: (field, unit) =>
      field !== undefined && DURATION_FIELDS.has(field) ? (unit === 'ms' ? 'ms' : unit === 'us' || unit === 'ns' ? 'n' : 's') : 'n',
    table: { className: 'pmf', fromDepth: depth, order: PMF_ORDER, unitKey: 'unit' },
    row: { form: 'distribution', depth },
  };
}

/** Whether a JSON value has the shape of a pmf snapshot (for dumps written without kinds). */
export function looksLikePmf(v: JsonValue): boolean {
  return isObject(v) && typeof v.count === 'number' && '99percentile' in v && 'windowSeconds' in v;
}

/**
 * Whether `v` has a pmf's value shape: the figures outputs read, and the sketch and lifetime
 * buckets when present (a cluster worker's report carries them).
 */
export const isPmfShape = (v: JsonValue): boolean =>
  isObject(v) &&
  typeof v.count === 'number' &&
  typeof v.unit === 'string' &&
  isObject(v.lifetime) &&
  (v.sketch === undefined || typeof v.sketch === 'string') &&
  (v.histogram === undefined || isHistogram(v.histogram));
const isIntegers = (v: JsonValue | undefined, min: number): v is number[] =>
  Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && (x as number) >= min);
const isBucketSide = (v: JsonValue | undefined): boolean =>
  isObject(v) &&
  isIntegers(v.indexes, Number.MIN_SAFE_INTEGER) &&
  isIntegers(v.counts, 0) &&
  v.indexes.length === v.counts.length &&
  v.indexes.every((x, k, a) => k === 0 || x > a[k - 1]!);
/** Lifetime buckets as a pmf's snapshot holds them (the exposition writes them as they are). */
const isHistogram = (v: JsonValue): boolean =>
  isObject(v) &&
  Number.isInteger(v.schema) &&
  (v.schema as number) >= MIN_SCHEMA &&
  (v.schema as number) <= MAX_SCHEMA &&
  typeof v.zeroThreshold === 'number' &&
  (v.zeroThreshold as number) >= 0 &&
  Number.isSafeInteger(v.zeroCount) &&
  (v.zeroCount as number) >= 0 &&
  Number.isSafeInteger(v.count) &&
  typeof v.sum === 'number' &&
  isBucketSide(v.positive) &&
  isBucketSide(v.negative) &&
  (v.bounds === undefined || (Array.isArray(v.bounds) && v.bounds.length <= 1000 && v.bounds.every((b) => typeof b === 'number')));

/**
 * How a pmf shows in every output: a summary (quantiles of the recent window; lifetime sum and
 * count), the window's figures as distribution samples, durations in the pmf's unit.
 */
export const pmfOutputs: KindOutputs<PmfSnapshot> = {
  shape: isPmfShape,
  merge: pmfMerge(PMF_QUANTILES),
  samples: (v) => {
    const out: Sample[] = [];
    pmfSamplesInto(out, v, AT_VALUE, NO_LABELS);
    return out;
  },
  family: () => 'summary',
  display: pmfDisplay(0),
  recognize: looksLikePmf,
};

/**
 * A distribution (usually of timings): `STATS.latency.record(0.042)`,
 * `STATS.latency.time(() => work())`, `const t = STATS.latency.time(); ...; t.stop()`.
 * Reports count, min, max, mean, stddev and percentiles of the recent window.
 */
export function pmfStat<N extends string>(name: N, options: PmfOptions = {}): StatDef<N, PmfHandle, PmfHandle, false> {
  const settings = checkPmfOptions(name, options);
  return defineStat(name, 'pmf', (c, ctx) => new PmfCell(name, c, ctx, settings), describeStat(name, options, undefined, settings.unit));
}
