/**
 * The live view's data: every scalar leaf of a snapshot under a stable key, the JSON text of
 * its absolute path segments (`["web","latency","median"]`), which is also the `data-k`
 * attribute of the value's element on the HTML page.
 */
import type { DisplayHints } from '../core/samples.js';
import type { JsonValue } from '../core/snapshot.js';
import { type CollapsedTest, kindOf, type SnapshotNode } from '../registry/snapshot.js';
import type { ValueFormat } from './value-format.js';
import { isObject } from '../core/json.js';

/** A scalar value shown on the page. */
export type LiveValue = number | string | boolean | null;

/** The key of a leaf: its absolute path segments as JSON text. */
export function liveKey(segments: readonly string[]): string {
  return JSON.stringify(segments);
}

/** The path segments of a container ('/' → []). */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** Names of byte counts (`heapUsedBytes`, `rss_bytes`): shown in KiB, MiB, ... */
const BYTES_NAME = /bytes$/i;

/** Whether a stat or field name says it counts bytes (`heapUsedBytes`). */
export function isBytesName(name: string): boolean {
  return BYTES_NAME.test(name);
}

/**
 * How a leaf of a stat is formatted, as its kind's display hints say (durations inside pmfs in
 * the pmf's unit, stateTime values in seconds, meter rates per second, other numbers plain;
 * plain numbers of a stat declared in bytes, or named `...Bytes`, in binary units); anything but
 * a number as text. `name` is the stat's name, `declaredUnit` its declared unit (if any).
 */
export function leafFormat(
  display: DisplayHints,
  field: string | undefined,
  value: JsonValue,
  unit: string | undefined,
  name?: string,
  declaredUnit?: string,
): ValueFormat {
  if (typeof value !== 'number') return 't';
  const f = display.format(field, unit);
  if (f === 'n' && (declaredUnit === 'bytes' || BYTES_NAME.test(field ?? name ?? ''))) return 'b';
  return f;
}

/** The row hint of a kind (a pmf's, a meter's): the form and the depth of its row-shaped objects. */
export type RowHint = NonNullable<DisplayHints['row']>;

/** The fields a compact row shows, in order, with their labels. */
export const ROW_FIELDS: Readonly<Record<RowHint['form'], ReadonlyArray<readonly [field: string, label: string]>>> = {
  distribution: [
    ['count', 'n'],
    ['median', 'p50'],
    ['95percentile', 'p95'],
    ['99percentile', 'p99'],
    ['max', 'max'],
  ],
  rates: [
    ['count', 'count'],
    ['m1', 'm1'],
    ['m5', 'm5'],
    ['m15', 'm15'],
  ],
};

/**
 * The row fields present in an object shown as a compact row (a pmf: count, p50, p95, p99, max),
 * or undefined when it holds none of them (a filtered value: shown as a table).
 */
export function rowFields(form: RowHint['form'], obj: { readonly [key: string]: JsonValue }): ReadonlyArray<readonly [string, string]> | undefined {
  const all = ROW_FIELDS[form];
  let present: Array<readonly [string, string]> | undefined;
  for (const f of all) {
    const v = obj[f[0]];
    if (v !== undefined && !isObject(v) && !Array.isArray(v)) (present ??= []).push(f);
  }
  return present;
}

function* leaves(segments: string[], v: JsonValue, row: RowHint | undefined, depth: number): Generator<[string, LiveValue]> {
  if (isObject(v)) {
    const fields = row !== undefined && depth === row.depth ? rowFields(row.form, v) : undefined;
    if (fields) for (const [k] of fields) yield [liveKey([...segments, k]), v[k] as LiveValue];
    else for (const k of Object.keys(v)) yield* leaves([...segments, k], v[k], row, depth + 1);
  } else if (!Array.isArray(v)) {
    yield [liveKey(segments), v];
  }
}

/**
 * Every scalar leaf of the snapshot with its key. Containers below `node` that `collapsed`
 * names are skipped (the page shows them as links; the history sampler keeps them all). With
 * `compact`, row-shaped objects (pmfs, meters) give only their row's fields, as the page's
 * tree shows them (see {@link rowFields}).
 */
export function* liveEntries(node: SnapshotNode, collapsed?: CollapsedTest, compact = false): Generator<[string, LiveValue]> {
  const base = pathSegments(node.path);
  for (const s of node.stats) {
    if (s.error === undefined) yield* leaves([...base, s.name], s.value, compact ? kindOf(s).display.row : undefined, 0);
  }
  for (const c of node.children) {
    if (collapsed === undefined || !collapsed(c.path)) yield* liveEntries(c, collapsed, compact);
  }
}

/**
 * The live endpoint's JSON, in pieces: `{"t": <epoch ms>, "values": {key: value},
 * "history": {key: [n|null, ...]}, "extra": {key: n|null}}`; `history` only when a lookup is
 * given, for the keys it knows; `extra` (values of series that are not leaves of the node, such
 * as the overview's figures) only when given; `compact` as the page's tree shows the node (see
 * {@link liveEntries}).
 */
export function* liveJsonChunks(
  node: SnapshotNode,
  now: number,
  history?: (key: string) => ReadonlyArray<number | null> | undefined,
  collapsed?: CollapsedTest,
  extra?: ReadonlyArray<readonly [string, number | null]>,
  compact = false,
): Generator<string> {
  yield '{"t":' + now + ',"values":{';
  let first = true;
  const keys: string[] = [];
  for (const [k, v] of liveEntries(node, collapsed, compact)) {
    const value = typeof v === 'number' && !Number.isFinite(v) ? null : v;
    yield (first ? '' : ',') + JSON.stringify(k) + ':' + JSON.stringify(value);
    first = false;
    if (history && typeof v === 'number') keys.push(k);
  }
  yield '}';
  if (history) {
    yield ',"history":{';
    first = true;
    for (const k of keys) {
      const h = history(k);
      if (!h) continue;
      yield (first ? '' : ',') + JSON.stringify(k) + ':' + JSON.stringify(h);
      first = false;
    }
    yield '}';
  }
  if (extra)
    yield ',"extra":{' + extra.map(([k, v]) => JSON.stringify(k) + ':' + (v !== null && Number.isFinite(v) ? String(v) : 'null')).join(',') + '}';
  yield '}';
}
