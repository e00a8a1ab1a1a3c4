// What collectRuntimeStats() costs a busy server: a hot loop of small "requests" (allocating, so
// that the GC observer has pauses to record, and yielding to the event loop every batch, so that
// the sampling timer runs), timed with runtime stats off and on in the same process. Each "on"
// round runs between two "off" rounds and is compared with their mean; the overhead is the median
// of those ratios (robust to a disturbed round on a shared machine). Besides the whole, its two
// parts: the sampling timer alone (gc: false), and an empty PerformanceObserver of 'gc' entries
// (what Node itself spends on GC observation, whoever observes). Then prom-client's
// collectDefaultMetrics() on the same loop (last: it cannot be stopped), then its successor
// @prometheus-io/client's on top, idle CPU, and reads.
// The median's 95% confidence interval (order statistics of the per-round ratios) says whether
// the run resolves a 1% cost; the V8 CPU profile of rounds with the stats on says which share of
// the CPU the collector's own code and Node's GC observation took (a ratio inside one run, which
// other jobs on the machine hardly move).
// Run: npm run bench   (or BENCH=runtime npm run bench; RUNTIME_ROUNDS=60 for more rounds)
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { collectDefaultMetrics, Registry as PromRegistry } from 'prom-client';
import * as scales from 'scales-metrics';
import { consume, msPerCall, table } from './harness.js';

// ~0.25 s a round: long enough that starting and stopping the collector around a round (its
// declarations, first readings and their garbage) weighs little next to its steady cost.
const REQUESTS = 300_000;
const BATCH = 100; // requests between two yields to the event loop
const ROUNDS = Number(process.env.RUNTIME_ROUNDS ?? 24);
/** With node --expose-gc: a full GC before each round, so that every round starts from the same heap. */
const fullGc = (globalThis as { gc?: () => void }).gc;

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
  fullGc?.();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < REQUESTS; ) {
    for (const end = i + BATCH; i < end; i++) request(i);
    await new Promise((r) => setImmediate(r));
  }
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

/** The collector's sampling period under test (RUNTIME_RESOLUTION_MS; default: the library's). */
const resolution = process.env.RUNTIME_RESOLUTION_MS === undefined ? {} : { eventLoopResolutionMs: Number(process.env.RUNTIME_RESOLUTION_MS) };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
/**
 * A distribution-free 95% confidence interval of the median of `xs`: the order statistics
 * k and n+1-k with k = n/2 - 0.98 sqrt(n) (the binomial's normal approximation).
 */
function medianCi(xs: number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.max(0, Math.floor(s.length / 2 - 0.98 * Math.sqrt(s.length)));
  return [s[k]!, s[s.length - 1 - k]!];
}
// One registry per case for the whole run: a collector started again writes into the same cells,
// as one running for hours would (a fresh registry each round measured the allocation of the
// stats' first writes, ~1% of a 0.1 s round, not the steady cost).
const registry = new scales.Registry();
const timerRegistry = new scales.Registry();
const cases: Array<{ name: string; start: () => () => void; wall: number[]; cpu: number[]; best: number }> = [
  ['scales collectRuntimeStats() on', () => scales.collectRuntimeStats({ registry, ...resolution })],
  ['  its sampling timer alone (gc: false)', () => scales.collectRuntimeStats({ registry: timerRegistry, gc: false, ...resolution })],
  // A/A: the same rounds with nothing started, the bench's own bias and noise.
  ['nothing started (A/A: the bench itself)', () => ({ stop: () => {} })],
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

/**
 * The share of the hot loop's CPU (idle left out; GC kept: the GCs are the loop's) that went to
 * the collector's own code (any sample with a frame of collect-runtime-stats below it: its timer
 * tick, its GC observer callback, the window's renewals) and to Node's delivery of GC entries
 * (node:internal/perf frames not under the collector), from an in-process V8 CPU profile
 * sampled every 50 µs over `rounds` rounds with the stats on.
 */
async function profileShares(rounds: number): Promise<{ own: number; nodeGc: number; timers: number; samples: number }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  const h = scales.collectRuntimeStats({ registry: new scales.Registry(), ...resolution });
  await session.post('Profiler.start');
  for (let r = 0; r < rounds; r++) await serve();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  h.stop();
  session.disconnect();
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  type Part = 'own' | 'nodeGc' | 'timers' | 'app';
  const kind = new Map<number, Part>();
  const kindOf = (id: number): Part => {
    let k = kind.get(id);
    if (k === undefined) {
      const { url, functionName } = byId.get(id)!.callFrame;
      const p = parent.get(id);
      const up = p === undefined ? 'app' : kindOf(p);
      if (up === 'own' || url.includes('collect-runtime-stats')) k = 'own';
      else if (up === 'nodeGc' || url.includes('internal/perf/observe')) k = 'nodeGc';
      // Node running expired timers (the loop's own work uses setImmediate only: the collector's timer is the only one).
      else if (up === 'timers' || functionName === 'processTimers' || functionName === 'listOnTimeout') k = 'timers';
      else k = 'app';
      kind.set(id, k);
    }
    return k;
  };
  let total = 0;
  const sums = { own: 0, nodeGc: 0, timers: 0, app: 0 };
  const detail = new Map<string, number>(); // RUNTIME_PROFILE_DETAIL=1: self time per function of the collector's part
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const dt = profile.timeDeltas[i]!;
    total += dt;
    const k = kindOf(id);
    sums[k] += dt;
    if (k !== 'app') {
      const f = byId.get(id)!.callFrame;
      const name = `${k} ${f.functionName} ${f.url.split('/').slice(-2).join('/')}`;
      detail.set(name, (detail.get(name) ?? 0) + dt);
    }
  }
  if (process.env.RUNTIME_PROFILE_DETAIL) {
    for (const [name, dt] of [...detail].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((dt / total) * 100).toFixed(3)}%  ${name}`);
  }
  return { own: sums.own / total, nodeGc: sums.nodeGc / total, timers: sums.timers / total, samples: profile.samples.length };
}
type CpuProfile = {
  nodes: { id: number; callFrame: { url: string; functionName: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
};
const shares = await profileShares(20);
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

// Its successor @prometheus-io/client 0.16 (CommonJS; it warns on Node 20 engines but runs), on
// top: prom-client's observers cannot be stopped, so its row is the cost added to prom-client's.
const promIo = createRequire(import.meta.url)('@prometheus-io/client') as typeof import('prom-client');
const io = new promIo.Registry();
promIo.collectDefaultMetrics({ register: io });
let ioOn = Number.POSITIVE_INFINITY;
for (let r = 0; r < ROUNDS; r++) ioOn = Math.min(ioOn, (await serve()).wall);
const ioRead = msPerCall(() => io.getMetricsAsJSON(), 50);

const pct = (ratio: number) => `${((ratio - 1) * 100).toFixed(2)}%`;
const ci = (xs: number[]) => {
  const [lo, hi] = medianCi(xs);
  return `${pct(lo)} .. ${pct(hi)}`;
};
table(
  `hot loop of ${REQUESTS} small requests, yielding every ${BATCH}; ${ROUNDS} rounds of each case, each between two rounds off (${samples} delay samples, ${gcPauses} GC pauses recorded)`,
  ['case', 'best ms', 'ns/request', 'overhead: median CPU', '95% CI', 'median wall (noisy on a shared machine)', '95% CI'],
  [
    ['runtime stats off', off, (off * 1e6) / REQUESTS, '', '', '', ''],
    ...cases.map((c) => [c.name, c.best, (c.best * 1e6) / REQUESTS, pct(median(c.cpu)), ci(c.cpu), pct(median(c.wall)), ci(c.wall)]),
    ['prom-client collectDefaultMetrics() on (after; best vs best)', promOn, (promOn * 1e6) / REQUESTS, pct(promOn / off), '', '', ''],
    ['@prometheus-io/client collectDefaultMetrics() on too (best vs prom-client on)', ioOn, (ioOn * 1e6) / REQUESTS, pct(ioOn / promOn), '', '', ''],
  ],
);
table(
  `share of the hot loop's CPU, stats on (V8 CPU profile, 20 rounds, ${shares.samples} samples, idle left out)`,
  ['part', 'share'],
  [
    ["the collector's own code (timer tick, GC observer callback, window renewals)", `${(shares.own * 100).toFixed(3)}%`],
    ["Node's delivery of GC entries (node:internal/perf/observe, not under the collector)", `${(shares.nodeGc * 100).toFixed(3)}%`],
    ["Node running the collector's timer (processTimers, listOnTimeout: their own frames)", `${(shares.timers * 100).toFixed(3)}%`],
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
    ['@prometheus-io/client getMetricsAsJSON() (default metrics, started)', ioRead],
  ],
);
