// A batch job for the pushAtExit tests, run as its own process: node exit-child.js URL MODE.
// MODE 'beforeExit': records, then lets its event loop run dry. MODE 'signal': records, says
// "ready" on stdout and waits (an interval keeps it alive) for the test's SIGTERM.
// MODE 'app-listener': like 'signal', with a SIGTERM listener of its own that exits with 42.
import * as scales from 'scales-metrics';
import { PushgatewayPusher } from 'scales-metrics/pushgateway';

const [url, mode] = process.argv.slice(2);
const STATS = scales.collection('/batch', scales.intStat('rows'), scales.stat('mode', mode));
const pusher = new PushgatewayPusher({ url, job: 'exit-' + mode, grouping: { pid: String(process.pid) } });
pusher.pushAtExit();
STATS.$.rows.inc(7);
if (mode === 'app-listener') {
  process.on('SIGTERM', () => {
    // The app decides: it waits a little for the push, then exits its own way.
    setTimeout(() => process.exit(42), 1000);
  });
}
if (mode === 'beforeExit') {
  setTimeout(() => STATS.$.rows.inc(1), 10);
} else {
  setInterval(() => {}, 1000);
  process.stdout.write('ready\n');
}
