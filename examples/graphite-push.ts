// Pushes a small service's stats to Graphite: a periodic pusher with allow/forbid/prune rules,
// per-period deltas for counters, and a final push on shutdown.
// Run: node build/examples/graphite-push.js [HOST:PORT] [PERIOD_SECONDS] [RUN_SECONDS]
// (default 127.0.0.1:2003, a 10 s period, run for 1 s; the README quotes this program).
import * as scales from 'scales-metrics';
import { GraphitePeriodicPusher } from 'scales-metrics/graphite';

const [host = '127.0.0.1', port = '2003'] = (process.argv[2] ?? '127.0.0.1:2003').split(':');
const period = Number(process.argv[3] ?? 10);
const runSeconds = Number(process.argv[4] ?? 1);

// The service's stats.
const STATS = scales.collection(
  '/web',
  scales.intStat('requests'),
  scales.intStat('errors'),
  scales.pmfStat('latency'),
  scales.meterStat('hits'),
  scales.stat('secretToken', 1234),
);
const WORKERS = scales.collection('/processor', scales.sumAggregationStat('finished'));
for (let i = 1; i <= 3; i++) scales.collection(`/processor/thread-${i}`, scales.intStat('finished'));

const pusher = new GraphitePeriodicPusher(host, Number(port), 'my.server.prefix.', { period, deltas: true });
pusher.allow('*'); // nothing is sent until something is allowed
pusher.forbid('web/secret*'); // the newest matching rule wins
pusher.prune('processor/thread-*'); // not even walked: only the sum in /processor/finished is sent
pusher.start(); // every `period` seconds (default 60), on an unref'd timer

// ... some work to measure:
const until = Date.now() + runSeconds * 1000;
while (Date.now() < until) {
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 5));
  STATS.requests += 1;
  STATS.hits.mark();
  STATS.latency.record((performance.now() - t0) / 1000);
  scales.collection(`/processor/thread-${1 + (STATS.requests % 3)}`, scales.intStat('finished')).finished += 1;
}

const last = await pusher.stop(); // a final push, a flush, then the socket is closed
const s = pusher.stats();
console.log(`final push: ${last?.datapoints} datapoints at ${last?.timestamp}, delivered: ${last?.drained}`);
console.log(
  `processor/finished = ${WORKERS.finished}; sent ${s.sent}, dropped ${s.dropped}, reconnects ${s.reconnects}${s.lastError ? `, last error: ${s.lastError}` : ''}`,
);
process.exitCode = last?.drained ? 0 : 1;
