/**
 * scales-metrics: a tree of live server statistics (counters, gauges, percentiles, rates,
 * per-key counts, time per state) that you can see: a status page (HTML, JSON), Prometheus,
 * Graphite and JSON dumps for crash forensics.
 *
 * @example
 * import * as scales from 'scales-metrics';
 * const STATS = scales.collection('/web', scales.intStat('errors'), scales.pmfStat('latency'));
 * STATS.errors += 1;
 * @packageDocumentation
 */

export type * from './core/snapshot.js';
export type { CollapsedTest, SnapshotNode, SnapshotStat, SnapshotStatOf, StatKind, StatValue } from './registry/snapshot.js';
export type { DeltaMode, FamilyType, KindOutputs, Labels, NumberFormat, Sample, StatMeta } from './core/samples.js';
export { errorMarker } from './core/snapshot.js';

// --- core: registry, stat tree, stat kinds (core work) ---
export {
  type AnyDef,
  doubleStat,
  histogramAggregationStat,
  intDictStat,
  intDictSumAggregationStat,
  intStat,
  meterDictStat,
  meterStat,
  namedPmfDictStat,
  pmfStat,
  type StatDef,
  type Stats,
  stat,
  stateTimeStat,
  stringDictStat,
  sumAggregationStat,
  type Widen,
} from './registry/catalogue.js';
export {
  addStats,
  clear,
  collection,
  defaultRegistry,
  getStats,
  init,
  initChild,
  initChildOfType,
  remove,
  reset,
  setCollapsed,
  snapshot,
  snapshotAsync,
} from './registry/default-registry.js';
export { InvalidNameError, MAX_PATH_DEPTH } from './core/path.js';
export { DEFAULT_GAUGE_BUDGET_MS, DEFAULT_KEY_LIMIT, Registry, type RegistryOptions, SNAPSHOT_SLICE_MS } from './registry/registry.js';
export { OVERFLOW_KEY } from './core/stat-cell.js';
export type { HistogramAggregationHandle, HistogramAggregationOptions } from './stats/histogram-aggregation-stat.js';
export type { IntDictHandle, IntDictOptions } from './stats/int-dict-stat.js';
export type { IntDictSumAggregationHandle, IntDictSumAggregationOptions } from './stats/int-dict-sum-aggregation-stat.js';
export type { MeterDictHandle, MeterDictOptions } from './stats/meter-dict-stat.js';
export type { MeterHandle } from './stats/meter-stat.js';
export { DEFAULT_PMF_DICT_KEY_LIMIT, type NamedPmfDictHandle, type NamedPmfDictOptions } from './stats/named-pmf-dict-stat.js';
export type { NumberHandle } from './stats/number-stat.js';
export { PMF_QUANTILES, type PmfHandle, type PmfOptions, type TimeUnit, type Timer, type Warn99Hook } from './stats/pmf-stat.js';
export type { StateTimeHandle, StateTimeOptions } from './stats/state-time-stat.js';
export type { StringDictHandle, StringDictOptions } from './stats/string-dict-stat.js';
export type { SumAggregationHandle } from './stats/sum-aggregation-stat.js';
export type { ValueHandle } from './stats/value-stat.js';

// --- runtime stats: event loop, GC, memory, CPU, handles, fds (runtime work) ---
export { collectRuntimeStats, type RuntimeStatsHandle, type RuntimeStatsOptions } from './runtime/collect-runtime-stats.js';

// --- sampling: sketch, windows, meters, clock (sampling work) ---
export { type Clock, ManualClock, systemClock } from './sampling/clock.js';
export type { ScheduledTask, Scheduler } from './sampling/scheduler.js';
export { METER_TICK_MS, Meter, type MeterRates } from './sampling/meter.js';
export { DEFAULT_RELATIVE_ACCURACY, DEFAULT_SKETCH_MAX_BYTES, LogSketch, type LogSketchOptions, type NativeHistogramBuckets } from './sampling/sketch.js';
export {
  DEFAULT_SUB_WINDOWS,
  DEFAULT_WINDOW_MS,
  type DistributionStats,
  type DistributionSummary,
  MAX_BYTES_PER_DISTRIBUTION,
  MAX_SUB_WINDOWS,
  WindowedDistribution,
  type WindowedDistributionOptions,
} from './sampling/windowed-distribution.js';

// --- formats + http: json, html, prometheus, status server (http work) ---
export { renderJson, jsonChunks, toJsonObject, type JsonRenderOptions } from './formats/json.js';
export { renderHtml, htmlChunks, escapeHtml, statusUrl, DEFAULT_STATUS_PREFIX, type HtmlRenderOptions } from './formats/html.js';
export {
  renderPrometheus,
  prometheusChunks,
  metricName,
  wantsOpenMetrics,
  PROMETHEUS_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE,
  type PrometheusRenderOptions,
} from './formats/prometheus.js';
export { parseQuery, filterSnapshot, QueryError, MAX_QUERY_LENGTH, type Query, type QueryOperator } from './formats/query.js';
export { formatNumber, formatValue } from './formats/value-format.js';
export {
  StatusHandler,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_LIVE_INTERVAL_MS,
  type StatusHandlerOptions,
  type StatusRequest,
  type StatusResponse,
  type SnapshotSource,
  type StatusAuth,
} from './http/handler.js';
export { createStatusHandler } from './http/create.js';
export { createNodeHandler, type NodeStatusHandler } from './http/node.js';
export {
  serveInBackground,
  DEFAULT_SERVE_HOST,
  DEFAULT_METRICS_PATH,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SEND_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  type ServeOptions,
  type StatusServer,
} from './http/serve.js';
export { HistorySampler, type HistoryOptions } from './http/history.js';

// --- graphite (graphite work) ---
export { fnmatch } from './graphite/fnmatch.js';
export { DEFAULT_PUSH_PERIOD_SECONDS, GraphitePeriodicPusher, type GraphitePeriodicPusherOptions } from './graphite/periodic-pusher.js';
export {
  DEFAULT_FLUSH_TIMEOUT_MS,
  DEFAULT_GRAPHITE_PORT,
  DEFAULT_PICKLE_PORT,
  GraphitePusher,
  type GraphitePusherOptions,
  type PushResult,
} from './graphite/pusher.js';
export type { GraphitePruneRule, GraphiteRule } from './graphite/rules.js';
export { DEFAULT_SELF_STATS_PATH as DEFAULT_GRAPHITE_SELF_STATS_PATH } from './graphite/self-stats.js';
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
} from './graphite/sender.js';

// --- dump + aggregate (dump work) ---
export * as aggregation from './aggregate/index.js';
export {
  buildDump,
  type CrashDump,
  DEFAULT_CRASH_SIGNALS,
  DEFAULT_DUMP_PERIOD_MS,
  DUMP_FORMAT,
  DUMP_SELF_STATS_PATH,
  DUMP_VERSION,
  type DumpFile,
  type DumpOnCrashOptions,
  type DumpOptions,
  type DumpPeriodicallyOptions,
  dumpOnCrash,
  dumpStatsPeriodically,
  dumpStatsTo,
  dumpStatsToSync,
  type PeriodicDump,
  type StatsSource,
  writeFileAtomic,
  writeFileAtomicSync,
} from './dump/index.js';

// --- pushgateway (prom-native work) ---
export {
  DEFAULT_PUSH_SIGNALS,
  DEFAULT_PUSHGATEWAY_MAX_BODY_BYTES,
  DEFAULT_PUSHGATEWAY_SELF_STATS_PATH,
  DEFAULT_PUSHGATEWAY_TIMEOUT_MS,
  type GroupingLabels,
  groupingPath,
  type PushAtExit,
  type PushAtExitOptions,
  type PushgatewayOptions,
  PushgatewayPusher,
  type PushgatewayResult,
  type PushgatewayStats,
} from './pushgateway/index.js';
