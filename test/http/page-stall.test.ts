// The status page with its history on, for 10,000 stats plus runtime and request stats: taking
// a history sample, serving the overview page, a stat's own page, the live data (with and
// without the first poll's history) and the whole history never block the app's event loop for
// long. The worst delay of each is printed next to the machine's idle noise.
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { createStatusHandler } from 'scales-metrics/http';
import { ManualScheduler } from '../helpers/manual-scheduler.js';
import { bigRegistry } from './big-tree.js';

/** The worst event-loop stall while `fn` runs, in ms (Node's delay monitor and the longest gap between a 1 ms interval's ticks). */
async function worstStallMs<T>(fn: () => Promise<T>): Promise<{ result: T; worst: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let gap = 0;
  const iv = setInterval(() => {
    const t = performance.now();
    gap = Math.max(gap, t - last);
    last = t;
  }, 1);
  h.enable();
  try {
    const result = await fn();
    gap = Math.max(gap, performance.now() - last);
    return { result, worst: Math.max(gap, h.max / 1e6) };
  } finally {
    h.disable();
    clearInterval(iv);
  }
}

describe('status page with history, 10,000 stats', { timeout: 120_000 }, () => {
  it('never blocks the event loop for long while sampling or serving', async () => {
    const { registry, record } = bigRegistry(10_000);
    const http = registry.collection('/http', scales.intDictStat('requests'), scales.intStat('errors'), scales.namedPmfDictStat('latency'));
    const runtime = scales.collectRuntimeStats({ registry });
    const scheduler = new ManualScheduler(Date.now() - 60_000);
    const handler = createStatusHandler({ source: registry, history: { scheduler } });
    const sampler = handler.sampler!;
    const lines: string[] = [];
    try {
      const idle = await worstStallMs(() => new Promise((resolve) => setTimeout(resolve, 300)));
      lines.push(`idle for 300 ms: worst event-loop delay ${idle.worst.toFixed(1)} ms`);
      const sampleRuns: number[] = [];
      for (let i = 0; i < 3; i++) {
        record();
        http.requests['GET /'] += 5;
        http.latency['GET /'].record(0.02);
        sampleRuns.push((await worstStallMs(() => sampler.sample())).worst);
      }
      lines.push(`history sample: worst delay ${Math.min(...sampleRuns).toFixed(1)} ms (runs: ${sampleRuns.map((r) => r.toFixed(1)).join(', ')})`);
      assert.equal(sampler.size, sampler.maxSeries, 'the series cap is reached by a 10,000-stat tree');
      assert.ok(sampler.bytes <= 16 * 1024 * 1024);
      assert.ok(Math.min(...sampleRuns) < 50, `a history sample blocked for ${Math.min(...sampleRuns).toFixed(1)} ms in each of 3 runs`);
      const urls = [
        '/status/',
        '/status/?format=live&history=1',
        '/status/?format=live',
        '/status/http/latency',
        '/status/?format=history',
        '/status/svc1?fold=group1',
      ];
      for (const url of urls) {
        const runs: number[] = [];
        let size = 0;
        for (let i = 0; i < 3; i++) {
          const run = await worstStallMs(() => handler.handle({ method: 'GET', url, header: () => undefined }));
          assert.equal(run.result?.status, 200, url);
          size = run.result!.body.length;
          runs.push(run.worst);
        }
        const best = Math.min(...runs);
        lines.push(`${url}: ${(size / 1024).toFixed(0)} KiB, worst delay ${best.toFixed(1)} ms (runs: ${runs.map((r) => r.toFixed(1)).join(', ')})`);
        assert.ok(best < 50, `${url}: event loop blocked for ${best.toFixed(1)} ms in each of 3 runs`);
      }
      // The overview page carries the history of its figures.
      const page = (await handler.handle({ method: 'GET', url: '/status/', header: () => undefined }))!.body.toString();
      const data = JSON.parse(page.slice(page.indexOf('id="charts">') + 12, page.indexOf('</script>', page.indexOf('id="charts">'))));
      assert.equal(data.t.length, 3, 'three samples on the time axis');
      assert.deepEqual(data.series['["","~overview","requests"]'], [5, 10, 15]);
      console.log('10,000 stats with history:\n  ' + lines.join('\n  '));
    } finally {
      handler.close();
      runtime.stop();
    }
  });
});
