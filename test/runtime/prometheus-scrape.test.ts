// A real Prometheus scrapes an Express app with runtime stats and request stats: the families
// carry prom-client's default-metric names (what the public Node.js dashboards query) and the
// usual HTTP names, with their labels; the scrapes themselves are not counted as requests.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import express from 'express';
import * as scales from 'scales-metrics';
import { expressRequestStats, expressStatus, UNMATCHED_ROUTE } from 'scales-metrics/express';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('runtime and request stats scraped by Prometheus', { timeout: 60_000 }, () => {
  const registry = new scales.Registry();
  let runtime: scales.RuntimeStatsHandle;
  let server: http.Server;
  let status: ReturnType<typeof expressStatus>;
  let prom: PrometheusServer;
  let base: string;

  before(async () => {
    runtime = scales.collectRuntimeStats({ registry, utilizationWindowMs: 200 });
    const app = express();
    app.use(expressRequestStats({ registry }));
    status = expressStatus({ source: registry, metricsPath: '/metrics' });
    app.use(status);
    app.get('/users/:id', (req, res) => {
      res.send(`user ${req.params.id}`);
    });
    server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    prom = await startPrometheus({ targets: [`127.0.0.1:${port}`] });
  });

  after(async () => {
    await prom?.stop();
    status?.close();
    server?.close();
    runtime?.stop();
  });

  /** The value of the first series of `expr` once Prometheus has one that `ok` accepts. */
  async function value(expr: string, ok: (v: number) => boolean = () => true): Promise<number> {
    const v = await prom.poll(async () => {
      const r = await prom.query(expr);
      const n = r.length > 0 ? Number(r[0]!.value[1]) : Number.NaN;
      return Number.isFinite(n) && ok(n) ? n : undefined;
    }, 20_000);
    assert.ok(v !== undefined, `${expr}: no acceptable value (last ${JSON.stringify(await prom.query(expr))})`);
    return v;
  }

  it("process and Node.js families under prom-client's names, with their labels", async () => {
    for (let i = 0; i < 3; i++) gc();
    assert.ok((await value('process_cpu_seconds_total', (v) => v > 0)) > 0);
    assert.ok((await value('process_resident_memory_bytes', (v) => v > 1e6)) > 1e6);
    const used = await value('nodejs_heap_size_used_bytes', (v) => v > 0);
    assert.ok(used < (await value('nodejs_heap_size_total_bytes')) * 1.5);
    assert.ok((await value('nodejs_eventloop_lag_p99_seconds', (v) => v >= 0)) < 1);
    assert.ok((await value('sum(nodejs_gc_duration_seconds_count)', (v) => v >= 3)) >= 3);
    assert.equal(await value(`nodejs_version_info{version="${process.version}"}`), 1);
    assert.ok((await value('nodejs_heap_space_size_used_bytes{space="old"}', (v) => v > 0)) > 0);
    assert.ok((await value('nodejs_active_handles_total', (v) => v >= 1)) >= 1);
    // prom-client's per-type pair beside it: the same handles, by type (renewed every second).
    const byType = await value('sum(nodejs_active_handles)', (v) => v >= 1);
    assert.ok(byType >= 1, `sum(nodejs_active_handles) ${byType}`);
    assert.ok(
      (await prom.query('nodejs_active_requests')).every((r) => 'type' in r.metric),
      'nodejs_active_requests is labelled by type',
    );
    // Every runtime stat got its name: none refused for a name another holds.
    assert.deepEqual(await prom.query('scales_rejected_total'), []);
    assert.ok((await value('process_start_time_seconds')) < Date.now() / 1000);
    if (process.platform === 'linux') assert.ok((await value('process_open_fds', (v) => v > 0)) > 0);
  });

  it('http_requests_total and http_request_duration_seconds by method, route template and status; scrapes not counted', async () => {
    for (let i = 0; i < 30; i++) assert.equal((await fetch(`${base}/users/${i}`)).status, 200);
    for (let i = 0; i < 4; i++) assert.equal((await fetch(`${base}/nope/${i}`)).status, 404);
    assert.equal(await value('http_requests_total{method="GET",route="/users/:id",status="200"}', (v) => v === 30), 30);
    assert.equal(await value(`http_requests_total{route="${UNMATCHED_ROUTE}",status="404"}`, (v) => v === 4), 4);
    assert.equal(await value('http_request_duration_seconds_count{method="GET",route="/users/:id"}', (v) => v === 30), 30);
    const p50 = await value('histogram_quantile(0.5, sum by (le) (http_request_duration_seconds_bucket{route="/users/:id"}))', (v) => v > 0);
    assert.ok(p50 < 0.5, `p50 ${p50} s`);
    // Prometheus has scraped /metrics many times by now: none of it shows as traffic.
    assert.ok((await value('count(up)')) === 1);
    assert.equal((await prom.query('http_requests_total{route=~".*metrics.*"}')).length, 0);
    assert.equal(await value('sum(http_requests_total)'), 34);
  });
});
