// One app process of the fleet test (test/http/prometheus-fleet.test.ts), run as
// `node fleet-app.js KIND SEED N`: records N latencies (ms) of the seeded dataset into
// /web/latency (and split over two routes into /web/routeLatency, labelled method and route) and
// N statuses into /web/requests (labelled method and status), serves /metrics on a free
// loopback port, prints {"port": ...} on stdout, and runs until killed.
import * as scales from 'scales-metrics';
import { serveInBackground } from 'scales-metrics/http';
import { type LatencyKind, latenciesMs, statuses } from '../helpers/latency-data.js';

const [kind, seed, n] = [process.argv[2] as LatencyKind, Number(process.argv[3]), Number(process.argv[4])];
const registry = new scales.Registry({ strict: true });
const S = registry.collection(
  '/web',
  scales.pmfStat('latency', { unit: 'ms', help: 'Time to answer a request' }),
  scales.intDictStat('requests', { labels: ['method', 'status'], help: 'Requests answered' }),
  scales.namedPmfDictStat('routeLatency', { labels: ['method', 'route'], unit: 'ms' }),
);
for (const v of latenciesMs(kind, seed, n)) S.$.latency.record(v);
for (const s of statuses(seed, n)) S.$.requests.inc({ method: s === 404 ? 'POST' : 'GET', status: s });
// the same latencies split over two routes: labelled native histograms
const values = latenciesMs(kind, seed, n);
for (let i = 0; i < values.length; i++) S.$.routeLatency.record({ method: 'GET', route: i % 2 ? '/a' : '/b' }, values[i]);
const server = await serveInBackground(0, { source: registry, live: false });
process.stdout.write(JSON.stringify({ port: server.port }) + '\n');
setInterval(() => {}, 1 << 30);
