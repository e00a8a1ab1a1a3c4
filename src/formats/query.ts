/**
 * The `?query=` filter of the status page, with the original scales semantics:
 *
 * - `key` keeps every branch that contains a container, stat or dict key named `key`
 *   (the whole matching thing is kept, with its ancestors);
 * - `key OP value`, OP one of `>= > < <= = == !=`, keeps only the entries named `key` whose
 *   scalar value compares true with `value`, converted to the entry's type: numbers compare
 *   numerically (a value that is not a number matches nothing), strings as strings, booleans
 *   as `true`/`false`; `null` (a percentile of an empty window) equals only `null` and is
 *   neither greater nor less than anything, so `median > 0.1` skips idle pmfs. Containers and
 *   objects never match by value; they are searched inside.
 *
 * - the value may carry a unit, as the page shows values: a duration (`ns us µs ms s m h`:
 *   `99percentile > 50ms`) matches leaves shown as durations (in the pmf's unit, converted) and
 *   leaves named `...Seconds`; a size (`B kB MB GB TB`, powers of 1000, `KiB MiB GiB TiB`,
 *   powers of 1024: `heapUsedBytes > 200MB`) matches leaves shown in bytes (declared in bytes or
 *   named `...Bytes`); a percentage (`utilization > 50%`) compares the number with its hundredth.
 *   A value with a unit never matches a leaf of another kind of unit (a plain count).
 *
 * Which names a key matches ({@link matchKey}), first rule that applies:
 *   1. with a `*`, a glob over the whole name, any case (`heap*`, `*Bytes`, `*error*`);
 *   2. the names equal to the key, when anything in the tree is named exactly so (the original
 *      semantics: `count`, `heapUsedBytes`);
 *   3. `p50` `p75` `p95` `p98` `p99` `p999` (`p99.9`), as the page shows percentiles: the
 *      fields `median`, `75percentile`, ..., `999percentile`;
 *   4. otherwise the names with a word that starts with the key, any case, words being the
 *      parts of camelCase, digits and separators (`heap` matches heapUsedBytes and
 *      heapTotalBytes, `used` heapUsedBytes, `error` requestErrors, `heapused` heapUsedBytes;
 *      `eap` nothing).
 * The page tells which names matched (and that none did, for an unknown key).
 *
 * Branches with no match vanish. Filtering a pmf by `count > 100` keeps only the `count`
 * field of the pmfs that pass.
 */
import { isObject, setOwn } from '../core/json.js';
import type { DisplayHints } from '../core/samples.js';
import type { JsonValue } from '../core/snapshot.js';
import { kindOf, type SnapshotNode, type SnapshotStat } from '../registry/snapshot.js';
import { leafFormat } from './live.js';

/** The comparison operators of a query. */
export type QueryOperator = '>=' | '>' | '<' | '<=' | '=' | '==' | '!=';

/** A parsed query: a key, and optionally an operator and the value to compare with. */
export interface Query {
  key: string;
  op?: QueryOperator;
  value?: string;
  /** Set when the value has a unit: the number in base units (seconds, bytes, a ratio) and its dimension. */
  measure?: { value: number; dimension: 'time' | 'bytes' | 'ratio' };
}

const TIME_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, '\u00b5s': 1e-6, ms: 1e-3, s: 1, sec: 1, m: 60, min: 60, h: 3600 };
const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};
const WITH_UNIT = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([a-z\u00b5%]+)$/i;

/** The value of a query with a unit in base units, or undefined (no unit, or one we do not know: then compared as text or a plain number). */
function measureOf(text: string): Query['measure'] {
  const m = WITH_UNIT.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const u = m[2];
  if (u === '%') return { value: n / 100, dimension: 'ratio' };
  const t = TIME_UNITS[u];
  if (t !== undefined) return { value: n * t, dimension: 'time' };
  const b = BYTE_UNITS[u.toLowerCase()];
  if (b !== undefined) return { value: n * b, dimension: 'bytes' };
  return undefined;
}

/** Longest accepted query text, in characters. */
export const MAX_QUERY_LENGTH = 1000;

/** Thrown by {@link parseQuery} for a query it cannot read; the HTTP handler answers 400. */
export class QueryError extends Error {
  /** The query text that could not be parsed. */
  readonly query: string;
  constructor(query: string, reason: string) {
    super(`invalid query ${JSON.stringify(query.length > 80 ? query.slice(0, 80) + '...' : query)}: ${reason}`);
    this.name = 'QueryError';
    this.query = query;
  }
}

const OPERATOR = /!=|>=|<=|==|=|<|>/;

/**
 * Parses query text.
 *
 * @example parseQuery('count >= 10') // { key: 'count', op: '>=', value: '10' }
 * @throws {QueryError} when the text is empty, too long, has no key or value around the
 *   operator, or has more than one operator
 */
export function parseQuery(text: string): Query {
  if (text.length > MAX_QUERY_LENGTH) throw new QueryError(text, `longer than ${MAX_QUERY_LENGTH} characters`);
  const m = OPERATOR.exec(text);
  if (!m) {
    const key = text.trim();
    if (key === '') throw new QueryError(text, 'empty query');
    return { key };
  }
  const key = text.slice(0, m.index).trim();
  const value = text.slice(m.index + m[0].length).trim();
  if (key === '') throw new QueryError(text, `no key before "${m[0]}"`);
  if (value === '') throw new QueryError(text, `no value after "${m[0]}"`);
  if (OPERATOR.test(value)) throw new QueryError(text, 'more than one operator');
  const measure = measureOf(value);
  return measure ? { key, op: m[0] as QueryOperator, value, measure } : { key, op: m[0] as QueryOperator, value };
}

/** Where a leaf sits: its kind's display, the pmf unit in scope, the stat's name and declared unit. */
interface LeafCtx {
  readonly display: DisplayHints;
  readonly unit: string | undefined;
  readonly stat: string;
  readonly declared: string | undefined;
}

/** A number leaf in the base units of a dimension (seconds, bytes, ratio), or undefined when it is not of that dimension. */
function inBase(actual: number, field: string | undefined, ctx: LeafCtx, dimension: 'time' | 'bytes' | 'ratio'): number | undefined {
  if (dimension === 'ratio') return actual;
  const f = leafFormat(ctx.display, field, actual, ctx.unit, ctx.stat, ctx.declared);
  if (dimension === 'bytes') return f === 'b' ? actual : undefined;
  if (f === 's') return actual;
  if (f === 'ms') return actual / 1000;
  return f === 'n' && /seconds$/i.test(field ?? ctx.stat) ? actual : undefined;
}

function compare(actual: JsonValue, q: Query, field: string | undefined, ctx: LeafCtx): boolean {
  const op = q.op!;
  const text = q.value!;
  let a: number | string;
  let b: number | string;
  if (typeof actual === 'number') {
    if (q.measure) {
      const base = inBase(actual, field, ctx, q.measure.dimension);
      if (base === undefined) return false;
      a = base;
      b = q.measure.value;
    } else {
      a = actual;
      b = Number(text);
      if (Number.isNaN(b)) return false;
    }
  } else if (actual === null) {
    // No value (an empty window): it has no order, and equals only the text `null`.
    if (op === '=' || op === '==') return text === 'null';
    return op === '!=' && text !== 'null';
  } else if (typeof actual === 'string' || typeof actual === 'boolean') {
    a = String(actual);
    b = text;
  } else {
    return false;
  }
  switch (op) {
    case '>=':
      return a >= b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** How a query's key matched the names of a tree (see the rules at the top of this file). */
export interface KeyMatch {
  /** 'glob': the key has a `*`; 'exact': some name equals it; 'alias': `p99` for `99percentile`; 'words': a word of the name starts with it; 'none': nothing matched. */
  readonly how: 'glob' | 'exact' | 'alias' | 'words' | 'none';
  /** The distinct names matched, sorted (at most {@link MAX_MATCHED_NAMES}). */
  readonly names: readonly string[];
  /** How many distinct names matched in all. */
  readonly count: number;
  /** Whether a name is matched. */
  matches(name: string): boolean;
}

/** Most matched names a {@link KeyMatch} lists. */
export const MAX_MATCHED_NAMES = 12;

const PERCENTILE_ALIAS = /^p(\d+(?:\.\d+)?)$/i;
const ALIASES: Record<string, string> = {
  '50': 'median',
  '75': '75percentile',
  '95': '95percentile',
  '98': '98percentile',
  '99': '99percentile',
  '999': '999percentile',
  '99.9': '999percentile',
};
/** The words of a name: camelCase parts, runs of digits, other runs of letters (`heapUsedBytes`: heap, Used, Bytes; `HTTPServer`: HTTP, Server). */
const WORD = /\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|\p{N}+|\p{L}+/gu;
const NOT_ALNUM = /[^\p{L}\p{N}]+/gu;

/** Whether a word of `name` starts with `flat` (lower case, letters and digits only), the match possibly running on into the next words. */
function wordStartsWith(name: string, flat: string): boolean {
  if (flat === '') return false;
  let joined = '';
  const starts: number[] = [];
  for (const m of name.matchAll(WORD)) {
    starts.push(joined.length);
    joined += m[0].toLowerCase();
  }
  for (const at of starts) if (joined.startsWith(flat, at)) return true;
  return false;
}

function globTest(key: string): (name: string) => boolean {
  const re = new RegExp(
    '^' +
      key
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
    'is',
  );
  return (name) => re.test(name);
}

/** Calls `visit` with every name of a tree (containers, stats, keys and fields of values) until it returns true. */
function someName(node: SnapshotNode, visit: (name: string) => boolean): boolean {
  const inValue = (v: JsonValue): boolean => {
    if (!isObject(v)) return false;
    for (const k of Object.keys(v)) if (visit(k) || inValue(v[k])) return true;
    return false;
  };
  // The top node's own name is not searched (the filter keeps or drops what is inside it).
  const walk = (n: SnapshotNode): boolean => {
    for (const s of n.stats) if (visit(s.name) || (s.error === undefined && inValue(s.value))) return true;
    for (const c of n.children) if (visit(c.name) || walk(c)) return true;
    return false;
  };
  return walk(node);
}

/**
 * Which names of a tree a query's key matches, by the rules at the top of this file: a glob,
 * then exact names, then the percentile aliases, then words starting with the key.
 *
 * @example matchKey(node, 'heap') // { how: 'words', names: ['heapTotalBytes', 'heapUsedBytes'], ... }
 */
export function matchKey(node: SnapshotNode, key: string): KeyMatch {
  const collect = (how: KeyMatch['how'], test: (name: string) => boolean): KeyMatch => {
    // Each distinct name is tested once (the tree repeats field names thousands of times).
    const memo = new Map<string, boolean>();
    const matches = (name: string): boolean => {
      let m = memo.get(name);
      if (m === undefined) memo.set(name, (m = test(name)));
      return m;
    };
    const found = new Set<string>();
    someName(node, (name) => {
      if (matches(name)) found.add(name);
      return false;
    });
    const names = [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { how: found.size === 0 ? 'none' : how, names: names.slice(0, MAX_MATCHED_NAMES), count: found.size, matches };
  };
  if (key.includes('*')) return collect('glob', globTest(key));
  const exact = (name: string): boolean => name === key;
  if (someName(node, exact)) return { how: 'exact', names: [key], count: 1, matches: exact };
  const alias = PERCENTILE_ALIAS.exec(key);
  const target = alias ? ALIASES[alias[1]] : undefined;
  if (target !== undefined) {
    const isTarget = (name: string): boolean => name === target;
    if (someName(node, isTarget)) return { how: 'alias', names: [target], count: 1, matches: isTarget };
  }
  const flat = key.toLowerCase().replace(NOT_ALNUM, '');
  return collect('words', (name) => wordStartsWith(name, flat));
}

/**
 * One line telling what a query's key matched, for the page (undefined when the key is an
 * exact name: nothing to explain).
 */
export function describeMatch(q: Query, m: KeyMatch): string | undefined {
  const list = m.names.join(', ') + (m.count > m.names.length ? ` and ${m.count - m.names.length} more` : '');
  switch (m.how) {
    case 'exact':
      return undefined;
    case 'alias':
      return `${JSON.stringify(q.key)} is ${m.names[0]}`;
    case 'glob':
      return `${JSON.stringify(q.key)} matched ${list} (a glob, any case)`;
    case 'words':
      return `nothing is named ${JSON.stringify(q.key)}: it matched ${list} (names with a word starting with it, any case)`;
    case 'none':
      return q.key.includes('*')
        ? `no name matches the glob ${JSON.stringify(q.key)}`
        : `nothing is named ${JSON.stringify(q.key)} or has a word starting with it (a glob matches inside words: *${q.key}*)`;
  }
}

/** Keeps what matches inside a JSON value; undefined when nothing does. */
function filterValue(value: JsonValue, q: Query, m: KeyMatch, ctx: LeafCtx): JsonValue | undefined {
  if (!isObject(value)) return undefined;
  const unit = typeof value.unit === 'string' ? value.unit : ctx.unit;
  const inner = unit === ctx.unit ? ctx : { ...ctx, unit };
  let out: { [key: string]: JsonValue } | undefined;
  for (const k of Object.keys(value)) {
    const kept = matchEntry(k, value[k], q, m, k, inner);
    if (kept !== undefined) setOwn((out ??= {}), k, kept);
  }
  return out;
}

function matchEntry(name: string, value: JsonValue, q: Query, m: KeyMatch, field: string | undefined, ctx: LeafCtx): JsonValue | undefined {
  if (m.matches(name)) {
    if (q.op === undefined) return value;
    if (compare(value, q, field, ctx)) return value;
  }
  // A matched name holding an object is searched inside too (`heap > 1MB` with a `heap` dict).
  return filterValue(value, q, m, ctx);
}

function filterStat(stat: SnapshotStat, q: Query, m: KeyMatch): SnapshotStat | undefined {
  if (stat.error !== undefined) {
    return m.matches(stat.name) && q.op === undefined ? stat : undefined;
  }
  const declared = (stat as { description?: { unit?: string } }).description?.unit;
  const kept = matchEntry(stat.name, stat.value, q, m, undefined, { display: kindOf(stat).display, unit: undefined, stat: stat.name, declared });
  if (kept === undefined) return undefined;
  // A filtered value keeps its kind's shape with keys left out: every kind reads its value key
  // by key (its samples and display), so the part shows as the whole would.
  return kept === stat.value ? stat : ({ name: stat.name, kind: stat.kind, value: kept } as SnapshotStat);
}

function filterNode(node: SnapshotNode, q: Query, m: KeyMatch): SnapshotNode | undefined {
  const stats: SnapshotStat[] = [];
  const children: SnapshotNode[] = [];
  for (const s of node.stats) {
    const kept = filterStat(s, q, m);
    if (kept) stats.push(kept);
  }
  for (const c of node.children) {
    if (q.op === undefined && m.matches(c.name)) children.push(c);
    else {
      const kept = filterNode(c, q, m);
      if (kept) children.push(kept);
    }
  }
  if (stats.length === 0 && children.length === 0) return undefined;
  return { name: node.name, path: node.path, stats, children };
}

/**
 * Applies a query to a snapshot; returns a new snapshot holding only the matching branches,
 * or undefined when nothing matches (callers that want an empty page use `?? emptyLike(node)`).
 * `match` is the key's match in this tree (default {@link matchKey}`(node, q.key)`; pass it when
 * you also show it).
 *
 * @example filterSnapshot(node, parseQuery('errors > 0'))
 */
export function filterSnapshot(node: SnapshotNode, q: Query, match: KeyMatch = matchKey(node, q.key)): SnapshotNode | undefined {
  if (match.how === 'none') return undefined;
  return filterNode(node, q, match);
}

/** A node with the same name and path as `node` and nothing in it (an empty filter result). */
export function emptyLike(node: SnapshotNode): SnapshotNode {
  return { name: node.name, path: node.path, stats: [], children: [] };
}
