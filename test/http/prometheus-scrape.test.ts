// A REAL Prometheus scrapes the standalone server's /metrics (it asks for OpenMetrics) and a
// second server that only offers the 0.0.4 text format; values are read back through
// Prometheus' own query API.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { createNodeHandler, serveInBackground, type StatusServer } from 'scales-metrics/http';
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

  // Every other stat kind, with hostile names and keys: one invalid line would mark a target
  // down (OpenMetrics is rejected as a whole), so both targets being up proves the formats.
  // '\ud800lone' and '\udffflone' differ only in a lone surrogate, which UTF-8 cannot carry; '\\ud800lone' is
  // their escaped text spelled out: all three stay distinct series.
  const HOSTILE_KEYS = [
    '',
    'a"b',
    'back\\slash',
    'new\nline',
    '\u0000nul',
    '\ud800lone',
    '\udffflone',
    '\\ud800lone',
    '\u{1f600}',
    '{}=,',
    'le',
    'quantile',
  ];
  const kinds = registry.collection(
    '/kinds',
    scales.doubleStat('load'),
    scales.pmfStat('idle', { summary: true }),
    scales.namedPmfDictStat('byHandler', { summary: true }),
    scales.meterDictStat('hitsByCode'),
    scales.stateTimeStat('state'),
    scales.stat('healthy', true),
    scales.stat('motto', 'say "hi"\n\\'),
    scales.stat('nan', () => Number.NaN),
    scales.stat('<img src=x onerror=alert(1)>', 1),
    scales.stat('caf\u00e9 \u65e5\u672c', 2),
    scales.stat('a.b-c', 3),
    scales.stat('a_b_c', 4),
    scales.stat('q"uote\\', 5),
  );
  kinds.load = 0.25;
  kinds.state.state = 'busy';
  for (const k of HOSTILE_KEYS) {
    kinds.byHandler[k].record(0.5);
    kinds.hitsByCode[k].mark();
    web.byPath[k] += 1;
    web.build[k] = k;
  }
  const parent = {};
  registry.init(
    parent,
    '/agg',
    scales.sumAggregationStat('done'),
    scales.histogramAggregationStat('phase'),
    scales.intDictSumAggregationStat('perKey'),
  );
  for (let i = 0; i < 3; i++) {
    const child = registry.initChild({}, parent, `w${i}`, scales.intStat('done'), scales.stat('phase', `p"${i % 2}`), scales.intDictStat('perKey'));
    child.done += i + 1;
    child.perKey['k\n'] += 1;
  }
  registry.collection('/hidden', scales.intStat('n')).n += 6;
  registry.setCollapsed('/hidden', true);

  let server: StatusServer;
  let textServer: http.Server;
  let prom: PrometheusServer;
  const accepts: string[] = [];
  let om: string;
  let text: string;

  before(async () => {
    server = await serveInBackground(0, { source: registry, serverName: 'prom-test' });
    // The second target serves the same tree but only as text 0.0.4 (it drops the Accept header).
    const status = createNodeHandler({ source: registry, metricsPath: '/metrics', live: false });
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
    assert.ok(
      accepts.some((a) => a.includes('application/openmetrics-text')),
      'Prometheus asked for OpenMetrics',
    );
  });

  for (const [label, instance] of [
    ['OpenMetrics', () => om],
    ['text 0.0.4', () => text],
  ] as const) {
    it(`reads values back through the query API (${label})`, async () => {
      const sel = `{instance="${instance()}"}`;
      const up = await prom.waitFor(`up${sel}`, (r) => r[0].value[1] === '1');
      assert.equal(up[0]?.value[1], '1');
      const success = await prom.waitFor(`web_success_total${sel}`, () => true);
      assert.equal(success[0]?.value[1], '5');
      const byPath = await prom.query(`web_by_path_total${sel}`);
      // A key with a lone surrogate (not UTF-8) arrives JSON-escaped, marked escaped="key".
      const keys = Object.fromEntries(
        byPath.map((s) => [s.metric.escaped === 'key' ? JSON.parse(`"${s.metric.key}"`) : (s.metric.key ?? ''), s.value[1]]),
      );
      const expected: Record<string, string> = { '/a': '3', 'we"ird\\key\nx': '2' };
      for (const k of HOSTILE_KEYS) expected[k] = '1';
      assert.equal(byPath.length, Object.keys(expected).length, 'one series per key');
      assert.deepEqual(keys, expected, 'label values escaped and read back intact');
      // A pmf is a histogram: classic buckets derived from its sketch (1..100 ms recorded).
      const le = await prom.query(`web_latency_seconds_bucket{le="0.05",instance="${instance()}"}`);
      assert.equal(le[0]?.value[1], '50');
      const median = await prom.query(`histogram_quantile(0.5, web_latency_seconds_bucket${sel})`);
      assert.ok(Math.abs(Number(median[0]?.value[1]) - 0.05) < 0.05 * 0.03, `median ${median[0]?.value[1]}`);
      const count = await prom.query(`web_latency_seconds_count${sel}`);
      assert.equal(count[0]?.value[1], '100');
      const hits = await prom.query(`web_hits_total${sel}`);
      assert.equal(hits[0]?.value[1], '4');
      const info = await prom.query(`web_build_info{key="version",instance="${instance()}"}`);
      assert.equal(info[0]?.metric.value, '1.0 "rc"');

      // Every other kind, read back.
      const one = async (expr: string) =>
        (await prom.query(expr.endsWith('{}') ? expr.slice(0, -2) + sel : expr.replace(/\}$/, `,instance="${instance()}"}`)))[0]?.value[1];
      assert.equal(await one('kinds_load{}'), '0.25');
      assert.equal(await one('kinds_idle_seconds{quantile="0.99"}'), 'NaN', 'empty window');
      assert.equal(await one('kinds_idle_seconds_count{}'), '0');
      assert.equal(await one('kinds_by_handler_seconds{key="new\\nline",quantile="0.5"}'), '0.5');
      assert.equal(await one('kinds_by_handler_seconds_count{key="le"}'), '1');
      assert.equal(await one('kinds_hits_by_code_total{key="a\\"b"}'), '1');
      assert.ok(Number(await one('kinds_hits_by_code_rate{key="quantile",window="mean"}')) > 0);
      assert.ok(Number(await one('kinds_state{state="busy"}')) >= 0);
      assert.equal(await one('kinds_healthy{}'), '1');
      assert.equal((await prom.query(`kinds_motto_info${sel}`))[0]?.metric.value, 'say "hi"\n\\');
      assert.equal(await one('kinds_nan{}'), 'NaN');
      assert.equal(await one('kinds__img_src_x_onerror_alert_1__{}'), '1');
      assert.equal(await one('kinds_caf____{}'), '2');
      assert.equal(await one('kinds_a_b_c{}'), '3');
      assert.equal(await one('kinds_a_b_c_2{}'), undefined, 'a colliding name is refused at declaration, never renamed');
      assert.equal(await one('kinds_q_uote_{}'), '5', 'a quote and a backslash in the HELP text');
      assert.equal(await one('agg_done_total{}'), '6');
      assert.equal(await one('agg_phase{key="p\\"0"}'), '2');
      assert.equal(await one('agg_per_key_total{key="k\\n"}'), '3');
      assert.equal(await one('hidden_n_total{}'), '6', 'collapsed containers are scraped');
    });
  }

  it('ingests every sample line of the exposition', async () => {
    const body = await (await fetch(`http://${om}/metrics`)).text();
    const lines = body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    assert.ok(lines > 150, `${lines} sample lines`);
    for (const instance of [om, text]) {
      const scraped = await prom.waitFor(`scrape_samples_scraped{instance="${instance}"}`, (r) => r[0].value[1] === String(lines), 30_000);
      assert.equal(scraped[0]?.value[1], String(lines), `${instance}: samples Prometheus scraped`);
      const stored = await prom.query(`count({instance="${instance}",__name__!~"up|scrape_.*"})`);
      assert.equal(stored[0]?.value[1], String(lines), `${instance}: distinct series stored`);
    }
  });

  it('sees a counter the app increments', async () => {
    web.success += 10;
    const r = await prom.waitFor(`web_success_total{instance="${om}"}`, (s) => s[0].value[1] === '15', 30_000);
    assert.equal(r[0]?.value[1], '15');
  });
});
