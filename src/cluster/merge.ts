/**
 * How the trees of many workers become one: a merge rule for every stat kind (one line each in
 * {@link MERGE_RULES}, a table typed over every kind, so a new kind without a rule fails to
 * compile), and the walk that pairs containers and stats by name. Whether a stat is a counter
 * is what its kind says (its metric family, given its declaration).
 *
 * The rules (docs/cluster.md says the same):
 * - counters (intStat, intDictStat, the sum aggregations unless declared `{ gauge: true }`),
 *   state times, meter and pmf counts are summed over every worker, dead ones included, so a
 *   total never goes backwards;
 * - pmf windows are merged as sketches (the same rule as `scales-metrics/aggregate`'s
 *   Percentiles): the percentiles of the merged tree are those of all values together;
 * - gauges (doubleStat, `stat` numbers, counting kinds declared `{ gauge: true }`) are summed over
 *   the workers not known dead, scalar ones with their minimum and maximum beside them
 *   (`<name>Min`, `<name>Max`); text is shown when every worker agrees, else per worker;
 * - meter rates are summed over the workers not known dead; maxStat is the largest of all.
 */
import { isObject } from '../core/json.js';
import { runToEnd } from '../core/slices.js';
import type { JsonObject, JsonValue, MeterSnapshot, PmfSnapshot } from '../core/snapshot.js';
import type { StatKind, StatValue } from '../registry/catalogue.js';
import { kindOf, type SnapshotNode, type SnapshotStat } from '../registry/snapshot.js';
import { LogSketch } from '../sampling/sketch.js';
import { PMF_QUANTILES } from '../stats/pmf-stat.js';

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

/** The window sketch of a pmf, decoded from its text. */
export function decodeSketchOf(pmf: PmfSnapshot): LogSketch {
  return LogSketch.deserialize(pmf.sketch as string);
}

const QS = PMF_QUANTILES.map(([q]) => q);

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The parts that describe the present: the live ones, or all of them when every worker is dead. */
function present<V>(parts: readonly Part<V>[]): readonly Part<V>[] {
  const live = parts.filter((p) => p.live);
  return live.length > 0 ? live : parts;
}

function sumNumbers(parts: readonly Part<unknown>[]): Merged<number> {
  let total = 0;
  for (const p of parts) total += num(p.value) ?? 0;
  return { value: total };
}

function gauge(parts: readonly Part<unknown>[]): Merged<number> {
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
function sumTree(values: readonly JsonValue[]): JsonValue {
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
function mergeKeyed<L>(parts: readonly Part<JsonValue>[], isLeaf: (v: JsonValue) => boolean, leaf: (ps: Part<L>[]) => L | null): JsonObject {
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
function mapKeyed(v: JsonValue, isLeaf: (v: JsonValue) => boolean, keep: (leaf: JsonValue) => JsonValue | undefined): JsonValue {
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
function pooledStddev(groups: readonly { n: number; mean: number | null; sd: number | null }[], n: number, mean: number): number | null {
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

function isPmf(v: JsonValue): boolean {
  return isObject(v) && typeof v.count === 'number' && 'windowSeconds' in v && isObject(v.lifetime);
}

function isMeter(v: JsonValue): boolean {
  return isObject(v) && typeof v.count === 'number' && 'm1' in v && 'm15' in v;
}

/**
 * One pmf from many: the window's percentiles from the merged sketches (true percentiles of all
 * values together, within the sketch's error), counts and sums added, extremes kept, means and
 * standard deviations pooled. Units must agree.
 */
export function mergePmfs(parts: readonly Part<PmfSnapshot>[], options: MergeOptions): Merged<PmfSnapshot> {
  const first = parts[0]!.value;
  const unit = first.unit;
  for (const p of parts) {
    if (p.value.unit !== unit) return { error: `unit "${p.value.unit}" of worker ${p.worker} differs from "${unit}"` };
  }
  let sketch: LogSketch | null = null;
  const windows: { n: number; mean: number | null; sd: number | null }[] = [];
  let missing = 0;
  let windowSeconds = 0;
  for (const p of parts) {
    const v = p.value;
    windowSeconds = Math.max(windowSeconds, num(v.windowSeconds) ?? 0);
    if (!(v.count > 0)) continue;
    if (typeof v.sketch !== 'string') {
      missing++;
      continue;
    }
    const s = (options.sketchOf ?? decodeSketchOf)(v);
    if (sketch === null) sketch = new LogSketch();
    sketch.merge(s);
    windows.push({ n: s.count, mean: v.mean, sd: v.stddev });
  }
  if (missing > 0) return { error: `${missing} worker(s) reported a window without its sketch: no merged percentiles` };
  const n = sketch?.count ?? 0;
  const qs = sketch === null || n === 0 ? QS.map(() => null) : sketch.quantiles(QS);
  const outOfRange: string[] = [];
  const finite = (v: number | null, figure: string): number | null => {
    if (v === null || Number.isFinite(v)) return v;
    outOfRange.push(figure);
    return null;
  };
  const mean = n > 0 && sketch !== null ? finite(sketch.sum / n, 'mean') : null;
  // Lifetime: counts and sums added over every part, extremes kept, the spread pooled.
  let lCount = 0;
  let lSum: number | null = 0;
  let lMin: number | null = null;
  let lMax: number | null = null;
  const lifetimes: { n: number; mean: number | null; sd: number | null }[] = [];
  for (const p of parts) {
    const l = p.value.lifetime;
    const c = num(l.count) ?? 0;
    if (c === 0) continue;
    lCount += c;
    lSum = lSum === null || num(l.sum) === null ? null : lSum + (l.sum as number);
    if (num(l.min) !== null) lMin = lMin === null ? (l.min as number) : Math.min(lMin, l.min as number);
    if (num(l.max) !== null) lMax = lMax === null ? (l.max as number) : Math.max(lMax, l.max as number);
    lifetimes.push({ n: c, mean: num(l.mean), sd: num(l.stddev) });
  }
  const lMean = lCount > 0 && lSum !== null ? finite(lSum / lCount, 'lifetime.mean') : null;
  const value: PmfSnapshot = {
    ...first,
    count: n,
    min: n > 0 && sketch !== null ? sketch.min : null,
    max: n > 0 && sketch !== null ? sketch.max : null,
    mean,
    stddev: mean === null ? null : finite(pooledStddev(windows, n, mean), 'stddev'),
    median: qs[0] ?? null,
    '75percentile': qs[1] ?? null,
    '95percentile': qs[2] ?? null,
    '98percentile': qs[3] ?? null,
    '99percentile': qs[4] ?? null,
    '999percentile': qs[5] ?? null,
    unit,
    windowSeconds,
    schema: sketch?.schema ?? first.schema,
    relativeError: sketch?.relativeError ?? first.relativeError,
    lifetime: {
      ...first.lifetime,
      count: lCount,
      sum: lSum,
      min: lMin,
      max: lMax,
      mean: lMean,
      stddev: lMean === null ? null : finite(pooledStddev(lifetimes, lCount, lMean), 'lifetime.stddev'),
    },
  };
  delete value.sketch;
  delete value.outOfRange;
  if (outOfRange.length > 0) value.outOfRange = outOfRange;
  if (options.sketches && sketch !== null) value.sketch = sketch.serialize();
  return { value };
}

/** A pmf reduced to what outlives its worker: the lifetime figures (the window is empty). */
function retiredPmf(v: PmfSnapshot): PmfSnapshot {
  const out: PmfSnapshot = { ...v, count: 0, min: null, max: null, mean: null, stddev: null, lifetime: { ...v.lifetime } };
  for (const [, key] of PMF_QUANTILES) (out as Record<string, unknown>)[key] = null;
  delete out.sketch;
  delete out.outOfRange;
  return out;
}

/** Counts added over every part; rates added over the parts not known dead. */
function mergeMeters(parts: readonly Part<MeterSnapshot>[]): MeterSnapshot {
  const out: MeterSnapshot = { ...parts[0]!.value, count: 0, m1: 0, m5: 0, m15: 0, mean: 0 };
  for (const p of parts) out.count += num(p.value.count) ?? 0;
  for (const p of parts) {
    if (!p.live) continue;
    out.m1 += num(p.value.m1) ?? 0;
    out.m5 += num(p.value.m5) ?? 0;
    out.m15 += num(p.value.m15) ?? 0;
    out.mean += num(p.value.mean) ?? 0;
  }
  return out;
}

const retiredMeter = (v: MeterSnapshot): MeterSnapshot => ({ ...v, m1: 0, m5: 0, m15: 0, mean: 0 });

/** Text (or any JSON): the value when every worker agrees, else `{worker: value}`. */
function agreeOrPerWorker(parts: readonly Part<JsonValue>[]): JsonValue {
  const ps = present(parts);
  const text = JSON.stringify(ps[0]!.value);
  if (ps.every((p) => JSON.stringify(p.value) === text)) return ps[0]!.value;
  const out: JsonObject = {};
  for (const p of ps) out[p.worker] = p.value;
  return out;
}

/** A number that accumulates (a counter) is summed over all; one that does not is a gauge. */
/** A counter summed over every worker; a gauge over the workers not dead, with its extremes. */
const numberRule: MergeRule<number> = {
  merge: (parts, _options, counter) => (counter ? sumNumbers(parts) : gauge(parts)),
  retire: (v, counter) => (counter ? v : undefined),
};

/** Counts per key summed over every worker (over those not dead for a gauge). */
const dictSumRule: MergeRule<{ [key: string]: number }> = {
  merge: (parts, _options, counter) => ({ value: sumTree((counter ? parts : present(parts)).map((p) => p.value)) as { [key: string]: number } }),
  retire: (v, counter) => (counter ? v : undefined),
};

/** Seconds per state: they only grow, summed over every worker. */
const stateTimeRule: MergeRule<{ [key: string]: number }> = {
  merge: (parts) => ({ value: sumTree(parts.map((p) => p.value)) as { [key: string]: number } }),
  retire: (v) => v,
};

/**
 * The merge rule of every kind. A table typed over every kind of the catalogue: a kind added
 * without its rule is a compile error.
 */
export const MERGE_RULES: { readonly [K in StatKind]: MergeRule<StatValue<K>> } = {
  value: {
    merge: (parts) => {
      const ps = present(parts);
      if (ps.every((p) => num(p.value) !== null)) return gauge(ps);
      return { value: agreeOrPerWorker(ps) };
    },
    retire: () => undefined,
  },
  int: numberRule,
  double: { merge: (parts) => gauge(parts), retire: () => undefined },
  intDict: dictSumRule,
  stringDict: {
    merge: (parts) => ({
      value: mergeKeyed<string>(
        present(parts),
        (v) => typeof v === 'string',
        (ps) => ps.at(-1)!.value,
      ) as { [key: string]: string },
    }),
    retire: () => undefined,
  },
  pmf: { merge: mergePmfs, retire: retiredPmf },
  namedPmfDict: {
    merge: (parts, options) => {
      const errors: string[] = [];
      const value = mergeKeyed<PmfSnapshot>(parts, isPmf, (ps) => {
        const m = mergePmfs(ps, options);
        if ('error' in m) errors.push(m.error);
        return 'error' in m ? null : m.value;
      });
      return errors.length > 0 ? { error: errors[0]! } : { value: value as StatValue<'namedPmfDict'> };
    },
    retire: (v) => mapKeyed(v, isPmf, (l) => retiredPmf(l as PmfSnapshot) as unknown as JsonValue) as StatValue<'namedPmfDict'>,
  },
  meter: { merge: (parts) => ({ value: mergeMeters(parts) }), retire: retiredMeter },
  meterDict: {
    merge: (parts) => ({ value: mergeKeyed<MeterSnapshot>(parts, isMeter, mergeMeters) as StatValue<'meterDict'> }),
    retire: (v) => mapKeyed(v, isMeter, (l) => retiredMeter(l as MeterSnapshot) as unknown as JsonValue) as StatValue<'meterDict'>,
  },
  stateTime: stateTimeRule,
  sumAggregation: numberRule,
  histogramAggregation: {
    merge: (parts) => ({ value: sumTree(present(parts).map((p) => p.value)) as { [key: string]: number } }),
    retire: () => undefined,
  },
  intDictSumAggregation: dictSumRule,
  max: {
    merge: (parts) => {
      let best: number | null = null;
      for (const p of parts) if (num(p.value) !== null && (best === null || (p.value as number) > best)) best = p.value as number;
      return { value: best };
    },
    retire: (v) => v,
  },
};

/** Whether the stat is a counter, as its kind says (its metric family, given its declaration). */
export function isCounter(stat: SnapshotStat): boolean {
  if (stat.error !== undefined) return false;
  return kindOf(stat).family(stat.value as never, { description: stat.description }) === 'counter';
}

/** One worker's tree, as the merge takes it. */
export interface TreePart {
  readonly node: SnapshotNode;
  readonly worker: string;
  readonly live: boolean;
}

/** The rule of a stat's kind, typed loosely (each stat pairs its kind with that kind's value). */
function ruleOf(kind: StatKind): MergeRule<JsonValue> {
  return MERGE_RULES[kind] as unknown as MergeRule<JsonValue>;
}

/** Merges one stat over the workers that have it (same name in the same container). */
function mergeStat(stats: readonly { stat: SnapshotStat; worker: string; live: boolean }[], options: MergeOptions): SnapshotStat[] {
  const first = stats[0]!.stat;
  const ok = stats.filter((s) => s.stat.error === undefined);
  const kinds = new Set(stats.map((s) => s.stat.kind));
  let merged: Merged<JsonValue>;
  if (kinds.size > 1) {
    merged = { error: `the workers disagree on its kind: ${[...kinds].join(', ')}` };
  } else if (ok.length === 0) {
    merged = { error: first.error ?? 'no value' };
  } else {
    try {
      merged = ruleOf(first.kind).merge(
        ok.map((s) => ({ value: s.stat.value as JsonValue, worker: s.worker, live: s.live })),
        options,
        isCounter(ok[0]!.stat),
      );
    } catch (e) {
      merged = { error: `merging failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const base = { ...(ok[0]?.stat ?? first) } as Record<string, unknown>;
  delete base.nonFinite;
  if ('error' in merged) return [{ ...base, value: null, error: merged.error } as SnapshotStat];
  delete base.error;
  const out: SnapshotStat[] = [{ ...base, value: merged.value } as SnapshotStat];
  if (merged.min !== undefined && merged.max !== undefined) {
    const { description: _, ...rest } = base;
    out.push({ ...rest, name: `${first.name}Min`, kind: 'double', value: merged.min } as SnapshotStat);
    out.push({ ...rest, name: `${first.name}Max`, kind: 'double', value: merged.max } as SnapshotStat);
  }
  return out;
}

/**
 * The trees of many workers as one (containers and stats paired by name, in the order they
 * first appear), rebased at `path`. Every stat merged by its kind's rule; a stat whose workers
 * disagree on its kind, or whose merge fails, shows an error instead of a value.
 */
export function mergeTrees(parts: readonly TreePart[], options: MergeOptions): SnapshotNode {
  return runToEnd(mergeSteps(parts, options));
}

/** {@link mergeTrees} in steps: it yields after each stat, for a caller that slices its work (runSliced). */
export function* mergeSteps(parts: readonly TreePart[], options: MergeOptions, name = '', path = '/'): Generator<void, SnapshotNode> {
  const stats = new Map<string, { stat: SnapshotStat; worker: string; live: boolean }[]>();
  const children = new Map<string, TreePart[]>();
  for (const p of parts) {
    for (const s of p.node.stats) {
      let list = stats.get(s.name);
      if (list === undefined) stats.set(s.name, (list = []));
      list.push({ stat: s, worker: p.worker, live: p.live });
    }
    for (const c of p.node.children) {
      let list = children.get(c.name);
      if (list === undefined) children.set(c.name, (list = []));
      list.push({ node: c, worker: p.worker, live: p.live });
    }
  }
  const outStats: SnapshotStat[] = [];
  const taken = new Set(stats.keys());
  for (const list of stats.values()) {
    for (const s of mergeStat(list, options)) {
      if (s.name !== list[0]!.stat.name && taken.has(s.name)) continue; // a Min/Max that a stat of that name hides
      outStats.push(s);
    }
    yield;
  }
  const outChildren: SnapshotNode[] = [];
  for (const [childName, list] of children) outChildren.push(yield* mergeSteps(list, options, childName, childPath(path, childName)));
  return { name, path, stats: outStats, children: outChildren };
}

/** What of one worker's tree outlives it: its counts (see {@link MergeRule.retire}). */
export function retireTree(node: SnapshotNode): SnapshotNode {
  const stats: SnapshotStat[] = [];
  for (const s of node.stats) {
    if (s.error !== undefined) continue;
    const kept = ruleOf(s.kind).retire(s.value as JsonValue, isCounter(s));
    if (kept !== undefined) stats.push({ ...s, value: kept } as SnapshotStat);
  }
  const children = node.children.map(retireTree).filter((c) => c.stats.length > 0 || c.children.length > 0);
  return { name: node.name, path: node.path, stats, children };
}

/** `/a` + `b` → `/a/b`; `/` + `b` → `/b`. */
export function childPath(path: string, name: string): string {
  return path === '/' ? `/${name}` : `${path}/${name}`;
}
