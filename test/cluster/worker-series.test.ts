// clusterStats({ workerSeries: true }) in a real node:cluster of 3 HTTP workers
// (test/cluster/fixtures/cluster-app.ts with WORKER_SERIES=1), under autocannon on loopback, its
// primary's /metrics read over HTTP and scraped by a REAL Prometheus: every worker has its own
// series (worker="<id>") of the request counter and of the latency histogram, and they sum to
// the requests answered (and to the merged count of the JSON tree); a worker SIGKILLed keeps
// every one of its series as it was, while the others go on counting; PromQL's
// `sum by (worker)` gives one value per worker, their sum the requests sent.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';

const APP = fileURLToPath(new URL('./fixtures/cluster-app.js', import.meta.url));
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const WORKERS = ['1', '2', '3'];
const FIRST = 3000;
const SECOND = 1200;

type Event = { event: string; [key: string]: unknown };

/** The fixture's primary, driven through stdin, its JSON events read from stdout (as in cluster.test.ts). */
class App {
  readonly events: Event[] = [];
  private wake: (() => void) | null = null;
  page = '';
  app = '';
  private constructor(readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      this.events.push(JSON.parse(line) as Event);
      this.wake?.();
    });
    proc.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  }

  static async start(env: Record<string, string> = {}): Promise<App> {
    const app = new App(spawn(process.execPath, [APP], { env: { ...process.env, ...env }, stdio: 'pipe' }));
    try {
      const ready = await app.next((e) => e.event === 'ready');
      app.page = ready.page as string;
      app.app = ready.app as string;
      return app;
    } catch (e) {
      await app.stop();
      throw e;
    }
  }

  /** The first event (from the start) that `ok` accepts, waiting for it up to `ms`. */
  async next(ok: (e: Event) => boolean, ms = 20_000): Promise<Event> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(ok);
      if (found !== undefined) return found;
      if (this.exited()) assert.fail(`the app exited; got ${JSON.stringify(this.events).slice(0, 500)}`);
      if (Date.now() > deadline) assert.fail(`no such event within ${ms} ms; got ${JSON.stringify(this.events).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  }

  send(line: string): void {
    this.proc.stdin.write(`${line}\n`);
  }

  private exited(): boolean {
    return this.proc.exitCode !== null || this.proc.signalCode !== null;
  }

  /** Closes its stdin (it then kills its workers and exits); SIGKILL if it has not exited within 10 s. */
  async stop(): Promise<void> {
    if (this.exited()) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** The primary's /metrics text. */
  async metrics(): Promise<string> {
    const res = await fetch(this.page.replace('/status/', '/metrics'), { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    return res.text();
  }

  /** A JSON read of the page at `path`. */
  async json(path: string): Promise<{ [key: string]: unknown }> {
    const res = await fetch(`${this.page}${path}?format=json`, { signal: AbortSignal.timeout(10_000) });
    return (await res.json()) as { [key: string]: unknown };
  }
}

/** Runs autocannon in its own process; `-a n`: exactly n requests. */
async function autocannon(url: string, args: string[]): Promise<{ '2xx': number; non2xx: number; errors: number }> {
  const proc = spawn(process.execPath, [AUTOCANNON, '-j', ...args, url], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  // 'close', not 'exit': 'exit' may come before the last of stdout (the JSON) has been read.
  await new Promise((resolve) => proc.once('close', resolve));
  return JSON.parse(out);
}

/** Polls `read` until `ok`, or fails after `ms`. */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`not reached within ${ms} ms: ${JSON.stringify(v).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

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
    const web = (await app!.json('web')) as { requests: number; latency: { count: number } };
    assert.equal(web.requests, FIRST);
    assert.equal(web.latency.count, FIRST);
    const tree = (await app!.json('')) as { workers: { [id: string]: { state: string; web: { requests: number } } } };
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
    assert.equal(((await app!.json('')) as { workers: { [id: string]: { state: string } } }).workers['2']!.state, 'dead');

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
    assert.equal(((await app!.json('web')) as { requests: number }).requests, FIRST + SECOND);
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
