/**
 * scales-metrics: a tree of live server statistics (counters, gauges, percentiles, rates,
 * per-key counts, time per state), shaped like Python's `greplin.scales`. The root holds what
 * `greplin.scales` held: the stat declarations, the tree (`collection`, `init`, `getStats`...),
 * `Registry`, errors, clocks and the snapshot types. It loads no network, crypto or file-system
 * module. The outputs live in subpaths, as Python's `greplin.scales.graphite` did:
 * `scales-metrics/http` (status page, Prometheus), `/graphite`, `/dump`, `/aggregate`,
 * `/formats`, `/sampling`, `/pushgateway`, and the adapters `/express`, `/fastify`, `/koa`, `/hono`.
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
export type { StatsSource } from './registry/source.js';
export { InvalidNameError, MAX_PATH_DEPTH } from './core/path.js';
export { OVERFLOW_KEY } from './core/stat-cell.js';
export type { CounterOptions, DeclarationOptions, KnownUnit, StatDescription, ValueOptions } from './core/description.js';
export type { LabelSet, LabelValue, LabelValues } from './stats/labels.js';

// The stat declarations (the catalogue of kinds).
export {
  type AnyDef,
  doubleStat,
  histogramAggregationStat,
  intDictStat,
  intDictSumAggregationStat,
  intStat,
  maxStat,
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

// The tree: the default registry and its module-level functions, and `Registry` for others.
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
export { DEFAULT_GAUGE_BUDGET_MS, DEFAULT_KEY_LIMIT, Registry, type RegistryOptions } from './registry/registry.js';

// What the declarations give: the handles and options of each kind.
export type { HistogramAggregationHandle, HistogramAggregationOptions } from './stats/histogram-aggregation-stat.js';
export type { IntDictChild, IntDictHandle, IntDictOptions, LabelledIntDictHandle } from './stats/int-dict-stat.js';
export type { IntDictSumAggregationHandle, IntDictSumAggregationOptions } from './stats/int-dict-sum-aggregation-stat.js';
export type { LabelledMeterDictHandle, MeterDictHandle, MeterDictOptions } from './stats/meter-dict-stat.js';
export type { MeterHandle } from './stats/meter-stat.js';
export {
  DEFAULT_PMF_DICT_KEY_LIMIT,
  type LabelledPmfDictHandle,
  type NamedPmfDictHandle,
  type NamedPmfDictOptions,
} from './stats/named-pmf-dict-stat.js';
export type { MaxHandle } from './stats/max-stat.js';
export type { NumberHandle } from './stats/number-stat.js';
export { PMF_QUANTILES, type PmfHandle, type PmfOptions, type TimeUnit, type Timer, type Warn99Hook } from './stats/pmf-stat.js';
export type { StateTimeHandle, StateTimeOptions } from './stats/state-time-stat.js';
export type { StringDictHandle, StringDictOptions } from './stats/string-dict-stat.js';
export type { SumAggregationHandle } from './stats/sum-aggregation-stat.js';
export type { ValueHandle } from './stats/value-stat.js';

// The Node.js runtime's own stats (event loop, GC, memory, CPU, handles), declared in the tree.
export { collectRuntimeStats, type RuntimeStatsHandle, type RuntimeStatsOptions } from './runtime/collect-runtime-stats.js';

// Request stats: the recording behind the frameworks' one-line glue (`scales-metrics/express`...).
// (UNMATCHED_ROUTE and the defaults are exported by scales-metrics/http and the framework subpaths.)
export { type RequestStats, type RequestStatsOptions, requestStats } from './runtime/request-stats.js';

// Clocks (meters, windows and timers read the registry's clock; tests inject a ManualClock).
export { type Clock, ManualClock, systemClock } from './sampling/clock.js';
export type { MeterRates } from './sampling/meter.js';
export type { DistributionStats, DistributionSummary } from './sampling/windowed-distribution.js';
export type { ScheduledTask, Scheduler } from './sampling/scheduler.js';
