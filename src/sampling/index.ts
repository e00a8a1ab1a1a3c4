/**
 * `scales-metrics/sampling`: the algorithms under the stats, usable without the tree — the
 * log-bucketed sketch, the sliding-window distribution, the EWMA meter and the clocks.
 * @example
 * import { LogSketch } from 'scales-metrics/sampling';
 * const sketch = new LogSketch();
 * sketch.add(12.5);
 * @module
 */
export { type Clock, ManualClock, systemClock } from './clock.js';
export { METER_TICK_MS, Meter, type MeterRates } from './meter.js';
export { type ScheduledTask, type Scheduler, systemScheduler } from './scheduler.js';
export { DEFAULT_RELATIVE_ACCURACY, DEFAULT_SKETCH_MAX_BYTES, LogSketch, type LogSketchOptions, type NativeHistogramBuckets } from './sketch.js';
export {
  DEFAULT_SUB_WINDOWS,
  DEFAULT_WINDOW_MS,
  type DistributionStats,
  type DistributionSummary,
  MAX_BYTES_PER_DISTRIBUTION,
  MAX_SUB_WINDOWS,
  WindowedDistribution,
  type WindowedDistributionOptions,
} from './windowed-distribution.js';
