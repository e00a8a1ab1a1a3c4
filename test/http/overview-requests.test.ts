// The overview read from the REAL request stats (recordRequests on a real node:http server, with
// labels method/route/status nested in label order): the request rate from the counter, the
// error rate from /http/errors, the p99 of the slowest (method, route) named in its title; and,
// without /http/errors, the error rate from the 5xx statuses of a status-labelled /http/requests.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { createStatusHandler, recordRequests, type StatusHandler } from 'scales-metrics/http';
import { ManualScheduler } from '../helpers/manual-scheduler.js';

const key = (id: string): string => JSON.stringify(['', '~overview', id]);

async function get(h: StatusHandler, url: string): Promise<string> {
  const r = (await h.handle({ method: 'GET', url, header: () => undefined }))!;
  assert.equal(r.status, 200, url);
  return r.body.toString();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('overview from the real request stats', () => {
  const registry = new scales.Registry();
  const app = http.createServer((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('slow'), 60);
    else if (req.url === '/fail') {
      res.statusCode = 500;
      res.end('failed');
    } else res.end('ok');
  });
  const recording = recordRequests(app, { registry, route: (req) => (req.url ?? '/').split('?')[0] });
  const scheduler = new ManualScheduler(1_800_000_000_000);
  const h = createStatusHandler({ source: registry, serverName: 'app', history: { intervalMs: 5000, scheduler } });
  let base = '';

  before(async () => {
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  after(async () => {
    recording.stop();
    h.close();
    await new Promise((r) => app.close(r));
  });

  /** Sends the requests, waits until the stats have counted them all, then takes one history sample. */
  async function round(paths: string[], total: number): Promise<void> {
    for (const p of paths) await (await fetch(base + p)).text();
    await until(`${total} requests counted`, async () => {
      const live = JSON.parse(await get(h, '/status/?format=live')) as { extra: Record<string, number | null> };
      return live.extra[key('requests')] === total;
    });
    scheduler.advance(5000);
    await h.sampler!.sample();
  }

  it('reads the request rate, the error rate and the slowest route from the nested labelled stats', async () => {
    const declared = JSON.parse(await get(h, '/status/http?format=json')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(declared).sort(), ['aborted', 'bytesSent', 'errors', 'inFlight', 'latency', 'requests']);
    await round([...Array(20).fill('/a'), '/slow', '/slow', '/slow', '/fail', '/fail'], 25);
    await round([...Array(10).fill('/a'), '/fail'], 36);
    // The stats nest in label order: {"GET": {"/a": {"200": 30}}}.
    const json = JSON.parse(await get(h, '/status/http/requests?format=json')) as {
      requests: Record<string, Record<string, Record<string, number>>>;
    };
    assert.deepEqual(json.requests.GET['/a'], { '200': 30 });
    assert.deepEqual(json.requests.GET['/fail'], { '500': 3 });
    // The overview's series, sampled by the history: totals per sample (drawn as rates per second).
    const hist = JSON.parse(await get(h, '/status/?format=history')) as { t: number[]; series: Record<string, Array<number | null>> };
    assert.deepEqual(hist.series[key('requests')], [25, 36]);
    assert.deepEqual(hist.series[key('errors')], [2, 3], 'from /http/errors (the 5xx answers)');
    const p99 = hist.series[key('p99')]!;
    assert.ok(
      p99.every((v) => v !== null && v >= 0.055 && v < 5),
      `p99 of the slowest route, about 60 ms: ${p99}`,
    );
    // The page: the three request figures, the slowest route named, each linked to its stat.
    const page = await get(h, '/status/');
    const data = JSON.parse(
      page.slice(page.indexOf('>', page.indexOf('id="charts"')) + 1, page.indexOf('</script>', page.indexOf('id="charts"'))),
    ) as {
      charts: Array<{ title: string; href: string; mode: string; share?: [string, string] }>;
    };
    assert.deepEqual(data.charts[1].share, [key('requests'), 'requests'], 'the errors drawn also as a share of the requests');
    assert.deepEqual(
      data.charts.map((c) => [c.title, c.href, c.mode]),
      [
        ['Requests', '/status/http/requests', 'rate'],
        ['Errors', '/status/http/errors', 'rate'],
        ['p99 latency (slowest route: GET /slow)', '/status/http/latency', 'value'],
      ],
    );
  });

  it('takes the error rate from the 5xx statuses when there is no /http/errors', async () => {
    const reg = new scales.Registry();
    const S = reg.collection('/http', scales.intDictStat('requests', { labels: ['method', 'route', 'status'] }));
    S.$.requests.inc({ method: 'GET', route: '/a', status: 200 }, 5);
    S.$.requests.labels('GET', '/a', 503).inc(2);
    S.$.requests.labels('POST', '/b', 500).inc();
    S.$.requests.labels('POST', '/b', 404).inc();
    const sh = createStatusHandler({ source: reg, history: { scheduler: new ManualScheduler() } });
    try {
      const live = JSON.parse(await get(sh, '/status/?format=live')) as { extra: Record<string, number | null> };
      assert.equal(live.extra[key('requests')], 9);
      assert.equal(live.extra[key('errors')], 3, '503 x2 and 500, not the 404');
      assert.match(await get(sh, '/status/'), /"title":"Errors \(5xx\)","href":"\/status\/http\/requests"/);
    } finally {
      sh.close();
    }
  });
});
