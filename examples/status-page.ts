// docs/status-page.md "A page for 3am": history from the start, the overview, a stat's own page,
// thresholds and the filter in units. Run with --keep to leave it running and open the URL.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as scales from 'scales-metrics';
import { recordRequests, serveInBackground } from 'scales-metrics/http';

// Runtime stats at /process and request stats at /http: the overview at the top of the page reads them.
const runtime = scales.collectRuntimeStats();
const app = http.createServer((req, res) => {
  if (req.url === '/slow') setTimeout(() => res.end('slow'), 300);
  else res.end('ok');
});
// Requests by method, route and status, latency per route, errors (5xx), bytes, in flight.
const recording = recordRequests(app, { route: (req) => (req.url === '/slow' ? '/slow' : '/') });
await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

// History is kept from now on (every 5 s for an hour, every minute for a day), not from the first view.
const server = await serveInBackground(Number(process.env.PORT ?? 0), {
  serverName: 'web-1',
  // Shown in red: a percentile at or over 250 ms, more than 1 error a second.
  thresholds: { slowSeconds: 0.25, errorsPerSecond: 1 },
  // The defaults, spelled out: at most 1,000 series and 16 MiB of samples.
  history: { intervalMs: 5000, points: 720, coarseEvery: 12, coarsePoints: 1440, maxSeries: 1000, maxBytes: 16 * 1024 * 1024 },
});
console.log('status page:', server.url);

await (await fetch(appUrl + '/')).text();
await (await fetch(appUrl + '/slow')).text();

// Every stat has its own page (its charts), and its JSON.
console.log('stat page:', (await fetch(server.url + 'http/latency')).status);
const one = (await (await fetch(server.url + 'http/latency?format=json')).json()) as Record<string, object>;
console.log('stat json:', Object.keys(one.latency).join(' '));
// The filter takes what the page shows: p99 for 99percentile, values in units.
const slow = await fetch(server.url + '?format=json&query=' + encodeURIComponent('p99 > 250ms'));
console.log('slow:', JSON.stringify(await slow.json()));
// The history itself: sample times, and values per series (empty until the first 5 s have passed).
const history = (await (await fetch(server.url + 'http?format=history')).json()) as { t: number[] };
console.log('history samples:', history.t.length);

if (process.argv.includes('--keep')) {
  console.log('serving until Ctrl-C');
  setInterval(() => void fetch(appUrl + (Math.random() < 0.1 ? '/slow' : '/')), 100);
} else {
  await server.close();
  recording.stop();
  app.close();
  runtime.stop();
}
