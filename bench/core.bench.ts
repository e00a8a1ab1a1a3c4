// The write path and the tree read of the core, side by side with peers in one process:
// a plain object field, prom-client and its successor @prometheus-io/client, measured-core and the
// OpenTelemetry SDK.
// Run: npm run bench   (or BENCH=core npm run bench)
import { metrics } from '@opentelemetry/api';
import { createRequire } from 'node:module';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Counter as MeasuredCounter } from 'measured-core';
import * as prom from 'prom-client';
import * as scales from 'scales-metrics';
import { consume, fmt, msPerCall, nsPerIteration, table } from './harness.js';

const require = createRequire(import.meta.url);
// @prometheus-io/client 0.16 (prom-client's successor) is CommonJS; it warns on Node 20 engines but runs.
const promIo = require('@prometheus-io/client') as typeof prom;

const N = 20_000_000;
const ROUTES = Array.from({ length: 10 }, (_, i) => `/route/${i}`);

// ---- counters -------------------------------------------------------------------------------
const plain = { success: 0 };
const registry = new scales.Registry();
const STATS = registry.collection('/web', scales.intStat('success'), scales.intDictStat('byPath'));
for (const r of ROUTES) STATS.byPath[r] += 1;

const promRegistry = new prom.Registry();
const promCounter = new prom.Counter({ name: 'requests', help: 'h', labelNames: ['route'], registers: [promRegistry] });
const promPlain = new prom.Counter({ name: 'plain', help: 'h', registers: [promRegistry] });
for (const r of ROUTES) promCounter.inc({ route: r });
const ioRegistry = new promIo.Registry();
const ioCounter = new promIo.Counter({ name: 'requests', help: 'h', labelNames: ['route'], registers: [ioRegistry] });
const ioPlain = new promIo.Counter({ name: 'plain', help: 'h', registers: [ioRegistry] });
for (const r of ROUTES) ioCounter.inc({ route: r });
const measured = new MeasuredCounter();
const otel = new MeterProvider().getMeter('bench');
void metrics;
const otelCounter = otel.createCounter('requests');

// Each case runs its own loop (compiled inline, as in a hot request handler).
const field = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) plain.success += 1;
}, N);
const statInc = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) STATS.success += 1;
}, N);
const handleInc = nsPerIteration((n) => {
  const h = STATS.$.success;
  for (let i = 0; i < n; i++) h.inc();
}, N);
const promInc = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) promPlain.inc();
}, N / 10);
const ioInc = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) ioPlain.inc();
}, N / 10);
const measuredInc = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) measured.inc();
}, N / 10);
consume(plain.success + STATS.success);

table(
  'Counter increment (ns/op, best of 7 rounds)',
  ['case', 'ns/op', 'x plain field'],
  [
    ['plain object field: o.success += 1', field, 1],
    ['scales: STATS.success += 1', statInc, statInc / field],
    ['scales: STATS.$.success.inc()', handleInc, handleInc / field],
    ['prom-client: counter.inc()', promInc, promInc / field],
    ['@prometheus-io/client: counter.inc()', ioInc, ioInc / field],
    ['measured-core: counter.inc()', measuredInc, measuredInc / field],
  ],
);

const dictIndex = nsPerIteration((n) => {
  const d = STATS.byPath;
  for (let i = 0; i < n; i++) d[ROUTES[i % 10]!] += 1;
}, N / 10);
const dictHandle = nsPerIteration((n) => {
  const h = STATS.$.byPath;
  for (let i = 0; i < n; i++) h.inc(ROUTES[i % 10]!);
}, N / 10);
const promLabelled = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) promCounter.inc({ route: ROUTES[i % 10]! });
}, N / 20);
const ioLabelled = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) ioCounter.inc({ route: ROUTES[i % 10]! });
}, N / 20);
const otelLabelled = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) otelCounter.add(1, { route: ROUTES[i % 10]! });
}, N / 40);
table(
  'Per-key counter on an existing key, 10 keys (ns/op)',
  ['case', 'ns/op', 'x prom-client inc({route})'],
  [
    ['scales: STATS.byPath[route] += 1', dictIndex, dictIndex / promLabelled],
    ['scales: STATS.$.byPath.inc(route)', dictHandle, dictHandle / promLabelled],
    ['prom-client: counter.inc({ route })', promLabelled, 1],
    ['@prometheus-io/client: counter.inc({ route })', ioLabelled, ioLabelled / promLabelled],
    ['OpenTelemetry: counter.add(1, { route })', otelLabelled, otelLabelled / promLabelled],
  ],
);

// ---- reading the whole tree ---------------------------------------------------------------
const big = new scales.Registry();
for (let c = 0; c < 100; c++) {
  const defs = Array.from({ length: 100 }, (_, i) => scales.intStat(`counter_${i}`));
  const s = big.collection(`/svc/group_${c}`, ...defs) as unknown as Record<string, number>;
  for (let i = 0; i < 100; i++) s[`counter_${i}`] = i * c;
}
for (let c = 0; c < 10; c++) {
  const defs = Array.from({ length: 100 }, (_, i) => scales.pmfStat(`latency_${i}`));
  const s = big.collection(`/svc/timings_${c}`, ...defs) as unknown as Record<string, scales.PmfHandle>;
  for (let i = 0; i < 100; i++) for (let k = 0; k < 100; k++) s[`latency_${i}`]!.record(0.001 * (1 + ((k * 7919) % 500)));
}
const promBig = new prom.Registry();
const ioBig = new promIo.Registry();
for (let i = 0; i < 10_000; i++) {
  new prom.Counter({ name: `counter_${i}`, help: 'h', registers: [promBig] }).inc(i);
  new promIo.Counter({ name: `counter_${i}`, help: 'h', registers: [ioBig] }).inc(i);
}
for (let i = 0; i < 1_000; i++) {
  const h = new prom.Histogram({ name: `latency_${i}`, help: 'h', registers: [promBig] });
  const io = new promIo.Histogram({ name: `latency_${i}`, help: 'h', registers: [ioBig] });
  for (let k = 0; k < 100; k++) {
    h.observe(0.001 * (1 + ((k * 7919) % 500)));
    io.observe(0.001 * (1 + ((k * 7919) % 500)));
  }
}

const getStats = msPerCall(() => big.getStats());
// The same read when every distribution has a new value since the last read (no cached summary).
const pmfHandles: scales.PmfHandle[] = [];
for (let c = 0; c < 10; c++) {
  const s = big.collection(`/svc/timings_${c}`, ...Array.from({ length: 100 }, (_, i) => scales.pmfStat(`latency_${i}`))) as unknown as Record<
    string,
    scales.PmfHandle
  >;
  for (let i = 0; i < 100; i++) pmfHandles.push(s[`latency_${i}`]!);
}
const getStatsFresh = msPerCall(() => {
  for (const h of pmfHandles) h.record(0.002);
  return big.getStats();
});
const snapshot = msPerCall(() => big.snapshot());
let promJsonMs = Number.POSITIVE_INFINITY;
for (let r = 0; r < 10; r++) {
  const t0 = process.hrtime.bigint();
  await promBig.getMetricsAsJSON();
  promJsonMs = Math.min(promJsonMs, Number(process.hrtime.bigint() - t0) / 1e6);
}
let ioJsonMs = Number.POSITIVE_INFINITY;
for (let r = 0; r < 10; r++) {
  const t0 = process.hrtime.bigint();
  await ioBig.getMetricsAsJSON();
  ioJsonMs = Math.min(ioJsonMs, Number(process.hrtime.bigint() - t0) / 1e6);
}
table(
  'Reading 10,000 counters + 1,000 timing distributions (ms per read)',
  ['case', 'ms', 'x prom-client'],
  [
    ['scales: registry.getStats()', getStats, getStats / promJsonMs],
    ['scales: registry.getStats(), every pmf just written', getStatsFresh, getStatsFresh / promJsonMs],
    ['scales: registry.snapshot()', snapshot, snapshot / promJsonMs],
    ['prom-client: register.getMetricsAsJSON()', promJsonMs, 1],
    ['@prometheus-io/client: register.getMetricsAsJSON()', ioJsonMs, ioJsonMs / promJsonMs],
  ],
);
console.log(
  `\nTargets: STATS.success += 1 <= 1.5x plain field (got ${fmt(statInc / field)}x); byPath[route] += 1 <= prom-client labelled inc (got ${fmt(dictIndex / promLabelled)}x); getStats() faster than prom-client (got ${fmt(getStatsFresh / promJsonMs)}x with every summary recomputed).`,
);
