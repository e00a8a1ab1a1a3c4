/**
 * How the trees of many workers become one: containers and stats paired by name, each stat
 * merged by its kind's own rule (`KindOutputs.merge`, in the kind's file; the shape-only rules
 * in src/core/merge.ts), whether it is a counter being what its kind says (its metric family,
 * given its declaration).
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
import type { KindMerge, MergeOptions, Merged } from '../core/merge.js';
import { runToEnd } from '../core/slices.js';
import type { JsonValue } from '../core/snapshot.js';
import { kindOf, type SnapshotNode, type SnapshotStat } from '../registry/snapshot.js';

export type { KindMerge, MergeOptions, MergeRule, Merged, Part } from '../core/merge.js';
export { decodeSketchOf } from '../stats/pmf-merge.js';

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

/** The merge rule of a stat's kind (each stat pairs its kind with that kind's value). */
function ruleOf(stat: SnapshotStat): KindMerge<JsonValue> {
  return kindOf(stat).merge;
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
      merged = ruleOf(first).merge(
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
    const kept = ruleOf(s).retire(s.value as JsonValue, isCounter(s));
    if (kept !== undefined) stats.push({ ...s, value: kept } as SnapshotStat);
  }
  const children = node.children.map(retireTree).filter((c) => c.stats.length > 0 || c.children.length > 0);
  return { name: node.name, path: node.path, stats, children };
}

/** `/a` + `b` → `/a/b`; `/` + `b` → `/b`. */
export function childPath(path: string, name: string): string {
  return path === '/' ? `/${name}` : `${path}/${name}`;
}
