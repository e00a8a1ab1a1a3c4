// The status page's charts, overview, stat pages, folding, narrow screens and dark mode in a
// REAL headless Chromium. History is made before the first view by driving the sampler's
// scheduler by hand (no waiting): the charts must show it. Screenshots go to artifacts/ on
// every run (looked at by people, not compared).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as scales from 'scales-metrics';
import { serveInBackground, type StatusServer } from 'scales-metrics/http';
import { launchChromium } from '../helpers/chromium.js';
import { ManualScheduler } from '../helpers/manual-scheduler.js';

/** How long to wait for the page to show something (Playwright's own default): each wait ends as soon as it does, and Chromium on a loaded 2-core machine can take seconds. */
const WAIT_MS = 30_000;

const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

const PERIOD = 5000;
const SAMPLES = 40;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('status page charts in Chromium', { timeout: 180_000 }, () => {
  const registry = new scales.Registry();
  const http = registry.collection(
    '/http',
    scales.intDictStat('requests'),
    scales.intStat('errors'),
    scales.namedPmfDictStat('latency'),
    scales.intStat('queueDepth'),
  );
  const runtime = scales.collectRuntimeStats({ registry });
  // The history's clock ends about now, so that the live polls (real time) extend it.
  const scheduler = new ManualScheduler(Date.now() - SAMPLES * PERIOD);
  let server: StatusServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let traffic: ReturnType<typeof setInterval> | undefined;

  before(async () => {
    server = await serveInBackground(0, {
      source: registry,
      serverName: 'charts-test',
      liveIntervalMs: 250,
      history: { intervalMs: PERIOD, scheduler },
      thresholds: { slowSeconds: 0.25 },
    });
    // 40 samples (200 s of app time) of traffic before anyone opens the page: a steady request
    // rate, errors from the 30th sample on, one slow route.
    for (let i = 1; i <= SAMPLES; i++) {
      http.requests['GET /a'] += 10;
      http.requests['GET /slow'] += 2;
      if (i >= 30) http.errors += 3;
      for (let k = 0; k < 20; k++) http.latency['GET /a'].record(0.01 + k / 2000);
      for (let k = 0; k < 5; k++) http.latency['GET /slow'].record(0.4 + k / 100);
      scheduler.advance(PERIOD);
      await until(`history sample ${i}`, async () => {
        const r = await fetch(server.url + '?format=history');
        return ((await r.json()) as { t: number[] }).t.length === i;
      });
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  });
  after(async () => {
    clearInterval(traffic);
    runtime.stop();
    await browser?.close();
    await server?.close();
  });

  it('shows the overview with charts of the history from before the first view, and the CSP header', async () => {
    const res = await page.goto(server.url);
    const csp = res!.headers()['content-security-policy'];
    assert.match(csp, /script-src 'sha256-[^']+'/);
    assert.match(csp, /default-src 'none'/);
    const titles = await page.locator('.overview .chart-title').allTextContents();
    for (const t of ['Requests', 'Errors', 'p99 latency (slowest route: GET /slow)', 'Event-loop delay p99', 'Heap used', 'CPU (of one core)']) {
      assert.ok(titles.includes(t), `overview has ${t}: ${titles}`);
    }
    // The requests chart: a rate line through the 40 samples taken before the page was opened.
    const d = await page.locator('[data-chart="0"] path.ln.s0').getAttribute('d');
    const points = (d ?? '').split(/[ML]/).filter((p) => p.trim() !== '').length;
    assert.ok(points >= SAMPLES - 2, `requests chart has ${points} points`);
    const legend = await page.locator('[data-chart="0"] .legend').textContent();
    assert.match(legend!, /Requests 2\.4\/s|Requests [\d.]+\/s/);
    // Errors above their threshold (0/s) from the 30th sample on: part of the line lies above the
    // threshold line (drawn again in red there), part below.
    const errorsY = await page.evaluate(() => {
      const chart = document.querySelector('[data-chart="1"]')!;
      const ty = Number(chart.querySelector('line.threshold')!.getAttribute('y1'));
      const ys = (chart.querySelector('path.ln.s0')!.getAttribute('d') ?? '')
        .split(/[ML]/)
        .filter((p) => p.trim() !== '')
        .map((p) => Number(p.trim().split(' ')[1]));
      return { above: ys.filter((y) => y < ty).length, below: ys.filter((y) => y >= ty).length, red: chart.querySelectorAll('path.ln.bad').length };
    });
    assert.ok(errorsY.above >= 8 && errorsY.below >= 25 && errorsY.red === 1, JSON.stringify(errorsY));
    // The errors also as a share of the requests: 3 of 12 a sample, 25%.
    // (Hovered, the chart is no longer redrawn by the polls.)
    await page.locator('[data-chart="1"] svg').hover({ position: { x: 300, y: 70 } });
    assert.match((await page.locator('[data-chart="1"] .tip').textContent())!, /Errors 0\.6\/s \(25% of requests\)$/);
    await page.mouse.move(0, 0);
    // The slow route's p99 (about 440 ms) is over 250 ms: its legend says so; the requests' has no threshold.
    assert.equal(await page.locator('[data-chart="2"] .lg.bad').count(), 1, 'p99 legend marked');
    assert.equal(await page.locator('[data-chart="0"] .lg.bad').count(), 0);
    await page.screenshot({ path: ARTIFACTS + 'charts-overview.png', fullPage: true });
  });

  it('shows the value and time under the pointer, and from the keyboard', async () => {
    await page.goto(server.url);
    const svg = page.locator('[data-chart="0"] svg');
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const tip = page.locator('[data-chart="0"] .tip');
    await tip.waitFor({ state: 'visible' });
    const text = (await tip.textContent())!;
    assert.match(text, /^\d\d:\d\d:\d\d {2}Requests [\d,.]+\/s$/, text);
    // Polls keep coming (every 250 ms): the chart under the pointer stays as it is.
    await page.waitForRequest(/format=live/);
    await page.waitForRequest(/format=live/);
    assert.equal(await tip.isVisible(), true, 'still shown after polls');
    await page.mouse.move(0, 0);
    // Keyboard: Tab reaches the charts; arrows move the cursor.
    await svg.focus();
    await tip.waitFor({ state: 'visible' });
    const cursorX = () => page.locator('[data-chart="0"] line.cursor').getAttribute('x1');
    const atEnd = Number(await cursorX());
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.ok(Number(await cursorX()) < atEnd, 'the arrow keys move the cursor back in time');
    assert.match((await tip.textContent())!, /^\d\d:\d\d:\d\d {2}Requests [\d,.]+\/s$/);
  });

  it('gives every stat its own page with its charts (and JSON), reached from the tree', async () => {
    await page.goto(server.url + 'http');
    await Promise.all([page.waitForURL(server.url + 'http/latency'), page.click('a.key:text-is("latency")')]);
    assert.equal(await page.title(), 'charts-test - Status: /http/latency');
    const titles = await page.locator('.chart-title').allTextContents();
    assert.ok(titles.includes('Percentiles over time (GET /slow)'), String(titles));
    assert.ok(titles.includes('Distribution now (log scale) (GET /slow)'), String(titles));
    // The percentiles' lines hold the history; the slow route is over its threshold.
    const p99 = page.locator('.chart', { hasText: 'Percentiles over time (GET /slow)' });
    const d = await p99.locator('path.ln.s1').getAttribute('d');
    assert.ok((d ?? '').split('L').length >= SAMPLES - 2, 'p99 over time from the history');
    assert.ok((await p99.locator('.lg.bad').count()) >= 1);
    const dist = page.locator('.chart', { hasText: 'Distribution now (log scale) (GET /slow)' });
    assert.ok((await dist.locator('rect.bar').count()) >= 2, 'bars from the sketch buckets');
    const bar = dist.locator('rect.bar').first();
    await bar.hover();
    assert.match((await dist.locator('.tip').textContent())!, /^\d+(\.\d+)? ms – \d+(\.\d+)? ms: [\d,]+$/);
    // The distribution follows the live data: slow values recorded now get their bar.
    await page.mouse.move(0, 0);
    const lastLabel = () => dist.locator('text.ax').last().textContent();
    assert.doesNotMatch((await lastLabel())!, / s$/);
    for (let i = 0; i < 10; i++) http.latency['GET /slow'].record(2);
    await until('the distribution to reach 2 s', async () => / s$/.test((await lastLabel()) ?? ''));
    await page.screenshot({ path: ARTIFACTS + 'charts-stat-page.png', fullPage: true });
    const json = (await (await fetch(server.url + 'http/latency?format=json')).json()) as Record<string, Record<string, { count: number }>>;
    assert.deepEqual(Object.keys(json), ['latency']);
    assert.equal(json.latency['GET /a'].count, 800);
    assert.equal((await fetch(server.url + 'http/nope')).status, 404);
  });

  it('filters in display units from the form', async () => {
    await page.goto(server.url + 'http');
    await page.fill('input[name=query]', '99percentile > 250ms');
    await Promise.all([page.waitForURL(/query=/), page.press('input[name=query]', 'Enter')]);
    const cells = await page.locator('main [data-k*="99percentile"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-k')));
    assert.deepEqual(cells, ['["http","latency","GET /slow","99percentile"]']);
    assert.match((await page.locator('main [data-k*="99percentile"]').textContent())!, /^[\d.,]+ m?s$/, 'shown with its unit');
    await page.waitForSelector('main [data-k*="99percentile"].v.bad', { state: 'attached', timeout: WAIT_MS });
    // What a user types: `heap`, not the leaf's exact name; the page says which names it took.
    await page.goto(server.url + 'process');
    await page.fill('input[name=query]', 'heap > 1MB');
    await Promise.all([page.waitForURL(/query=heap/), page.press('input[name=query]', 'Enter')]);
    const kept = await page.locator('main [data-k]').evaluateAll((els) => els.map((e) => e.getAttribute('data-k')));
    assert.deepEqual(kept.sort(), [
      '["process","memory","heapLimitBytes"]',
      '["process","memory","heapTotalBytes"]',
      '["process","memory","heapUsedBytes"]',
    ]);
    assert.match((await page.locator('main [data-k$=\'"heapUsedBytes"]\']').textContent())!, /^[\d.,]+ MiB$/);
    assert.equal(
      await page.locator('#query-note').textContent(),
      'nothing is named "heap": it matched heapLimitBytes, heapSpaces, heapTotalBytes, heapUsedBytes (names with a word starting with it, any case)',
    );
    await page.screenshot({ path: ARTIFACTS + 'charts-filter-heap.png', fullPage: true });
    // An unknown key says so instead of an empty page.
    await page.fill('input[name=query]', 'hepa > 1MB');
    await Promise.all([page.waitForURL(/query=hepa/), page.press('input[name=query]', 'Enter')]);
    assert.match((await page.locator('main p.empty').textContent())!, /^Nothing is named "hepa" or has a word starting with it/);
  });

  it('folds the tree, remembers it in the URL, and marks only values that start moving', async () => {
    await page.goto(server.url);
    await page.locator('details[data-p="http"] > summary').click();
    await page.waitForURL(/fold=http/);
    await page.reload();
    assert.equal(await page.locator('details[data-p="http"]').getAttribute('open'), null, 'folded after a reload');
    assert.notEqual(await page.locator('details[data-p="process"]').getAttribute('open'), null);
    // Keyboard: the summary is focusable and Enter unfolds it.
    await page.locator('details[data-p="http"] > summary').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.searchParams.has('fold'));
    // Traffic: requests change at every poll and are never marked; a value that stood still and
    // then changes is.
    await page.goto(server.url + 'http');
    traffic = setInterval(() => {
      http.requests['GET /a'] += 1;
    }, 50);
    for (let i = 0; i < 6; i++) await page.waitForRequest(/format=live/);
    http.queueDepth += 5;
    await page.waitForSelector('[data-k=\'["http","queueDepth"]\'].moved', { state: 'attached', timeout: WAIT_MS });
    assert.equal(await page.locator('[data-k=\'["http","requests","GET /a"]\'].moved').count(), 0, 'a busy counter is not highlighted');
    clearInterval(traffic);
  });

  it("draws a coarse minute's range as a band under its highest value (a spike inside a minute is not lost)", async () => {
    const reg = new scales.Registry();
    const mem = reg.collection('/process/memory', scales.doubleStat('heapUsedBytes'));
    const clock = new ManualScheduler(Date.now() - 30 * PERIOD);
    // Tiers made small: 4 fine samples, a "minute" of 3: the first 24 samples are coarse points.
    const srv = await serveInBackground(0, {
      source: reg,
      serverName: 'band-test',
      history: { intervalMs: PERIOD, points: 4, coarseEvery: 3, scheduler: clock },
    });
    try {
      for (let i = 1; i <= 30; i++) {
        // 100 MB, with one 5-second spike to 900 MB at sample 11 (inside the 4th minute).
        mem.heapUsedBytes = (i === 11 ? 900 : 100 + (i % 3) * 10) * 1e6;
        clock.advance(PERIOD);
        await until(
          `band sample ${i}`,
          async () => ((await (await fetch(srv.url + '?format=history')).json()) as { t: number[] }).t.length >= Math.min(i, 4),
        );
      }
      await until('30 samples', async () => {
        const h = (await (await fetch(srv.url + '?format=history')).json()) as { t: number[]; coarse: number };
        return h.coarse === 8;
      });
      await page.goto(srv.url);
      const chart = page.locator('[data-chart="0"]');
      assert.equal(await chart.locator('.chart-title').textContent(), 'Heap used');
      assert.equal(await chart.locator('path.band').count(), 1, 'a band over the coarse minutes');
      // The spike is the top of the line: it reaches the top of the plot (y 8..128), the rest lies low.
      const ys = ((await chart.locator('path.ln.s0').getAttribute('d')) ?? '')
        .split(/[ML]/)
        .filter((p) => p.trim() !== '')
        .map((p) => Number(p.trim().split(' ')[1]));
      assert.ok(Math.min(...ys) < 30 && ys.filter((y) => y > 100).length >= ys.length - 1, `line ys: ${ys}`);
      // The keyboard cursor on a coarse point tells its min too.
      await chart.locator('svg').focus();
      for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowLeft');
      assert.match((await chart.locator('.tip').textContent())!, /Heap used [\d.,]+ MiB \(min [\d.,]+ MiB\)$/);
      await page.screenshot({ path: ARTIFACTS + 'charts-band.png', fullPage: true });
    } finally {
      await srv.close();
    }
  });

  it('is usable at 400 px (nothing scrolls sideways) and follows the dark system setting', async () => {
    const narrow = await browser.newContext({ viewport: { width: 400, height: 900 }, colorScheme: 'dark' });
    const p = await narrow.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    for (const [path, shot] of [
      ['', 'charts-400px-overview.png'],
      ['http/latency', 'charts-400px-stat-page.png'],
      ['process', 'charts-400px-process.png'],
    ] as const) {
      await p.goto(server.url + path);
      await p.waitForSelector('.chart svg, main .stat', { state: 'attached' });
      const [scroll, client] = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(scroll <= client, `${path || '/'}: ${scroll} px wide in a ${client} px window`);
      await p.screenshot({ path: ARTIFACTS + shot, fullPage: true });
    }
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(21, 23, 26)', 'dark background from prefers-color-scheme');
    await narrow.close();
    assert.deepEqual(pageErrors, [], 'no script errors, no CSP violations');
  });
});
