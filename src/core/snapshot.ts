/**
 * The plain data of snapshots: JSON values and the value shapes of the distribution kinds.
 * The typed snapshot itself (a union discriminated by kind) is built from the catalogue of
 * kinds, in src/registry/snapshot.ts: the core knows no kind. A snapshot is plain data: reading
 * it never touches a live stat again.
 */

/** Any value that survives `JSON.stringify` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Lifetime figures of a distribution (since creation or the last reset). */
export type DistributionLifetime = {
  count: number;
  /** Null only when the sum is beyond the double range (listed in `outOfRange`). */
  sum: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
};

/**
 * Snapshot of a PmfStat. The top-level figures (count, min, max, mean, stddev and the
 * percentiles) describe the recent window (`windowSeconds`, default 300); `lifetime` holds
 * the figures since creation. With nothing recorded in the window the percentiles, min, max,
 * mean and stddev are `null` (never a stale or made-up 0).
 */
export type PmfSnapshot = {
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  median: number | null;
  '75percentile': number | null;
  '95percentile': number | null;
  '98percentile': number | null;
  '99percentile': number | null;
  '999percentile': number | null;
  /** Unit of every value above: 's' (seconds, the default, as in Python), 'ms', 'us' or 'ns'. */
  unit: string;
  /** Length of the recent window, in seconds. */
  windowSeconds: number;
  /** Schema of the window's native-histogram buckets: 6 unless a bucket budget was exceeded. */
  schema: number;
  /** Error bound of the percentiles at that schema: 0.0054 at schema 6, 0.0109 at 5, ... */
  relativeError: number;
  lifetime: DistributionLifetime;
  /** The serialized sketch of the window, present only when asked for (`{ sketches: true }`). */
  sketch?: string;
  /** The lifetime's native-histogram buckets, present only when asked for (`{ histograms: true }`) and not declared `{ summary: true }`. */
  histogram?: HistogramBuckets;
  /**
   * Present only when a figure is beyond the double range (values near ±1.8e308: a sum of two
   * 1e308, a stddev above 1.8e308; or a stddev of values less than ~3e-151 apart, whose squares
   * underflow): the figures shown as `null` for that reason, e.g. `['lifetime.sum']`. Without
   * it, a `null` figure means no data.
   */
  outOfRange?: string[];
};

/**
 * The native-histogram buckets of a distribution's lifetime (cumulative: counts only grow until
 * a reset), as plain data: what the Prometheus exposition exports as a native histogram and
 * derives classic `le` buckets from. Values are in the distribution's unit. Present in a pmf's
 * snapshot only when asked for (`{ histograms: true }`).
 */
export type HistogramBuckets = {
  /** Native-histogram schema: bucket `i` holds (2^((i-1)/2^schema), 2^(i/2^schema)]; 6 unless a budget forced coarser ones. */
  schema: number;
  /** Magnitudes at or below this are counted in `zeroCount`. */
  zeroThreshold: number;
  zeroCount: number;
  /** Non-empty buckets of positive values: `counts[k]` values in the bucket of index `indexes[k]`, increasing indexes. */
  positive: { indexes: number[]; counts: number[] };
  /** The same for negative values (bucket `i` holds [-2^(i/2^schema), -2^((i-1)/2^schema))). */
  negative: { indexes: number[]; counts: number[] };
  /** Values counted (the sum of every bucket). */
  count: number;
  sum: number;
  /** Declared upper bounds of classic buckets, in the unit of the values (absent: the default bounds). */
  bounds?: number[];
};

/** Snapshot of a MeterStat: 1/5/15-minute EWMA rates, the mean rate, and the total count. */
export type MeterSnapshot = {
  count: number;
  m1: number;
  m5: number;
  m15: number;
  mean: number;
  unit: string;
};

/** Options of a snapshot. */
export interface SnapshotOptions {
  /** Include the serialized percentile sketches of pmf stats (for dumps that are merged later). */
  sketches?: boolean;
  /**
   * Include the lifetime native-histogram buckets of pmf stats (what the Prometheus exposition
   * exports as histograms; without them a pmf is exported as a summary).
   */
  histograms?: boolean;
  /**
   * The read is for a Prometheus exposition (`/metrics`, a Pushgateway push): a source may shape
   * its tree for it (a cluster's per-worker trees, `/workers/<id>`, are left out or become a
   * `worker` label of the merged families; see docs/cluster.md). A Registry ignores it.
   */
  prometheus?: boolean;
  /**
   * Containers below the one asked for that are not read at all (e.g. Graphite's pruned
   * branches): left out of the snapshot with everything under them.
   */
  skip?: (path: string) => boolean;
  /**
   * A background read (the sparkline history, timed Graphite pushes, periodic dumps): gauge
   * functions that took longer than the registry's `gaugeBudgetMs` when last read are skipped
   * (they show an error) and retried after a back-off that doubles while they stay slow.
   */
  background?: boolean;
}

/** The value shown in JSON in place of a stat whose reading failed. */
export function errorMarker(message: string): JsonObject {
  return { error: message };
}

/** Longest description of a thrown value. */
const MAX_THROWN_CHARS = 1000;

/**
 * A description of anything thrown, that never throws itself: `Error: message` for errors,
 * `String(v)` for the rest, the kind of value (`[object Object]`, `a thrown object`) when even
 * that fails (an object without `toString`, a revoked Proxy, a `toString` that throws).
 */
export function describeThrown(e: unknown): string {
  let text: string | undefined;
  try {
    if (e instanceof Error) {
      const { name, message } = e;
      if (typeof name === 'string' && typeof message === 'string') text = `${name}: ${message}`;
    }
  } catch {
    // a revoked Proxy (instanceof throws), a throwing getter: try the plainer ways below
  }
  if (text === undefined) {
    try {
      const s: unknown = typeof e === 'symbol' ? e.toString() : String(e);
      if (typeof s === 'string') text = s;
    } catch {
      // no usable toString
    }
  }
  if (text === undefined) {
    try {
      text = Object.prototype.toString.call(e);
    } catch {
      text = `a thrown ${typeof e}`;
    }
  }
  return text.length > MAX_THROWN_CHARS ? text.slice(0, MAX_THROWN_CHARS) + '…' : text;
}
