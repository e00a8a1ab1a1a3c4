// The README's tour: declare stats, write them, then see them on the status page, in
// Prometheus, in Graphite and in a dump. Run: node build/examples/tour.js
// (STATUS_PORT, CARBON_PORT and DUMP_DIR pick where; test/examples/tour.test.ts runs it against a real carbon-cache).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as scales from 'scales-metrics';
import { dumpStatsTo } from 'scales-metrics/dump';
import { GraphitePeriodicPusher } from 'scales-metrics/graphite';
import { serveInBackground } from 'scales-metrics/http';

// 1. Declare a tree of stats, once: counters, labelled counts, a timing in ms; the process's own stats in one line.
const STATS = scales.collection(
  '/web',
  scales.intStat('requests', { help: 'Requests answered' }),
  scales.intDictStat('responses', { labels: ['method', 'status'] }),
  scales.pmfStat('latency', { unit: 'ms' }),
);
const runtime = scales.collectRuntimeStats(); // /process: event loop, GC, heap, CPU, handles

// 2. Write them like fields, in a request handler.
STATS.requests += 1;
STATS.$.responses.inc({ method: 'GET', status: 200 });
STATS.latency.record(42); // ms; or STATS.latency.time(() => work())

// 3. See them: the status page (HTML, JSON) and Prometheus' /metrics, served in the background.
const server = await serveInBackground(Number(process.env.STATUS_PORT ?? 8765));
console.log('page:', server.url); // http://127.0.0.1:8765/status/
console.log('json:', await (await fetch(`${server.url}web?format=json`)).text());
console.log('prometheus:', await (await fetch(server.url.replace('/status/', '/metrics'))).text());

// 4. Push them to Graphite every minute (stop() pushes once more).
const graphite = new GraphitePeriodicPusher('127.0.0.1', Number(process.env.CARBON_PORT ?? 2003), 'myapp.');
graphite.allow('web/*');
graphite.start();

// 5. Dump them to a file, for crash forensics: `scales view FILE`, `scales aggregate DIR`.
const file = join(process.env.DUMP_DIR ?? tmpdir(), 'stats.json');
await dumpStatsTo(file);
console.log('dump:', file);

const pushed = await graphite.stop();
console.log('graphite:', pushed?.datapoints, 'datapoints, delivered:', pushed?.drained);
await server.close();
runtime.stop();
