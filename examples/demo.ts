// The demo: a small HTTP service instrumented with scales-metrics, with its status page live.
//   npm run demo                 (then open the printed URL)
//   npm run demo -- --port 0     (any free port; default 8080 for the app, 8765 for the status page)
// It sends itself a little traffic so that the page moves; stop it with Ctrl-C.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import * as scales from 'scales-metrics';
import { recordRequests, serveInBackground } from 'scales-metrics/http';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    'status-port': { type: 'string', default: '8765' },
    'no-traffic': { type: 'boolean', default: false },
    'exit-after': { type: 'string' },
  },
});

// ---- the stats: declared once, written on the hot path as plain field updates -------------
// The process's own stats under /process: event-loop delay and utilization, memory, GC, CPU, fds...
scales.collectRuntimeStats();

// The app's own stats, beside the request stats that recordRequests(app) keeps under /http.
const WEB = scales.collection(
  '/web',
  scales.meterStat('hits', { help: 'Requests, as 1/5/15-minute rates' }),
  scales.intDictStat('itemViews', { labels: ['item'], help: 'Views per item' }),
  scales.pmfStat('slowWork', { unit: 'ms', help: 'Time the /slow route spent working' }),
  scales.stateTimeStat('inflight', { help: 'Seconds at each number of requests in flight' }),
);

// Class-based stats: a pool of workers whose stats aggregate up to the pool.
class WorkerPool {
  stats = scales.init(this, '/pool', scales.histogramAggregationStat('state'), scales.sumAggregationStat('jobsDone'));
  workers = Array.from({ length: 4 }, (_, i) => new Worker(this, i));
  run(ms: number): Promise<void> {
    const idle = this.workers.find((w) => w.stats.state === 'idle') ?? this.workers[0]!;
    return idle.run(ms);
  }
}
class Worker {
  stats;
  constructor(pool: WorkerPool, id: number) {
    this.stats = scales.initChild(this, pool, `worker-${id}`, scales.stat('state', 'idle'), scales.intStat('jobsDone'));
  }
  async run(ms: number): Promise<void> {
    this.stats.state = 'busy';
    await new Promise((r) => setTimeout(r, ms));
    this.stats.jobsDone += 1;
    this.stats.state = 'idle';
  }
}
const pool = new WorkerPool();
scales.setCollapsed('/pool/worker-3'); // shown as a link in the HTML page

// ---- the app ------------------------------------------------------------------------------
async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/') return send(res, 200, 'hello from the scales-metrics demo\n');
  if (path === '/slow') {
    await WEB.slowWork.time(() => pool.run(20 + Math.random() * 180));
    return send(res, 200, 'slow work done\n');
  }
  if (path.startsWith('/items/')) {
    WEB.$.itemViews.inc(path.slice(7, 20));
    await pool.run(Math.random() * 10);
    return send(res, 200, `item ${path.slice(7)}\n`);
  }
  if (path === '/error') return send(res, 500, 'something broke\n');
  return send(res, 404, 'not found\n');
}

function send(res: ServerResponse, status: number, body: string): number {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
  return status;
}

const app = createServer((req, res) => {
  WEB.hits.mark();
  const release = WEB.inflight.acquire();
  handle(req, res)
    .catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error\n');
    })
    .finally(release);
});
// Every request by method, route template and status, latency per route, bytes, errors: one line.
recordRequests(app, { route: (req) => routeOf(req.url ?? '/') });

function routeOf(url: string): string | undefined {
  const path = url.split('?')[0]!;
  if (path.startsWith('/items/')) return '/items/:id';
  return ['/', '/slow', '/error'].includes(path) ? path : undefined; // undefined: '(unmatched)'
}

await new Promise<void>((resolve) => app.listen(Number(args.port), '127.0.0.1', resolve));
const appPort = (app.address() as AddressInfo).port;
const status = await serveInBackground(Number(args['status-port']), {
  serverName: 'scales-demo',
  thresholds: { slowSeconds: 0.15 }, // the overview and the tree colour a p99 above 150 ms
});

console.log(`demo app:     http://127.0.0.1:${appPort}/   (try /slow, /items/42, /error)`);
console.log(`status page:  ${status.url}   (live: values refresh in place)`);
console.log(`JSON:         ${status.url}?format=prettyjson`);
console.log(`Prometheus:   http://127.0.0.1:${status.port}/metrics`);

// ---- a little self-traffic so the page moves -----------------------------------------------
const paths = ['/', '/', '/items/1', '/items/2', '/slow', '/error', '/missing'];
let traffic: NodeJS.Timeout | undefined;
if (!args['no-traffic']) {
  traffic = setInterval(() => {
    const p = paths[Math.floor(Math.random() * paths.length)]!;
    fetch(`http://127.0.0.1:${appPort}${p}`)
      .then((r) => r.text())
      .catch(() => {});
  }, 100);
}

const stop = async () => {
  if (traffic) clearInterval(traffic);
  await status.close();
  app.close();
  app.closeAllConnections();
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
if (args['exit-after'] !== undefined) setTimeout(() => void stop(), Number(args['exit-after']));
