// docs/prometheus.md: what Prometheus sees of a tree — names from the declarations (help, unit,
// labels, counters), a pmf as a histogram (native in the protobuf exposition, classic buckets in
// the text), a summary kept on request — served on /metrics and negotiated by the Accept header.
// Run: node build/examples/prometheus.js   (prints the text exposition and the protobuf's size)
import * as scales from 'scales-metrics';
import { serveInBackground } from 'scales-metrics/http';

const registry = new scales.Registry();
const S = registry.collection(
  '/http',
  scales.intDictStat('requests', { labels: ['method', 'status'], help: 'Requests answered' }), // a counter: _total
  scales.namedPmfDictStat('latency', { labels: ['route'], unit: 'ms', help: 'Time to answer' }), // exported in seconds
  scales.pmfStat('queueWait', { unit: 'ms', buckets: [1, 10, 100] }), // classic bounds, in ms
  scales.pmfStat('gcPause', { summary: true }), // a summary: quantiles of the recent window
  scales.intStat('inFlight', { gauge: true }), // may go down: a gauge
  scales.meterStat('sent', { unit: 'bytes' }), // http_sent_bytes_total and its rates
  scales.doubleStat('heapUsed', { unit: 'bytes', prometheusName: 'nodejs_heap_used_bytes' }), // as is
);
S.$.requests.inc({ method: 'GET', status: 200 });
S.$.latency.record('/a', 42); // one label: the key form
S.$.queueWait.record(7);
S.$.gcPause.record(0.002);
S.inFlight = 1;
S.$.sent.mark(512);
S.heapUsed = 1048576;

const server = await serveInBackground(0, { source: registry, live: false });
const metrics = `http://127.0.0.1:${server.port}/metrics`;
const text = await (await fetch(metrics)).text(); // what a text scraper gets
const native = await fetch(metrics, {
  headers: { accept: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited' },
}); // what Prometheus with --enable-feature=native-histograms asks for
console.log(text);
console.log(native.headers.get('content-type'), (await native.arrayBuffer()).byteLength, 'bytes');
await server.close();
