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
export { errorMarker } from './core/snapshot.js';

// --- core: registry, stat tree, stat kinds (core work) ---

// --- sampling: sketch, windows, meters, clock (sampling work) ---
export { type Clock, ManualClock, systemClock } from './sampling/clock.js';
export { DEFAULT_RELATIVE_ACCURACY, LogSketch, type LogSketchOptions } from './sampling/sketch.js';
export {
  DEFAULT_SUB_WINDOWS,
  DEFAULT_WINDOW_MS,
  type DistributionStats,
  WindowedDistribution,
  type WindowedDistributionOptions,
} from './sampling/windowed-distribution.js';
export { Meter, type MeterRates } from './sampling/meter.js';

// --- formats + http: json, html, prometheus, status server (http work) ---

// --- graphite (graphite work) ---

// --- dump + aggregate (dump work) ---
