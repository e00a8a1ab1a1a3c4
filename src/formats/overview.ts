/**
 * The status page's overview: the few figures that say whether a service is well, read from
 * whatever stats exist — request stats at `/http` (requests, errors, latency) and runtime stats
 * at `/process` (event-loop delay, heap, CPU). A figure whose stat is absent is left out. Keyed
 * stats may nest their values in label order (`requests`: `{"GET": {"/a": {"200": 5}}}`), as the
 * request stats of `requestStats()` do: the request rate sums every count, the error rate is
 * `/http/errors` (or, without it, the 5xx statuses of `/http/requests` when it is labelled
 * `status`), and the p99 latency is the slowest (method, route)'s, named in the title. The
 * history sampler records each figure as a series of its own (key {@link overviewKey}), so the
 * overview's charts reach back to the process start like every other stat's.
 */
import { isObject } from '../core/json.js';
import type { JsonValue } from '../core/snapshot.js';
import type { SnapshotNode, SnapshotStat } from '../registry/snapshot.js';
import type { ValueFormat } from './value-format.js';

/** Thresholds past which the page colours a figure, a percentile or an error count as trouble. */
export interface StatusThresholds {
  /** A percentile of a pmf (the tree, a stat's page, the overview's p99 latency) at or above this many seconds (default {@link DEFAULT_THRESHOLDS}: 1 s). */
  slowSeconds?: number;
  /** The event loop's p99 delay at or above this many seconds (default 0.1 s). */
  eventLoopSeconds?: number;
  /**
   * An error-like counter (its name holds error, fail, reject, timeout or abort) rising faster
   * than this many per second (default 0: any rise).
   */
  errorsPerSecond?: number;
  /** Heap used at or above this many bytes (default: none). */
  heapBytes?: number;
  /** CPU use at or above this fraction of one core (default: none). */
  cpu?: number;
}

/** The default thresholds. */
export const DEFAULT_THRESHOLDS: Readonly<Required<Pick<StatusThresholds, 'slowSeconds' | 'eventLoopSeconds' | 'errorsPerSecond'>>> = {
  slowSeconds: 1,
  eventLoopSeconds: 0.1,
  errorsPerSecond: 0,
};

/** Checks thresholds given by a user; throws a RangeError naming the bad one. */
export function checkThresholds(t: StatusThresholds | undefined): StatusThresholds {
  if (t === undefined) return {};
  if (!isObject(t as JsonValue)) throw new TypeError('invalid status handler option thresholds: an object');
  for (const [k, v] of Object.entries(t)) {
    if (!['slowSeconds', 'eventLoopSeconds', 'errorsPerSecond', 'heapBytes', 'cpu'].includes(k)) {
      throw new RangeError(`unknown threshold ${JSON.stringify(k)}: use slowSeconds, eventLoopSeconds, errorsPerSecond, heapBytes or cpu`);
    }
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new RangeError(`invalid threshold ${k}: ${String(v)} (a number >= 0)`);
    }
  }
  return t;
}

/** Error-like names: their counters are coloured when they rise. */
export const ERROR_LIKE = /error|fail|reject|timeout|abort/i;

/** One figure of the overview. */
export interface OverviewFigure {
  /** Stable id, also the last segment of its history key. */
  readonly id: string;
  /** Shown as the figure's title. */
  readonly label: string;
  /** Container and stat it is read from (the figure links to the stat's page). */
  readonly container: string;
  readonly stat: string;
  /** 'rate': a cumulative count shown per second; 'value': shown as it is. */
  readonly mode: 'rate' | 'value';
  /** How its values are formatted (of the rate when mode is 'rate'). */
  readonly format: ValueFormat;
  /** Which threshold colours it. */
  readonly threshold?: keyof StatusThresholds;
  /** The figure's value in a snapshot holding its stat (null: no value yet). */
  read(value: JsonValue, stat: SnapshotStat): number | null;
  /** Whether the figure can be read from this stat (default: yes); the next figure of the same id is tried when not. */
  applies?(stat: SnapshotStat): boolean;
  /** What the value is of, when it is one part of the stat (the slowest route: `GET /slow`). */
  detail?(value: JsonValue): string | undefined;
}

/** The label names of a keyed stat, outermost first (from its declaration), or undefined. */
function labelsOf(stat: SnapshotStat): readonly string[] | undefined {
  return (stat as { description?: { labels?: readonly string[] } }).description?.labels;
}

function sumLeaves(v: JsonValue): number | null {
  if (typeof v === 'number') return v;
  if (!isObject(v)) return null;
  // A meter (its count beside its rates): the count.
  if (typeof v.count === 'number' && typeof v.m1 === 'number') return v.count;
  let sum: number | null = null;
  for (const k of Object.keys(v)) {
    const s = sumLeaves(v[k]);
    if (s !== null) sum = (sum ?? 0) + s;
  }
  return sum;
}

/** Seconds per unit of a pmf's time units (a pmf in 's' or without a unit: 1). */
const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { ms: 1e-3, us: 1e-6, ns: 1e-9 };

/** The 5xx counts of a dict labelled `status` at depth `depth` (`{"GET": {"/a": {"500": 2}}}`: 2). */
function sumStatus5xx(v: JsonValue, depth: number): number {
  if (!isObject(v)) return 0;
  let sum = 0;
  for (const k of Object.keys(v)) {
    if (depth > 0) sum += sumStatus5xx(v[k], depth - 1);
    else if (/^5\d\d$/.test(k)) sum += sumLeaves(v[k]) ?? 0;
  }
  return sum;
}

/** The largest `field` of the pmfs in a value (a pmf, or pmfs nested in dicts), in seconds, and the keys down to it. */
function worstOf(field: string, v: JsonValue, keys: string[] = []): [number, string[]] | undefined {
  if (!isObject(v)) return undefined;
  const f = v[field];
  if (typeof f === 'number' || (f === null && typeof v.unit === 'string')) {
    const u = v.unit;
    return typeof f === 'number' ? [f * (typeof u === 'string' && Object.hasOwn(SECONDS_PER_UNIT, u) ? SECONDS_PER_UNIT[u] : 1), keys] : undefined;
  }
  let best: [number, string[]] | undefined;
  for (const k of Object.keys(v)) {
    const x = worstOf(field, v[k], [...keys, k]);
    if (x !== undefined && (best === undefined || x[0] > best[0])) best = x;
  }
  return best;
}

/** The largest `field` of the pmfs in a value (a pmf or a dict of them), in seconds. */
function worst(field: string): (v: JsonValue) => number | null {
  return (v) => worstOf(field, v)?.[0] ?? null;
}

/** Which pmf of a dict has the largest `field` (its keys, space-separated), or undefined for a lone pmf. */
function worstKeys(field: string): (v: JsonValue) => string | undefined {
  return (v) => {
    const keys = worstOf(field, v)?.[1];
    return keys && keys.length > 0 ? keys.join(' ') : undefined;
  };
}

const num = (v: JsonValue): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The overview's figures, in page order. */
export const OVERVIEW_FIGURES: readonly OverviewFigure[] = [
  { id: 'requests', label: 'Requests', container: '/http', stat: 'requests', mode: 'rate', format: 'r', read: sumLeaves },
  { id: 'errors', label: 'Errors', container: '/http', stat: 'errors', mode: 'rate', format: 'r', threshold: 'errorsPerSecond', read: sumLeaves },
  {
    // Without /http/errors: the 5xx answers of requests labelled by status.
    id: 'errors',
    label: 'Errors (5xx)',
    container: '/http',
    stat: 'requests',
    mode: 'rate',
    format: 'r',
    threshold: 'errorsPerSecond',
    applies: (s) => labelsOf(s)?.includes('status') === true,
    read: (v, s) => sumStatus5xx(v, labelsOf(s)!.indexOf('status')),
  },
  {
    id: 'p99',
    label: 'p99 latency (slowest route)',
    container: '/http',
    stat: 'latency',
    mode: 'value',
    format: 's',
    threshold: 'slowSeconds',
    read: worst('99percentile'),
    detail: worstKeys('99percentile'),
  },
  {
    id: 'eventLoop',
    label: 'Event-loop delay p99',
    container: '/process/eventLoop',
    stat: 'delaySeconds',
    mode: 'value',
    format: 's',
    threshold: 'eventLoopSeconds',
    read: worst('99percentile'),
  },
  {
    id: 'heap',
    label: 'Heap used',
    container: '/process/memory',
    stat: 'heapUsedBytes',
    mode: 'value',
    format: 'b',
    threshold: 'heapBytes',
    read: num,
  },
  { id: 'cpu', label: 'CPU (of one core)', container: '/process/cpu', stat: 'utilization', mode: 'value', format: 'p', threshold: 'cpu', read: num },
];

/** The history key of a figure: `["","~overview","<id>"]` (no leaf has it: path segments are never empty). */
export function overviewKey(id: string): string {
  return JSON.stringify(['', '~overview', id]);
}

/** The node at `path` below `root` (a '/' root), or undefined. */
export function nodeAt(root: SnapshotNode, path: string): SnapshotNode | undefined {
  let node: SnapshotNode | undefined = root;
  for (const seg of path.split('/')) {
    if (seg === '') continue;
    node = node.children.find((c) => c.name === seg);
    if (node === undefined) return undefined;
  }
  return node;
}

function statAt(root: SnapshotNode, container: string, name: string): SnapshotStat | undefined {
  return nodeAt(root, container)?.stats.find((s) => s.name === name && s.error === undefined);
}

/**
 * The figures whose stat exists in a snapshot of the root (the first that applies of each id),
 * with their current value and what it is of (the slowest route), when that is one part of the stat.
 */
export function overviewFigures(root: SnapshotNode): Array<[OverviewFigure, number | null, string | undefined]> {
  const out: Array<[OverviewFigure, number | null, string | undefined]> = [];
  if (root.path !== '/') return out;
  const done = new Set<string>();
  for (const f of OVERVIEW_FIGURES) {
    if (done.has(f.id)) continue;
    const s = statAt(root, f.container, f.stat);
    if (s === undefined || (f.applies !== undefined && !f.applies(s))) continue;
    done.add(f.id);
    out.push([f, f.read(s.value, s), f.detail?.(s.value)]);
  }
  return out;
}
