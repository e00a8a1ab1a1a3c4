/**
 * The Pushgateway pusher's report on itself, declared in the registry it pushes (so it is
 * pushed and shown on the status page too): under `/scales/pushgateway` by default. Pushers
 * sharing a registry share these stats (totals over all of them).
 */
import { doubleStat, intStat, stat } from '../registry/catalogue.js';
import type { Registry } from '../registry/registry.js';

/** Where the self-stats live by default. */
export const DEFAULT_PUSHGATEWAY_SELF_STATS_PATH = '/scales/pushgateway';

/** Declares the self-stats at `path` in `registry`; returns the collection. */
export function declarePushgatewaySelfStats(registry: Registry, path: string) {
  return registry.collection(path, intStat('pushes'), intStat('failures'), intStat('bytes'), doubleStat('lastPushMs'), stat('lastError', ''));
}

/** The collection {@link declarePushgatewaySelfStats} returns. */
export type PushgatewaySelfStats = ReturnType<typeof declarePushgatewaySelfStats>;
