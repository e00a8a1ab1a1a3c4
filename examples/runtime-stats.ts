// The README's runtime-stats example (run by test/runtime/runtime-stats.test.ts).
import * as scales from 'scales-metrics';

const runtime = scales.collectRuntimeStats(); // once, at start-up: the process's stats under /process
// options: { registry, path: '/process', eventLoopResolutionMs: 20, utilizationWindowMs: 1000, gc: true }

await new Promise((r) => setTimeout(r, 200)); // ... the application runs ...

type Process = {
  eventLoop: { delaySeconds: scales.PmfSnapshot; utilization: number };
  memory: { heapUsedBytes: number; rssBytes: number };
  cpu: { utilization: number; cores: number };
};
const p = scales.getStats('/process') as unknown as Process;
console.log(`event-loop delay p99: ${(p.eventLoop.delaySeconds['99percentile']! * 1000).toFixed(1)} ms`);
console.log(`heap used: ${(p.memory.heapUsedBytes / 2 ** 20).toFixed(1)} MiB of RSS ${(p.memory.rssBytes / 2 ** 20).toFixed(1)} MiB`);
console.log(`CPU: ${p.cpu.utilization.toFixed(2)} of ${p.cpu.cores} cores`);

runtime.stop(); // stops the sampling (tests, shutdown); it never keeps the process alive
