// /metrics through the package: only the Prometheus text formats are served there; any other
// ?format= is a 400 naming the value (as on the status pages), never Prometheus text with a 200.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { createStatusHandler } from 'scales-metrics/http';

describe('/metrics ?format=', () => {
  const registry = new scales.Registry();
  registry.collection('/app', scales.intStat('n')).$.n.inc(3);
  const h = createStatusHandler({ source: registry, metricsPath: '/metrics', live: false });
  after(() => h.close());
  const get = async (path: string) => {
    const res = await h.fetch(new Request('http://127.0.0.1' + path));
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };

  it('serves Prometheus text with no format or format=prometheus, OpenMetrics with format=openmetrics', async () => {
    for (const path of ['/metrics', '/metrics?format=prometheus']) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.type, 'text/plain; version=0.0.4; charset=utf-8', path);
      assert.match(r.body, /^app_n_total 3$/m, path);
    }
    const om = await get('/metrics?format=openmetrics');
    assert.equal(om.status, 200);
    assert.match(om.type ?? '', /^application\/openmetrics-text/);
    assert.match(om.body, /# EOF\n$/);
  });

  it('answers 400 naming any other format', async () => {
    for (const f of ['bogus', 'json', 'html', 'live', '', 'Prometheus']) {
      const r = await get(`/metrics?format=${encodeURIComponent(f)}`);
      assert.equal(r.status, 400, `format=${f}`);
      assert.ok(r.body.includes(`unknown format ${JSON.stringify(f)}`), r.body);
      assert.match(r.body, /use prometheus or openmetrics/);
      assert.doesNotMatch(r.body, /app_n/);
    }
  });
});
