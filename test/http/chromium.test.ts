// The status page in a REAL headless Chromium (playwright-core + /usr/bin/chromium): the tree
// renders, a filter narrows it, a collapsed link navigates, the live view updates a counter in
// place and draws sparklines, a hostile stat name stays text, the page works without JS.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import * as scales from 'scales-metrics';
import { serveInBackground, type StatusServer } from 'scales-metrics/http';
import { launchChromium } from '../helpers/chromium.js';

/** How long to wait for the page to show something (Playwright's own default): each wait ends as soon as it does, and Chromium on a loaded 2-core machine can take seconds. */
const WAIT_MS = 30_000;

const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/', import.meta.url));
const XSS = '<img src=x onerror=alert(1)>';

describe('status page in Chromium', { timeout: 120_000 }, () => {
  const registry = new scales.Registry();
  const web = registry.collection(
    '/web',
    scales.intStat('requests'),
    scales.intStat(XSS),
    scales.pmfStat('latency'),
    scales.meterStat('hits'),
    scales.intDictStat('byPath'),
  );
  const api = registry.collection('/web/api', scales.intStat('calls'));
  const db = registry.collection('/db', scales.intStat('queries'));
  registry.setCollapsed('/db', true);
  web.requests += 1;
  web[XSS] += 1;
  web.byPath['/home'] += 12345;
  for (let i = 1; i <= 200; i++) web.latency.record(i / 4000);
  web.hits.mark(3);
  api.calls += 2;
  db.queries += 9;

  let server: StatusServer;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    server = await serveInBackground(0, {
      source: registry,
      serverName: 'browser-test',
      liveIntervalMs: 250,
      history: { intervalMs: 250 },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders the tree, sorted, with title, breadcrumbs and formatted numbers', async () => {
    await page.goto(server.url);
    assert.equal(await page.title(), 'browser-test - Status: /');
    const keys = await page.locator('main > .level > .container > summary, main > .level > .collapsed').allTextContents();
    assert.deepEqual(keys, ['web', 'db']);
    const webKeys = await page.locator('main > .level > .container > .level > .stat > .key').allTextContents();
    assert.deepEqual(webKeys, [...webKeys].sort());
    assert.equal(await page.locator('[data-k=\'["web","byPath","/home"]\']').textContent(), '12,345');
    assert.match((await page.locator('[data-k=\'["web","latency","median"]\']').textContent())!, / ms$/);
    // Meters (hits) and pmfs (latency) as one row of their main figures (all of them on the stat's own page).
    assert.deepEqual(await page.locator('.stat > .row > i').allTextContents(), ['count', 'm1', 'm5', 'm15', 'n', 'p50', 'p95', 'p99', 'max']);
  });

  it('shows a hostile stat name as text and runs nothing', async () => {
    await page.goto(server.url + 'web');
    assert.equal(await page.locator('.key', { hasText: XSS }).count(), 1);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  it('narrows the tree with the filter form', async () => {
    await page.goto(server.url);
    const before = await page.locator('.stat').count();
    await page.fill('input[name=query]', 'calls > 1');
    await Promise.all([page.waitForURL(/query=calls/), page.press('input[name=query]', 'Enter')]);
    const keys = await page.locator('.stat > .key').allTextContents();
    assert.deepEqual(keys, ['calls']);
    assert.ok(before > 5, `the unfiltered page had ${before} stats`);
    assert.equal(await page.inputValue('input[name=query]'), 'calls > 1');
    await page.fill('input[name=query]', 'calls > 5');
    await Promise.all([page.waitForURL(/query=calls/), page.press('input[name=query]', 'Enter')]);
    assert.equal(await page.locator('.empty').textContent(), 'No value of calls is > 5.');
  });

  it('follows a collapsed container link', async () => {
    await page.goto(server.url);
    await Promise.all([page.waitForURL(server.url + 'db'), page.click('a:text-is("db")')]);
    assert.equal(await page.title(), 'browser-test - Status: /db');
    assert.equal(await page.locator('[data-k=\'["db","queries"]\']').textContent(), '9');
    await Promise.all([page.waitForURL(server.url), page.click('nav.crumbs a:text-is("/")')]);
  });

  it('updates a counter in place, draws sparklines, and pauses', async () => {
    // The page's timers run on Playwright's clock: real time, until the test moves it by hand.
    await page.clock.install();
    await page.goto(server.url + 'web');
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });
    const cell = page.locator('[data-k=\'["web","requests"]\']');
    assert.equal(await cell.textContent(), '1');
    web.requests += 1233;
    await page.waitForFunction(() => document.querySelector('[data-k=\'["web","requests"]\']')?.textContent === '1,234', null, {
      timeout: WAIT_MS,
    });
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no full reload');
    assert.equal(await cell.getAttribute('title'), '1234');
    await page.waitForSelector('svg.spark polyline[points*=" "]', { state: 'attached', timeout: WAIT_MS });
    const line = await page.locator('[data-k=\'["web","requests"]\'] + svg.spark polyline').getAttribute('points');
    assert.ok(line && line.split(' ').length >= 2, `the requests sparkline has points: ${line}`);
    assert.match((await page.locator('#live-status').textContent())!, /^live · updated/);
    await page.screenshot({ path: ARTIFACTS + 'status-page.png', fullPage: true });

    await page.click('#live-toggle');
    assert.equal(await page.locator('#live-toggle').textContent(), 'Resume');
    // Count the live polls the page starts from now on (fetch is looked up at each call).
    await page.evaluate(() => {
      const w = window as unknown as { livePolls: number; fetch: typeof fetch };
      const real = w.fetch.bind(w);
      w.livePolls = 0;
      w.fetch = (input, init) => {
        if (String(input).includes('format=live')) w.livePolls++;
        return real(input, init);
      };
    });
    web.requests += 1;
    await page.clock.runFor(1000); // 4 poll periods of page time, every due timer fired
    assert.equal(await page.evaluate(() => (window as unknown as { livePolls: number }).livePolls), 0, 'no polling while paused');
    assert.equal(await cell.textContent(), '1,234');
    await page.click('#live-toggle');
    await page.waitForFunction(() => document.querySelector('[data-k=\'["web","requests"]\']')?.textContent === '1,235', null, {
      timeout: WAIT_MS,
    });
    assert.deepEqual(pageErrors, [], 'no script errors, no CSP violations');
  });

  it('works without JavaScript (static tree, no live bar)', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const p = await ctx.newPage();
    await p.goto(server.url + 'web');
    assert.equal(await p.locator('[data-k=\'["web","requests"]\']').textContent(), '1,235');
    assert.equal(await p.locator('#live').isVisible(), false);
    await Promise.all([
      p.waitForURL(/query=requests/),
      (async () => {
        await p.fill('input[name=query]', 'requests');
        await p.press('input[name=query]', 'Enter');
      })(),
    ]);
    assert.deepEqual(await p.locator('.stat > .key').allTextContents(), ['requests']);
    await ctx.close();
  });

  it('shows stats and dict keys created after the page loaded, without a reload', async () => {
    await page.goto(server.url + 'web');
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 7;
    });
    await page.waitForSelector('svg.spark', { state: 'attached', timeout: WAIT_MS });
    // While the keys stay the same, the page is not fetched again (only the live data is).
    const refetches: string[] = [];
    const onRequest = (r: { url(): string; resourceType(): string }) => {
      if (r.resourceType() === 'fetch' && !r.url().includes('format=live')) refetches.push(r.url());
    };
    page.on('request', onRequest);
    for (let i = 0; i < 3; i++) await page.waitForRequest(/format=live/);
    assert.deepEqual(refetches, []);
    assert.equal(await page.locator('[data-k=\'["web","byPath","/new"]\']').count(), 0);
    web.byPath['/new'] += 5;
    const late = registry.collection('/web/late', scales.intStat('jobs'));
    late.jobs += 3;
    await page.waitForFunction(
      () =>
        document.querySelector('[data-k=\'["web","byPath","/new"]\']')?.textContent === '5' &&
        document.querySelector('[data-k=\'["web","late","jobs"]\']')?.textContent === '3',
      null,
      { timeout: WAIT_MS },
    );
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 7, 'no full reload');
    page.off('request', onRequest);
    assert.ok(refetches.length >= 1 && refetches.every((u) => u === server.url + 'web'), `tree fetched again: ${refetches}`);
    // The swapped-in tree keeps updating and gets its sparklines back.
    late.jobs += 1;
    await page.waitForFunction(() => document.querySelector('[data-k=\'["web","late","jobs"]\']')?.textContent === '4', null, {
      timeout: WAIT_MS,
    });
    await page.waitForSelector('[data-k=\'["web","requests"]\'] + svg.spark', { state: 'attached', timeout: WAIT_MS });
    // A key that vanishes (auto-deleted, reset) leaves the page too.
    registry.remove('/web/late');
    await page.waitForFunction(() => document.querySelector('[data-k=\'["web","late","jobs"]\']') === null, null, { timeout: WAIT_MS });
    assert.deepEqual(pageErrors, [], 'no script errors, no CSP violations');
  });
});

mkdirSync(ARTIFACTS, { recursive: true });
