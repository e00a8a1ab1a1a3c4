/**
 * `scales-metrics/http`: the status pages (HTML with a live view, JSON, Prometheus) as a
 * framework-free handler, a Node `http` handler, and a server of their own. The framework
 * adapters are `scales-metrics/express`, `/fastify`, `/koa` and `/hono`.
 * @example
 * import { serveInBackground } from 'scales-metrics/http';
 * const server = await serveInBackground(8080); // http://127.0.0.1:8080/status/
 * @module
 */
export type { StatsSource } from '../registry/source.js';
export { DEFAULT_STATUS_PREFIX } from '../formats/html.js';
export type { StatusAuth } from './auth.js';
export { createStatusHandler } from './create.js';
export {
  DEFAULT_LIVE_INTERVAL_MS,
  DEFAULT_MAX_BODY_BYTES,
  prometheusAnswerType,
  StatusHandler,
  type StatusHandlerOptions,
  type StatusRequest,
  type StatusResponse,
} from './handler.js';
export { HistorySampler, type HistoryOptions } from './history.js';
export { createNodeHandler, type NodeStatusHandler } from './node.js';
export {
  type NodeRequestStatsOptions,
  type RequestStatsGlueOptions,
  type RequestStatsHandle,
  type RouteOf,
  recordRequests,
  UNMATCHED_ROUTE,
} from './request-stats.js';
export { DEFAULT_REQUEST_STATS_PATH, DEFAULT_ROUTE_LIMIT } from '../runtime/request-stats.js';
export {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BYTES_IN_FLIGHT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_METRICS_PATH,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SEND_TIMEOUT_MS,
  DEFAULT_SERVE_HOST,
  type ServeOptions,
  type StatusServer,
  serveInBackground,
} from './serve.js';
