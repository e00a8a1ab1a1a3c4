import { hostname } from 'node:os';
import { basename, extname } from 'node:path';
import type { JsonObject, SnapshotOptions } from '../core/snapshot.js';
import { jsonChunks } from '../formats/json.js';
import { type SnapshotNode, snapshotJson } from '../registry/snapshot.js';
import { kindsOf } from './read-dump.js';
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

function header(options: DumpOptions, extra: Partial<DumpFile>): Omit<DumpFile, 'stats'> {
  return {
    format: DUMP_FORMAT,
    version: DUMP_VERSION,
    host: hostname(),
    pid: process.pid,
    serverName: options.serverName ?? defaultServerName(),
    'last-updated': Date.now() / 1000,
    ...extra,
  };
}

function snapshotOptions(options: DumpOptions): SnapshotOptions {
  return options.sketches ? { sketches: true } : {};
}

function statsErrorOf(err: unknown): string {
  return `reading the stats failed: ${(err as Error)?.message ?? String(err)}`;
}

/** Builds the content of a dump file (without writing it); `extra` header fields come before `stats`. */
export function buildDump(options: DumpOptions = {}, extra: Partial<DumpFile> = {}): DumpFile {
  const head = header(options, extra);
  let stats: JsonObject = {};
  let kinds: Record<string, string> | undefined;
  try {
    const source = options.registry ?? defaultStatsSource();
    if (typeof source.snapshot === 'function') {
      // The typed snapshot, collapsed containers left out (not even read) as getStats() does.
      const collapsed = source.isCollapsed?.bind(source);
      const node = source.snapshot(options.path, collapsed === undefined ? snapshotOptions(options) : { ...snapshotOptions(options), skip: collapsed });
      if (node !== undefined) {
        stats = snapshotJson(node);
        kinds = kindsOf(node);
      }
    } else stats = source.getStats(options.path, snapshotOptions(options)) ?? {};
  } catch (err) {
    return { ...head, statsError: statsErrorOf(err), stats };
  }
  return kinds === undefined ? { ...head, stats } : { ...head, stats, kinds };
}

/** The text of a dump in pieces: the header, then the tree rendered piece by piece, then the kinds. */
function* dumpPieces(head: Omit<DumpFile, 'stats'>, node: SnapshotNode | undefined): Generator<string> {
  const text = JSON.stringify(head);
  yield text.slice(0, -1) + ',"stats":';
  if (node === undefined) yield '{}';
  else {
    yield* jsonChunks(node);
    yield ',"kinds":' + JSON.stringify(kindsOf(node));
  }
  yield '}\n';
}

function serialize(dump: DumpFile): string {
  return JSON.stringify(dump) + '\n';
}

/**
 * Writes the stats to `filename` atomically (temporary file in the same directory, fsync,
 * rename): a reader sees the previous dump or the new one, never a partial file.
 * @example
 * await scales.dumpStatsTo('/var/run/myapp/stats.json', { sketches: true });
 */
export async function dumpStatsTo(filename: string, options: DumpOptions = {}): Promise<void> {
  const source = options.registry ?? defaultStatsSource();
  if (typeof source.snapshotAsync !== 'function') {
    await writeFileAtomic(filename, serialize(buildDump(options)));
    return;
  }
  // Read the tree in slices (the registry yields to the event loop), then write it in pieces.
  const head = header(options, {});
  let node: SnapshotNode | undefined;
  try {
    // Collapsed containers are left out, as getStats() leaves them out: not even read.
    const collapsed = source.isCollapsed?.bind(source);
    node = await source.snapshotAsync(options.path ?? '/', collapsed === undefined ? snapshotOptions(options) : { ...snapshotOptions(options), skip: collapsed });
  } catch (err) {
    await writeFileAtomic(filename, dumpPieces({ ...head, statsError: statsErrorOf(err) }, undefined));
    return;
  }
  await writeFileAtomic(filename, dumpPieces(head, node));
}

/**
 * The synchronous form of {@link dumpStatsTo}, for exit and crash handlers (where nothing
 * asynchronous runs any more). Throws on failure.
 */
export function dumpStatsToSync(filename: string, options: DumpOptions = {}, extra: Partial<DumpFile> = {}): void {
  writeFileAtomicSync(filename, serialize(buildDump(options, extra)));
}
