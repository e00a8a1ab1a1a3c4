// Load and event-loop tests: autocannon on loopback against ?format=json of a 1,000-stat tree
// while the app keeps recording; the worst event-loop delay while rendering 10,000 stats.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import autocannon from 'autocannon';
import * as scales from 'scales-metrics';
import { bigRegistry } from './big-tree.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function cannon(url: string, seconds: number) {
  return autocannon({ url, connections: 4, duration: seconds });
}

describe('load', { timeout: 120_000 }, () => {
  const servers: scales.StatusServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('autocannon on ?format=json of 1,000 stats while the app records: no errors, heap stable', async () => {
    const { registry, record } = bigRegistry(1000);
    const server = await scales.serveInBackground(0, { registry });
    servers.push(server);
    const url = server.url + '?format=json';
    const check = await fetch(url);
    assert.equal(check.status, 200);
    const size = (await check.text()).length;
    const writer = setInterval(record, 2);
    try {
      await cannon(url, 1); // warm-up
      const before = heapMb();
      const r = await cannon(url, 3);
      const afterMb = heapMb();
      console.log(
        `load: ${r.requests.total} requests in 3 s (${r.requests.average}/s, p99 latency ${r.latency.p99} ms), ` +
          `body ${(size / 1024).toFixed(0)} KiB, heap ${before.toFixed(1)} -> ${afterMb.toFixed(1)} MB`,
      );
      assert.equal(r.errors, 0, 'connection errors');
      assert.equal(r.timeouts, 0, 'timeouts');
      assert.equal(r.non2xx, 0, 'non-2xx answers');
      assert.ok(r.requests.total > 20, `only ${r.requests.total} requests`);
      assert.ok(afterMb - before < 16, `heap grew from ${before.toFixed(1)} to ${afterMb.toFixed(1)} MB`);
    } finally {
      clearInterval(writer);
    }
  });

  it('rendering 10,000 stats never blocks the event loop for long', async () => {
    const { registry } = bigRegistry(10_000);
    const handler = scales.createStatusHandler({ registry, live: false });
    const h = monitorEventLoopDelay({ resolution: 1 });
    const results: string[] = [];
    try {
      // The noise floor of this (shared) machine: the same measurement with nothing to do.
      h.enable();
      await new Promise((resolve) => setTimeout(resolve, 300));
      h.disable();
      results.push(`idle for 300 ms: worst event-loop delay ${(h.max / 1e6).toFixed(1)} ms`);
      for (const format of ['json', 'prometheus', 'html', 'prettyjson', 'json']) {
        h.reset();
        h.enable();
        const t0 = performance.now();
        // The handler itself, as a server runs it (a client decoding the body in this same
        // process would add its own blocking, which is not the server's).
        const res = await handler.handle({ method: 'GET', url: `/status/?format=${format}`, header: () => undefined });
        const ms = performance.now() - t0;
        h.disable();
        assert.equal(res?.status, 200, format);
        const worst = h.max / 1e6;
        results.push(`${format}: ${ms.toFixed(0)} ms in all, ${(res!.body.length / 1024 / 1024).toFixed(1)} MiB, worst event-loop delay ${worst.toFixed(1)} ms`);
        assert.ok(worst < 50, `${format}: event loop blocked for ${worst.toFixed(1)} ms`);
      }
      // For comparison: the same render done in one synchronous piece.
      const t0 = performance.now();
      scales.renderHtml(registry.snapshot()!);
      results.push(`(one synchronous snapshot + HTML render would block for ${(performance.now() - t0).toFixed(0)} ms)`);
      console.log('10,000 stats:\n  ' + results.join('\n  '));
    } finally {
      handler.close();
    }
  });
});
