// A day of history in a REAL headless Chromium: the overview's six charts drawn from 2,100
// samples each (a day of minutes and an hour at 5 s, made before the first view with a manual
// scheduler). Each line is thinned to the chart's pixel columns (its lowest and
// highest point per column) before it is drawn, so a redraw costs the same for a day
// as for a few minutes. The drawing times (the page's `scales-charts` measures: the first draw
// and the redraws after live polls) are written to artifacts/chart-timings.json.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import * as scales from 'scales-metrics';
import { createStatusHandler, type StatusHandler } from 'scales-metrics/http';
import { launchChromium } from '../helpers/chromium.js';
import { ManualScheduler } from '../helpers/manual-scheduler.js';

const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

const PERIOD = 5000;
/** A day of minutes (1,440 coarse points) plus the hour at 5 s (720 fine ones). */
const SAMPLES = 720 + 1440 * 12;

describe('a day of history in Chromium', { timeout: 300_000 }, () => {
  const registry = new scales.Registry();
  const S = registry.collection('/http', scales.intDictStat('requests'), scales.intStat('errors'), scales.namedPmfDictStat('latency'));
  const P = registry.collection('/process/memory', scales.doubleStat('heapUsedBytes'));
  const C = registry.collection('/process/cpu', scales.doubleStat('utilization'));
  const E = registry.collection('/process/eventLoop', scales.pmfStat('delaySeconds'));
  const scheduler = new ManualScheduler(Date.now() - SAMPLES * PERIOD);
  let handler: StatusHandler;
  let server: http.Server;
  let url: string;
  let browser: Browser;

  before(async () => {
    handler = createStatusHandler({ source: registry, serverName: 'day-test', liveIntervalMs: 200, history: { intervalMs: PERIOD, scheduler } });
    server = http.createServer((req, res) => {
      void handler.handle({ method: req.method ?? 'GET', url: req.url ?? '/', header: (n) => req.headers[n] as string | undefined }).then((r) => {
        if (!r) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(r.status, r.headers).end(r.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status/`;
    // A day of app time: noisy traffic with a burst of errors and slow requests now and then.
    let seed = 1;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 1; i <= SAMPLES; i++) {
      S.requests['GET /a'] += 20 + Math.floor(rnd() * 20);
      if (i % 997 < 12) S.errors += 1 + Math.floor(rnd() * 5);
      S.latency['GET /a'].record(0.01 + rnd() * 0.02 + (i % 1500 < 10 ? 0.5 : 0));
      E.delaySeconds.record(0.001 + rnd() * 0.004);
      P.heapUsedBytes = (80 + 40 * Math.sin(i / 500) + rnd() * 10) * 2 ** 20;
      C.utilization = 0.2 + rnd() * 0.3;
      scheduler.advance(PERIOD);
      await handler.sampler!.sample();
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    handler?.close();
    await new Promise((r) => server?.close(r));
  });

  it('draws six charts of 2,100 points thinned to their pixel columns, and times the redraws', async (t) => {
    const hist = (await (await fetch(url + '?format=history')).json()) as { t: number[]; coarse: number };
    assert.equal(hist.t.length, 2100, 'the coarse points older than the hour at 5 s, then that hour');
    assert.equal(hist.coarse, 1380);
    const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    assert.equal(await page.locator('.overview .chart svg').count(), 6);
    // Ten redraws after live polls (each poll appends a point and redraws every chart). Two
    // measures: the page's own `scales-charts` (the script building the SVG), and Chromium's
    // main-thread time over those polls (DevTools' Performance metrics: script, style, layout and
    // paint of the redraws, plus the small fetch of each poll), per poll.
    await page.waitForFunction(() => performance.getEntriesByName('scales-charts').length >= 2, null, { timeout: 30_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const m0 = await metrics();
    const n0 = await page.evaluate(() => performance.getEntriesByName('scales-charts').length);
    await page.waitForFunction((n) => performance.getEntriesByName('scales-charts').length >= n + 10, n0, { timeout: 30_000 });
    const m1 = await metrics();
    const n1 = await page.evaluate(() => performance.getEntriesByName('scales-charts').length);
    const perPoll = (k: string): number => Math.round(((m1[k] - m0[k]) * 1000 * 10) / (n1 - n0)) / 10;
    const ms = await page.evaluate(() => performance.getEntriesByName('scales-charts').map((e) => e.duration));
    const redraws = ms.slice(1).sort((a, b) => a - b);
    const timings = {
      firstDrawMs: ms[0],
      redrawMedianMs: redraws[Math.floor(redraws.length / 2)],
      redrawMinMs: redraws[0],
      mainThreadPerPollMs: {
        task: perPoll('TaskDuration'),
        script: perPoll('ScriptDuration'),
        layout: perPoll('LayoutDuration'),
        style: perPoll('RecalcStyleDuration'),
      },
    };
    writeFileSync(ARTIFACTS + 'chart-timings.json', JSON.stringify(timings, null, 2) + '\n');
    t.diagnostic(`chart drawing, 6 charts x 2,100 points: ${JSON.stringify(timings)}`);
    // Every line holds at most 2 points a pixel column of its plot, not 2,100.
    const sizes = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.overview .chart')).map((c) => {
        const svg = c.querySelector('svg')!;
        const d = c.querySelector('path.ln')?.getAttribute('d') ?? '';
        return { width: Number(svg.getAttribute('width')), points: d.split(/[ML]/).filter((p) => p.trim() !== '').length };
      }),
    );
    for (const s of sizes) assert.ok(s.points > 50 && s.points <= 2 * s.width, JSON.stringify(sizes));
    await page.screenshot({ path: ARTIFACTS + 'charts-day.png', fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('draws the day at 1,100 px in dark mode and at 400 px in light mode, nothing scrolling sideways', async () => {
    for (const [width, colorScheme, shot] of [
      [1100, 'dark', 'charts-day-dark.png'],
      [400, 'light', 'charts-day-400px-light.png'],
    ] as const) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('.overview .chart path.band', { state: 'attached' });
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(scroll <= client, `${width} px: ${scroll} px wide`);
      await page.screenshot({ path: ARTIFACTS + shot, fullPage: true });
      await context.close();
    }
  });
});
