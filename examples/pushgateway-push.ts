// A batch job that reports to a Prometheus Pushgateway: its stats are pushed when it is done
// (and, as a safety net, when it ends by a signal or its event loop runs dry).
// Run: node build/examples/pushgateway-push.js [PUSHGATEWAY_URL]   (default http://127.0.0.1:9091;
// the README quotes this program).
import * as scales from 'scales-metrics';
import { PushgatewayPusher } from 'scales-metrics/pushgateway';

const url = process.argv[2] ?? 'http://127.0.0.1:9091';
const STATS = scales.collection('/backup', scales.intStat('rows'), scales.pmfStat('tableSeconds'));

const pusher = new PushgatewayPusher({
  url,
  job: 'nightly-backup',
  grouping: { db: 'users', dir: '/var/backups' }, // a value with '/' is sent base64-encoded
  path: '/backup', // only this subtree (default: the whole tree)
});
pusher.pushAtExit(); // SIGTERM, SIGINT, or an empty event loop: push, then end as usual

for (const table of ['accounts', 'orders', 'items']) {
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 5)); // the work
  STATS.rows += table.length * 100;
  STATS.tableSeconds.record((performance.now() - t0) / 1000);
}

const result = await pusher.push(); // never throws: { ok, status, bytes, durationMs, error? }
console.log(JSON.stringify({ ok: result.ok, status: result.status, error: result.error }));
