/**
 * `scales-metrics/graphite`: pushes the numeric stats to carbon (plaintext, pickle or UDP),
 * once (`GraphitePusher`) or every period (`GraphitePeriodicPusher`), as Python's
 * `greplin.scales.graphite` did.
 * @example
 * import { GraphitePeriodicPusher } from 'scales-metrics/graphite';
 * const pusher = new GraphitePeriodicPusher('127.0.0.1', 2003, 'my.server', { period: 60 });
 * pusher.allow('*'); // nothing is sent until something is allowed
 * pusher.start();
 * @module
 */
export type { StatsSource } from '../registry/source.js';
export { DEFAULT_PUSH_PERIOD_SECONDS, GraphitePeriodicPusher, type GraphitePeriodicPusherOptions } from './periodic-pusher.js';
export {
  DEFAULT_FLUSH_TIMEOUT_MS,
  DEFAULT_GRAPHITE_PORT,
  DEFAULT_PICKLE_PORT,
  GraphitePusher,
  type GraphitePusherOptions,
  type PushResult,
} from './pusher.js';
export type { GraphitePruneRule, GraphiteRule } from './rules.js';
export { DEFAULT_SELF_STATS_PATH as DEFAULT_GRAPHITE_SELF_STATS_PATH } from './self-stats.js';
export {
  createGraphiteSender,
  DEFAULT_BUFFER_BYTES as DEFAULT_GRAPHITE_BUFFER_BYTES,
  type FlushOptions,
  type FlushResult,
  type GraphiteProtocol,
  type GraphiteSender,
  type GraphiteSenderListener,
  type GraphiteSenderOptions,
  type GraphiteSenderStats,
} from './sender.js';
