// A fleet, scraped by a REAL Prometheus 2.42: three app processes (children started here) record
// different latency distributions (log-normal ~20 ms, uniform 50-200 ms, exponential ~300 ms,
// declared in ms) and statuses. A Prometheus with --enable-feature=native-histograms asks for
// the protobuf exposition and gets native histograms: the p99 it computes over the three merged
// (`histogram_quantile(0.99, sum(...))`) is within 1.5% of the exact p99 of all values pooled,
// and `histogram_count` equals the number of values recorded. A Prometheus without the flag gets
// the text exposition with classic buckets, which `histogram_quantile` reads (its p99 lies in
// the classic bucket of the exact one). The requests counter (labels method and status) summed by
// status equals what was sent; a labelled histogram (method, route) merges the same way.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { exactQuantile, type LatencyKind, latenciesMs, statuses } from '../helpers/latency-data.js';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';

const APPS: ReadonlyArray<{ kind: LatencyKind; seed: number; n: number }> = [
  { kind: 'lognormal', seed: 11, n: 6000 },
  { kind: 'uniform', seed: 22, n: 3000 },
  { kind: 'exponential', seed: 33, n: 1500 },
];
const TOTAL = APPS.reduce((a, x) => a + x.n, 0);
const POOLED_S = APPS.flatMap((a) => latenciesMs(a.kind, a.seed, a.n)).map((v) => v / 1000);
const STATUS_COUNTS = new Map<string, number>();
for (const a of APPS) for (const s of statuses(a.seed, a.n)) STATUS_COUNTS.set(String(s), (STATUS_COUNTS.get(String(s)) ?? 0) + 1);

/** Starts one app process; resolves its port once it says it serves. */
function startApp(kind: string, seed: number, n: number): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('./fleet-app.js', import.meta.url));
  const child = spawn(process.execPath, [script, kind, String(seed), String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`app ${kind} did not start within 20 s`)), 20_000);
    child.once('exit', (code) => reject(new Error(`app ${kind} exited with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, port: (JSON.parse(line) as { port: number }).port });
      }
    });
  });
}

describe('a fleet of three apps scraped by a real Prometheus', { timeout: 120_000 }, () => {
  const apps: Array<{ child: ChildProcess; port: number }> = [];
  let native: PrometheusServer | undefined;
  let classic: PrometheusServer | undefined;

  before(async () => {
    for (const a of APPS) apps.push(await startApp(a.kind, a.seed, a.n));
    const targets = apps.map((a) => `127.0.0.1:${a.port}`);
    [native, classic] = await Promise.all([
      startPrometheus({ targets, flags: ['--enable-feature=native-histograms'] }),
      startPrometheus({ targets }),
    ]);
  });

  after(async () => {
    await Promise.all([native?.stop(), classic?.stop()]);
    for (const a of apps) {
      if (a.child.exitCode !== null || a.child.signalCode !== null) continue;
      const exited = new Promise((r) => a.child.once('exit', r));
      a.child.kill('SIGTERM');
      await exited;
    }
  });

  it('native histograms: histogram_count is every value recorded, the merged p99 within 1.5% of the exact pooled p99', async (t) => {
    const prom = native!;
    const count = await prom.waitFor('histogram_count(sum(web_latency_seconds))', (r) => Number(r[0].value[1]) === TOTAL, 40_000);
    assert.equal(Number(count[0]?.value[1]), TOTAL, `histogram_count: ${JSON.stringify(count)}; targets ${JSON.stringify(await prom.targets())}`);
    const sum = await prom.query('histogram_sum(sum(web_latency_seconds))');
    const exactSum = POOLED_S.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(Number(sum[0].value[1]) - exactSum) < 1e-6 * exactSum, `histogram_sum ${sum[0].value[1]} vs ${exactSum}`);
    const exact = exactQuantile(POOLED_S, 0.99);
    const p99 = Number((await prom.query('histogram_quantile(0.99, sum(web_latency_seconds))'))[0].value[1]);
    const off = `p99 ${p99} vs exact ${exact} (${((p99 / exact - 1) * 100).toFixed(3)}%)`;
    t.diagnostic(off);
    assert.ok(Math.abs(p99 / exact - 1) <= 0.015, off);
    // The native series are histograms, not _bucket series.
    assert.equal((await prom.query('web_latency_seconds_bucket')).length, 0);
    // Labelled native histograms (method, route): merged over routes and apps, the same p99 and count.
    const byRoute = await prom.query('histogram_count(sum by (route) (web_route_latency_seconds))');
    assert.deepEqual(byRoute.map((s) => s.metric.route).sort(), ['/a', '/b']);
    assert.equal(
      byRoute.reduce((a, s) => a + Number(s.value[1]), 0),
      TOTAL,
    );
    const p99Routes = Number((await prom.query('histogram_quantile(0.99, sum(web_route_latency_seconds))'))[0].value[1]);
    assert.ok(Math.abs(p99Routes / exact - 1) <= 0.015, `p99 over routes ${p99Routes} vs ${exact}`);
  });

  it('classic buckets for a Prometheus without native histograms: histogram_quantile reads them', async () => {
    const prom = classic!;
    const count = await prom.waitFor('sum(web_latency_seconds_count)', (r) => Number(r[0].value[1]) === TOTAL, 40_000);
    assert.equal(Number(count[0]?.value[1]), TOTAL);
    const inf = await prom.query('sum(web_latency_seconds_bucket{le="+Inf"})');
    assert.equal(Number(inf[0].value[1]), TOTAL);
    const exact = exactQuantile(POOLED_S, 0.99);
    const p99 = Number((await prom.query('histogram_quantile(0.99, sum by (le) (web_latency_seconds_bucket))'))[0].value[1]);
    // Classic buckets place a quantile only within its bucket: the default bounds around it.
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    const hi = bounds.find((b) => b >= exact)!;
    const lo = bounds[bounds.indexOf(hi) - 1];
    assert.ok(p99 > lo && p99 <= hi, `p99 ${p99} outside the bucket (${lo}, ${hi}] of the exact ${exact}`);
    // Each le count equals the exact count of values at or below it (none lies within 0.6% of a bound here).
    for (const le of [0.05, 0.25, 1]) {
      const got = Number((await prom.query(`sum(web_latency_seconds_bucket{le="${le}"})`))[0].value[1]);
      const near = POOLED_S.filter((v) => Math.abs(v / le - 1) < 0.006).length;
      const want = POOLED_S.filter((v) => v <= le).length;
      assert.ok(Math.abs(got - want) <= near, `le=${le}: ${got} vs ${want}`);
    }
  });

  it('the request counter summed by status equals the requests sent per status', async () => {
    for (const prom of [native!, classic!]) {
      const total = await prom.waitFor('sum(web_requests_total)', (r) => Number(r[0].value[1]) === TOTAL, 40_000);
      assert.equal(Number(total[0]?.value[1]), TOTAL);
      const byStatus = await prom.query('sum by (status) (web_requests_total)');
      assert.deepEqual(Object.fromEntries(byStatus.map((s) => [s.metric.status, Number(s.value[1])])), Object.fromEntries(STATUS_COUNTS));
      const posts = await prom.query('sum by (method) (web_requests_total{status="404"})');
      assert.deepEqual(
        posts.map((s) => [s.metric.method, Number(s.value[1])]),
        [['POST', STATUS_COUNTS.get('404')]],
      );
    }
  });
});
