/**
 * JSON rendering of a snapshot: the plain tree users know from the original `?format=json`.
 * Stats appear in declaration order, then child containers in creation order (as in a
 * JavaScript object: keys that look like array indexes come first); containers the
 * `collapsed` option names are left out; a stat whose reading failed shows as `{"error": "<message>"}`.
 */
import type { JsonObject } from '../core/snapshot.js';
import { type CollapsedTest, type SnapshotNode, type SnapshotStat, snapshotJson, statJsonValue } from '../registry/snapshot.js';

/** Options of {@link renderJson} and {@link jsonChunks}. */
export interface JsonRenderOptions {
  /** Indent by 2 spaces, like `JSON.stringify(tree, null, 2)` (`?format=prettyjson`). */
  pretty?: boolean;
  /** Containers (below the top one) left out, e.g. `registry.isCollapsed`. */
  collapsed?: CollapsedTest;
}

export { statJsonValue };

/**
 * The snapshot as a plain JSON object (containers `options.collapsed` names omitted): the same
 * tree as `getStats()`, built by the same function.
 *
 * @example toJsonObject(node) // { errors: 3, latency: { count: 10, ... }, api: { ... } }
 */
export function toJsonObject(node: SnapshotNode, options: JsonRenderOptions = {}): JsonObject {
  return snapshotJson(node, options.collapsed);
}

/**
 * Renders the snapshot as JSON text, byte for byte what `JSON.stringify(toJsonObject(node))`
 * (or with indent 2 when `pretty`) gives, but in pieces: the HTTP handler pulls the pieces a
 * few at a time and yields to the event loop between batches, so a big tree never blocks it.
 */
export function* jsonChunks(node: SnapshotNode, options: JsonRenderOptions = {}): Generator<string> {
  yield* writeNode(node, options.pretty ? '\n' : '', options.pretty === true, options.collapsed);
}

/** Whether a key is an array index, which JavaScript objects (and so JSON.stringify) list first. */
function isIndexKey(k: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(k) && Number(k) < 4294967295;
}

type Entry = { name: string; stat?: SnapshotStat; child?: SnapshotNode };

/** Stats then open children, in the order a JSON object of them has: index-like keys first. */
function entriesOf(node: SnapshotNode, collapsed: CollapsedTest | undefined): Entry[] {
  const out: Entry[] = [];
  for (const s of node.stats) out.push({ name: s.name, stat: s });
  for (const c of node.children) if (collapsed === undefined || !collapsed(c.path)) out.push({ name: c.name, child: c });
  if (!out.some((e) => isIndexKey(e.name))) return out;
  const index = out.filter((e) => isIndexKey(e.name)).sort((a, b) => Number(a.name) - Number(b.name));
  return [...index, ...out.filter((e) => !isIndexKey(e.name))];
}

function* writeNode(node: SnapshotNode, nl: string, pretty: boolean, collapsed: CollapsedTest | undefined): Generator<string> {
  const inner = pretty ? nl + '  ' : '';
  const sep = pretty ? ': ' : ':';
  let first = true;
  for (const e of entriesOf(node, collapsed)) {
    const head = (first ? '{' : ',') + inner + JSON.stringify(e.name) + sep;
    first = false;
    if (e.stat) {
      const v = JSON.stringify(statJsonValue(e.stat), null, pretty ? 2 : undefined) ?? 'null';
      yield head + (pretty ? v.replace(/\n/g, inner) : v);
    } else {
      yield head;
      yield* writeNode(e.child!, inner, pretty, collapsed);
    }
  }
  yield first ? '{}' : nl + '}';
}

/** Renders the snapshot as one JSON string (see {@link jsonChunks}). */
export function renderJson(node: SnapshotNode, options: JsonRenderOptions = {}): string {
  let out = '';
  for (const piece of jsonChunks(node, options)) out += piece;
  return out;
}
