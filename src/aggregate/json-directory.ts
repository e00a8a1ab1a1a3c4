import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonValue } from '../core/snapshot.js';
import { JsonTooDeepError, parseJsonText } from '../dump/json-text.js';
import { humanCompare } from './human-sort.js';

/**
 * Decides whether a file of a directory joins an aggregation: a function of the file's name
 * and full path, or an object with such an `accepts` method (like {@link FileInclusionTest}).
 */
export type FileTest = ((fileName: string, fullPath: string) => boolean) | { accepts(fileName: string, fullPath: string): boolean };

/** Options of {@link FileInclusionTest}. */
export interface FileInclusionTestOptions {
  /** Leave out files whose full path this returns true for (or whose file name this regex matches). */
  ignoreByName?: ((fullPath: string) => boolean) | RegExp;
  /** Leave out files not modified for longer than this (dead servers' old dumps). */
  maxAgeSeconds?: number;
  /** The current time in epoch milliseconds (default `Date.now`), for tests. */
  now?: () => number;
}

/**
 * The usual file test of {@link Aggregation.addJsonDirectory}: ignore some names, ignore files
 * older than `maxAgeSeconds` (by modification time). A file that cannot be stat'ed is accepted,
 * so that the directory reader skips it with a warning saying why.
 * @example
 * new FileInclusionTest({ ignoreByName: /^incoming-/, maxAgeSeconds: 600 })
 */
export class FileInclusionTest {
  private readonly options: FileInclusionTestOptions;

  constructor(options: FileInclusionTestOptions = {}) {
    if (options.maxAgeSeconds !== undefined && !(options.maxAgeSeconds > 0)) {
      throw new RangeError(`FileInclusionTest: maxAgeSeconds must be positive, got ${options.maxAgeSeconds}`);
    }
    this.options = options;
  }

  /** True when the file should be aggregated. */
  accepts(fileName: string, fullPath: string): boolean {
    const { ignoreByName, maxAgeSeconds } = this.options;
    if (ignoreByName instanceof RegExp ? ignoreByName.test(fileName) : ignoreByName?.(fullPath)) return false;
    if (maxAgeSeconds !== undefined) {
      try {
        const ageMs = (this.options.now ?? Date.now)() - statSync(fullPath).mtimeMs;
        if (ageMs > maxAgeSeconds * 1000) return false;
      } catch {
        // Let the reader try it and report why it cannot be read, rather than hide it here.
        return true;
      }
    }
    return true;
  }
}

/** One parsed file of a directory. */
export interface JsonFile {
  /** The file name without `.json`. */
  source: string;
  data: JsonValue;
}

function accepts(test: FileTest | undefined, name: string, path: string): boolean {
  if (test === undefined) return true;
  return typeof test === 'function' ? test(name, path) : test.accepts(name, path);
}

function candidates(names: string[]): string[] {
  return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort(humanCompare);
}

function parse(path: string, text: string, warn: (m: string) => void): JsonValue | undefined {
  if (text.trim() === '') {
    warn(`skipped ${path}: empty file`);
    return undefined;
  }
  try {
    return parseJsonText(text) as JsonValue;
  } catch (err) {
    warn(err instanceof JsonTooDeepError ? `skipped ${path}: ${err.message}` : `skipped ${path}: not valid JSON (${(err as Error).message})`);
    return undefined;
  }
}

/** Reads and parses the `*.json` files of a directory (see `Aggregation.addJsonDirectory`). */
export async function readJsonDirectory(directory: string, test: FileTest | undefined, warn: (message: string) => void): Promise<JsonFile[]> {
  const out: JsonFile[] = [];
  for (const name of candidates(await readdir(directory))) {
    const path = join(directory, name);
    try {
      if (!accepts(test, name, path)) continue;
      if (!(await stat(path)).isFile()) continue;
      const data = parse(path, await readFile(path, 'utf8'), warn);
      if (data !== undefined) out.push({ source: name.slice(0, -5), data });
    } catch (err) {
      warn(`skipped ${path}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** The synchronous form of {@link readJsonDirectory}. */
export function readJsonDirectorySync(directory: string, test: FileTest | undefined, warn: (message: string) => void): JsonFile[] {
  const out: JsonFile[] = [];
  for (const name of candidates(readdirSync(directory))) {
    const path = join(directory, name);
    try {
      if (!accepts(test, name, path)) continue;
      if (!statSync(path).isFile()) continue;
      const data = parse(path, readFileSync(path, 'utf8'), warn);
      if (data !== undefined) out.push({ source: name.slice(0, -5), data });
    } catch (err) {
      warn(`skipped ${path}: ${(err as Error).message}`);
    }
  }
  return out;
}
