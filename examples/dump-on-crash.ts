/**
 * Crash forensics: keep a dump of the stats that survives the crash it should explain.
 * Run: node build/examples/dump-on-crash.js /tmp/myapp-stats.json [crash]
 * then: scales view /tmp/myapp-stats.json
 */
import * as scales from 'scales-metrics';
import { dumpOnCrash, dumpStatsPeriodically } from 'scales-metrics/dump';

const file = process.argv[2] ?? '/tmp/myapp-stats.json';
const STATS = scales.collection('/jobs', scales.intStat('done'), scales.intStat('failed'), scales.pmfStat('duration'));

// Every minute (here: every second), and once more when the process goes, however it goes.
const periodic = dumpStatsPeriodically(file, { periodMs: 1000, sketches: true });
dumpOnCrash(file, { sketches: true });

for (let i = 0; i < 50; i++) {
  STATS.done += 1;
  STATS.duration.record(0.01 + i / 1000);
}
STATS.failed += 1;

if (process.argv[3] === 'crash') {
  // Node prints this error and exits with code 1, as always; the dump says why and holds the values above.
  throw new Error('simulated crash');
}
await periodic.stop();
console.log(`stats in ${file}`);
