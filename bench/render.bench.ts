// Rendering a 10,000-stat tree as ?format=json and ?format=prometheus (the status handler:
// async snapshot + sliced render + UTF-8 body) next to prom-client's and its successor
// @prometheus-io/client's register.metrics() for the same series (8 gauges, a 5-key labelled
// gauge and a 6-quantile summary per group of 10); then 10,000 plain gauges (issue 12's target:
// the text render >= 3x faster than @prometheus-io/client) and the protobuf exposition.
// Run: npm run bench   (or BENCH=render npm run bench)
import { createRequire } from 'node:module';
import * as prom from 'prom-client';
import * as scales from 'scales-metrics';
import { renderJson, renderPrometheus, renderPrometheusProtobuf } from 'scales-metrics/formats';
import { createStatusHandler } from 'scales-metrics/http';
import { msPerCall, msPerCallAsync, table } from './harness.js';

const STATS = 10_000;
const GROUPS = STATS / 10;
const QUANTILES = [0.5, 0.75, 0.95, 0.98, 0.99, 0.999];

const require = createRequire(import.meta.url);
// @prometheus-io/client 0.16 (prom-client's successor) is CommonJS; it warns on Node 20 engines but runs.
const promIo = require('@prometheus-io/client') as typeof prom;

const registry = new scales.Registry();
const promRegistry = new prom.Registry();
const ioRegistry = new promIo.Registry();
for (let g = 0; g < GROUPS; g++) {
  const defs = [];
  for (let i = 0; i < 8; i++) defs.push(scales.intStat(`a${i}`));
  const s = registry.collection(`/svc${g % 10}/group${g}`, ...defs, scales.intDictStat('byKey'), scales.pmfStat('latency'));
  const p = `svc${g % 10}_group${g}_`;
  for (let i = 0; i < 8; i++) {
    (s as unknown as Record<string, number>)[`a${i}`] = g * 10 + i;
    new prom.Gauge({ name: p + `a${i}`, help: `/svc${g % 10}/group${g}/a${i}`, registers: [promRegistry] }).set(g * 10 + i);
    new promIo.Gauge({ name: p + `a${i}`, help: `/svc${g % 10}/group${g}/a${i}`, registers: [ioRegistry] }).set(g * 10 + i);
  }
  const byKey = new prom.Gauge({ name: p + 'byKey', help: 'h', labelNames: ['key'], registers: [promRegistry] });
  const ioByKey = new promIo.Gauge({ name: p + 'byKey', help: 'h', labelNames: ['key'], registers: [ioRegistry] });
  for (let k = 0; k < 5; k++) {
    s.byKey[`k${k}`] += k + 1;
    byKey.set({ key: `k${k}` }, k + 1);
    ioByKey.set({ key: `k${k}` }, k + 1);
  }
  const summary = new prom.Summary({ name: p + 'latency', help: 'h', percentiles: QUANTILES, registers: [promRegistry] });
  const ioSummary = new promIo.Summary({ name: p + 'latency', help: 'h', percentiles: QUANTILES, registers: [ioRegistry] });
  for (let k = 0; k < 20; k++) {
    s.latency.record((k + 1) / 1000);
    summary.observe((k + 1) / 1000);
    ioSummary.observe((k + 1) / 1000);
  }
}

const handler = createStatusHandler({ source: registry, live: false });
const get = (format: string) => handler.handle({ method: 'GET', url: `/status/?format=${format}`, header: () => undefined });
const series = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

const ours = (await get('prometheus'))!.body.toString();
const theirs = await promRegistry.metrics();
const jsonBody = (await get('json'))!.body;

const rounds = 10;
const promMs = await msPerCallAsync(() => promRegistry.metrics(), rounds);
const ioMs = await msPerCallAsync(() => ioRegistry.metrics(), rounds);
const jsonMs = await msPerCallAsync(() => get('json'), rounds);
const textMs = await msPerCallAsync(() => get('prometheus'), rounds);
const htmlMs = await msPerCallAsync(() => get('html'), rounds);
const syncJsonMs = msPerCall(() => renderJson(registry.snapshot()!), rounds);
const syncTextMs = msPerCall(() => renderPrometheus(registry.snapshot()!), rounds);
handler.close();

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
table(
  `Render ${STATS.toLocaleString('en-US')} stats (${series(ours).toLocaleString('en-US')} series; prom-client: ${series(theirs).toLocaleString('en-US')}), ms per render, best of ${rounds}`,
  ['case', 'ms/render', 'x faster than prom-client', 'body'],
  [
    ['prom-client register.metrics()', promMs, '1.00', kib(Buffer.byteLength(theirs))],
    ['@prometheus-io/client register.metrics()', ioMs, (promMs / ioMs).toFixed(2), kib(Buffer.byteLength(await ioRegistry.metrics()))],
    ['scales ?format=prometheus (handler, sliced)', textMs, (promMs / textMs).toFixed(2), kib(Buffer.byteLength(ours))],
    ['scales ?format=json (handler, sliced)', jsonMs, (promMs / jsonMs).toFixed(2), kib(jsonBody.length)],
    ['scales HTML page (handler, sliced)', htmlMs, (promMs / htmlMs).toFixed(2), ''],
    ['scales snapshot + renderPrometheus (sync)', syncTextMs, (promMs / syncTextMs).toFixed(2), ''],
    ['scales snapshot + renderJson (sync)', syncJsonMs, (promMs / syncJsonMs).toFixed(2), ''],
  ],
);

// 10,000 gauges in 1,000 containers, the same names and values in each library.
const gaugeRegistry = new scales.Registry();
const promGauges = new prom.Registry();
const ioGauges = new promIo.Registry();
const gaugeStats: Record<string, number>[] = [];
const promSet: prom.Gauge[] = [];
const ioSet: prom.Gauge[] = [];
for (let g = 0; g < GROUPS; g++) {
  const defs = [];
  for (let i = 0; i < 10; i++) defs.push(scales.doubleStat(`g${i}`));
  const s = gaugeRegistry.collection(`/svc${g % 10}/group${g}`, ...defs) as unknown as Record<string, number>;
  gaugeStats.push(s);
  for (let i = 0; i < 10; i++) {
    const name = `svc${g % 10}_group${g}_g${i}`;
    const help = `/svc${g % 10}/group${g}/g${i}`;
    s[`g${i}`] = g * 10 + i + 0.5;
    promSet.push(new prom.Gauge({ name, help, registers: [promGauges] }));
    ioSet.push(new promIo.Gauge({ name, help, registers: [ioGauges] }));
    promSet[promSet.length - 1].set(g * 10 + i + 0.5);
    ioSet[ioSet.length - 1].set(g * 10 + i + 0.5);
  }
}
const KEYS = Array.from({ length: 10 }, (_, i) => `g${i}`);
let round = 0;
/** Every one of the 10,000 values changed (as between two scrapes of a busy server). */
const changeOurs = () => {
  round++;
  for (let g = 0; g < GROUPS; g++) for (let i = 0; i < 10; i++) gaugeStats[g][KEYS[i]] = g * 10 + i + round / 8;
};
const changeTheirs = (gauges: prom.Gauge[]) => {
  round++;
  for (let k = 0; k < gauges.length; k++) gauges[k].set(k + round / 8);
};
const gaugeHandler = createStatusHandler({ source: gaugeRegistry, live: false, metricsPath: '/metrics' });
const scrape = (accept?: string) => gaugeHandler.handle({ method: 'GET', url: '/metrics', header: (n) => (n === 'accept' ? accept : undefined) });
const PROTOBUF = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
const gRounds = 15;
const gPromMs = await msPerCallAsync(() => promGauges.metrics(), gRounds);
const gIoMs = await msPerCallAsync(() => ioGauges.metrics(), gRounds);
const gTextMs = msPerCall(() => renderPrometheus(gaugeRegistry.snapshot()!), gRounds);
const gProtoMs = msPerCall(() => renderPrometheusProtobuf(gaugeRegistry.snapshot('/', { histograms: true })!), gRounds);
const gScrapeMs = await msPerCallAsync(() => scrape(), gRounds);
const gScrapeProtoMs = await msPerCallAsync(() => scrape(PROTOBUF), gRounds);
const cPromMs = await msPerCallAsync(() => {
  changeTheirs(promSet);
  return promGauges.metrics();
}, gRounds);
const cIoMs = await msPerCallAsync(() => {
  changeTheirs(ioSet);
  return ioGauges.metrics();
}, gRounds);
const cTextMs = msPerCall(() => {
  changeOurs();
  return renderPrometheus(gaugeRegistry.snapshot()!);
}, gRounds);
const cProtoMs = msPerCall(() => {
  changeOurs();
  return renderPrometheusProtobuf(gaugeRegistry.snapshot()!);
}, gRounds);
gaugeHandler.close();
const gText = renderPrometheus(gaugeRegistry.snapshot()!);
table(
  `10,000 gauges (${series(gText).toLocaleString('en-US')} series), ms per render, best of ${gRounds}`,
  ['case', 'ms/render', 'x faster than @prometheus-io/client', 'body'],
  [
    ['prom-client register.metrics()', gPromMs, (gIoMs / gPromMs).toFixed(2), kib(Buffer.byteLength(await promGauges.metrics()))],
    ['@prometheus-io/client register.metrics()', gIoMs, '1.00', kib(Buffer.byteLength(await ioGauges.metrics()))],
    ['scales snapshot + renderPrometheus (sync)', gTextMs, (gIoMs / gTextMs).toFixed(2), kib(Buffer.byteLength(gText))],
    [
      'scales snapshot + renderPrometheusProtobuf (sync)',
      gProtoMs,
      (gIoMs / gProtoMs).toFixed(2),
      kib(renderPrometheusProtobuf(gaugeRegistry.snapshot()!).length),
    ],
    ['scales /metrics text (handler, sliced)', gScrapeMs, (gIoMs / gScrapeMs).toFixed(2), ''],
    ['scales /metrics protobuf (handler, sliced)', gScrapeProtoMs, (gIoMs / gScrapeProtoMs).toFixed(2), ''],
    ['every value changed, then: prom-client set() x 10,000 + metrics()', cPromMs, (cIoMs / cPromMs).toFixed(2), ''],
    ['every value changed, then: @prometheus-io/client set() x 10,000 + metrics()', cIoMs, '1.00', ''],
    ['every value changed, then: scales x = v x 10,000 + snapshot + renderPrometheus', cTextMs, (cIoMs / cTextMs).toFixed(2), ''],
    ['every value changed, then: scales x = v x 10,000 + snapshot + renderPrometheusProtobuf', cProtoMs, (cIoMs / cProtoMs).toFixed(2), ''],
  ],
);
console.log(
  `protobuf / text render: ${(gProtoMs / gTextMs).toFixed(2)}x the time, values changed: ${(cProtoMs / cTextMs).toFixed(2)}x (target <= 1.5x)`,
);
