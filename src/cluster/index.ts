/**
 * `scales-metrics/cluster`: the workers of a node:cluster (or a pool of worker threads) seen as
 * one tree. In the primary, `clusterStats()` is a `source` for every output (status page,
 * `/metrics`, Graphite, dumps): the workers' stats merged by kind, and each worker's own under
 * `/workers/<id>`. Each worker calls `reportStats()`.
 * @example
 * import { clusterStats, reportStats } from 'scales-metrics/cluster';
 * if (cluster.isPrimary) await serveInBackground(8765, { source: clusterStats() });
 * else reportStats();
 * @module
 */
export { type KindMerge, type MergeOptions, type MergeRule, type Merged, mergeTrees, type Part, type TreePart } from './merge.js';
export { ClusterStats, type ClusterStatsOptions, clusterStats, type WorkerInfo, type WorkerState } from './primary.js';
export { DEFAULT_MAX_REPORT_BYTES, DEFAULT_REPORT_INTERVAL_MS, PROTOCOL } from './protocol.js';
export { reportStats, type ReportStatsOptions, type StatsReporter } from './worker.js';
