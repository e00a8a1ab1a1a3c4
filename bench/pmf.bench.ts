// Percentiles, side by side in one process on the same pre-generated values:
// record() ns/op, memory per instance after 100,000 values, relative error at p50/p90/p99/p99.9
// on lognormal and bimodal data, and the summary read time.
// Run: npm run bench   (or BENCH=pmf npm run bench; needs node --expose-gc, which the script passes)
import { createHistogram } from 'node:perf_hooks';
import { DDSketch } from '@datadog/sketches-js';
import { AggregationTemporality, type HistogramMetricData, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import * as hdr from 'hdr-histogram-js';
import { Histogram as MeasuredHistogram } from 'measured-core';
import { createRequire } from 'node:module';
import * as prom from 'prom-client';
import * as scales from 'scales-metrics';
import { LogSketch } from '../src/sampling/sketch.js';
import { index6 } from '../src/sampling/exponential-index.js';
import { SparseStore } from '../src/sampling/sparse-store.js';
import { WindowedDistribution } from '../src/sampling/windowed-distribution.js';
import { bimodal, lognormal, seededRandom } from '../test/helpers/datasets.js';
import { exactQuantile } from '../test/sampling/exact-quantile.js';
import { consume, fmt, nsPerIteration, table } from './harness.js';

const N = 1 << 20; // values in the timing loop (masked index: no bounds branch)
const MASK = N - 1;
const ITER = 8_000_000;
const VALUES = lognormal(N, 1); // seconds, median 20 ms
const VALUES_MS = VALUES.map((v) => v * 1000);
const VALUES_US = VALUES.map((v) => Math.max(1, Math.round(v * 1e6)));
const VALUES_NS = VALUES.map((v) => Math.max(1, Math.round(v * 1e9)));
const QS = [0.5, 0.9, 0.99, 0.999];

const gc = (globalThis as { gc?: () => void }).gc;
await hdr.initWebAssembly();

// ---- the peers ------------------------------------------------------------------------------
/** A peer: make an instance, record into it, read quantiles (in seconds) from it. */
interface Peer {
  name: string;
  make(): unknown;
  /** ns/op of recording ITER values into one instance. */
  time(): number;
  fill(inst: unknown, values: Float64Array): void;
  quantiles(inst: unknown, values: Float64Array): (number | null)[];
  release?(inst: unknown): void;
}

class Reader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** Interpolated quantile of cumulative buckets (Prometheus histogram_quantile's rule). */
function bucketQuantile(bounds: number[], counts: number[], q: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    if (cum + counts[i] >= rank && counts[i] > 0) {
      if (i >= bounds.length) return bounds[bounds.length - 1]; // +Inf bucket: the top bound
      const lo = i === 0 ? 0 : bounds[i - 1];
      return lo + ((bounds[i] - lo) * (rank - cum)) / counts[i];
    }
    cum += counts[i];
  }
  return bounds[bounds.length - 1];
}

// PmfStats measured for memory share one registry (each in its own container), as in an app.
const benchRegistry = new scales.Registry();
let pmfSeq = 0;
const promRegistry = new prom.Registry();
let promSeq = 0;
// @prometheus-io/client 0.16 (prom-client's successor) is CommonJS; it warns on Node 20 engines but runs.
const promIo = createRequire(import.meta.url)('@prometheus-io/client') as typeof prom;
const ioRegistry = new promIo.Registry();
const otelReader = new Reader();
const otelMeter = new MeterProvider({ readers: [otelReader] }).getMeter('bench');
let otelSeq = 0;

async function otelQuantiles(name: string, values: Float64Array): Promise<number[]> {
  const h = otelMeter.createHistogram(name);
  for (const v of values) h.record(v * 1000); // the default buckets are meant for ms
  const { resourceMetrics } = await otelReader.collect();
  const metric = resourceMetrics.scopeMetrics[0].metrics.find((m) => m.descriptor.name === name) as HistogramMetricData;
  const b = metric.dataPoints[0].value.buckets;
  return QS.map((q) => bucketQuantile(b.boundaries, b.counts, q) / 1000);
}

const peers: Peer[] = [
  {
    name: 'scales WindowedDistribution.record',
    make: () => new WindowedDistribution(),
    time: () => {
      const d = new WindowedDistribution();
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) d.record(VALUES[i & MASK]);
      }, ITER);
    },
    fill: (d, vs) => {
      for (const v of vs) (d as WindowedDistribution).record(v);
    },
    quantiles: (d) => (d as WindowedDistribution).summary(QS).quantiles,
  },
  {
    name: 'scales PmfStat STATS.x.record (public API)',
    make: () => benchRegistry.collection(`/bench/p${pmfSeq++}`, scales.pmfStat('x')),
    time: () => {
      const S = new scales.Registry().collection('/bench', scales.pmfStat('x'));
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) S.x.record(VALUES[i & MASK]);
      }, ITER);
    },
    fill: (s, vs) => {
      const S = s as ReturnType<typeof makePmf>;
      for (const v of vs) S.x.record(v);
    },
    quantiles: (s) => {
      const snap = (s as ReturnType<typeof makePmf>).x.snapshot();
      return [snap.median, null, snap['99percentile'], snap['999percentile']];
    },
  },
  {
    name: 'scales LogSketch.add (no window)',
    make: () => new LogSketch(),
    time: () => {
      const s = new LogSketch();
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) s.add(VALUES[i & MASK]);
      }, ITER);
    },
    fill: (s, vs) => {
      for (const v of vs) (s as LogSketch).add(v);
    },
    quantiles: (s) => (s as LogSketch).quantiles(QS),
  },
  {
    name: '@datadog/sketches-js DDSketch.accept',
    make: () => new DDSketch({ relativeAccuracy: 0.01 }),
    time: () => {
      const s = new DDSketch({ relativeAccuracy: 0.01 });
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) s.accept(VALUES[i & MASK]);
      }, ITER);
    },
    fill: (s, vs) => {
      for (const v of vs) (s as DDSketch).accept(v);
    },
    quantiles: (s) => QS.map((q) => (s as DDSketch).getValueAtQuantile(q)),
  },
  {
    name: 'hdr-histogram-js (wasm, 2 digits, us)',
    make: () => hdr.build({ useWebAssembly: true, numberOfSignificantValueDigits: 2 }),
    time: () => {
      const h = hdr.build({ useWebAssembly: true, numberOfSignificantValueDigits: 2 });
      const ns = nsPerIteration((n) => {
        for (let i = 0; i < n; i++) h.recordValue(VALUES_US[i & MASK]);
      }, ITER);
      h.destroy();
      return ns;
    },
    fill: (h, vs) => {
      for (const v of vs) (h as hdr.Histogram).recordValue(Math.max(1, Math.round(v * 1e6)));
    },
    quantiles: (h) => QS.map((q) => (h as hdr.Histogram).getValueAtPercentile(q * 100) / 1e6),
    release: (h) => (h as hdr.Histogram).destroy(),
  },
  {
    name: 'node:perf_hooks createHistogram (ns)',
    make: () => createHistogram(),
    time: () => {
      const h = createHistogram();
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) h.record(VALUES_NS[i & MASK]);
      }, ITER);
    },
    fill: (h, vs) => {
      for (const v of vs) (h as ReturnType<typeof createHistogram>).record(Math.max(1, Math.round(v * 1e9)));
    },
    quantiles: (h) => QS.map((q) => (h as ReturnType<typeof createHistogram>).percentile(q * 100) / 1e9),
  },
  {
    name: 'measured-core Histogram.update',
    make: () => new MeasuredHistogram(),
    time: () => {
      const h = new MeasuredHistogram();
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) h.update(VALUES[i & MASK]);
      }, ITER / 4);
    },
    fill: (h, vs) => {
      for (const v of vs) (h as MeasuredHistogram).update(v);
    },
    quantiles: (h) => {
      // toJSON() has no p90; its own percentile method over the reservoir has.
      const m = h as unknown as { _percentiles(qs: number[]): Record<number, number> };
      const p = m._percentiles(QS);
      return QS.map((q) => p[q]);
    },
  },
  {
    name: 'OpenTelemetry Histogram.record (ms, default buckets)',
    make: () => otelMeter.createHistogram(`mem${otelSeq++}`),
    time: () => {
      const h = otelMeter.createHistogram(`time${otelSeq++}`);
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) h.record(VALUES_MS[i & MASK]);
      }, ITER / 4);
    },
    fill: (h, vs) => {
      for (const v of vs) (h as ReturnType<typeof otelMeter.createHistogram>).record(v * 1000);
    },
    quantiles: () => [], // read asynchronously below
  },
  {
    name: 'prom-client Histogram.observe (default buckets)',
    make: () => new prom.Histogram({ name: `h${promSeq++}`, help: 'h', registers: [promRegistry] }),
    time: () => {
      const h = new prom.Histogram({ name: `h${promSeq++}`, help: 'h', registers: [promRegistry] });
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) h.observe(VALUES[i & MASK]);
      }, ITER / 8);
    },
    fill: (h, vs) => {
      for (const v of vs) (h as prom.Histogram).observe(v);
    },
    quantiles: () => [], // read asynchronously below
  },
  {
    name: '@prometheus-io/client Histogram.observe (default buckets)',
    make: () => new promIo.Histogram({ name: `h${promSeq++}`, help: 'h', registers: [ioRegistry] }),
    time: () => {
      const h = new promIo.Histogram({ name: `h${promSeq++}`, help: 'h', registers: [ioRegistry] });
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) h.observe(VALUES[i & MASK]);
      }, ITER / 8);
    },
    fill: (h, vs) => {
      for (const v of vs) (h as prom.Histogram).observe(v);
    },
    quantiles: () => [], // read asynchronously below
  },
  {
    name: 'prom-client Summary.observe',
    make: () => new prom.Summary({ name: `s${promSeq++}`, help: 'h', percentiles: QS, registers: [promRegistry] }),
    time: () => {
      const h = new prom.Summary({ name: `s${promSeq++}`, help: 'h', percentiles: QS, registers: [promRegistry] });
      return nsPerIteration((n) => {
        for (let i = 0; i < n; i++) h.observe(VALUES[i & MASK]);
      }, ITER / 32);
    },
    fill: (h, vs) => {
      for (const v of vs) (h as prom.Summary).observe(v);
    },
    quantiles: () => [], // read asynchronously below
  },
];

function makePmf() {
  return new scales.Registry().collection('/bench', scales.pmfStat('x'));
}

async function asyncQuantiles(peer: Peer, inst: unknown, values: Float64Array): Promise<(number | null)[]> {
  if (peer.name.startsWith('OpenTelemetry')) return otelQuantiles(`err${otelSeq++}`, values);
  if (peer.name.includes('Histogram.observe')) {
    const got = await (inst as prom.Histogram).get();
    const buckets = got.values.filter((v) => v.metricName?.endsWith('_bucket'));
    const bounds = buckets.map((b) => Number(b.labels.le)).filter(Number.isFinite);
    const cum = buckets.map((b) => b.value);
    const counts = cum.map((c, i) => c - (i === 0 ? 0 : cum[i - 1]));
    return QS.map((q) => bucketQuantile(bounds, counts, q));
  }
  if (peer.name.startsWith('prom-client Summary')) {
    const got = await (inst as prom.Summary).get();
    return QS.map((q) => got.values.find((v) => v.labels.quantile === q)?.value ?? null);
  }
  return peer.quantiles(inst, values);
}

/** Half the values near 1e-9 (ns cache hits in seconds), half near 3.6e6 (hour-long jobs in ms). */
function twoClusters(n: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1e-9 * (1 + r()) : 3.6e6 * (1 + 0.1 * r())));
}

// ---- 1. record() ns/op ----------------------------------------------------------------------
const nsOf = new Map<string, number>();
for (const p of peers) nsOf.set(p.name, p.time());
const dd = nsOf.get('@datadog/sketches-js DDSketch.accept')!;
const ours = nsOf.get('scales WindowedDistribution.record')!;
table(
  `record() ns/op, ${N.toLocaleString()} pre-generated lognormal values (median 20 ms), best of 7 rounds`,
  ['peer', 'ns/op', 'vs DDSketch', 'vs scales'],
  peers.map((p) => [p.name, nsOf.get(p.name)!, `${fmt(nsOf.get(p.name)! / dd)}x`, `${fmt(nsOf.get(p.name)! / ours)}x`]),
);

// ---- 2. memory per instance after 100,000 values ----------------------------------------------
function used(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external; // external includes ArrayBuffers and wasm memory
}
const FILL = VALUES.subarray(0, 100_000);
const memRows: (string | number)[][] = [];
for (const p of peers) {
  const count = p.name.includes('Summary') || p.name.includes('measured') ? 10 : 100;
  const keep: unknown[] = [];
  const before = used();
  for (let i = 0; i < count; i++) {
    const inst = p.make();
    p.fill(inst, FILL);
    keep.push(inst);
  }
  const perInstance = (used() - before) / count;
  let note = gc === undefined ? 'no --expose-gc: rough' : '';
  if (p.name.startsWith('hdr')) note = `own estimate ${(keep[0] as hdr.Histogram).estimatedFootprintInBytes} B`;
  if (p.name.startsWith('scales Window')) note = `byteSize() ${(keep[0] as WindowedDistribution).byteSize()} B, worst case <= 65536`;
  if (p.name.startsWith('scales PmfStat')) note = 'each in its own container of one shared registry';
  memRows.push([p.name, perInstance < 1024 ? '< 1' : (perInstance / 1024).toFixed(1), note]);
  for (const k of keep) p.release?.(k);
}
table('memory per instance after 100,000 values (heap + external delta over many instances)', ['peer', 'KiB', 'note'], memRows);

// ---- 3. relative error at p50/p90/p99/p99.9 --------------------------------------------------
for (const [setName, values] of [
  ['lognormal (median 20 ms, sigma 0.8)', lognormal(100_000, 2)],
  ['bimodal (90% ~5 ms, 10% ~500 ms)', bimodal(100_000, 3)],
  ['two clusters (half ~1e-9, half ~3.6e6: the case of issue 11)', twoClusters(100_000, 4)],
] as const) {
  const sorted = Float64Array.from(values).sort();
  const exact = QS.map((q) => exactQuantile(sorted, q));
  const rows: (string | number)[][] = [];
  for (const p of peers) {
    const inst = p.make();
    p.fill(inst, values);
    const got = await asyncQuantiles(p, inst, values);
    p.release?.(inst);
    rows.push([
      p.name,
      ...QS.map((_, i) => {
        const v = got[i];
        return v === null || v === undefined ? 'n/a' : `${((Math.abs(v - exact[i]) / exact[i]) * 100).toFixed(2)}%`;
      }),
    ]);
  }
  table(
    `relative error vs exact (nearest rank ceil(q*n)-1), ${setName}, 100,000 values; exact p50/p90/p99/p99.9 = ${exact.map((x) => fmt(x * 1000)).join(' / ')} ms`,
    ['peer', 'p50', 'p90', 'p99', 'p99.9'],
    rows,
  );
}

// ---- 4. summary read time --------------------------------------------------------------------
const d = new WindowedDistribution();
for (const v of FILL) d.record(v);
const SIX = [0.5, 0.75, 0.95, 0.98, 0.99, 0.999];
const readDist = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) consume(d.summary(SIX).window.count);
}, 20_000);
const S = makePmf();
for (const v of FILL) S.x.record(v);
const readPmf = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) {
    S.x.record(0.02); // defeats the snapshot cache: every read recomputes
    consume(S.x.snapshot().count);
  }
}, 20_000);
// Worst case: every sub-window and the lifetime at their budget (9.4 decades of both signs,
// every schema-6 bucket hit, 32-bit counts), as in test/sampling/memory.test.ts.
const wclock = new scales.ManualClock();
const worst = new WindowedDistribution({ clock: wclock });
for (let sub = 0; sub < 6; sub++) {
  for (let i = 0; i < 70_000; i++) {
    worst.record(1.5);
    worst.record(-1.5);
  }
  for (let x = 1.01e-3; x < 5e1; x *= 2 ** (1 / 128)) {
    worst.record(x);
    worst.record(-x);
  }
  if (sub < 5) wclock.advance(60_000);
}
const readWorst = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) consume(worst.summary(SIX).window.count);
}, 5_000);
// Sub-windows at different schemas (after a budget overflow in one of them): the finer ones are
// read in place, their buckets mapped to the coarsest schema on the fly.
const mclock = new scales.ManualClock();
const mixed = new WindowedDistribution({ clock: mclock });
for (let i = 0; i < 20_000; i++) mixed.record(10 ** (-30 + (60 * i) / 20_000)); // 60 decades: halves
mclock.advance(60_000);
for (const v of FILL) mixed.record(v);
const readMixed = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) consume(mixed.summary(SIX).window.count);
}, 2_000);
const dds = new DDSketch({ relativeAccuracy: 0.01 });
for (const v of FILL) dds.accept(v);
const readDd = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) for (const q of SIX) consume(dds.getValueAtQuantile(q));
}, 20_000);
table(
  'reading a summary (6 percentiles + window and lifetime figures), 100,000 values recorded',
  ['reader', 'us/read'],
  [
    ['WindowedDistribution.summary', readDist / 1000],
    ['PmfStat snapshot() (uncached)', readPmf / 1000],
    ['WindowedDistribution.summary, worst case (every sketch at its budget)', readWorst / 1000],
    [`WindowedDistribution.summary, sub-windows at schemas ${mixed.summary([0.5]).schema} and 6 (finer ones mapped on read)`, readMixed / 1000],
    ['DDSketch 6 x getValueAtQuantile (no window)', readDd / 1000],
  ],
);

// ---- 5. store layout: one typed array + page directory (ours) vs a Map of pages -------------
/** The alternative the issue names: pages of 32 counts in a Map keyed by page number. */
class MapPagedStore {
  readonly pages = new Map<number, Uint32Array>();
  add(i: number): void {
    const page = i >> 5;
    let a = this.pages.get(page);
    if (a === undefined) {
      a = new Uint32Array(32);
      this.pages.set(page, a);
    }
    a[i & 31]++;
  }
}
const dense = new SparseStore();
const nsDense = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) {
    const k = index6(VALUES[i & MASK]);
    const p = (k >> 5) - dense.pageLo;
    if (p >= 0 && p < dense.dir.length && dense.dir[p] >= 0 && dense.counts[dense.dir[p] + (k & 31)] < dense.limit) {
      dense.counts[dense.dir[p] + (k & 31)]++;
    } else dense.add(k, 1);
  }
}, ITER);
const mapped = new MapPagedStore();
const nsMap = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) mapped.add(index6(VALUES[i & MASK]));
}, ITER);
const nsIndex = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) consume(index6(VALUES[i & MASK]));
}, ITER);
table(
  'sparse store layout: index + increment, same lognormal values',
  ['store', 'ns/op', 'vs ours'],
  [
    ['one typed array + page directory (SparseStore, ours)', nsDense, '1.00x'],
    ['Map<page, Uint32Array(32)>', nsMap, `${fmt(nsMap / nsDense)}x`],
    ['index6() alone (exponent bits + table)', nsIndex, `${fmt(nsIndex / nsDense)}x`],
  ],
);
