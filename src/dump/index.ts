/**
 * `scales-metrics/dump`: atomic JSON files of the stats — now, periodically, and when the
 * process goes (Python's `dumpStatsTo` / `installStatsLoop`).
 * @example
 * import { dumpStatsTo } from 'scales-metrics/dump';
 * await dumpStatsTo('/var/run/myapp/stats.json');
 * @module
 */
export { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
export { buildDump, type DumpOptions, dumpStatsTo, dumpStatsToSync } from './dump-file.js';
export { DUMP_FORMAT, DUMP_VERSION, type DumpFile } from './dump-format.js';
export { type CrashDump, DEFAULT_CRASH_SIGNALS, type DumpOnCrashOptions, dumpOnCrash } from './dump-on-crash.js';
export {
  DEFAULT_DUMP_PERIOD_MS,
  DUMP_SELF_STATS_PATH,
  type DumpPeriodicallyOptions,
  dumpStatsPeriodically,
  type PeriodicDump,
} from './dump-periodically.js';
export type { StatsSource } from '../registry/source.js';
