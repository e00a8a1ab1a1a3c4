/**
 * Dump files: one now (async, or sync for exit handlers), one every period, and one when the
 * process goes. Run: node build/examples/dump-files.js [DIR]   (default: a new temporary directory;
 * docs/dumps-and-aggregation.md quotes this program, test/dump/examples.test.ts runs it).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as scales from 'scales-metrics';
import { dumpOnCrash, dumpStatsPeriodically, dumpStatsTo, dumpStatsToSync } from 'scales-metrics/dump';

const file = join(process.argv[2] ?? mkdtempSync(join(tmpdir(), 'scales-dump-')), 'stats.json');
const STATS = scales.collection('/web', scales.intStat('errors'), scales.pmfStat('latency'));
STATS.errors += 17;
STATS.latency.record(0.031);

await dumpStatsTo(file, { sketches: true }); // async
dumpStatsToSync(file); // for exit handlers
const dumping = dumpStatsPeriodically(file, { periodMs: 60_000, sketches: true });
await dumping.stop();
console.log(`periodic: ${dumping.writes} write(s), ${dumping.errors} error(s)`);

const crashDump = dumpOnCrash(file, { sketches: true });
crashDump.uninstall(); // removes everything it added

const dump = JSON.parse(readFileSync(file, 'utf8'));
console.log(
  `${file}: ${dump.format} v${dump.version}, server ${dump.serverName}, errors ${dump.stats.web.errors}, sketch ${typeof dump.stats.web.latency.sketch}`,
);
