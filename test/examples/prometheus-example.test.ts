// examples/prometheus.ts (quoted in docs/prometheus.md), run as a program: its text exposition
// holds what the doc says (names, units, labels, counters, histogram and summary) and the
// protobuf exposition is answered to a scraper that asks for it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const EXAMPLE = fileURLToPath(new URL('../../examples/prometheus.js', import.meta.url));

test('examples/prometheus: names, units, labels, histograms and negotiation as docs/prometheus.md says', async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [EXAMPLE], { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr || String(err))) : resolve(stdout),
    ),
  );
  const lines = out.split('\n');
  const has = (l: string) => assert.ok(lines.includes(l), `missing ${JSON.stringify(l)} in:\n${out}`);
  has('# HELP http_requests_total Requests answered');
  has('# TYPE http_requests_total counter');
  has('http_requests_total{method="GET",status="200"} 1');
  has('# TYPE http_latency_seconds histogram');
  has('http_latency_seconds_bucket{route="/a",le="0.05"} 1');
  has('http_latency_seconds_sum{route="/a"} 0.042');
  has('http_queue_wait_seconds_bucket{le="0.001"} 0');
  has('http_queue_wait_seconds_bucket{le="0.01"} 1');
  has('# TYPE http_gc_pause_seconds summary');
  has('http_gc_pause_seconds{quantile="0.5"} 0.002');
  has('# TYPE http_in_flight gauge');
  has('http_sent_bytes_total 512');
  has('nodejs_heap_used_bytes 1048576');
  assert.match(out, /^application\/vnd\.google\.protobuf; proto=io\.prometheus\.client\.MetricFamily; encoding=delimited \d+ bytes$/m);
});
