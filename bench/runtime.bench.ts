// What collectRuntimeStats() costs a busy server: a hot loop of small "requests" (allocating, so
// that the GC observer has pauses to record, and yielding to the event loop every batch, so that
// the sampling timer runs), timed with runtime stats off and on in alternating rounds of the same
// process; then prom-client's collectDefaultMetrics() on the same loop (last: it cannot be
// stopped), and what one read of the runtime stats costs.
// Run: npm run bench   (or BENCH=runtime npm run bench)
import { collectDefaultMetrics, Registry as PromRegistry } from 'prom-client';
import * as scales from 'scales-metrics';
import { consume, msPerCall, table } from './harness.js';

const REQUESTS = 500_000;
const BATCH = 100; // requests between two yields to the event loop
const ROUNDS = 15;

const app = new scales.Registry().collection('/web', scales.intStat('requests'), scales.pmfStat('latency'));

/** One small request: parse, work on and serialise a little JSON, record its latency. */
function request(i: number): void {
  const t0 = performance.now();
  const body = JSON.parse(`{"id":${i},"items":[1,2,3,${i & 255}],"name":"item-${i & 1023}"}`) as { items: number[]; name: string };
  let h = 0;
  for (const x of body.items) h = (h * 31 + x) | 0;
  consume(JSON.stringify({ ok: true, h, name: body.name.toUpperCase() }).length);
  app.requests += 1;
  app.latency.record((performance.now() - t0) / 1000);
}

/** Wall ms and process CPU ms for REQUESTS requests, yielding every BATCH with setImmediate (as a server between sockets). */
async function serve(): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < REQUESTS; ) {
    for (const end = i + BATCH; i < end; i++) request(i);
    await new Promise((r) => setImmediate(r));
  }
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

await serve(); // warm up
// Pairs of rounds, off and on, in alternating order (so that a drift of the machine's load
// falls on both); the overhead is the median of the pairs' ratios, robust to a disturbed round.
const registry = new scales.Registry();
const wallRatios: number[] = [];
const cpuRatios: number[] = [];
let off = Number.POSITIVE_INFINITY;
let on = Number.POSITIVE_INFINITY;
for (let r = 0; r < ROUNDS; r++) {
  const runOn = async () => {
    const h = scales.collectRuntimeStats({ registry });
    const x = await serve();
    h.stop();
    return x;
  };
  const a = r % 2 === 0 ? await serve() : undefined;
  const b = await runOn();
  const c = a ?? (await serve());
  wallRatios.push(b.wall / c.wall);
  cpuRatios.push(b.cpu / c.cpu);
  off = Math.min(off, c.wall);
  on = Math.min(on, b.wall);
}
const samples = (registry.getStats('/process/eventLoop') as { delaySeconds: { lifetime: { count: number } } }).delaySeconds.lifetime.count;

const gcPauses = Object.values((registry.getStats('/process/gc') as { pauseSeconds: Record<string, { lifetime: { count: number } }> }).pauseSeconds).reduce(
  (n, p) => n + p.lifetime.count,
  0,
);

// The sampling's own cost, without the noise of a loaded loop: process CPU over an idle second, off and on.
async function idleCpuMs(): Promise<number> {
  const c0 = process.cpuUsage();
  await new Promise((res) => setTimeout(res, 1000));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}
let idleOff = Number.POSITIVE_INFINITY;
let idleOn = Number.POSITIVE_INFINITY;
for (let r = 0; r < 3; r++) {
  idleOff = Math.min(idleOff, await idleCpuMs());
  const h = scales.collectRuntimeStats({ registry });
  idleOn = Math.min(idleOn, await idleCpuMs());
  h.stop();
}

const h = scales.collectRuntimeStats({ registry });
const read = msPerCall(() => registry.getStats('/process'), 50); // readings shared for 100 ms: as one page or scrape
// Fresh readings (memoryUsage, heap spaces, handles, /proc): each read 110 ms after the last, best of 15.
let readFresh = Number.POSITIVE_INFINITY;
for (let r = 0; r < 15; r++) {
  await new Promise((res) => setTimeout(res, 110));
  const t0 = performance.now();
  registry.getStats('/process');
  readFresh = Math.min(readFresh, performance.now() - t0);
}
h.stop();

// prom-client's default metrics on the same loop (its GC observer and loop monitor stay on).
const prom = new PromRegistry();
collectDefaultMetrics({ register: prom });
let promOn = Number.POSITIVE_INFINITY;
for (let r = 0; r < ROUNDS; r++) promOn = Math.min(promOn, (await serve()).wall);
const promRead = msPerCall(() => prom.getMetricsAsJSON(), 50); // its collect() runs here (the promise is not awaited)

const pct = (ratio: number) => `${((ratio - 1) * 100).toFixed(2)}%`;
table(`hot loop of ${REQUESTS} small requests, yielding every ${BATCH}; ${ROUNDS} pairs of rounds`, ['case', 'best ms', 'ns/request', 'overhead: median wall', 'median CPU'], [
  ['runtime stats off', off, (off * 1e6) / REQUESTS, '', ''],
  [`scales collectRuntimeStats() on (${samples} delay samples, ${gcPauses} GC pauses)`, on, (on * 1e6) / REQUESTS, pct(median(wallRatios)), pct(median(cpuRatios))],
  ['prom-client collectDefaultMetrics() on (after; best vs best)', promOn, (promOn * 1e6) / REQUESTS, pct(promOn / off), ''],
]);
table('idle process, CPU per second (best of 3)', ['case', 'ms CPU/s', 'share of a core'], [
  ['runtime stats off', idleOff, `${(idleOff / 10).toFixed(3)}%`],
  ['scales collectRuntimeStats() on (100 samples/s)', idleOn, `${(idleOn / 10).toFixed(3)}%`],
]);
table('one read', ['case', 'ms'], [
  ["scales getStats('/process'), readings renewed (> 100 ms since the last read)", readFresh],
  ["scales getStats('/process') again within 100 ms (readings shared)", read],
  ['prom-client getMetricsAsJSON() (default metrics, started)', promRead],
]);
