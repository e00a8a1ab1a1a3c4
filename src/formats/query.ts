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
 * Branches with no match vanish. Filtering a pmf by `count > 100` keeps only the `count`
 * field of the pmfs that pass.
 */
import { isObject, setOwn } from '../core/json.js';
import type { JsonValue } from '../core/snapshot.js';
import type { SnapshotNode, SnapshotStat } from '../registry/snapshot.js';

/** The comparison operators of a query. */
export type QueryOperator = '>=' | '>' | '<' | '<=' | '=' | '==' | '!=';

/** A parsed query: a key, and optionally an operator and the value to compare with. */
export interface Query {
  key: string;
  op?: QueryOperator;
  value?: string;
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
  return { key, op: m[0] as QueryOperator, value };
}

function compare(actual: JsonValue, op: QueryOperator, text: string): boolean {
  let a: number | string;
  let b: number | string;
  if (typeof actual === 'number') {
    a = actual;
    b = Number(text);
    if (Number.isNaN(b)) return false;
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

/** Keeps what matches inside a JSON value; undefined when nothing does. */
function filterValue(value: JsonValue, q: Query): JsonValue | undefined {
  if (!isObject(value)) return undefined;
  let out: { [key: string]: JsonValue } | undefined;
  for (const k of Object.keys(value)) {
    const kept = matchEntry(k, value[k], q);
    if (kept !== undefined) setOwn((out ??= {}), k, kept);
  }
  return out;
}

function matchEntry(name: string, value: JsonValue, q: Query): JsonValue | undefined {
  if (name === q.key) {
    if (q.op === undefined) return value;
    return compare(value, q.op, q.value!) ? value : undefined;
  }
  return filterValue(value, q);
}

function filterStat(stat: SnapshotStat, q: Query): SnapshotStat | undefined {
  if (stat.error !== undefined) {
    return stat.name === q.key && q.op === undefined ? stat : undefined;
  }
  const kept = matchEntry(stat.name, stat.value, q);
  if (kept === undefined) return undefined;
  // A filtered value keeps its kind's shape with keys left out: every kind reads its value key
  // by key (its samples and display), so the part shows as the whole would.
  return kept === stat.value ? stat : ({ name: stat.name, kind: stat.kind, value: kept } as SnapshotStat);
}

/**
 * Applies a query to a snapshot; returns a new snapshot holding only the matching branches,
 * or undefined when nothing matches (callers that want an empty page use `?? emptyLike(node)`).
 *
 * @example filterSnapshot(node, parseQuery('errors > 0'))
 */
export function filterSnapshot(node: SnapshotNode, q: Query): SnapshotNode | undefined {
  const stats: SnapshotStat[] = [];
  const children: SnapshotNode[] = [];
  for (const s of node.stats) {
    const kept = filterStat(s, q);
    if (kept) stats.push(kept);
  }
  for (const c of node.children) {
    if (c.name === q.key && q.op === undefined) children.push(c);
    else {
      const kept = filterSnapshot(c, q);
      if (kept) children.push(kept);
    }
  }
  if (stats.length === 0 && children.length === 0) return undefined;
  return { name: node.name, path: node.path, stats, children };
}

/** A node with the same name and path as `node` and nothing in it (an empty filter result). */
export function emptyLike(node: SnapshotNode): SnapshotNode {
  return { name: node.name, path: node.path, stats: [], children: [] };
}
