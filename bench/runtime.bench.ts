// What collectRuntimeStats() costs a busy server: a hot loop of small "requests" (allocating, so
// that the GC observer has pauses to record, and yielding to the event loop every batch, so that
// the sampling timer runs), timed with runtime stats off and on in the same process. Each "on"
// round runs between two "off" rounds and is compared with their mean; the overhead is the median
// of those ratios (robust to a disturbed round on a shared machine). Besides the whole, its two
// parts: the sampling timer alone (gc: false), and an empty PerformanceObserver of 'gc' entries
// (what Node itself spends on GC observation, whoever observes). Then prom-client's
// collectDefaultMetrics() on the same loop (last: it cannot be stopped), idle CPU, and reads.
// Run: npm run bench   (or BENCH=runtime npm run bench)
import { PerformanceObserver } from 'node:perf_hooks';
import { collectDefaultMetrics, Registry as PromRegistry } from 'prom-client';
import * as scales from 'scales-metrics';
import { consume, msPerCall, table } from './harness.js';

const REQUESTS = 300_000;
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
const registry = new scales.Registry();
const cases: Array<{ name: string; start: () => () => void; wall: number[]; cpu: number[]; best: number }> = [
  ['scales collectRuntimeStats() on', () => scales.collectRuntimeStats({ registry })],
  ['  its sampling timer alone (gc: false)', () => scales.collectRuntimeStats({ registry: new scales.Registry(), gc: false })],
  [
    "  an empty PerformanceObserver of gc entries (Node's own cost)",
    () => {
      const o = new PerformanceObserver(() => {});
      o.observe({ entryTypes: ['gc'] });
      return { stop: () => o.disconnect() };
    },
  ],
].map(([name, start]) => ({
  name: name as string,
  start: () => {
    const h = (start as () => { stop(): void })();
    return () => h.stop();
  },
  wall: [],
  cpu: [],
  best: Number.POSITIVE_INFINITY,
}));

await serve(); // warm up
let prev = await serve();
let off = prev.wall;
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order each round: the case run first after a round's start measured ~2% more than
  // the same case run second (position, not cost).
  for (const c of cases.map((_, i) => cases[(i + r) % cases.length]!)) {
    const stop = c.start();
    const on = await serve();
    stop();
    const next = await serve();
    c.wall.push(on.wall / ((prev.wall + next.wall) / 2));
    c.cpu.push(on.cpu / ((prev.cpu + next.cpu) / 2));
    c.best = Math.min(c.best, on.wall);
    off = Math.min(off, next.wall);
    prev = next;
  }
}
const tree = registry.getStats('/process') as {
  eventLoop: { delaySeconds: { lifetime: { count: number } } };
  gc: { pauseSeconds: Record<string, { lifetime: { count: number } }> };
};
const samples = tree.eventLoop.delaySeconds.lifetime.count;
const gcPauses = Object.values(tree.gc.pauseSeconds).reduce((n, p) => n + p.lifetime.count, 0);

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

// The cost of one GC pause observed, deterministically: forced minor GCs (node --expose-gc), per
// GC, with the runtime stats' observer on and off; times the GCs per second of the hot loop above.
const gc = (globalThis as { gc?: (o?: { type: string }) => void }).gc;
let perGcUs = Number.NaN;
if (gc !== undefined) {
  const forced = async () => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < 500; i++) gc({ type: 'minor' });
    await new Promise((r) => setTimeout(r, 1)); // the observer's batch is delivered
    const c = process.cpuUsage(t0);
    return (c.user + c.system) / 500;
  };
  const diffs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const a = await forced();
    const hh = scales.collectRuntimeStats({ registry: new scales.Registry(), eventLoopResolutionMs: 60_000 });
    const b = await forced();
    hh.stop();
    const c = await forced();
    diffs.push(b - (a + c) / 2);
  }
  perGcUs = median(diffs);
}
const onMs = cases[0]!.best * ROUNDS; // about the time the first case ran
const gcPerSecond = gcPauses / (onMs / 1000);

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
table(
  `hot loop of ${REQUESTS} small requests, yielding every ${BATCH}; ${ROUNDS} rounds of each case, each between two rounds off (${samples} delay samples, ${gcPauses} GC pauses recorded)`,
  ['case', 'best ms', 'ns/request', 'overhead: median CPU', 'median wall (noisy on a shared machine)'],
  [
    ['runtime stats off', off, (off * 1e6) / REQUESTS, '', ''],
    ...cases.map((c) => [c.name, c.best, (c.best * 1e6) / REQUESTS, pct(median(c.cpu)), pct(median(c.wall))]),
    ['prom-client collectDefaultMetrics() on (after; best vs best)', promOn, (promOn * 1e6) / REQUESTS, pct(promOn / off), ''],
  ],
);
table(
  'GC observation, per GC (forced minor GCs, median of 7)',
  ['case', 'µs CPU', 'share of the hot loop'],
  [[`one GC pause recorded (the hot loop had ${gcPerSecond.toFixed(0)} GCs/s)`, perGcUs, `${((perGcUs * gcPerSecond) / 1e4).toFixed(3)}%`]],
);
table(
  'idle process, CPU per second (best of 3)',
  ['case', 'ms CPU/s', 'share of a core'],
  [
    ['runtime stats off', idleOff, `${(idleOff / 10).toFixed(3)}%`],
    ['scales collectRuntimeStats() on (50 samples/s)', idleOn, `${(idleOn / 10).toFixed(3)}%`],
  ],
);
table(
  'one read',
  ['case', 'ms'],
  [
    ["scales getStats('/process'), readings renewed (> 100 ms since the last read)", readFresh],
    ["scales getStats('/process') again within 100 ms (readings shared)", read],
    ['prom-client getMetricsAsJSON() (default metrics, started)', promRead],
  ],
);
