import type { StatDescription } from '../core/description.js';
import type { JsonObject } from '../core/snapshot.js';

/** The `format` tag of every dump file. */
export const DUMP_FORMAT = 'scales-metrics-dump';

/** The dump file format version written by this library. */
export const DUMP_VERSION = 1;

/**
 * A dump file. The header comes first (readable with `head`), the stat tree last, under
 * `stats` rather than mixed into the top level (as Python's scales did with `last-updated`), so
 * that a stat named `host` or `pid` cannot collide with the header.
 */
export interface DumpFile {
  format: typeof DUMP_FORMAT;
  version: typeof DUMP_VERSION;
  /** `os.hostname()` of the writer. */
  host: string;
  /** Process id of the writer. */
  pid: number;
  /** The `serverName` option, else the main script's name without extension. */
  serverName: string;
  /** When the stats were read, in seconds since the epoch (with milliseconds as decimals). */
  'last-updated': number;
  /** Why the file was written, by `dumpOnCrash`: 'exit', 'SIGTERM', 'uncaughtException', ... */
  reason?: string;
  /** Exit code at an 'exit' dump. */
  exitCode?: number;
  /** The uncaught error's message and stack, when there was one. */
  error?: { message: string; stack?: string };
  /** Set instead of `stats` holding data when reading the stats failed. */
  statsError?: string;
  /** The JSON stat tree, as `registry.getStats(path, { sketches })` returns it. */
  stats: JsonObject;
  /**
   * The kind of every stat of `stats`, by path relative to the tree (`{"/web/errors": "int"}`),
   * after `stats` so that the header stays readable with `head`. Absent in dumps of sources
   * without typed snapshots, and in dumps written before it was added: readers infer the kinds
   * (see `readDump`).
   */
  kinds?: Record<string, string>;
  /**
   * What the declarations said (help, unit, labels, ...) of the stats that have a description,
   * by path like `kinds` (`{"/http/requests": {"labels": ["method", "route", "status"]}}`),
   * after `kinds`. Absent in dumps written before it was added: their stats read without one.
   */
  descriptions?: Record<string, StatDescription>;
}
