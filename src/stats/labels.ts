/**
 * Named labels of the keyed kinds (intDict, meterDict, namedPmfDict): the types that make
 * labelled writes checked by the compiler, the nested maps that hold one leaf per combination of
 * label values, and the nested JSON and samples they give. (not part of the public API, but for
 * the types)
 */
import type { Labels, Sample, StatMeta } from '../core/samples.js';
import type { JsonValue } from '../core/snapshot.js';
import { isFiniteNumber, OVERFLOW_KEY, setKey, StatCell, toKey } from '../core/stat-cell.js';

/** A label value as given by the caller: numbers (`status: 200`) are the same label as their text. */
export type LabelValue = string | number;

/** The label values of one write, by name: `{ method: 'GET', route: '/a', status: 200 }`. */
export type LabelSet<L extends readonly string[]> = { readonly [K in L[number]]: LabelValue };

/** The label values of one write, in label order: `('GET', '/a', 200)`. */
export type LabelValues<L extends readonly string[]> = { readonly [I in keyof L]: LabelValue };

/** Two or more label names (a one-label dict keeps the one-key handle). */
export type ManyLabels = readonly [string, string, ...string[]];

/**
 * The label values of a write as strings, in label order, read from `set` by `names`, or
 * undefined when one is missing or no string or number (bigints and booleans are converted as
 * dict keys are; nothing runs user code).
 */
export function valuesOf(set: unknown, names: readonly string[]): string[] | undefined {
  if (set === null || typeof set !== 'object') return undefined;
  const out: string[] = new Array(names.length);
  try {
    for (let i = 0; i < names.length; i++) {
      const v = toKey((set as Record<string, unknown>)[names[i]]);
      if (v === undefined) return undefined;
      out[i] = v;
    }
  } catch {
    // A getter that throws, a revoked Proxy: no label set, never an exception into the caller.
    return undefined;
  }
  return out;
}

/**
 * The leaf of a label set given by name, walking the levels of `root` without allocating, or
 * undefined when a level is missing (the caller then makes it) or the set is no label set (the
 * caller finds out with {@link valuesOf}). Reading the set runs no code that can throw into the
 * caller (a throwing getter or a revoked Proxy reads as missing).
 */
export function leafOfSet(root: Map<string, unknown>, set: unknown, names: readonly string[]): unknown {
  if (set === null || typeof set !== 'object') return undefined;
  let m: unknown = root;
  try {
    for (let i = 0; i < names.length; i++) {
      const raw = (set as Record<string, unknown>)[names[i]];
      const k = typeof raw === 'string' ? raw : toKey(raw);
      if (k === undefined) return undefined;
      m = (m as Map<string, unknown>).get(k);
      if (m === undefined) return undefined;
    }
  } catch {
    return undefined;
  }
  return m;
}

/** The label values given as arguments (`labels('GET', '/a', 200)`), checked: undefined when one is no key or the count is wrong. */
export function valuesFromArgs(args: readonly unknown[], depth: number): string[] | undefined {
  if (args.length !== depth) return undefined;
  const out: string[] = new Array(depth);
  for (let i = 0; i < depth; i++) {
    const v = toKey(args[i]);
    if (v === undefined) return undefined;
    out[i] = v;
  }
  return out;
}

/** Why a labelled write was rejected (the label set was not one). */
export function badLabelsReason(names: readonly string[]): string {
  return `not a label set of ${names.length} values (a string or number each) for the labels ${names.join(', ')}`;
}

/**
 * The key of one combination in the flat maps of aggregations (`["GET","/a","200"]`): the
 * values as a JSON array, computed once per combination.
 */
export function combinationKey(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** The label values of a {@link combinationKey}, or undefined when it is not one of `depth` values. */
export function valuesOfCombinationKey(key: string, depth: number): string[] | undefined {
  try {
    const v: unknown = JSON.parse(key);
    return Array.isArray(v) && v.length === depth && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** A level of the nested maps: label value to the next level, or (last level) to a leaf. */
type Level<T> = Map<string, Level<T> | T>;

/**
 * One leaf per combination of label values, in nested maps (outermost label first), bounded to
 * `limit` combinations. A write to a new combination once `limit` are held keeps the values
 * whose levels exist and folds the rest into {@link OVERFLOW_KEY}: with ['method', 'route'] and
 * a full dict, `GET /new` lands on `GET → __overflow__` when GET exists, on
 * `__overflow__ → __overflow__` when it does not. Overflow combinations are created beyond the
 * limit, at most one per existing level, so the memory stays bounded.
 */
export class LabelTree<T> {
  readonly root: Level<T> = new Map();
  /** The combinations held (overflow ones included). */
  size = 0;

  constructor(
    readonly depth: number,
    readonly limit: number,
  ) {}

  /** The leaf of `values`, or undefined. */
  find(values: readonly string[]): T | undefined {
    let m: Level<T> = this.root;
    const last = this.depth - 1;
    for (let i = 0; i < last; i++) {
      const next = m.get(values[i]) as Level<T> | undefined;
      if (next === undefined) return undefined;
      m = next;
    }
    return m.get(values[last]) as T | undefined;
  }

  /**
   * The leaf of `values`, made by `make(values)` when missing (the values it lands on: overflow
   * ones folded, see the class), `onOverflow` called when the write was folded.
   */
  ensure(values: readonly string[], make: (values: readonly string[]) => T, onOverflow: () => void): T {
    const found = this.find(values);
    if (found !== undefined) return found;
    let to = values;
    if (this.size >= this.limit && !values.every((v) => v === OVERFLOW_KEY)) {
      // Keep the existing prefix, fold the rest.
      const folded = values.slice();
      let m: Level<T> | undefined = this.root;
      for (let i = 0; i < this.depth; i++) {
        const next: Level<T> | T | undefined = m === undefined ? undefined : m.get(folded[i]);
        if (next === undefined || i === this.depth - 1) {
          for (let j = i; j < this.depth; j++) folded[j] = OVERFLOW_KEY;
          break;
        }
        m = next as Level<T>;
      }
      onOverflow();
      to = folded;
      const existing = this.find(to);
      if (existing !== undefined) return existing;
    }
    let m: Level<T> = this.root;
    const last = this.depth - 1;
    for (let i = 0; i < last; i++) {
      let next = m.get(to[i]) as Level<T> | undefined;
      if (next === undefined) {
        next = new Map();
        m.set(to[i], next);
      }
      m = next;
    }
    const leaf = make(to);
    m.set(to[last], leaf);
    this.size++;
    return leaf;
  }

  /** Removes the leaf of `values` (and the levels it leaves empty); returns it. */
  delete(values: readonly string[]): T | undefined {
    const path: Level<T>[] = [this.root];
    let m: Level<T> = this.root;
    const last = this.depth - 1;
    for (let i = 0; i < last; i++) {
      const next = m.get(values[i]) as Level<T> | undefined;
      if (next === undefined) return undefined;
      path.push(next);
      m = next;
    }
    const leaf = m.get(values[last]) as T | undefined;
    if (leaf === undefined) return undefined;
    m.delete(values[last]);
    this.size--;
    for (let i = last; i > 0 && path[i].size === 0; i--) path[i - 1].delete(values[i - 1]);
    return leaf;
  }

  /** Every leaf with its values, in insertion order of each level. */
  *entries(): Generator<[readonly string[], T]> {
    const values: string[] = new Array(this.depth);
    const depth = this.depth;
    function* walk(m: Level<T>, i: number): Generator<[readonly string[], T]> {
      for (const [k, v] of m) {
        values[i] = k;
        if (i === depth - 1) yield [values.slice(), v as T];
        else yield* walk(v as Level<T>, i + 1);
      }
    }
    yield* walk(this.root, 0);
  }

  /** The leaves as nested JSON, in label order: `{"GET": {"/a": {"200": 1}}}`. */
  toJson(leaf: (t: T) => JsonValue): { [key: string]: JsonValue } {
    const depth = this.depth;
    const nest = (m: Level<T>, i: number): { [key: string]: JsonValue } => {
      const out: { [key: string]: JsonValue } = {};
      for (const [k, v] of m) setKey(out, k, i === depth - 1 ? leaf(v as T) : nest(v as Level<T>, i + 1));
      return out;
    };
    return nest(this.root, 0);
  }

  clear(): void {
    this.root.clear();
    this.size = 0;
  }
}

/** The label names of a keyed stat's snapshot (from its description), `['key']` when none. */
export function labelNames(meta: { readonly description?: { readonly labels?: readonly string[] } }, fallback = 'key'): readonly string[] {
  return meta.description?.labels ?? [fallback];
}

/**
 * Calls `leaf(value, field, labels)` for every leaf of a nested dict value `depth` levels deep
 * (`field`: the keys down to it; `labels`: each level's name with its key). Entries that are
 * not objects above the leaves are skipped (a dump's value that does not have the shape).
 */
export function forEachLeaf(
  value: JsonValue,
  names: readonly string[],
  leaf: (v: JsonValue, field: readonly string[], labels: Labels) => void,
): void {
  const depth = names.length;
  const field: string[] = new Array(depth);
  const labels: [string, string][] = new Array(depth);
  const walk = (v: JsonValue, i: number): void => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
    for (const k of Object.keys(v)) {
      field[i] = k;
      labels[i] = [names[i], k];
      const x = v[k];
      if (i === depth - 1) leaf(x, field.slice(), labels.slice());
      else walk(x, i + 1);
    }
  };
  walk(value, 0);
}

/** What a labelled dict of cells needs from its owner stat. */
interface Owner {
  readonly ctx: StatCell['ctx'];
  rejectSetOf(set: unknown): void;
}

/**
 * The leaves of a labelled dict of stats (a meter, a pmf per combination): found by a label set
 * (walking the levels, no allocation when the combination exists) or by values in label order,
 * created on first use, bounded like {@link LabelTree}.
 */
export class LabelledCells<C extends StatCell> {
  readonly tree: LabelTree<C>;
  private detachedCell: C | null = null;

  constructor(
    private readonly owner: StatCell & Owner,
    readonly names: readonly string[],
    limit: number,
    private readonly make: () => C,
  ) {
    this.tree = new LabelTree(names.length, limit);
  }

  /** The cell of `values`, created when missing. */
  entry(values: readonly string[]): C {
    return this.tree.ensure(values, this.make, () => this.owner.ctx.overflow(this.owner));
  }

  /** The cell of a label set given by name; undefined: not a label set. */
  ofSet(set: unknown): C | undefined {
    const found = leafOfSet(this.tree.root, set, this.names);
    if (found !== undefined) return found as C;
    const values = valuesOf(set, this.names);
    return values === undefined ? undefined : this.entry(values);
  }

  /**
   * The cell of a label set (`get(set)`), or of values in label order (`labels(...values)`);
   * for what is no label set, the write is rejected and counted, and a cell kept apart (in no
   * snapshot) is returned, so the caller's `.mark()` / `.record()` does not throw.
   */
  handleOf(set: unknown, byArgs: boolean): C {
    if (byArgs) {
      const values = valuesFromArgs(set as readonly unknown[], this.names.length);
      if (values !== undefined) return this.entry(values);
    } else {
      const c = this.ofSet(set);
      if (c !== undefined) return c;
    }
    this.owner.rejectSetOf(set);
    this.detachedCell ??= this.make();
    return this.detachedCell;
  }

  clear(): void {
    // Combinations stay (children held by callers keep working); their values start again.
    for (const [, c] of this.tree.entries()) c.clear();
  }
}

/**
 * The samples of a dict of entries (a meter, a pmf per key, or per combination of labels):
 * `into(out, entry, field, labels)` adds one entry's samples. Entries of a nested value that are
 * not objects are skipped (a dump's value that does not have the shape).
 */
export function entryDictSamples<V>(
  value: { readonly [key: string]: V },
  meta: StatMeta,
  into: (out: Sample[], entry: V, field: readonly string[], labels: Labels) => void,
): Sample[] {
  const out: Sample[] = [];
  const names = labelNames(meta);
  if (names.length > 1) {
    forEachLeaf(value as JsonValue, names, (v, field, labels) => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) into(out, v as V, field, labels);
    });
    return out;
  }
  const label = names[0];
  for (const k of Object.keys(value)) into(out, value[k], [k], [[label, k]]);
  return out;
}

/**
 * A keyed stat with two or more labels whose leaves are stats (a meter, a pmf per combination of
 * label values, nested in label order): the cells, the rejection of what is no label set, and
 * the write's checks, shared by meterDictStat and namedPmfDictStat.
 */
export abstract class LabelledEntriesCell<C extends StatCell> extends StatCell {
  override readonly costly = true;
  readonly cells: LabelledCells<C>;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], names: readonly string[], limit: number, make: () => C) {
    super(name, container, ctx);
    this.cells = new LabelledCells(this, names, limit, make);
  }

  rejectSetOf(set: unknown): void {
    this.ctx.reject(this, set, badLabelsReason(this.cells.names));
  }

  /**
   * The cell a write of `n` under a label set goes to; undefined when the write is rejected (and
   * counted): `n` no finite number (checked first, so no combination is created for it) or `set`
   * no label set.
   */
  protected cellFor(set: unknown, n: unknown): C | undefined {
    if (!isFiniteNumber(n)) {
      this.ctx.reject(this, n, 'not a finite number');
      return undefined;
    }
    const c = this.cells.ofSet(set);
    if (c === undefined) this.rejectSetOf(set);
    return c;
  }

  clear(): void {
    this.cells.clear();
  }
}
