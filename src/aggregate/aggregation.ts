import type { JsonObject, JsonValue } from '../core/snapshot.js';
import { isDumpFile, readDump } from '../dump/read-dump.js';
import type { Aggregator } from './aggregator.js';
import { type FileTest, readJsonDirectory, readJsonDirectorySync } from './json-directory.js';
import { parseSpecKey, type SpecKey } from './spec-keys.js';
import { getOwn, isObject, setOwn } from '../core/json.js';

/**
 * A spec: a tree parallel to the stat tree whose leaves are lists of aggregators. Keys are
 * exact names, `'*'`, regex keys written with `match(name, regex)`, or `'=<key>'` (see
 * spec-keys). Aggregator instances in a spec are prototypes, cloned for every result place.
 */
export interface AggregationSpec {
  readonly [key: string]: AggregationSpec | readonly Aggregator[];
}

/** Options of an {@link Aggregation}. */
export interface AggregationOptions {
  /** Called with every warning (unreadable file, leaf that does not fit its aggregator). */
  onWarning?: (message: string) => void;
  /** How many warnings `warnings` keeps (the rest are only counted). Default {@link DEFAULT_MAX_WARNINGS}. */
  maxWarnings?: number;
}

/** How many warnings an Aggregation keeps by default. */
export const DEFAULT_MAX_WARNINGS = 1000;

interface CompiledNode {
  readonly branches: { key: SpecKey; child: CompiledNode | readonly Aggregator[] }[];
  /** The data keys named exactly at this level: `'*'` leaves them to their exact branch. */
  readonly exactKeys: ReadonlySet<string>;
  /** Whether two branches could send one data value to the same result place (a regex with `'*'` or another regex, or with an exact key). */
  readonly mayOverlap: boolean;
}

type ResultNode = Map<string, ResultNode | Aggregator>;

function isLeaf(value: CompiledNode | readonly Aggregator[]): value is readonly Aggregator[] {
  return Array.isArray(value);
}

function compile(spec: AggregationSpec, path: string): CompiledNode {
  if (!isObject(spec as JsonValue)) throw new TypeError(`aggregation spec at ${path || '/'}: expected an object or an array of aggregators`);
  const branches: CompiledNode['branches'] = [];
  const exactKeys = new Set<string>();
  for (const [rawKey, value] of Object.entries(spec)) {
    const key = parseSpecKey(rawKey);
    const here = `${path}/${rawKey}`;
    if (key.kind === 'exact') {
      if (exactKeys.has(key.key))
        throw new TypeError(`aggregation spec at ${here}: the key "${key.key}" is named twice at ${path || '/'} (as "${key.key}" and "=${key.key}")`);
      exactKeys.add(key.key);
    }
    if (Array.isArray(value)) {
      for (const agg of value as unknown[]) {
        if (!isAggregator(agg)) throw new TypeError(`aggregation spec at ${here}: ${String(agg)} is not an aggregator`);
      }
      branches.push({ key, child: value as readonly Aggregator[] });
    } else {
      branches.push({ key, child: compile(value as AggregationSpec, here) });
    }
  }
  const regexes = branches.filter((b) => b.key.kind === 'regex').length;
  return { branches, exactKeys, mayOverlap: regexes > 0 && branches.length > 1 };
}

function isAggregator(value: unknown): value is Aggregator {
  const a = value as Aggregator;
  return (
    a !== null &&
    typeof a === 'object' &&
    typeof a.name === 'string' &&
    typeof a.addValue === 'function' &&
    typeof a.result === 'function' &&
    typeof a.clone === 'function'
  );
}

/**
 * The stat tree of a source: a dump file's `stats` when `data` is a scales-metrics dump
 * (`{format: 'scales-metrics-dump', stats}`), else `data` itself (a `getStats()` tree, a
 * `?format=json` page, a Python scales dump).
 */
export function statsOf(data: JsonValue): JsonValue {
  // Read by the one dump reader (a Python dump's `last-updated` taken out); what holds no stat
  // tree goes to the aggregators as it is, which warn about what does not fit them.
  if (!isObject(data) || (isDumpFile(data) && !isObject(data.stats))) return data;
  return readDump(data, 'source').stats;
}

/**
 * Aggregates the stat trees of many sources (servers, workers, dump files) into one tree,
 * following a spec that reads like the stat tree.
 * @example
 * const agg = new Aggregation({
 *   web: { errors: [new Sum()], latency: [new Average(), new Percentiles()] },
 *   http: { [match('error', /[45]\d\d/)]: [new Sum()] },
 * });
 * agg.addSource('web-1', tree1);
 * agg.addSource('web-2', tree2);
 * agg.result(); // { web: { errors: { sum: 5 }, latency: { average: {...}, percentiles: {...} } }, ... }
 */
export class Aggregation {
  /** Warnings collected so far (at most `maxWarnings`; see `warningsDropped`). */
  readonly warnings: string[] = [];
  /** Number of warnings not kept in `warnings` because the list was full. */
  warningsDropped = 0;
  /** Names of the sources added, in order. */
  readonly sources: string[] = [];
  private readonly spec: CompiledNode;
  private readonly root: ResultNode = new Map();
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly maxWarnings: number;

  constructor(spec: AggregationSpec, options: AggregationOptions = {}) {
    this.spec = compile(spec, '');
    this.onWarning = options.onWarning;
    this.maxWarnings = options.maxWarnings ?? DEFAULT_MAX_WARNINGS;
  }

  /**
   * Adds one source's tree (a dump file's content is unwrapped to its `stats`). Leaves that do
   * not fit an aggregator are skipped with a warning naming the source, the path and why.
   */
  addSource(source: string, data: JsonValue): void {
    this.sources.push(source);
    this.walk(source, this.spec, statsOf(data), this.root, '');
  }

  /**
   * Adds every `*.json` file of `directory` as a source named after the file (without
   * `.json`), in human order of names. Files that `test` rejects are left out; files that cannot
   * be read or parsed (partial, empty, not JSON) are skipped with a warning naming them.
   * Resolves to the number of sources added. Rejects only when the directory itself cannot be read.
   * @example
   * await agg.addJsonDirectory('/var/run/myapp/stats', new FileInclusionTest({ maxAgeSeconds: 600 }));
   */
  async addJsonDirectory(directory: string, test?: FileTest): Promise<number> {
    const files = await readJsonDirectory(directory, test, (m) => this.warn(m));
    for (const file of files) this.addSource(file.source, file.data);
    return files.length;
  }

  /** The synchronous form of {@link Aggregation.addJsonDirectory}. */
  addJsonDirectorySync(directory: string, test?: FileTest): number {
    const files = readJsonDirectorySync(directory, test, (m) => this.warn(m));
    for (const file of files) this.addSource(file.source, file.data);
    return files.length;
  }

  /** Records a warning (also used by the directory readers). */
  warn(message: string): void {
    if (this.warnings.length < this.maxWarnings) this.warnings.push(message);
    else this.warningsDropped++;
    if (this.onWarning !== undefined) {
      try {
        this.onWarning(message);
      } catch {
        // A failing warning callback must not stop the aggregation.
      }
    }
  }

  /** The aggregated tree: every aggregator's result, empty branches left out. */
  result(): JsonObject {
    return resultOf(this.root) ?? {};
  }

  // Every data value reaches a result place at most once: '*' leaves the keys named exactly at
  // its level to their own branch, and when a regex key could send a value where another branch
  // already did (its name is a data key that '*' or an exact key also takes, or two regexes of
  // one name match one key), the second is skipped with a warning.
  private walk(source: string, node: CompiledNode, data: JsonValue, result: ResultNode, path: string): void {
    if (!isObject(data)) return;
    const fed = node.mayOverlap ? new Set<string>() : undefined;
    const visitOnce = (child: CompiledNode | readonly Aggregator[], value: JsonValue, resultKey: string, dataKey: string) => {
      if (fed !== undefined) {
        const place = `${resultKey}\u0000${dataKey}`;
        if (fed.has(place)) {
          this.warn(`source "${source}" at ${path}/${dataKey}: more than one spec key sends this value to "${resultKey}"; counted once`);
          return;
        }
        fed.add(place);
      }
      this.visit(source, child, value, result, resultKey, `${path}/${dataKey}`);
    };
    for (const { key, child } of node.branches) {
      if (key.kind === 'exact') {
        const value = getOwn(data, key.key);
        if (value !== undefined) visitOnce(child, value, key.key, key.key);
      } else if (key.kind === 'star') {
        for (const [dataKey, value] of Object.entries(data)) {
          if (!node.exactKeys.has(dataKey)) visitOnce(child, value, dataKey, dataKey);
        }
      } else {
        for (const [dataKey, value] of Object.entries(data)) {
          if (key.regex.test(dataKey)) visitOnce(child, value, key.name, dataKey);
        }
      }
    }
  }

  private visit(
    source: string,
    child: CompiledNode | readonly Aggregator[],
    value: JsonValue,
    result: ResultNode,
    resultKey: string,
    path: string,
  ): void {
    if (value === null) return;
    let sub = result.get(resultKey);
    if (sub === undefined || !(sub instanceof Map)) {
      if (sub !== undefined) {
        this.warn(`source "${source}" at ${path}: result key "${resultKey}" is both an aggregator and a branch; skipped`);
        return;
      }
      sub = new Map();
      result.set(resultKey, sub);
    }
    if (isLeaf(child)) this.aggregate(source, child, value, sub, path);
    else this.walk(source, child, value, sub, path);
  }

  private aggregate(source: string, aggregators: readonly Aggregator[], value: JsonValue, result: ResultNode, path: string): void {
    let added = false;
    for (const proto of aggregators) {
      const existing = result.get(proto.name);
      if (existing instanceof Map) {
        this.warn(`source "${source}" at ${path}: aggregator "${proto.name}" clashes with a branch of the same name; skipped`);
        continue;
      }
      const agg = existing ?? proto.clone();
      try {
        agg.addValue(source, value);
      } catch (err) {
        this.warn(`source "${source}" at ${path}: ${(err as Error).message}; skipped`);
        continue;
      }
      if (existing === undefined) {
        result.set(proto.name, agg);
        added = true;
      }
    }
    // An aggregator that skipped the first sources (e.g. Percentiles before a dump with
    // sketches) joins later: keep the results in the spec's order, not in order of first data.
    if (added && result.size > 1) {
      for (const { name } of aggregators) {
        const agg = result.get(name);
        if (agg !== undefined && !(agg instanceof Map)) {
          result.delete(name);
          result.set(name, agg);
        }
      }
    }
  }
}

function resultOf(node: ResultNode): JsonObject | undefined {
  const out: JsonObject = {};
  let any = false;
  for (const [key, value] of node) {
    if (value instanceof Map) {
      const sub = resultOf(value);
      if (sub === undefined) continue;
      setOwn(out, key, sub);
    } else {
      let aggregated: JsonValue;
      try {
        aggregated = value.result();
      } catch (err) {
        aggregated = { error: `aggregator "${key}" failed: ${(err as Error).message}` };
      }
      setOwn(out, key, aggregated);
    }
    any = true;
  }
  return any ? out : undefined;
}
