// README "Getting started": counters, per-key counts, a meter, timings and a gauge.
import * as scales from 'scales-metrics';

const STATS = scales.collection(
  '/web',
  scales.intStat('errors'),
  scales.intStat('success'),
  scales.pmfStat('latency'),
  scales.meterStat('hits'),
  scales.intDictStat('byPath'),
  scales.stat('currentTime', () => Date.now()),
);

const db = { query: () => [{ id: 1 }] };
const fetchPage = async () => '<html></html>';

// In a request handler:
STATS.success += 1; // typed: number
STATS.byPath['/a'] += 1; // a missing key reads 0
STATS.$.byPath.inc('/a'); // the same through the stat's handle: 6x faster
STATS.hits.mark();
STATS.hits.mark(5);
const rows = STATS.latency.time(() => db.query()); // sync: returns the result, records the time
const page = await STATS.latency.time(async () => fetchPage()); // async: records when it settles
const t = STATS.latency.time();
/* ... */ t.stop(); // manual; t.discard() drops the sample
STATS.latency.record(0.042); // a value of your own (Python's `STATS.wistfulness = value`)

console.log(rows.length, page.length);
console.log(JSON.stringify(scales.getStats('/web'), null, 2));
