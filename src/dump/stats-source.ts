import type { JsonObject, SnapshotOptions } from '../core/snapshot.js';
import { defaultRegistry } from '../registry/default-registry.js';
import type { SnapshotNode } from '../registry/snapshot.js';

/**
 * Anything that can give a JSON stat tree: a `Registry` (the default one unless told). When it
 * also has `snapshotAsync` (a Registry does), the asynchronous dump uses it so that a big tree
 * never blocks the event loop for long.
 */
export interface StatsSource {
  getStats(path?: string, options?: SnapshotOptions): JsonObject | undefined;
  /** The typed snapshot (a Registry has it): dumps then record the stats' kinds. */
  snapshot?(path?: string, options?: SnapshotOptions): SnapshotNode | undefined;
  snapshotAsync?(path?: string, options?: SnapshotOptions): Promise<SnapshotNode | undefined>;
  /** Whether the container at `path` is collapsed: left out of dumps, as of `getStats()`. */
  isCollapsed?(path: string): boolean;
}

/** The default registry, as a stats source. */
export function defaultStatsSource(): StatsSource {
  return defaultRegistry;
}
