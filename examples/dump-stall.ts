/**
 * How long a dump of a big tree blocks the event loop: the asynchronous dump (read in slices,
 * written in 64 KiB pieces) against the synchronous one (meant for exit and crash handlers).
 * Run: node build/examples/dump-stall.js [rounds]   (the numbers quoted in the README)
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as scales from 'scales-metrics';
import { dumpStatsTo, dumpStatsToSync } from 'scales-metrics/dump';

const rounds = Number(process.argv[2] ?? '5');

// 10,000 stats: 1,000 collections of 10 (counters, a pmf with data, a meter, a dict, a gauge).
const registry = new scales.Registry();
for (let c = 0; c < 1000; c++) {
  const s = registry.collection(
    `/svc/c${c}`,
    scales.intStat('a'),
    scales.intStat('b'),
    scales.intStat('e'),
    scales.intStat('f'),
    scales.intStat('g'),
    scales.doubleStat('d'),
    scales.pmfStat('latency'),
    scales.meterStat('hits'),
    scales.intDictStat('status'),
    scales.stat('now', () => Date.now()),
  );
  s.a += c;
  s.d = c / 7;
  for (let i = 1; i <= 50; i++) s.latency.record(i / 1000 + c / 1e6);
  s.hits.mark(c);
  s.status['200'] += c;
}

/** Runs `fn` while a setImmediate loop notes the longest gap between its turns. */
async function longestStallMs(fn: () => Promise<void> | void): Promise<number> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const turn = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  await new Promise((r) => setImmediate(r));
  last = performance.now();
  const started = last;
  await fn();
  // A synchronous call blocks from start to end: that whole time is its stall.
  longest = Math.max(longest, performance.now() - Math.max(started, last));
  running = false;
  return longest;
}

const dir = await mkdtemp(join(tmpdir(), 'scales-dump-stall-'));
try {
  const file = join(dir, 'stats.json');
  const asyncMs: number[] = [];
  const syncMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    asyncMs.push(await longestStallMs(() => dumpStatsTo(file, { source: registry, sketches: true })));
    syncMs.push(await longestStallMs(() => dumpStatsToSync(file, { source: registry, sketches: true })));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const size = (await stat(file)).size;
  console.log(`tree: 10,000 stats, ${(size / 1e6).toFixed(2)} MB with sketches; ${rounds} rounds`);
  console.log(`longest event-loop stall, async dumpStatsTo:    median ${median(asyncMs).toFixed(1)} ms`);
  console.log(`longest event-loop stall, dumpStatsToSync:      median ${median(syncMs).toFixed(1)} ms`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
