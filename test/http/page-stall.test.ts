// The status page with its history on, for 10,000 stats plus runtime and request stats: taking
// a history sample, serving the overview page, a stat's own page, the live data (with and
// without the first poll's history) and the whole history never block the app's event loop for
// long. The worst delay of each is printed next to the machine's idle noise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { createStatusHandler } from 'scales-metrics/http';
import { ManualScheduler } from '../helpers/manual-scheduler.js';
import { worstStallMs } from '../helpers/stall.js';
import { bigRegistry } from './big-tree.js';

/**
 * The longest stall allowed (the target is 10 ms on an idle machine; the tests share 2
 * busy cores), and the most runs taken to see one under it. A stall counts only the time this
 * process had the CPU (see worstStallMs): a loaded machine stretches every run's wall-clock time.
 */
const BOUND_MS = 50;
const MAX_RUNS = 8;

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
      lines.push(`idle for 300 ms: worst event-loop delay ${idle.worst.toFixed(1)} ms (wall clock ${idle.wall.toFixed(1)} ms)`);
      // At least 3 runs each, up to 8 while none was under the bound: another test file starting
      // Prometheus or Chromium on the same 2 cores can take the CPU away for tens of ms at a time;
      // the best run tells what the work itself blocks.
      const sampleRuns: number[] = [];
      for (let i = 0; i < 3 || (i < MAX_RUNS && Math.min(...sampleRuns) >= BOUND_MS); i++) {
        record();
        http.requests['GET /'] += 5;
        http.latency['GET /'].record(0.02);
        sampleRuns.push((await worstStallMs(() => sampler.sample())).worst);
      }
      lines.push(`history sample: worst delay ${Math.min(...sampleRuns).toFixed(1)} ms (runs: ${sampleRuns.map((r) => r.toFixed(1)).join(', ')})`);
      assert.equal(sampler.size, sampler.maxSeries, 'the series cap is reached by a 10,000-stat tree');
      assert.ok(sampler.bytes <= 16 * 1024 * 1024);
      assert.ok(
        Math.min(...sampleRuns) < BOUND_MS,
        `a history sample blocked for ${Math.min(...sampleRuns).toFixed(1)} ms in each of ${sampleRuns.length} runs`,
      );
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
        for (let i = 0; i < 3 || (i < MAX_RUNS && Math.min(...runs) >= BOUND_MS); i++) {
          const run = await worstStallMs(() => handler.handle({ method: 'GET', url, header: () => undefined }));
          assert.equal(run.result?.status, 200, url);
          size = run.result!.body.length;
          runs.push(run.worst);
        }
        const best = Math.min(...runs);
        lines.push(`${url}: ${(size / 1024).toFixed(0)} KiB, worst delay ${best.toFixed(1)} ms (runs: ${runs.map((r) => r.toFixed(1)).join(', ')})`);
        assert.ok(best < BOUND_MS, `${url}: event loop blocked for ${best.toFixed(1)} ms in each of ${runs.length} runs`);
      }
      // The overview page carries the history of its figures.
      const page = (await handler.handle({ method: 'GET', url: '/status/', header: () => undefined }))!.body.toString();
      const data = JSON.parse(page.slice(page.indexOf('id="charts">') + 12, page.indexOf('</script>', page.indexOf('id="charts">'))));
      assert.equal(data.t.length, sampleRuns.length, 'every sample on the time axis');
      assert.deepEqual(
        data.series['["","~overview","requests"]'],
        sampleRuns.map((_, i) => 5 * (i + 1)),
      );
      console.log('10,000 stats with history:\n  ' + lines.join('\n  '));
    } finally {
      handler.close();
      runtime.stop();
    }
  });
});
