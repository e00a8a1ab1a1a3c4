/**
 * The pusher's report on itself, declared in the registry it pushes (so it is pushed too, and
 * shown on the status page): under `/scales/graphite` by default. Several pushers on one
 * registry share these stats (declaring a stat twice with the same kind shares it), so the
 * counters are totals over all pushers.
 */

import { doubleStat, intStat, stat } from '../registry/catalogue.js';
import type { Registry } from '../registry/registry.js';

/** Where the self-stats live by default. */
export const DEFAULT_SELF_STATS_PATH = '/scales/graphite';

/** Declares the self-stats at `path` in `registry`; returns the collection. */
export function declareSelfStats(registry: Registry, path: string) {
  return registry.collection(
    path,
    intStat('pushes'),
    intStat('datapoints'),
    intStat('sent'),
    intStat('dropped'),
    intStat('skipped'),
    intStat('overlaps'),
    intStat('reconnects'),
    intStat('errors'),
    // A level, not a running total: a double, so that `deltas: true` sends it as it is.
    doubleStat('bufferedBytes'),
    doubleStat('lastPushMs'),
    stat('lastError', ''),
  );
}

/** The collection {@link declareSelfStats} returns. */
export type GraphiteSelfStats = ReturnType<typeof declareSelfStats>;
