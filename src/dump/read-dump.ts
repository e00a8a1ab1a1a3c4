/**
 * The one reader of dump files (and of bare stat trees: a `getStats()` tree, a `?format=json`
 * page, a Python scales dump): `scales view`, `scales aggregate` and `scales push-once` all read
 * through it. A dump keeps its tree in its original JSON shape under `stats`, and its stats'
 * kinds in `kinds` (path → kind); the reader turns both into the typed model (a SnapshotNode).
 * A tree without kinds (a dump written before kinds were recorded, a bare tree) has its kinds
 * inferred here, once: a value with the shape a kind recognizes (a pmf, a meter) is that kind,
 * an object otherwise a container, anything else a plain `value` stat.
 */
import { descriptionFromJson, type StatDescription } from '../core/description.js';
import { isStatKind, KINDS } from '../registry/catalogue.js';
import { isObject } from '../core/json.js';
import type { JsonObject, JsonValue } from '../core/snapshot.js';
import type { SnapshotNode, SnapshotStat, StatKind } from '../registry/snapshot.js';
import { DUMP_FORMAT } from './dump-format.js';

/** What {@link readDump} found. */
export interface DumpContents {
  /** True for a dump file (a header and `stats`), false for a bare tree. */
  readonly isDump: boolean;
  /** The header fields of a dump (all but `stats`, `kinds` and `descriptions`); `{}` for a bare tree. */
  readonly header: JsonObject;
  /** The stat tree in its original JSON shape (a Python dump's `last-updated` taken out). */
  readonly stats: JsonObject;
  /** `host` of the header, if any. */
  readonly host?: string;
  /** `last-updated` of the header (or mixed into a Python dump), in seconds since the epoch. */
  readonly lastUpdated?: number;
  /** The stats' kinds by path (relative to the tree), as recorded in the dump; undefined when inferred. */
  readonly kinds?: Readonly<Record<string, string>>;
  /** The stats' descriptions by path, as recorded in the dump; undefined when it has none. */
  readonly descriptions?: Readonly<Record<string, StatDescription>>;
  /** The typed model of the tree (built on first use). */
  readonly node: SnapshotNode;
}

/** A file that holds no stat tree, or a dump without its `stats`. */
export class DumpReadError extends Error {
  override name = 'DumpReadError';
}

/** Whether parsed JSON is a dump file: a scales-metrics dump, or any `{format, stats: {...}}`. */
export function isDumpFile(data: JsonValue): boolean {
  return isObject(data) && (data.format === DUMP_FORMAT || (typeof data.format === 'string' && isObject(data.stats)));
}

/**
 * Reads parsed JSON as a dump or a bare stat tree. Throws a {@link DumpReadError} naming `from`
 * when it holds no stat tree.
 *
 * @example const { node, stats, host } = readDump(JSON.parse(text), 'stats.json');
 */
export function readDump(data: JsonValue, from: string): DumpContents {
  if (!isObject(data)) throw new DumpReadError(`${from} does not hold a stat tree (a JSON object)`);
  const obj: JsonObject = data;
  if (isDumpFile(obj)) {
    const { stats, kinds, descriptions, ...header } = obj;
    if (!isObject(stats)) throw new DumpReadError(`${from}: the dump has no "stats" object`);
    const recorded = isObject(kinds) ? kindsMap(kinds) : undefined;
    return contents(
      true,
      header,
      stats,
      recorded,
      typeof header.host === 'string' ? header.host : undefined,
      numberOr(header['last-updated']),
      isObject(descriptions) ? descriptionsMap(descriptions) : undefined,
    );
  }
  // A bare tree; Python scales mixed `last-updated` into it.
  const { 'last-updated': lastUpdated, ...rest } = obj;
  const stats = typeof lastUpdated === 'number' ? rest : obj;
  return contents(false, {}, stats, undefined, undefined, numberOr(lastUpdated));
}

function contents(
  isDump: boolean,
  header: JsonObject,
  stats: JsonObject,
  kinds: Record<string, string> | undefined,
  host: string | undefined,
  lastUpdated: number | undefined,
  descriptions?: Record<string, StatDescription>,
): DumpContents {
  let node: SnapshotNode | undefined;
  return {
    isDump,
    header,
    stats,
    host,
    lastUpdated,
    kinds,
    descriptions,
    get node() {
      node ??= snapshotOfTree(stats, kinds, descriptions);
      return node;
    },
  };
}

/** The well-formed descriptions of a dump's `descriptions` (anything else left out: a dump may come from anywhere). */
function descriptionsMap(descriptions: JsonObject): Record<string, StatDescription> | undefined {
  const out: Record<string, StatDescription> = Object.create(null);
  let any = false;
  for (const k of Object.keys(descriptions)) {
    const d = descriptionFromJson(descriptions[k]);
    if (d !== undefined) {
      out[k] = d;
      any = true;
    }
  }
  return any ? out : undefined;
}

function numberOr(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function kindsMap(kinds: JsonObject): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const k of Object.keys(kinds)) {
    const v = kinds[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** The kind of a value found in a tree without kinds: the first kind that recognizes it. */
function inferKind(value: JsonValue): StatKind | undefined {
  for (const kind of Object.keys(KINDS) as StatKind[]) if (KINDS[kind].recognize?.(value)) return kind;
  return undefined;
}

function isErrorMarker(v: JsonValue): v is { error: string } {
  return isObject(v) && typeof v.error === 'string' && Object.keys(v).length === 1;
}

/**
 * The typed model of a JSON stat tree: with `kinds` (path → kind, relative to the tree), each
 * recorded path is a stat of its kind; without, kinds are inferred. A stat shown as
 * `{error: message}` is a stat whose reading failed. Kinds this version does not know are read
 * as plain `value` stats.
 */
export function snapshotOfTree(
  tree: JsonObject,
  kinds?: Readonly<Record<string, string>>,
  descriptions?: Readonly<Record<string, StatDescription>>,
): SnapshotNode {
  return nodeOf(tree, '', '/', kinds, descriptions);
}

function nodeOf(
  tree: JsonObject,
  name: string,
  path: string,
  kinds: Readonly<Record<string, string>> | undefined,
  descriptions: Readonly<Record<string, StatDescription>> | undefined,
): SnapshotNode {
  const stats: SnapshotStat[] = [];
  const children: SnapshotNode[] = [];
  const base = path === '/' ? '' : path;
  for (const key of Object.keys(tree)) {
    const value = tree[key];
    const sub = `${base}/${key}`;
    const recorded = kinds?.[sub];
    let kind: StatKind | undefined;
    if (recorded !== undefined) kind = isStatKind(recorded) ? recorded : 'value';
    else if (kinds === undefined) kind = isObject(value) && !isErrorMarker(value) ? inferKind(value) : 'value';
    else kind = isObject(value) ? undefined : 'value';
    if (kind === undefined && isObject(value)) children.push(nodeOf(value, key, sub, kinds, descriptions));
    else {
      // The one place a read tree's stat is made: its kind from the dump (or inferred), its value as written.
      const description = descriptions?.[sub];
      const stat: { name: string; kind: StatKind; value: JsonValue; error?: string; description?: StatDescription } = isErrorMarker(value)
        ? { name: key, kind: kind ?? 'value', value: null, error: value.error }
        : { name: key, kind: kind ?? 'value', value };
      if (description !== undefined) stat.description = description;
      stats.push(stat as SnapshotStat);
    }
  }
  return { name, path, stats, children };
}

/**
 * The descriptions of a snapshot's stats by path relative to `node` (what a dump records under
 * `descriptions`); undefined when no stat has one.
 */
export function descriptionsOf(node: SnapshotNode): Record<string, StatDescription> | undefined {
  const out: Record<string, StatDescription> = {};
  let any = false;
  const strip = node.path === '/' ? 0 : node.path.length;
  const visit = (n: SnapshotNode): void => {
    const base = (n.path === '/' ? '' : n.path).slice(strip);
    for (const s of n.stats) {
      if (s.description === undefined) continue;
      out[`${base}/${s.name}`] = s.description;
      any = true;
    }
    for (const c of n.children) visit(c);
  };
  visit(node);
  return any ? out : undefined;
}

/** The kinds of a snapshot's stats by path relative to `node` (what a dump records under `kinds`). */
export function kindsOf(node: SnapshotNode): Record<string, string> {
  const out: Record<string, string> = {};
  const strip = node.path === '/' ? 0 : node.path.length;
  const visit = (n: SnapshotNode): void => {
    const base = (n.path === '/' ? '' : n.path).slice(strip);
    for (const s of n.stats) out[`${base}/${s.name}`] = s.kind;
    for (const c of n.children) visit(c);
  };
  visit(node);
  return out;
}
