/**
 * The messages between workers and the primary (over the node:cluster IPC channel or a
 * worker_threads MessagePort), and the checks the primary makes on what it receives: a report is
 * data from another process, so a malformed one is refused with a reason, never trusted.
 */
import type { MessagePort } from 'node:worker_threads';
import { isObject } from '../core/json.js';
import type { JsonValue } from '../core/snapshot.js';
import { isStatKind, KINDS } from '../registry/catalogue.js';
import type { SnapshotNode } from '../registry/snapshot.js';

/** Marks every message of this protocol (`msg.scales`); other messages are left to the application. */
export const PROTOCOL = 'scales-metrics/cluster@1';

/** Default time between two reports of a worker: 1 s. */
export const DEFAULT_REPORT_INTERVAL_MS = 1000;

/** Default largest report, in bytes of JSON: 1 MiB (a worker's tree of a few hundred stats takes a few tens of KiB). */
export const DEFAULT_MAX_REPORT_BYTES = 1024 * 1024;

/** Deepest container a report may hold. */
export const MAX_REPORT_DEPTH = 64;

/** A worker's stats, sent on its timer. */
export interface ReportMessage {
  readonly scales: typeof PROTOCOL;
  readonly type: 'report';
  /** Different each time a worker starts: a new one means the worker restarted. */
  readonly incarnation: string;
  /** 1, 2, ... per incarnation. */
  readonly seq: number;
  readonly pid: number;
  /** The worker's report interval (the primary judges lateness by it). */
  readonly intervalMs: number;
  /** The JSON of the worker's snapshot (with sketches); null when it was larger than the worker's limit. */
  readonly tree: string | null;
  /** Size of that JSON in bytes (also when it was too large to send). */
  readonly bytes: number;
}

/** From a worker thread on its parent port, once: the port its reports come on. */
export interface HelloMessage {
  readonly scales: typeof PROTOCOL;
  readonly type: 'hello';
  readonly port: MessagePort;
}

/** From the primary on a MessagePort, after each report: the worker may send the next one. */
export interface AckMessage {
  readonly scales: typeof PROTOCOL;
  readonly type: 'ack';
  readonly seq: number;
}

/** Whether `m` is a message of this protocol (of any type). */
export function isProtocolMessage(m: unknown): m is { scales: typeof PROTOCOL; type: unknown } {
  return typeof m === 'object' && m !== null && (m as { scales?: unknown }).scales === PROTOCOL;
}

/** A report's fields checked; a TypeError naming the first wrong one. */
export function checkReport(m: { [key: string]: unknown }, maxBytes: number): ReportMessage {
  const { incarnation, seq, pid, intervalMs, tree, bytes } = m;
  if (typeof incarnation !== 'string' || incarnation.length === 0 || incarnation.length > 200)
    throw new TypeError('"incarnation" is not a short string');
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) throw new TypeError('"seq" is not a positive integer');
  if (!Number.isSafeInteger(pid)) throw new TypeError('"pid" is not an integer');
  if (typeof intervalMs !== 'number' || !(intervalMs > 0 && intervalMs < 86_400_000)) throw new TypeError('"intervalMs" is not a positive duration');
  if (typeof bytes !== 'number' || !(bytes >= 0)) throw new TypeError('"bytes" is not a size');
  if (tree !== null && typeof tree !== 'string') throw new TypeError('"tree" is neither text nor null');
  // A string of n UTF-16 units takes at least n bytes of UTF-8.
  if (typeof tree === 'string' && tree.length > maxBytes) throw new TypeError(`the report is larger than ${maxBytes} bytes`);
  return m as unknown as ReportMessage;
}

/**
 * The JSON of a worker's tree, as a report carries it: each side of a pmf's lifetime buckets
 * (`histogram.positive`, `.negative`) packed into one text of base-36 tokens ({@link packSide}),
 * 2 to 3 times shorter than its two arrays of numbers.
 */
export function stringifyTree(node: SnapshotNode): string {
  return JSON.stringify(node, function (this: unknown, key: string, value: unknown) {
    if ((key === 'positive' || key === 'negative') && isHistogramHolder(this)) {
      const v = value as { indexes?: unknown; counts?: unknown };
      if (Array.isArray(v?.indexes) && Array.isArray(v.counts)) return packSide(v.indexes as number[], v.counts as number[]);
    }
    return value;
  });
}

function isHistogramHolder(h: unknown): boolean {
  return typeof h === 'object' && h !== null && typeof (h as { schema?: unknown }).schema === 'number' && 'zeroCount' in h;
}

/** Gaps between two buckets up to this are written as zero counts, longer ones as a jump. */
const MAX_ZERO_RUN = 3;

/**
 * One side of native buckets as text: comma-separated base-36 tokens, a count each for
 * consecutive indexes, `~<index>` setting the next index (first, and after a gap). Indexes
 * `[-5, -4, 10]`, counts `[1, 40, 2]`: `~-5,1,14,~a,2`.
 */
export function packSide(indexes: readonly number[], counts: readonly number[]): string {
  let out = '';
  let next = Number.NaN;
  for (let k = 0; k < indexes.length; k++) {
    const i = indexes[k]!;
    const gap = i - next;
    if (gap >= 0 && gap <= MAX_ZERO_RUN) for (let z = 0; z < gap; z++) out += '0,';
    else out += '~' + i.toString(36) + ',';
    out += counts[k]!.toString(36) + ',';
    next = i + 1;
  }
  return out.slice(0, -1);
}

/** {@link packSide} read back; null when the text is not such (the report's stat then shows an error). */
export function unpackSide(text: string): { indexes: number[]; counts: number[] } | null {
  const indexes: number[] = [];
  const counts: number[] = [];
  if (text === '') return { indexes, counts };
  let next = Number.NaN;
  for (const token of text.split(',')) {
    if (token.startsWith('~')) {
      if (!/^~-?[0-9a-z]{1,10}$/.test(token)) return null;
      next = Number.parseInt(token.slice(1), 36);
      continue;
    }
    if (!/^[0-9a-z]{1,11}$/.test(token) || Number.isNaN(next)) return null;
    const c = Number.parseInt(token, 36);
    if (c > 0) {
      indexes.push(next);
      counts.push(c);
    }
    next++;
  }
  // Copies of their exact length (what push grew has up to half again as much room): the primary keeps them.
  return { indexes: indexes.slice(), counts: counts.slice() };
}

/** Parses and checks a report's tree: containers with names, paths, stats of known kinds. */
export function parseTree(text: string): SnapshotNode {
  const v = JSON.parse(text, function (this: unknown, key: string, value: unknown) {
    // Packed bucket sides (stringifyTree) unpacked; a malformed one stays text and fails the pmf's shape.
    if ((key === 'positive' || key === 'negative') && typeof value === 'string' && isHistogramHolder(this)) return unpackSide(value) ?? value;
    return value;
  }) as JsonValue;
  checkNode(v, '/', 0);
  return v as unknown as SnapshotNode;
}

function checkNode(v: JsonValue, where: string, depth: number): void {
  if (depth > MAX_REPORT_DEPTH) throw new TypeError(`containers nest deeper than ${MAX_REPORT_DEPTH} at ${where}`);
  if (!isObject(v) || typeof v.name !== 'string' || typeof v.path !== 'string' || !Array.isArray(v.stats) || !Array.isArray(v.children)) {
    throw new TypeError(`the container at ${where} is not {name, path, stats, children}`);
  }
  for (const s of v.stats) {
    if (!isObject(s) || typeof s.name !== 'string' || typeof s.kind !== 'string' || !isStatKind(s.kind) || !('value' in s)) {
      throw new TypeError(`a stat of ${where} is not {name, kind, value} of a known kind`);
    }
    if (s.error !== undefined && typeof s.error !== 'string') throw new TypeError(`stat ${s.name} of ${where}: "error" is not text`);
    if (s.error === undefined && !KINDS[s.kind].shape(s.value!)) {
      // One malformed value does not cost the worker its report: that stat shows why instead.
      s.error = `the report's value is not the shape of a ${s.kind} stat`;
      s.value = null;
    }
  }
  for (const c of v.children) checkNode(c, isObject(c) && typeof c.path === 'string' ? c.path : where, depth + 1);
}
