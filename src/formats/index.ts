/**
 * `scales-metrics/formats`: a snapshot (`scales.snapshot()`) as text — JSON, the HTML status
 * page, Prometheus/OpenMetrics — or as the Prometheus protobuf exposition (native histograms),
 * and the status page's query filter. Pure functions: no I/O.
 * @example
 * import * as scales from 'scales-metrics';
 * import { renderPrometheus } from 'scales-metrics/formats';
 * const text = renderPrometheus(scales.snapshot()!);
 * @module
 */
export { type HtmlRenderOptions, DEFAULT_STATUS_PREFIX, htmlChunks, renderHtml, statusUrl } from './html.js';
export { type JsonRenderOptions, jsonChunks, renderJson, toJsonObject } from './json.js';
export {
  metricName,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  type PrometheusRenderOptions,
  prometheusChunks,
  renderPrometheus,
  wantsOpenMetrics,
  DEFAULT_BUCKETS_SECONDS,
} from './prometheus.js';
export {
  PROMETHEUS_PROTOBUF_CONTENT_TYPE,
  prometheusProtobufChunks,
  renderPrometheusProtobuf,
  wantsPrometheusProtobuf,
} from './prometheus-protobuf.js';
export {
  describeMatch,
  filterSnapshot,
  type KeyMatch,
  MAX_MATCHED_NAMES,
  MAX_QUERY_LENGTH,
  matchKey,
  type Query,
  QueryError,
  type QueryOperator,
  parseQuery,
} from './query.js';
export { formatNumber, formatValue } from './value-format.js';
