import { hostname } from 'node:os';
import { basename, extname } from 'node:path';
import type { JsonObject, SnapshotOptions } from '../core/snapshot.js';
import { jsonChunks } from '../formats/json.js';
import { sourceOf } from '../registry/default-registry.js';
import { type SnapshotNode, snapshotJson } from '../registry/snapshot.js';
import type { StatsSource } from '../registry/source.js';
import { descriptionsOf, kindsOf } from './read-dump.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
import { DUMP_FORMAT, DUMP_VERSION, type DumpFile } from './dump-format.js';

/** Options of {@link dumpStatsTo} and {@link dumpStatsToSync}. */
export interface DumpOptions {
  /** Where the stats come from (default: the default registry). */
  source?: StatsSource;
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

/** How a dump reads the tree: collapsed containers left out (not even read), as getStats() leaves them out. */
function snapshotOptions(options: DumpOptions, source: StatsSource, background = false): SnapshotOptions {
  const o: SnapshotOptions = options.sketches ? { sketches: true } : {};
  if (background) o.background = true;
  if (source.isCollapsed !== undefined) o.skip = source.isCollapsed.bind(source);
  return o;
}

function statsErrorOf(err: unknown): string {
  return `reading the stats failed: ${(err as Error)?.message ?? String(err)}`;
}

/** Builds the content of a dump file (without writing it); `extra` header fields come before `stats`. */
export function buildDump(options: DumpOptions = {}, extra: Partial<DumpFile> = {}): DumpFile {
  const source = sourceOf(options, 'buildDump');
  const head = header(options, extra);
  let stats: JsonObject = {};
  let kinds: Record<string, string> | undefined;
  let descriptions: DumpFile['descriptions'];
  try {
    const node = source.snapshot(options.path ?? '/', snapshotOptions(options, source));
    if (node !== undefined) {
      stats = snapshotJson(node);
      kinds = kindsOf(node);
      descriptions = descriptionsOf(node);
    }
  } catch (err) {
    return { ...head, statsError: statsErrorOf(err), stats };
  }
  if (kinds === undefined) return { ...head, stats };
  return descriptions === undefined ? { ...head, stats, kinds } : { ...head, stats, kinds, descriptions };
}

/** The text of a dump in pieces: the header, then the tree rendered piece by piece, then the kinds. */
function* dumpPieces(head: Omit<DumpFile, 'stats'>, node: SnapshotNode | undefined): Generator<string> {
  const text = JSON.stringify(head);
  yield text.slice(0, -1) + ',"stats":';
  if (node === undefined) yield '{}';
  else {
    yield* jsonChunks(node);
    yield ',"kinds":' + JSON.stringify(kindsOf(node));
    const descriptions = descriptionsOf(node);
    if (descriptions !== undefined) yield ',"descriptions":' + JSON.stringify(descriptions);
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
 * await dumpStatsTo('/var/run/myapp/stats.json', { sketches: true });
 */
export function dumpStatsTo(filename: string, options: DumpOptions = {}): Promise<void> {
  return writeDump(filename, options, false);
}

/**
 * {@link dumpStatsTo}, as a background read when `background` (the periodic dump): gauges over
 * the registry's `gaugeBudgetMs` are not called and show an error marker. @internal
 */
export async function writeDump(filename: string, options: DumpOptions, background: boolean): Promise<void> {
  const source = sourceOf(options, 'dumpStatsTo');
  // Read the tree in slices (the registry yields to the event loop), then write it in pieces.
  const head = header(options, {});
  let node: SnapshotNode | undefined;
  try {
    node = await source.snapshotAsync(options.path ?? '/', snapshotOptions(options, source, background));
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
