import { hostname } from 'node:os';
import { basename, extname } from 'node:path';
import type { JsonObject, JsonValue, SnapshotOptions } from '../core/snapshot.js';
import { defaultStatsSource, type StatsSource } from './stats-source.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
import { DUMP_FORMAT, DUMP_VERSION, type DumpFile } from './dump-format.js';

/** Options of {@link dumpStatsTo} and {@link dumpStatsToSync}. */
export interface DumpOptions {
  /** Where the stats come from (default: the default registry). */
  registry?: StatsSource;
  /** Only this subtree (default: the whole tree). */
  path?: string;
  /** Include the serialized percentile sketches, so that `Percentiles` can merge the dumps. */
  sketches?: boolean;
  /** `serverName` of the header (default: the main script's name without extension). */
  serverName?: string;
}

/** The default `serverName`: the main script's file name without extension, else the process title. */
export function defaultServerName(): string {
  const main = process.argv[1];
  if (main) return basename(main, extname(main));
  return process.title;
}

/** Builds the content of a dump file (without writing it); `extra` header fields come before `stats`. */
export function buildDump(options: DumpOptions = {}, extra: Partial<DumpFile> = {}): DumpFile {
  const header: Omit<DumpFile, 'stats'> = {
    format: DUMP_FORMAT,
    version: DUMP_VERSION,
    host: hostname(),
    pid: process.pid,
    serverName: options.serverName ?? defaultServerName(),
    'last-updated': Date.now() / 1000,
    ...extra,
  };
  let stats: JsonObject = {};
  let statsError: string | undefined;
  try {
    const source = options.registry ?? defaultStatsSource();
    const snapshotOptions: SnapshotOptions = options.sketches ? { sketches: true } : {};
    stats = source.getStats(options.path, snapshotOptions) ?? {};
  } catch (err) {
    statsError = `reading the stats failed: ${(err as Error)?.message ?? String(err)}`;
  }
  return statsError === undefined ? { ...header, stats } : { ...header, statsError, stats };
}

function serialize(dump: DumpFile): string {
  return JSON.stringify(dump as unknown as JsonValue) + '\n';
}

/**
 * Writes the stats to `filename` atomically (temporary file in the same directory, fsync,
 * rename): a reader sees the previous dump or the new one, never a partial file.
 * @example
 * await scales.dumpStatsTo('/var/run/myapp/stats.json', { sketches: true });
 */
export async function dumpStatsTo(filename: string, options: DumpOptions = {}): Promise<void> {
  await writeFileAtomic(filename, serialize(buildDump(options)));
}

/**
 * The synchronous form of {@link dumpStatsTo}, for exit and crash handlers (where nothing
 * asynchronous runs any more). Throws on failure.
 */
export function dumpStatsToSync(filename: string, options: DumpOptions = {}, extra: Partial<DumpFile> = {}): void {
  writeFileAtomicSync(filename, serialize(buildDump(options, extra)));
}
