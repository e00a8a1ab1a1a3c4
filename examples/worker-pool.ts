// A pool of worker threads as one tree: the thread that owns the pool adds each worker to a
// clusterStats() source; each thread calls reportStats(), and reports once more before it ends.
// Run: node build/examples/worker-pool.js (test/cluster/examples.test.ts runs it).
import { isMainThread, Worker } from 'node:worker_threads';
import * as scales from 'scales-metrics';
import { clusterStats, reportStats } from 'scales-metrics/cluster';

if (isMainThread) {
  // The owner of the pool: one source, each worker added as it is created.
  const source = clusterStats({ cluster: false });
  const pool = Array.from({ length: 4 }, () => new Worker(new URL(import.meta.url)));
  for (const worker of pool) source.add(worker);
  await Promise.all(pool.map((w) => new Promise((resolve) => w.once('exit', resolve))));

  // Every thread has ended: their counts and percentiles stay, merged.
  const jobs = source.snapshot('/jobs');
  for (const s of jobs?.stats ?? []) {
    if (s.kind === 'int') console.log(`${s.name}: ${s.value}`);
    if (s.kind === 'pmf') console.log(`${s.name}: count ${s.value?.count}, p99 ${s.value?.['99percentile']?.toFixed(4)} s`);
  }
  console.log(
    'workers:',
    source
      .workers()
      .map((w) => `${w.id} ${w.state}`)
      .join(', '),
  );
} else {
  // A thread of the pool: stats as usual, reported every second and once more at the end.
  const STATS = scales.collection('/jobs', scales.intStat('done'), scales.pmfStat('seconds'));
  const reporter = reportStats();
  for (let i = 0; i < 250; i++) {
    STATS.seconds.record(0.001 * (1 + (i % 50)));
    STATS.done += 1;
  }
  await reporter.reportNow();
}
