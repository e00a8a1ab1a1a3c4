// A child process for test/runtime/runtime-stats.test.ts: runs one scenario against the runtime
// stats of its own process and prints one JSON line of what it saw. It never calls
// process.exit: every scenario must end with the process exiting by itself.
//   node runtime-child.js <idle|block|gc|busy|stop|forget>
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as scales from 'scales-metrics';

type Pmf = { count: number; max: number | null; median: number | null; '99percentile': number | null; lifetime: { count: number } };
type Tree = {
  eventLoop: { delaySeconds: Pmf; utilization: number | null };
  gc?: { pauseSeconds: Record<string, Pmf> };
  cpu: { utilization: number | null; cores: number; totalSeconds: number };
};

const read = () => scales.getStats('/process') as unknown as Tree;
const delayCount = () => read().eventLoop.delaySeconds.lifetime.count;
const gcCount = () => Object.values(read().gc?.pauseSeconds ?? {}).reduce((n, p) => n + p.lifetime.count, 0);
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** Polls `ok` (each turn after a short timer) until it holds; fails after 10 s. */
async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`child: timed out waiting for ${what}`);
    await tick();
  }
}

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the event loop is blocked
  }
}

const scenario = process.argv[2];
const out: Record<string, unknown> = { scenario };

if (scenario === 'idle') {
  // Node's own histogram beside ours, sampling at the same rate, to show what subtracting the interval does.
  const native = monitorEventLoopDelay({ resolution: 10 });
  native.enable();
  const h = scales.collectRuntimeStats({ eventLoopResolutionMs: 10 });
  await until('50 delay samples', () => delayCount() >= 50);
  native.disable();
  out.delay = read().eventLoop.delaySeconds;
  out.nativeMedianSeconds = native.percentile(50) / 1e9;
  out.nativeMaxSeconds = native.max / 1e9;
  h.stop();
} else if (scenario === 'block') {
  const h = scales.collectRuntimeStats(); // the default resolution, 20 ms
  await until('5 delay samples', () => delayCount() >= 5);
  const before = delayCount();
  busyFor(300);
  await until('a sample after the block', () => delayCount() > before);
  out.delay = read().eventLoop.delaySeconds;
  h.stop();
} else if (scenario === 'gc') {
  const gc = (globalThis as { gc?: (o?: { type: string }) => void }).gc;
  if (gc === undefined) throw new Error('child: run with --expose-gc');
  // Our own observer, to know how the runtime batched the entries.
  const batches: number[] = [];
  const mine = new PerformanceObserver((list) => batches.push(list.getEntries().length));
  mine.observe({ entryTypes: ['gc'] });
  const h = scales.collectRuntimeStats();
  // Forced back to back, so that several land in one observer batch.
  for (let i = 0; i < 5; i++) gc();
  for (let i = 0; i < 5; i++) gc({ type: 'minor' });
  await until('10 GC pauses', () => gcCount() >= 10);
  await until('our own observer', () => batches.reduce((a, b) => a + b, 0) >= 10);
  mine.disconnect();
  out.pauses = read().gc?.pauseSeconds;
  out.batches = batches;
  h.stop();
} else if (scenario === 'busy') {
  // The main thread and two workers spin on a machine of `cores` cores: utilization may approach, never pass, cores.
  const h = scales.collectRuntimeStats({ utilizationWindowMs: 100 });
  const spin = `const end = Date.now() + 1500; while (Date.now() < end) {}`;
  const workers = [new Worker(spin, { eval: true }), new Worker(spin, { eval: true })];
  // Listened for now: a worker may end before the loop below does (the machine decides), and a
  // listener added after its 'exit' would wait forever; the process would then end with code 13.
  const exited = workers.map((w) => new Promise((r) => w.once('exit', r)));
  const seen: number[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + 1500;
  while (performance.now() < end) {
    busyFor(20);
    await new Promise((r) => setImmediate(r)); // let the sampling timer run
    const u = read().cpu.utilization;
    if (u !== null) seen.push(u);
  }
  const used = process.cpuUsage(c0);
  // What the process really used over the loop, in cores: the readings' mean should be close.
  out.actual = (used.user + used.system) / 1000 / (performance.now() - t0);
  await Promise.all(exited);
  out.utilization = seen;
  out.cores = read().cpu.cores;
  h.stop();
} else if (scenario === 'stop') {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const a = scales.collectRuntimeStats();
  const b = scales.collectRuntimeStats(); // shares a's collector
  await until('5 delay samples', () => delayCount() >= 5);
  a.stop();
  a.stop(); // idempotent: b still counts as a user
  const afterA = delayCount();
  await until('sampling goes on while b runs', () => delayCount() >= afterA + 5);
  b.stop();
  const delays = delayCount();
  const gcs = gcCount();
  gc();
  // Twenty turns of a 10 ms timer of our own: the collector's 20 ms timer would have fired meanwhile.
  for (let i = 0; i < 20; i++) await tick(10);
  out.delaysAfterStop = delayCount() - delays;
  out.gcAfterStop = gcCount() - gcs;
  out.readsAfterStop = typeof read().cpu.totalSeconds;
} else if (scenario === 'forget') {
  // Started and never stopped: its timer and observer must not keep the process alive.
  scales.collectRuntimeStats();
  await until('a delay sample', () => delayCount() >= 1);
} else {
  throw new Error(`child: unknown scenario ${scenario}`);
}
console.log(JSON.stringify(out));
