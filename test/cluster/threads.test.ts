// A pool of 4 worker threads seen as one tree through scales-metrics/cluster: counts summed,
// percentiles from the merged sketches (checked against every value pooled), gauges summed with
// their min and max, each thread under /workers/<id>; a thread that exits is marked dead and its
// counts stay, and a replacement under the same id never makes a total go back.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ClusterStats, clusterStats } from 'scales-metrics/cluster';
import { dumpStatsTo } from 'scales-metrics/dump';
import { renderPrometheus } from 'scales-metrics/formats';
import { LogSketch } from 'scales-metrics/sampling';
import { lognormal } from '../helpers/datasets.js';

const N = 20_000;
const THREADS = 4;
const file = new URL('./fixtures/thread-worker.js', import.meta.url);
const workers: Worker[] = [];
after(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

function start(source: ClusterStats, index: number): Worker {
  const w = new Worker(file, { workerData: { index, n: N, intervalMs: 50 } });
  source.add(w, String(index));
  workers.push(w);
  return w;
}

/** Polls `read` until `ok` holds of what it returns, or fails after `ms`. */
async function until<T>(read: () => T, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`not reached within ${ms} ms: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Exact nearest-rank quantile: the value at 0-based rank ceil(q n) - 1 of the sorted values. */
function exact(sorted: Float64Array, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

test('a pool of 4 worker threads: one tree with the counts summed and true merged percentiles', async () => {
  const source = clusterStats({ cluster: false, primary: null });
  for (let i = 0; i < THREADS; i++) start(source, i);
  const jobs = await until(
    () => source.snapshot('/jobs'),
    (j) => j?.stats.find((s) => s.name === 'done')?.value === THREADS * N,
  );
  const stat = (name: string) => jobs!.stats.find((s) => s.name === name);
  assert.equal(stat('done')?.value, THREADS * N);
  assert.deepEqual(stat('byKind')?.value, { even: 2 * N, odd: 2 * N });
  // Gauges: the sum, with the extremes beside it; text all threads agree on is shown once, else per thread.
  assert.equal(stat('queue')?.value, 1 + 2 + 3 + 4);
  assert.equal(stat('queueMin')?.value, 1);
  assert.equal(stat('queueMax')?.value, 4);
  assert.equal(stat('version')?.value, '1.0.0');
  assert.deepEqual(stat('thread')?.value, { '0': 't0', '1': 't1', '2': 't2', '3': 't3' });

  const latency = stat('latency');
  assert.ok(latency?.kind === 'pmf' && latency.error === undefined);
  const all = new Float64Array(THREADS * N);
  const p99s: number[] = [];
  for (let i = 0; i < THREADS; i++) {
    const values = lognormal(N, 100 + i, 0.005 * (i + 1) ** 2, 0.5);
    all.set(values, i * N);
    p99s.push(exact(values.slice().sort(), 0.99));
  }
  all.sort();
  assert.equal(latency.value.count, THREADS * N);
  assert.equal(latency.value.lifetime.count, THREADS * N);
  for (const [q, key] of [
    [0.5, 'median'],
    [0.99, '99percentile'],
    [0.999, '999percentile'],
  ] as const) {
    const want = exact(all, q);
    const got = latency.value[key]!;
    assert.ok(Math.abs(got - want) / want <= 0.01, `${key}: merged ${got}, pooled ${want}`);
  }
  assert.equal(latency.value.min, all[0]);
  assert.equal(latency.value.max, all[all.length - 1]);
  // What averaging would have said is far off (so the check above could fail).
  const averaged = p99s.reduce((a, b) => a + b, 0) / THREADS;
  assert.ok(Math.abs(averaged - exact(all, 0.99)) / exact(all, 0.99) > 0.05, `averaged p99 ${averaged}`);
  assert.equal(latency.value.sketch, undefined, 'no sketch unless asked for');
  // For Prometheus: one histogram of every thread's values, its classic buckets counted from the
  // threads' lifetime buckets summed (each bound within a bucket's width of the exact count).
  const text = renderPrometheus(source.snapshot('/', { histograms: true, prometheus: true })!);
  assert.match(text, new RegExp(`^jobs_latency_seconds_count ${THREADS * N}$`, 'm'));
  const buckets = [...text.matchAll(/^jobs_latency_seconds_bucket\{le="([^"+]+)"\} (\d+)$/gm)];
  assert.equal(buckets.length, 11, 'the default bounds');
  for (const m of buckets) {
    const le = Number(m[1]);
    const below = all.filter((v) => v <= le / 1.0109).length;
    const upTo = all.filter((v) => v <= le * 1.0109).length;
    assert.ok(Number(m[2]) >= below && Number(m[2]) <= upTo, `le ${le}: ${m[2]}, exact between ${below} and ${upTo}`);
  }
  assert.doesNotMatch(text, /^workers_/m);
  const withSketch = source.snapshot('/jobs', { sketches: true })?.stats.find((s) => s.name === 'latency');
  assert.ok(withSketch?.kind === 'pmf' && typeof withSketch.value?.sketch === 'string');

  // A dump of the source holds the merged tree, its sketches mergeable again (scales aggregate).
  const dir = await mkdtemp(join(tmpdir(), 'scales-cluster-'));
  try {
    await dumpStatsTo(join(dir, 'stats.json'), { source, sketches: true });
    const dump = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8'));
    assert.equal(dump.stats.jobs.done, THREADS * N);
    assert.equal(dump.kinds['/jobs/latency'], 'pmf');
    assert.equal(LogSketch.deserialize(dump.stats.jobs.latency.sketch).count, THREADS * N);
    assert.equal(dump.stats.workers['3'].jobs.done, N);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // Each thread's own tree under /workers/<id>, with its state and age.
  const w2 = source.snapshot('/workers/2');
  assert.equal(w2?.path, '/workers/2');
  assert.equal(w2?.stats.find((s) => s.name === 'state')?.value, 'live');
  assert.ok((w2?.stats.find((s) => s.name === 'ageSeconds')?.value as number) < 5);
  const own = w2?.children.find((c) => c.name === 'jobs');
  assert.equal(own?.path, '/workers/2/jobs');
  assert.equal(own?.stats.find((s) => s.name === 'done')?.value, N);
  assert.deepEqual(
    source.workers().map((w) => [w.id, w.state]),
    [
      ['0', 'live'],
      ['1', 'live'],
      ['2', 'live'],
      ['3', 'live'],
    ],
  );
  source.close();
});

test('a thread that exits is marked dead, its counts kept; a replacement under its id never makes a total drop', async () => {
  const source = clusterStats({ cluster: false, primary: null });
  const first = [start(source, 0), start(source, 1)];
  const done = () => source.snapshot('/jobs')?.stats.find((s) => s.name === 'done')?.value;
  await until(done, (v) => v === 2 * N);
  await first[1]!.terminate();
  const dead = await until(
    () => source.workers().find((w) => w.id === '1'),
    (w) => w?.state === 'dead',
  );
  assert.equal(dead?.id, '1');
  assert.equal(done(), 2 * N, 'the dead thread still counts');
  // The gauges of a dead thread no longer count; its text is no longer shown.
  const jobs = source.snapshot('/jobs');
  assert.equal(jobs?.stats.find((s) => s.name === 'queue')?.value, 1);
  // A replacement under the same id (a new incarnation): the old one's counts go to the totals.
  start(source, 1);
  await until(
    () => source.workers().find((w) => w.id === '1')?.state,
    (s) => s === 'live',
  );
  await until(done, (v) => v === 3 * N);
  assert.equal(source.snapshot('/workers/1/jobs')?.stats.find((s) => s.name === 'done')?.value, N);
  assert.equal(source.snapshot('/scales/cluster')?.stats.find((s) => s.name === 'forgotten')?.value, 1);
  source.close();
});
