// The status handler's page routes, in process: a stat's own page (HTML, JSON, live, history),
// the history from the handler's creation (no page view needed), the overview's data, ?fold=,
// and the thresholds option checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { createStatusHandler, type StatusHandler } from 'scales-metrics/http';
import { ManualScheduler } from '../helpers/manual-scheduler.js';

async function get(h: StatusHandler, url: string): Promise<{ status: number; body: string; type: string }> {
  const r = (await h.handle({ method: 'GET', url, header: () => undefined }))!;
  return { status: r.status, body: r.body.toString(), type: r.headers['content-type'] ?? '' };
}

/** The charts' data a page carries. */
function chartData(html: string): {
  charts: Array<{ title: string; type: string; keys?: Array<[string, string]> }>;
  t: number[];
  series: Record<string, unknown[]>;
} {
  const start = html.indexOf('<script type="application/json" id="charts">');
  assert.ok(start >= 0, 'the page carries chart data');
  const from = html.indexOf('>', start) + 1;
  return JSON.parse(html.slice(from, html.indexOf('</script>', from)));
}

function setup(options: { live?: boolean } = {}) {
  const registry = new scales.Registry();
  const web = registry.collection('/web', scales.pmfStat('latency'), scales.intStat('latencyX'), scales.intStat('errors'));
  registry.collection('/web/api', scales.intStat('calls'));
  const http = registry.collection('/http', scales.intDictStat('requests'), scales.intStat('errors'));
  const scheduler = new ManualScheduler(1_800_000_000_000);
  const h = createStatusHandler({ source: registry, history: { intervalMs: 1000, scheduler }, live: options.live });
  return { registry, web, http, scheduler, h };
}

describe('status page routes', () => {
  it('samples from the handler creation on, with no page view', async () => {
    const { web, http, scheduler, h } = setup();
    try {
      assert.equal(scheduler.pending, 1, 'the timer runs before any request');
      for (let i = 1; i <= 3; i++) {
        web.errors += 1;
        http.requests['GET /'] += 10;
        scheduler.advance(1000);
        await h.sampler!.sample();
      }
      const hist = JSON.parse((await get(h, '/status/web?format=history')).body);
      assert.deepEqual(hist.t, [1_800_000_001_000, 1_800_000_002_000, 1_800_000_003_000]);
      assert.deepEqual(hist.series['["web","errors"]'], [1, 2, 3]);
      assert.equal(hist.series['["http","requests","GET /"]'], undefined, 'only the subtree asked for');
      const stat = JSON.parse((await get(h, '/status/web/latency?format=history')).body);
      assert.ok(Object.keys(stat.series).length > 5);
      assert.ok(
        Object.keys(stat.series).every((k) => k.startsWith('["web","latency",')),
        'the stat only, not latencyX',
      );
      // The root page: the overview's figures with their history (requests as a counter, drawn as a rate).
      const page = await get(h, '/status/');
      const data = chartData(page.body);
      assert.deepEqual(
        data.charts.map((c) => c.title),
        ['Requests', 'Errors'],
      );
      assert.deepEqual(data.series['["","~overview","requests"]'], [10, 20, 30]);
      const live = JSON.parse((await get(h, '/status/?format=live')).body);
      assert.deepEqual(live.extra, { '["","~overview","requests"]': 30, '["","~overview","errors"]': 0 });
    } finally {
      h.close();
    }
    assert.equal(scheduler.pending, 0, 'closed: no timer left');
  });

  it("answers a stat's own page as HTML (all fields, its charts), JSON and live data; 404 for neither", async () => {
    const { web, h } = setup();
    try {
      for (let i = 1; i <= 50; i++) web.latency.record(i / 1000);
      const page = await get(h, '/status/web/latency');
      assert.equal(page.status, 200);
      assert.match(page.body, /<title>[^<]* - Status: \/web\/latency<\/title>/);
      assert.match(page.body, /<h1>latency <small>\(pmf\)<\/small><\/h1>/);
      assert.ok(page.body.includes('<table class="obj pmf">'), 'every field in a table, not a row');
      assert.ok(page.body.includes(`data-k='["web","latency","lifetime","count"]'`));
      assert.ok(!page.body.includes('latencyX'), 'only the stat');
      const titles = chartData(page.body).charts.map((c) => c.title);
      assert.deepEqual(titles, ['Percentiles over time', 'Rate per second', 'Distribution now (log scale)']);
      const json = JSON.parse((await get(h, '/status/web/latency?format=json')).body);
      assert.deepEqual(Object.keys(json), ['latency']);
      assert.equal(json.latency.count, 50);
      const live = JSON.parse((await get(h, '/status/web/latency?format=live')).body);
      assert.equal(live.values['["web","latency","lifetime","count"]'], 50, 'live data in full, as the page shows it');
      const tree = JSON.parse((await get(h, '/status/web?format=live')).body);
      assert.equal(tree.values['["web","latency","lifetime","count"]'], undefined, 'the tree shows the row only');
      assert.equal(tree.values['["web","latency","99percentile"]'], 0.05);
      // With the distribution as it is now, for the page to redraw its bars.
      const total = (bars: Array<[number, number, number]>) => bars.reduce((n, b) => n + b[2], 0);
      assert.equal(total(live.bars[0]), 50);
      web.latency.record(2);
      const later = JSON.parse((await get(h, '/status/web/latency?format=live')).body);
      assert.equal(total(later.bars[0]), 51);
      assert.ok(later.bars[0].at(-1)[1] >= 2, 'the new slow value has its bar');
      const nf = await get(h, '/status/web/nope');
      assert.equal(nf.status, 404);
      assert.match(nf.body, /no stats at "\/web\/nope"/);
      assert.equal((await get(h, '/status/web/latency/median')).status, 404);
    } finally {
      h.close();
    }
  });

  it('without a history (live: false) a stat page draws only its distribution', async () => {
    const { web, h } = setup({ live: false });
    try {
      web.latency.record(0.01);
      const page = await get(h, '/status/web/latency');
      assert.deepEqual(
        chartData(page.body).charts.map((c) => c.type),
        ['bars'],
      );
      assert.equal((await get(h, '/status/web?format=history')).status, 404);
    } finally {
      h.close();
    }
  });

  it('folds the containers named by ?fold=', async () => {
    const { h } = setup();
    try {
      const page = (await get(h, '/status/?fold=' + encodeURIComponent('web/api,http'))).body;
      assert.ok(page.includes('<details class="container" data-p="web" open>'));
      assert.ok(page.includes('<details class="container" data-p="web/api">'), 'folded');
      assert.ok(page.includes('<details class="container" data-p="http">'), 'folded');
    } finally {
      h.close();
    }
  });

  it('says what a filter key matched, and that an unknown key matched nothing', async () => {
    const { web, h } = setup();
    try {
      web.errors += 2;
      web.latencyX += 7;
      const page = (await get(h, '/status/?query=' + encodeURIComponent('latencyx > 5'))).body;
      assert.match(page, /<p class="qnote" id="query-note">nothing is named &quot;latencyx&quot;: it matched latencyX \(names with a word/);
      assert.match(page, /data-k='\["web","latencyX"\]'/);
      const json = JSON.parse((await get(h, '/status/?format=json&query=' + encodeURIComponent('api'))).body);
      assert.deepEqual(json, { web: { api: { calls: 0 } } }, 'a container matched by name');
      const none = (await get(h, '/status/?query=nosuch')).body;
      assert.match(none, /<p class="empty">Nothing is named &quot;nosuch&quot; or has a word starting with it/);
      assert.doesNotMatch(none, /id="query-note"/);
      const failed = (await get(h, '/status/web?query=' + encodeURIComponent('errors > 5'))).body;
      assert.match(failed, /<p class="empty">No value of errors is &gt; 5\.<\/p>/);
    } finally {
      h.close();
    }
  });

  it("serves each coarse minute's highest and lowest value: the history JSON, and the band of a chart of one value", async () => {
    const registry = new scales.Registry();
    const mem = registry.collection('/process/memory', scales.doubleStat('heapUsedBytes'));
    const scheduler = new ManualScheduler(0);
    const h = createStatusHandler({ source: registry, history: { intervalMs: 1000, points: 2, coarseEvery: 3, coarsePoints: 10, scheduler } });
    try {
      // Two "minutes" of 3 samples: a spike to 900 MB in the first, a dip to 1 MB in the second; then 2 more.
      for (const v of [100, 900, 100, 100, 1, 100, 100, 100]) {
        mem.heapUsedBytes = v * 1e6;
        scheduler.advance(1000);
        await h.sampler!.sample();
      }
      const hist = JSON.parse((await get(h, '/status/process?format=history')).body);
      assert.deepEqual(hist.t, [3000, 6000, 7000, 8000]);
      assert.equal(hist.coarse, 2);
      assert.deepEqual(hist.series['["process","memory","heapUsedBytes"]'], [900e6, 100e6, 100e6, 100e6]);
      assert.deepEqual(hist.min['["process","memory","heapUsedBytes"]'], [100e6, 1e6]);
      const data = chartData((await get(h, '/status/')).body) as ReturnType<typeof chartData> & { lo: Record<string, unknown[]> };
      assert.deepEqual(
        data.charts.map((c) => c.title),
        ['Heap used'],
      );
      assert.deepEqual(data.series['["","~overview","heap"]'], [900e6, 100e6, 100e6, 100e6]);
      assert.deepEqual(data.lo['["","~overview","heap"]'], [100e6, 1e6], "the overview's band");
    } finally {
      h.close();
    }
  });

  it('checks the thresholds option', () => {
    assert.throws(() => createStatusHandler({ thresholds: { slow: 1 } as never }), /unknown threshold "slow"/);
    assert.throws(() => createStatusHandler({ thresholds: { slowSeconds: -1 } }), /invalid threshold slowSeconds: -1/);
  });
});
