// clusterStats({ workerSeries: true }) in a real node:cluster of 3 HTTP workers
// (test/cluster/fixtures/cluster-app.ts with WORKER_SERIES=1), under autocannon on loopback, its
// primary's /metrics read over HTTP and scraped by a REAL Prometheus: every worker has its own
// series (worker="<id>") of the request counter and of the latency histogram, and they sum to
// the requests answered (and to the merged count of the JSON tree); a worker SIGKILLed keeps
// every one of its series as it was, while the others go on counting; PromQL's
// `sum by (worker)` gives one value per worker, their sum the requests sent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';
import { App, autocannon, until } from './fixtures/cluster-driver.js';
const WORKERS = ['1', '2', '3'];
const FIRST = 3000;
const SECOND = 1200;

/**
 * The series of one sample name whose only label (beside `extra`, e.g. `le="+Inf"`) is worker:
 * worker id -> value. Fails on a series of that name without a worker label (a merged one).
 */
function byWorker(metrics: string, name: string, extra = ''): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^${name}\\{worker="([^"]+)"${extra === '' ? '' : `,${extra.replace(/[+]/g, '\\+')}`}\\} (\\S+)$`, 'gm');
  for (const m of metrics.matchAll(re)) {
    assert.ok(!out.has(m[1]!), `two ${name} series of worker ${m[1]}`);
    out.set(m[1]!, Number(m[2]));
  }
  assert.doesNotMatch(metrics, new RegExp(`^${name} `, 'm'), `a merged ${name} series beside the per-worker ones`);
  return out;
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
/** Every line of the web_ families that belongs to worker `id`. */
const linesOf = (metrics: string, id: string) => metrics.split('\n').filter((l) => l.startsWith('web_') && l.includes(`{worker="${id}"`));

describe('workerSeries in a real cluster of 3 workers, scraped by a real Prometheus', { timeout: 180_000 }, () => {
  let app: App | undefined;
  let prom: PrometheusServer | undefined;
  /** What /metrics showed once the first load was all reported. */
  let afterFirst = '';

  before(async () => {
    app = await App.start({ WORKER_SERIES: '1' });
    prom = await startPrometheus({ targets: [new URL(app.page).host] });
  });

  after(async () => {
    // Each stopped whatever the other does.
    await Promise.allSettled([prom?.stop(), app?.stop()]);
  });

  it(`${FIRST} requests: each worker has its own request and latency series, summing to the requests answered and to the merged JSON count`, async () => {
    const result = await autocannon(app!.app, ['-a', String(FIRST), '-c', '9']);
    assert.equal(result.errors, 0);
    assert.equal(result['2xx'], FIRST);
    const metrics = await until(
      () => app!.metrics(),
      (m) => total(byWorker(m, 'web_requests_total')) === FIRST && total(byWorker(m, 'web_latency_seconds_count')) === FIRST,
    );
    afterFirst = metrics;
    const requests = byWorker(metrics, 'web_requests_total');
    const counts = byWorker(metrics, 'web_latency_seconds_count');
    const inf = byWorker(metrics, 'web_latency_seconds_bucket', 'le="+Inf"');
    assert.deepEqual([...requests.keys()], WORKERS);
    assert.deepEqual([...counts.keys()], WORKERS);
    assert.deepEqual([...inf.keys()], WORKERS);
    for (const id of WORKERS) {
      assert.ok(requests.get(id)! > 0, `worker ${id} served requests`);
      // Its histogram counts each of its requests once: _count and the +Inf bucket are its count.
      assert.equal(counts.get(id), requests.get(id), `worker ${id}: latency count`);
      assert.equal(inf.get(id), requests.get(id), `worker ${id}: +Inf bucket`);
      assert.ok(byWorker(metrics, 'web_latency_seconds_sum').get(id)! > 0);
    }
    assert.match(metrics, /^# TYPE web_requests_total counter$/m);
    assert.match(metrics, /^# TYPE web_latency_seconds histogram$/m);
    // No worker's tree as families of its own, and no merge-only figures.
    assert.doesNotMatch(metrics, /^workers_/m);
    // The JSON tree: the merged count is the same total, each worker's own the same as its series.
    const web = (await app!.read('web')).json as { requests: number; latency: { count: number } };
    assert.equal(web.requests, FIRST);
    assert.equal(web.latency.count, FIRST);
    const tree = (await app!.read('')).json as { workers: { [id: string]: { state: string; web: { requests: number } } } };
    for (const id of WORKERS) {
      assert.equal(tree.workers[id]!.state, 'live');
      assert.equal(tree.workers[id]!.web.requests, requests.get(id), `worker ${id} in JSON and in /metrics`);
    }
  });

  it(`worker 2 SIGKILLed: its series keep their counts, the sum stays ${FIRST}; ${SECOND} more requests go to the others only`, async () => {
    assert.notEqual(afterFirst, '', 'the first test ran');
    const before2 = linesOf(afterFirst, '2');
    assert.ok(before2.length >= 15, `worker 2's lines: ${before2.join('\n')}`); // requests, byStatus, 12 buckets, sum, count
    app!.send('kill 2');
    const exit = await app!.next((e) => e.event === 'exit' && e.id === '2');
    assert.equal(exit.signal, 'SIGKILL');
    let metrics = await until(
      () => app!.metrics(),
      (m) => /^scales_cluster_dead 1$/m.test(m),
    );
    assert.deepEqual(linesOf(metrics, '2'), before2, "the dead worker's series are as they were");
    assert.equal(total(byWorker(metrics, 'web_requests_total')), FIRST);
    assert.equal(total(byWorker(metrics, 'web_latency_seconds_count')), FIRST);
    assert.deepEqual([...byWorker(metrics, 'web_requests_total').keys()], WORKERS);
    assert.equal(((await app!.read('')).json as { workers: { [id: string]: { state: string } } }).workers['2']!.state, 'dead');

    // The two live workers go on counting; the dead one's count does not move.
    const result = await autocannon(app!.app, ['-a', String(SECOND), '-c', '6']);
    assert.equal(result.errors, 0);
    assert.equal(result['2xx'], SECOND);
    metrics = await until(
      () => app!.metrics(),
      (m) => total(byWorker(m, 'web_requests_total')) === FIRST + SECOND && total(byWorker(m, 'web_latency_seconds_count')) === FIRST + SECOND,
    );
    assert.deepEqual(linesOf(metrics, '2'), before2);
    const first = byWorker(afterFirst, 'web_requests_total');
    const now = byWorker(metrics, 'web_requests_total');
    for (const id of ['1', '3']) assert.ok(now.get(id)! > first.get(id)!, `worker ${id} served more: ${first.get(id)} -> ${now.get(id)}`);
    assert.equal(((await app!.read('web')).json as { requests: number }).requests, FIRST + SECOND);
  });

  it('Prometheus scraped it: sum by (worker) gives one value per worker, the dead one included, summing to the requests sent', async () => {
    const sent = FIRST + SECOND;
    const up = await prom!.waitFor('up', (r) => r[0]!.value[1] === '1', 30_000);
    assert.equal(up[0]?.value[1], '1', `targets: ${JSON.stringify(await prom!.targets())}`);
    const expr = 'sum by (worker) (web_requests_total)';
    const got = await prom!.waitFor(expr, (r) => r.reduce((a, s) => a + Number(s.value[1]), 0) === sent, 30_000);
    const values = new Map(got.map((s) => [s.metric.worker!, Number(s.value[1])]));
    assert.deepEqual([...values.keys()].sort(), WORKERS, `${expr}: ${JSON.stringify(got)}; targets ${JSON.stringify(await prom!.targets())}`);
    assert.equal(total(values), sent);
    // The same values /metrics shows now (nothing counts any more), the dead worker's among them.
    const metrics = await app!.metrics();
    assert.deepEqual(values, byWorker(metrics, 'web_requests_total'));
    assert.equal(values.get('2'), byWorker(afterFirst, 'web_requests_total').get('2'));
    // The histogram too: per worker its count, and the merged one is `sum without (worker)`.
    const counts = await prom!.query('sum by (worker) (web_latency_seconds_count)');
    assert.deepEqual(new Map(counts.map((s) => [s.metric.worker!, Number(s.value[1])])), values);
    const inf = await prom!.query('sum without (worker, instance, job) (web_latency_seconds_bucket{le="+Inf"})');
    assert.equal(inf.length, 1, JSON.stringify(inf));
    assert.equal(Number(inf[0]!.value[1]), sent);
  });
});
