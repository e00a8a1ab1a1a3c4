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
  sum: number;
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
  /** Unit of every value above: 's' (seconds, the default, as in Python) or 'ms'. */
  unit: string;
  /** Length of the recent window, in seconds. */
  windowSeconds: number;
  lifetime: DistributionLifetime;
  /** The serialized sketch of the window, present only when asked for (`{ sketches: true }`). */
  sketch?: string;
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
   * Containers below the one asked for that are not read at all (e.g. Graphite's pruned
   * branches): left out of the snapshot with everything under them.
   */
  skip?: (path: string) => boolean;
}

/** The value shown in JSON in place of a stat whose reading failed. */
export function errorMarker(message: string): JsonObject {
  return { error: message };
}
