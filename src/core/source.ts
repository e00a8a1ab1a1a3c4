import type { SnapshotNode, SnapshotOptions } from './snapshot.js';

/**
 * Where every output (status handler, Graphite pusher, dumps, history) reads the stats: a
 * `Registry` (the default registry unless an output is given `source`), or anything else that
 * can take snapshots of a stat tree.
 */
export interface StatsSource {
  /** The subtree at `path` ('/' when omitted), or undefined when no container is there. */
  snapshot(path?: string, options?: SnapshotOptions): SnapshotNode | undefined;
  /** Like {@link StatsSource.snapshot}, yielding to the event loop while it works on a big tree. */
  snapshotAsync(path?: string, options?: SnapshotOptions): Promise<SnapshotNode | undefined>;
}
