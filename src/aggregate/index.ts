/**
 * `scales-metrics/aggregate`: many stat trees (servers, workers, dump files) → one tree,
 * following a spec that reads like the stat tree (Python's `greplin.scales.aggregation`).
 * @example
 * import { Aggregation, Sum, Percentiles, match } from 'scales-metrics/aggregate';
 * const agg = new Aggregation({ web: { errors: [new Sum()], latency: [new Percentiles()] } });
 * await agg.addJsonDirectory('/var/run/myapp');
 * console.log(agg.result(), agg.warnings);
 * @module
 */
export type { Aggregator, AggregatorOptions } from './aggregator.js';
export { Aggregation, type AggregationOptions, type AggregationSpec, DEFAULT_MAX_WARNINGS, statsOf } from './aggregation.js';
export { Average } from './average.js';
export { type DataFormat, DataFormats, dataFormatByName } from './data-formats.js';
export { Highlight, type HighlightOptions } from './highlight.js';
export { humanCompare } from './human-sort.js';
export { InverseMap } from './inverse-map.js';
export { FileInclusionTest, type FileInclusionTestOptions, type FileTest } from './json-directory.js';
export { DEFAULT_PERCENTILES_QUANTILES, Percentiles, type PercentilesOptions, quantileKey } from './percentiles.js';
export { JSON_AGGREGATOR_TYPES, specFromJson } from './spec-json.js';
export { match, parseSpecKey, type SpecKey } from './spec-keys.js';
export { Sorted, type SortedEntry, type SortedOptions, compareEntries } from './sorted.js';
export { Sum } from './sum.js';
