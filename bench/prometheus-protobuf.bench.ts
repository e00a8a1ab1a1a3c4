// The protobuf exposition encoder (src/formats/prometheus-protobuf.ts): 10,000 gauges encoded
// next to the text render of the same 10,000 gauges (renderPrometheus of a taken snapshot), and
// 1,000 native histograms of 200 non-empty buckets each (schema 6, a pmf-sized sketch).
// No protobuf library is installed to compare with; the text render is the yardstick (issue 12:
// protobuf render <= 1.5x the text render).
// Run: BENCH=protobuf npm run bench
import * as scales from 'scales-metrics';
import { renderPrometheus, renderPrometheusProtobuf } from 'scales-metrics/formats';
import { encodeMetricFamilies, type ProtoFamily } from '../src/formats/prometheus-protobuf.js';
import { msPerCall, table } from './harness.js';

const N = 10_000;

// 10,000 gauges in 1,000 containers, as a tree and as families with the same names.
const registry = new scales.Registry();
const gauges: ProtoFamily[] = [];
for (let g = 0; g < N / 10; g++) {
  const defs = [];
  for (let i = 0; i < 10; i++) defs.push(scales.doubleStat(`a${i}`));
  const s = registry.collection(`/svc${g % 10}/group${g}`, ...defs) as unknown as Record<string, number>;
  for (let i = 0; i < 10; i++) {
    s[`a${i}`] = g * 10 + i;
    gauges.push({ name: `svc${g % 10}_group${g}_a${i}`, help: `/svc${g % 10}/group${g}/a${i}`, type: 'gauge', metrics: [{ value: g * 10 + i }] });
  }
}
const snap = registry.snapshot()!;

// 1,000 pmfs of 2,000 values each (10 ms .. 30 s): classic buckets (text) vs native (protobuf).
const pmfRegistry = new scales.Registry();
for (let g = 0; g < 1000; g++) {
  const s = pmfRegistry.collection(`/svc${g % 10}/group${g}`, scales.pmfStat('latency'));
  for (let i = 0; i < 2000; i++) s.latency.record(0.01 * Math.exp(((i * 7919) % 2000) / 250));
}
const pmfSnap = pmfRegistry.snapshot('/', { histograms: true })!;

// 1,000 native histograms: 200 non-empty buckets spread over 400 indexes (gaps of 0..2 and longer).
const histograms: ProtoFamily[] = [];
let state = 12345;
const rand = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
for (let h = 0; h < 1000; h++) {
  const indexes: number[] = [];
  const counts: number[] = [];
  let i = -300 + Math.floor(rand() * 50);
  let count = 0;
  while (indexes.length < 200) {
    i += 1 + (rand() < 0.8 ? 0 : Math.floor(rand() * 5));
    const c = 1 + Math.floor(rand() * 1000);
    indexes.push(i);
    counts.push(c);
    count += c;
  }
  histograms.push({
    name: `rpc${h}_seconds`,
    help: `/rpc${h}/seconds`,
    type: 'histogram',
    metrics: [
      {
        labels: [{ name: 'route', value: `/api/v${h % 3}/items` }],
        histogram: { count, sum: count * 0.01, schema: 6, positive: { indexes, counts } },
      },
    ],
  });
}

const rounds = 15;
const textMs = msPerCall(() => renderPrometheus(snap), rounds);
const textBytes = Buffer.byteLength(renderPrometheus(snap));
const gaugeMs = msPerCall(() => encodeMetricFamilies(gauges), rounds);
const gaugeBytes = encodeMetricFamilies(gauges).length;
const histMs = msPerCall(() => encodeMetricFamilies(histograms), rounds);
const histBytes = encodeMetricFamilies(histograms).length;
const treeMs = msPerCall(() => renderPrometheusProtobuf(snap), rounds);
const treeBytes = renderPrometheusProtobuf(snap).length;
const pmfTextMs = msPerCall(() => renderPrometheus(pmfSnap), rounds);
const pmfTextBytes = Buffer.byteLength(renderPrometheus(pmfSnap));
const pmfProtoMs = msPerCall(() => renderPrometheusProtobuf(pmfSnap), rounds);
const pmfProtoBytes = renderPrometheusProtobuf(pmfSnap).length;

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
table(
  `Prometheus exposition, ms per render, best of ${rounds}`,
  ['case', 'ms', 'vs text render of the same gauges', 'body', 'MB/s'],
  [
    ['text: renderPrometheus(snapshot), 10,000 gauges', textMs, '1.00', kib(textBytes), (textBytes / 1e3 / textMs).toFixed(0)],
    [
      'protobuf: encodeMetricFamilies, 10,000 gauges',
      gaugeMs,
      (gaugeMs / textMs).toFixed(2) + 'x the time',
      kib(gaugeBytes),
      (gaugeBytes / 1e3 / gaugeMs).toFixed(0),
    ],
    [
      'protobuf: renderPrometheusProtobuf(snapshot), 10,000 gauges',
      treeMs,
      (treeMs / textMs).toFixed(2) + 'x the time',
      kib(treeBytes),
      (treeBytes / 1e3 / treeMs).toFixed(0),
    ],
    ['protobuf: 1,000 native histograms x 200 buckets', histMs, '-', kib(histBytes), (histBytes / 1e3 / histMs).toFixed(0)],
    ['text: renderPrometheus, 1,000 pmfs (classic buckets)', pmfTextMs, '-', kib(pmfTextBytes), (pmfTextBytes / 1e3 / pmfTextMs).toFixed(0)],
    [
      'protobuf: renderPrometheusProtobuf, 1,000 pmfs (native)',
      pmfProtoMs,
      (pmfProtoMs / pmfTextMs).toFixed(2) + 'x the text render of the pmfs',
      kib(pmfProtoBytes),
      (pmfProtoBytes / 1e3 / pmfProtoMs).toFixed(0),
    ],
  ],
);
