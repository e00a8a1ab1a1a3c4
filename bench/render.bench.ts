// Rendering a 10,000-stat tree as ?format=json and ?format=prometheus (the status handler:
// async snapshot + sliced render + UTF-8 body) next to prom-client's register.metrics() for the
// same series (8 gauges, a 5-key labelled gauge and a 6-quantile summary per group of 10).
// Run: npm run bench   (or BENCH=render npm run bench)
import * as prom from 'prom-client';
import * as scales from 'scales-metrics';
import { renderJson, renderPrometheus } from 'scales-metrics/formats';
import { createStatusHandler } from 'scales-metrics/http';
import { msPerCall, msPerCallAsync, table } from './harness.js';

const STATS = 10_000;
const GROUPS = STATS / 10;
const QUANTILES = [0.5, 0.75, 0.95, 0.98, 0.99, 0.999];

const registry = new scales.Registry();
const promRegistry = new prom.Registry();
for (let g = 0; g < GROUPS; g++) {
  const defs = [];
  for (let i = 0; i < 8; i++) defs.push(scales.intStat(`a${i}`));
  const s = registry.collection(`/svc${g % 10}/group${g}`, ...defs, scales.intDictStat('byKey'), scales.pmfStat('latency'));
  const p = `svc${g % 10}_group${g}_`;
  for (let i = 0; i < 8; i++) {
    (s as unknown as Record<string, number>)[`a${i}`] = g * 10 + i;
    new prom.Gauge({ name: p + `a${i}`, help: `/svc${g % 10}/group${g}/a${i}`, registers: [promRegistry] }).set(g * 10 + i);
  }
  const byKey = new prom.Gauge({ name: p + 'byKey', help: 'h', labelNames: ['key'], registers: [promRegistry] });
  for (let k = 0; k < 5; k++) {
    s.byKey[`k${k}`] += k + 1;
    byKey.set({ key: `k${k}` }, k + 1);
  }
  const summary = new prom.Summary({ name: p + 'latency', help: 'h', percentiles: QUANTILES, registers: [promRegistry] });
  for (let k = 0; k < 20; k++) {
    s.latency.record((k + 1) / 1000);
    summary.observe((k + 1) / 1000);
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
    ['scales ?format=prometheus (handler, sliced)', textMs, (promMs / textMs).toFixed(2), kib(Buffer.byteLength(ours))],
    ['scales ?format=json (handler, sliced)', jsonMs, (promMs / jsonMs).toFixed(2), kib(jsonBody.length)],
    ['scales HTML page (handler, sliced)', htmlMs, (promMs / htmlMs).toFixed(2), ''],
    ['scales snapshot + renderPrometheus (sync)', syncTextMs, (promMs / syncTextMs).toFixed(2), ''],
    ['scales snapshot + renderJson (sync)', syncJsonMs, (promMs / syncJsonMs).toFixed(2), ''],
  ],
);
