/**
 * Turns a stat tree into Graphite datapoints: walks a typed snapshot (a registry's, or a dump's
 * as the dump reader gives it) through the samples of each stat, applies the prune and
 * allow/forbid rules, names each sample by its field ('.'-joined), sanitizes every segment, and
 * keeps only finite numbers. Names that meet after sanitizing are made unique (see
 * `uniqueNames`). The walk is a
 * generator that yields every few hundred leaves, so a caller can spread a huge tree over
 * several turns of the event loop.
 */

import { type Sample, unhandled } from '../core/samples.js';
import { kindOf, type SnapshotNode } from '../registry/snapshot.js';
import type { GraphiteRules } from './rules.js';
import { MAX_NAME_LENGTH, sanitizeSegment, segmentFits } from './sanitize.js';

/**
 * How a counter leaf turns into a per-period delta: 'diff' sends the change since the previous
 * period (may be negative); 'monotonic' does the same but reads a decrease as a restart from 0
 * and sends the new value.
 */
export type CounterMode = 'diff' | 'monotonic';

/** What a walk produced. */
export interface Collected {
  names: string[];
  values: number[];
  /** Counter mode per datapoint (null for gauges). */
  counters: (CounterMode | null)[];
  /** Numeric leaves that were allowed but could not be named for carbon (too long). */
  skipped: number;
}

/**
 * How a sample turns into a per-period delta: its own `delta` (an int, the dict counts, the sum
 * aggregations: 'diff'; a meter's count, a pmf's lifetime count: 'monotonic'; a pmf's lifetime
 * sum: 'diff', samples may be negative), 'monotonic' for the seconds of a state, else none.
 * undefined for samples that are not numbers Graphite sends (text).
 */
export function deltaOf(sample: Sample): CounterMode | null | undefined {
  switch (sample.type) {
    case 'gauge':
    case 'distribution':
      return sample.delta ?? null;
    case 'counter':
      return sample.delta;
    case 'state':
      return 'monotonic';
    case 'quantile':
      return null;
    case 'info':
      return undefined;
    default:
      return unhandled(sample);
  }
}

/** Leaves between two yields of the walk. */
const LEAVES_PER_STEP = 256;

class Walk {
  readonly out: Collected = { names: [], values: [], counters: [], skipped: 0 };
  #sinceYield = 0;

  constructor(readonly rules: GraphiteRules) {}

  /** The first leaf of each name: its index and its rank among leaves of that name. */
  readonly #first = new Map<string, { index: number; rank: string }>();
  /** Names sent by more than one leaf: every such leaf's index and rank. */
  readonly #clashes = new Map<string, { index: number; rank: string }[]>();

  /**
   * A numeric leaf at `path` ('/a/b'), named `name`: sent when finite, allowed and nameable.
   * `exact` tells that sanitizing changed none of its segments.
   */
  *leaf(value: number, path: string, name: string, nameOk: boolean, exact: boolean, mode: CounterMode | null): Generator<void> {
    if (!Number.isFinite(value)) return;
    if (!this.rules.isAllowed(path, value)) return;
    if (!nameOk || name.length >= MAX_NAME_LENGTH) {
      this.out.skipped++;
      return;
    }
    const index = this.out.names.length;
    // Leaves whose name needed no sanitizing come first, then by tree path.
    const rank = `${exact ? '0' : '1'}${path}`;
    const first = this.#first.get(name);
    if (first === undefined) this.#first.set(name, { index, rank });
    else {
      const group = this.#clashes.get(name);
      if (group === undefined) this.#clashes.set(name, [first, { index, rank }]);
      else group.push({ index, rank });
    }
    this.out.names.push(name);
    this.out.values.push(value);
    this.out.counters.push(mode);
    if (++this.#sinceYield >= LEAVES_PER_STEP) {
      this.#sinceYield = 0;
      yield;
    }
  }

  /**
   * Makes the names of this walk unique: of the leaves that share a name, the first in a stable
   * order keeps it and the others get `_2`, `_3`... on their last segment (a suffix already taken
   * by another name is passed over). The order does not depend on the order of insertion: a leaf
   * whose segments needed no sanitizing goes first (key `a_b` keeps `a_b`, key `a/b` becomes
   * `a_b_2`), then leaves by their tree path (UTF-16 code unit order). A leaf whose suffixed name
   * would be too long for carbon is dropped and counted in `skipped`.
   */
  uniqueNames(): void {
    if (this.#clashes.size === 0) return;
    const { names } = this.out;
    const drop: number[] = [];
    for (const [name, group] of this.#clashes) {
      group.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
      const lastSeg = name.slice(name.lastIndexOf('.') + 1);
      let n = 2;
      for (let i = 1; i < group.length; i++) {
        let candidate: string;
        do candidate = `${name}_${n++}`;
        while (this.#first.has(candidate));
        this.#first.set(candidate, group[i]);
        if (candidate.length >= MAX_NAME_LENGTH || !segmentFits(lastSeg + candidate.slice(name.length))) drop.push(group[i].index);
        else names[group[i].index] = candidate;
      }
    }
    if (drop.length === 0) return;
    const dropped = new Set(drop);
    const keep = (_: unknown, i: number) => !dropped.has(i);
    this.out.names = names.filter(keep);
    this.out.values = this.out.values.filter(keep);
    this.out.counters = this.out.counters.filter(keep);
    this.out.skipped += drop.length;
  }

  /** Sends a sample of a stat: a finite number at a field of the stat's JSON value. */
  *sample(sample: Sample, path: string, name: string, nameOk: boolean, exact: boolean): Generator<void> {
    const mode = deltaOf(sample);
    if (mode === undefined || sample.field === null || typeof sample.value !== 'number') return;
    let p = path;
    let n = name;
    let ok = nameOk;
    let ex = exact;
    for (const key of sample.field) {
      p = `${p}/${key}`;
      if (this.rules.isPruned(p)) return;
      const seg = sanitizeSegment(key);
      n = `${n}.${seg}`;
      ok = ok && segmentFits(seg);
      ex = ex && seg === key;
    }
    yield* this.leaf(sample.value, p, n, ok, ex, mode);
  }

  *node(node: SnapshotNode, prefix: string, prefixOk: boolean, exact: boolean): Generator<void> {
    const base = node.path === '/' ? '' : node.path;
    for (const stat of node.stats) {
      if (stat.error !== undefined) continue;
      const path = `${base}/${stat.name}`;
      if (this.rules.isPruned(path)) continue;
      const seg = sanitizeSegment(stat.name);
      const ok = prefixOk && segmentFits(seg);
      const ex = exact && seg === stat.name;
      for (const sample of kindOf(stat).samples(stat.value, stat)) yield* this.sample(sample, path, prefix + seg, ok, ex);
    }
    for (const child of node.children) {
      if (this.rules.isPruned(child.path)) continue;
      const seg = sanitizeSegment(child.name);
      yield* this.node(child, `${prefix}${seg}.`, prefixOk && segmentFits(seg), exact && seg === child.name);
    }
  }
}

function prefixFits(prefix: string): boolean {
  return prefix.split('.').every(segmentFits);
}

/**
 * Walks a typed snapshot node (as `registry.snapshot()` returns it). `prefix` is a normalized
 * prefix (see `normalizePrefix`); the node's own path is part of every name (a node at
 * '/web' gives `prefix.web.errors`). Everything in the node is walked, collapsed containers
 * included (the pusher fills them in first); stats whose reading failed are skipped. Names are
 * unique within one walk (leaves that sanitize to the same name get `_2`, `_3`...). Yields every few hundred leaves; the result is the
 * generator's return value.
 */
export function* walkSnapshot(node: SnapshotNode, rules: GraphiteRules, prefix: string): Generator<void, Collected> {
  const walk = new Walk(rules);
  let start = prefix;
  let ok = prefixFits(prefix);
  for (const seg of node.path.split('/').filter(Boolean)) {
    const s = sanitizeSegment(seg);
    start += `${s}.`;
    ok = ok && segmentFits(s);
  }
  yield* walk.node(node, start, ok, true);
  walk.uniqueNames();
  return walk.out;
}
