// A REAL Prometheus scrapes the standalone server's /metrics (it asks for OpenMetrics) and a
// second server that only offers the 0.0.4 text format; values are read back through
// Prometheus' own query API.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';

describe('real Prometheus scrapes the status server', { timeout: 90_000 }, () => {
  const registry = new scales.Registry();
  const web = registry.collection(
    '/web',
    scales.intStat('success'),
    scales.intDictStat('byPath'),
    scales.pmfStat('latency'),
    scales.meterStat('hits'),
    scales.stringDictStat('build'),
    scales.stat('broken', () => {
      throw new Error('down');
    }),
  );
  web.success += 5;
  web.byPath['/a'] += 3;
  web.byPath['we"ird\\key\nx'] += 2;
  for (let i = 1; i <= 100; i++) web.latency.record(i / 1000);
  web.hits.mark(4);
  web.build.version = '1.0 "rc"';

  let server: scales.StatusServer;
  let textServer: http.Server;
  let prom: PrometheusServer;
  const accepts: string[] = [];
  let om: string;
  let text: string;

  before(async () => {
    server = await scales.serveInBackground(0, { registry, serverName: 'prom-test' });
    // The second target serves the same tree but only as text 0.0.4 (it drops the Accept header).
    const status = scales.createNodeHandler({ registry, metricsPath: '/metrics', live: false });
    textServer = http.createServer((req, res) => {
      accepts.push(String(req.headers.accept));
      delete req.headers.accept;
      status(req, res);
    });
    textServer.on('close', () => status.close());
    await new Promise<void>((resolve) => textServer.listen(0, '127.0.0.1', resolve));
    om = `127.0.0.1:${server.port}`;
    text = `127.0.0.1:${(textServer.address() as AddressInfo).port}`;
    prom = await startPrometheus({ targets: [om, text] });
  });
  after(async () => {
    await prom?.stop();
    await server?.close();
    await new Promise((resolve) => textServer?.close(resolve));
  });

  it('both targets are up with no scrape error', async () => {
    const targets = await prom.poll(async () => {
      const ts = await prom.targets();
      return ts.length === 2 && ts.every((t) => t.health === 'up') ? ts : undefined;
    }, 30_000);
    assert.ok(targets, JSON.stringify(await prom.targets()));
    for (const t of targets) assert.equal(t.lastError, '', t.scrapeUrl);
    assert.ok(accepts.some((a) => a.includes('application/openmetrics-text')), 'Prometheus asked for OpenMetrics');
  });

  for (const [label, instance] of [
    ['OpenMetrics', () => om],
    ['text 0.0.4', () => text],
  ] as const) {
    it(`reads values back through the query API (${label})`, async () => {
      const sel = `{instance="${instance()}"}`;
      const up = await prom.waitFor(`up${sel}`, (r) => r[0].value[1] === '1');
      assert.equal(up[0]?.value[1], '1');
      const success = await prom.waitFor(`web_success${sel}`, () => true);
      assert.equal(success[0]?.value[1], '5');
      const byPath = await prom.query(`web_byPath${sel}`);
      const keys = Object.fromEntries(byPath.map((s) => [s.metric.key, s.value[1]]));
      assert.deepEqual(keys, { '/a': '3', 'we"ird\\key\nx': '2' }, 'label values escaped and read back intact');
      const median = await prom.query(`web_latency{quantile="0.5",instance="${instance()}"}`);
      assert.ok(Math.abs(Number(median[0]?.value[1]) - 0.05) < 0.05 * 0.03, `median ${median[0]?.value[1]}`);
      const count = await prom.query(`web_latency_count${sel}`);
      assert.equal(count[0]?.value[1], '100');
      const hits = await prom.query(`web_hits_total${sel}`);
      assert.equal(hits[0]?.value[1], '4');
      const info = await prom.query(`web_build_info${sel}`);
      assert.equal(info[0]?.metric.value, '1.0 "rc"');
    });
  }

  it('sees a counter the app increments', async () => {
    web.success += 10;
    const r = await prom.waitFor(`web_success{instance="${om}"}`, (s) => s[0].value[1] === '15', 10_000);
    assert.equal(r[0]?.value[1], '15');
  });
});
