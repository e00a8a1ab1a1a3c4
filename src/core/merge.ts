/**
 * How values of one stat from many workers become one value: the types of a kind's merge rule
 * (`KindOutputs.merge`, written in each kind's file) and the rules that depend only on the
 * value's shape (numbers, dicts of numbers, text), shared by the kinds. Knows no kind.
 * docs/cluster.md lists what each kind does; src/cluster/ pairs the stats and applies them.
 */
import { isObject } from './json.js';
import type { JsonObject, JsonValue, PmfSnapshot } from './snapshot.js';
import type { LogSketch } from '../sampling/sketch.js';

/** One worker's value of a stat, as the merge sees it. */
export interface Part<V> {
  readonly value: V;
  /** The worker's id (for text that differs between workers). */
  readonly worker: string;
  /** False for a worker known dead (or the retired totals): its gauges and rates no longer count. */
  readonly live: boolean;
}

/** What a rule makes of the parts: a value of the kind, with the extremes of a gauge beside it. */
export type Merged<V> = { readonly value: V; readonly min?: number; readonly max?: number } | { readonly error: string };

/**
 * The merge rule of one kind, and what survives of a value when its worker is retired. `counter`
 * says whether the stat is a counter, as its kind says (its metric family; an intStat declared
 * `{ gauge: true }` is not).
 */
export interface MergeRule<V> {
  /** Merges the values of one stat over the workers (at least one part). */
  merge(parts: readonly Part<V>[], options: MergeOptions, counter: boolean): Merged<V>;
  /** What a dead worker leaves to the retired totals when it is forgotten: its counts (undefined: nothing). */
  retire(value: V, counter: boolean): V | undefined;
}

/**
 * A merge rule as a kind's outputs hold it (`KindOutputs.merge`): what it returns is typed as
 * any JSON, so that the catalogue can hold every kind's outputs in one table; a
 * {@link MergeRule} of the kind's value type is one.
 */
export interface KindMerge<V> {
  merge(parts: readonly Part<V>[], options: MergeOptions, counter: boolean): Merged<JsonValue>;
  retire(value: V, counter: boolean): JsonValue | undefined;
}

/** Options of a merge. */
export interface MergeOptions {
  /** Keep the merged sketch of every pmf window in its value (`sketch`), for dumps merged later. */
  readonly sketches: boolean;
  /**
   * The sketch of a pmf value (default: decoded from its `sketch` text each time). The primary
   * keeps the decoded sketches of a report until the next one, so reads do not decode them again.
   * The merge never changes what it returns.
   */
  readonly sketchOf?: (pmf: PmfSnapshot) => LogSketch;
}

/** A finite number, else null. */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The parts that describe the present: the live ones, or all of them when every worker is dead. */
export function present<V>(parts: readonly Part<V>[]): readonly Part<V>[] {
  const live = parts.filter((p) => p.live);
  return live.length > 0 ? live : parts;
}

/** A counter: the sum over every part. */
export function sumNumbers(parts: readonly Part<unknown>[]): Merged<number> {
  let total = 0;
  for (const p of parts) total += num(p.value) ?? 0;
  return { value: total };
}

/** A gauge: the sum over the parts not dead, with the smallest and largest beside it. */
export function gauge(parts: readonly Part<unknown>[]): Merged<number> {
  let total = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of present(parts)) {
    const v = num(p.value);
    if (v === null) continue;
    total += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { value: total, min, max } : { value: total };
}

/** Numbers summed key by key, at any depth (a labelled dict nests one level per label). */
export function sumTree(values: readonly JsonValue[]): JsonValue {
  if (values.every((v) => typeof v === 'number')) return (values as number[]).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const out: JsonObject = {};
  const keys = new Map<string, JsonValue[]>();
  for (const v of values) {
    if (!isObject(v)) continue;
    for (const k of Object.keys(v)) {
      let list = keys.get(k);
      if (list === undefined) keys.set(k, (list = []));
      list.push(v[k]!);
    }
  }
  for (const [k, list] of keys) out[k] = sumTree(list);
  return out;
}

/** Leaves found by `isLeaf` merged key by key with `leaf`, at any depth. */
export function mergeKeyed<L>(parts: readonly Part<JsonValue>[], isLeaf: (v: JsonValue) => boolean, leaf: (ps: Part<L>[]) => L | null): JsonObject {
  const out: JsonObject = {};
  const keys = new Map<string, Part<JsonValue>[]>();
  for (const p of parts) {
    if (!isObject(p.value)) continue;
    for (const k of Object.keys(p.value)) {
      let list = keys.get(k);
      if (list === undefined) keys.set(k, (list = []));
      list.push({ ...p, value: p.value[k]! });
    }
  }
  for (const [k, list] of keys) {
    const leaves = list.filter((p) => isLeaf(p.value)) as unknown as Part<L>[];
    if (leaves.length === list.length) {
      const m = leaf(leaves);
      if (m !== null) out[k] = m as JsonValue;
    } else if (leaves.length === 0) out[k] = mergeKeyed(list, isLeaf, leaf);
  }
  return out;
}

/** A dict's leaves kept by `keep` at any depth (undefined: the leaf is dropped). */
export function mapKeyed(v: JsonValue, isLeaf: (v: JsonValue) => boolean, keep: (leaf: JsonValue) => JsonValue | undefined): JsonValue {
  if (isLeaf(v)) return keep(v) ?? null;
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v)) {
    const m = isLeaf(v[k]!) ? keep(v[k]!) : mapKeyed(v[k]!, isLeaf, keep);
    if (m !== undefined) out[k] = m;
  }
  return out;
}

/** Combined sample standard deviation of groups given by count, mean and stddev (null: unknown). */
export function pooledStddev(groups: readonly { n: number; mean: number | null; sd: number | null }[], n: number, mean: number): number | null {
  if (n === 0) return null;
  if (n === 1) return 0;
  let m2 = 0;
  for (const g of groups) {
    if (g.n === 0) continue;
    if (g.mean === null || g.sd === null) return null;
    m2 += g.sd * g.sd * (g.n - 1) + g.n * (g.mean - mean) ** 2;
  }
  return Math.sqrt(m2 / (n - 1));
}

/** Text (or any JSON): the value when every worker agrees, else `{worker: value}`. */
export function agreeOrPerWorker(parts: readonly Part<JsonValue>[]): JsonValue {
  const ps = present(parts);
  const text = JSON.stringify(ps[0]!.value);
  if (ps.every((p) => JSON.stringify(p.value) === text)) return ps[0]!.value;
  const out: JsonObject = {};
  for (const p of ps) out[p.worker] = p.value;
  return out;
}

/** A counter summed over every worker; a gauge over the workers not dead, with its extremes. */
export const NUMBER_MERGE: MergeRule<number> = {
  merge: (parts, _options, counter) => (counter ? sumNumbers(parts) : gauge(parts)),
  retire: (v, counter) => (counter ? v : undefined),
};

/** Counts per key summed over every worker (over those not dead for a gauge). */
export const DICT_SUM_MERGE: MergeRule<{ [key: string]: number }> = {
  merge: (parts, _options, counter) => ({ value: sumTree((counter ? parts : present(parts)).map((p) => p.value)) as { [key: string]: number } }),
  retire: (v, counter) => (counter ? v : undefined),
};

/** Seconds per state: they only grow, summed over every worker. */
export const GROWING_DICT_MERGE: MergeRule<{ [key: string]: number }> = {
  merge: (parts) => ({ value: sumTree(parts.map((p) => p.value)) as { [key: string]: number } }),
  retire: (v) => v,
};

/** A gauge: summed over the workers not dead, with its extremes. */
export const GAUGE_MERGE: MergeRule<number> = { merge: (parts) => gauge(parts), retire: () => undefined };

/**
 * Any value: numbers as a gauge, or summed over every worker when declared a counter; anything
 * else shown when every worker agrees, else per worker.
 */
export const VALUE_MERGE: MergeRule<JsonValue> = {
  merge: (parts, _options, counter) => {
    if (counter && parts.every((p) => num(p.value) !== null)) return sumNumbers(parts);
    const ps = present(parts);
    if (ps.every((p) => num(p.value) !== null)) return gauge(ps);
    return { value: agreeOrPerWorker(ps) };
  },
  retire: (v, counter) => (counter && num(v) !== null ? v : undefined),
};

/** Text per key (at any depth): the value of the last worker not dead that has it. */
export const LATEST_TEXT_MERGE: MergeRule<{ [key: string]: string }> = {
  merge: (parts) => ({
    value: mergeKeyed<string>(
      present(parts),
      (v) => typeof v === 'string',
      (ps) => ps.at(-1)!.value,
    ) as { [key: string]: string },
  }),
  retire: () => undefined,
};

/** Counts per key of what the workers hold now (not a counter): summed over the workers not dead. */
export const CURRENT_DICT_SUM_MERGE: MergeRule<{ [key: string]: number }> = {
  merge: (parts) => ({ value: sumTree(present(parts).map((p) => p.value)) as { [key: string]: number } }),
  retire: () => undefined,
};

/** The largest value of every worker, dead ones included. */
export const MAX_MERGE: MergeRule<number | null> = {
  merge: (parts) => {
    let best: number | null = null;
    for (const p of parts) if (num(p.value) !== null && (best === null || (p.value as number) > best)) best = p.value as number;
    return { value: best };
  },
  retire: (v) => v,
};
