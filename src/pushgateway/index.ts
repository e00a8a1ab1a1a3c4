/**
 * `scales-metrics/pushgateway`: pushes the stat tree (Prometheus text) to a Pushgateway group,
 * on demand and at exit, for batch jobs that live too briefly to be scraped.
 * @module
 */
export type { StatsSource } from '../registry/source.js';
export { type GroupingLabels, groupingPath } from './grouping.js';
export { DEFAULT_PUSH_SIGNALS, type PushAtExit, type PushAtExitOptions } from './push-at-exit.js';
export {
  DEFAULT_PUSHGATEWAY_MAX_BODY_BYTES,
  DEFAULT_PUSHGATEWAY_TIMEOUT_MS,
  type PushgatewayOptions,
  PushgatewayPusher,
  type PushgatewayResult,
  type PushgatewayStats,
} from './pusher.js';
export { DEFAULT_PUSHGATEWAY_SELF_STATS_PATH } from './self-stats.js';
