import { defaultRegistry } from '../core/default-registry.js';
import type { JsonObject, SnapshotOptions } from '../core/snapshot.js';

/** Anything that can give a JSON stat tree: a `Registry` (the default one unless told). */
export interface StatsSource {
  getStats(path?: string, options?: SnapshotOptions): JsonObject | undefined;
}

/** The default registry, as a stats source. */
export function defaultStatsSource(): StatsSource {
  return defaultRegistry;
}
