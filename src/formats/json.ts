/**
 * JSON rendering of a snapshot: the plain tree users know from the original `?format=json`.
 * Stats appear in declaration order, then child containers in creation order; collapsed
 * containers are left out; a stat whose reading failed shows as `{"error": "<message>"}`.
 */
import type { JsonObject, JsonValue, SnapshotNode, SnapshotStat } from '../core/snapshot.js';
import { errorMarker } from '../core/snapshot.js';

/** Options of {@link renderJson} and {@link jsonChunks}. */
export interface JsonRenderOptions {
  /** Indent by 2 spaces, like `JSON.stringify(tree, null, 2)` (`?format=prettyjson`). */
  pretty?: boolean;
}

/** The JSON value of one stat: its value, or the error marker when reading it failed. */
export function statJsonValue(stat: SnapshotStat): JsonValue {
  return stat.error !== undefined ? errorMarker(stat.error) : stat.value;
}

/**
 * The snapshot as a plain JSON object (collapsed containers omitted).
 *
 * @example toJsonObject(node) // { errors: 3, latency: { count: 10, ... }, api: { ... } }
 */
export function toJsonObject(node: SnapshotNode): JsonObject {
  const out: JsonObject = {};
  for (const s of node.stats) setOwn(out, s.name, statJsonValue(s));
  for (const c of node.children) if (!c.collapsed) setOwn(out, c.name, toJsonObject(c));
  return out;
}

/** Sets an own property, even one named `__proto__` (a dict key can be any string). */
export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Renders the snapshot as JSON text, byte for byte what `JSON.stringify(toJsonObject(node))`
 * (or with indent 2 when `pretty`) gives, but in pieces: the HTTP handler pulls the pieces a
 * few at a time and yields to the event loop between batches, so a big tree never blocks it.
 */
export function* jsonChunks(node: SnapshotNode, options: JsonRenderOptions = {}): Generator<string> {
  yield* writeNode(node, options.pretty ? '\n' : '', options.pretty === true);
}

function* writeNode(node: SnapshotNode, nl: string, pretty: boolean): Generator<string> {
  const inner = pretty ? nl + '  ' : '';
  const sep = pretty ? ': ' : ':';
  let first = true;
  for (const s of node.stats) {
    const v = JSON.stringify(statJsonValue(s), null, pretty ? 2 : undefined) ?? 'null';
    const text = pretty ? v.replace(/\n/g, inner) : v;
    yield (first ? '{' : ',') + inner + JSON.stringify(s.name) + sep + text;
    first = false;
  }
  for (const c of node.children) {
    if (c.collapsed) continue;
    yield (first ? '{' : ',') + inner + JSON.stringify(c.name) + sep;
    first = false;
    yield* writeNode(c, inner, pretty);
  }
  yield first ? '{}' : nl + '}';
}

/** Renders the snapshot as one JSON string (see {@link jsonChunks}). */
export function renderJson(node: SnapshotNode, options: JsonRenderOptions = {}): string {
  let out = '';
  for (const piece of jsonChunks(node, options)) out += piece;
  return out;
}
