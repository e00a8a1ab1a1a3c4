/**
 * `scales-metrics/fastify`: the status pages as a Fastify plugin.
 *
 * @example
 * import Fastify from 'fastify';
 * import { fastifyStatus } from 'scales-metrics/fastify';
 * const app = Fastify();
 * await app.register(fastifyStatus({ serverName: 'web-1' }));   // serves /status/...
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createStatusHandler } from './create.js';
import type { StatusHandler, StatusHandlerOptions } from './handler.js';
import { type RequestStatsGlueOptions, setUpGlue, type TrackedRequest, trackNodeRequest } from './request-stats.js';

/** The request decoration holding the request being recorded. */
const TRACKED_KEY = 'scalesMetricsRequest';
type Tracked = { [TRACKED_KEY]: TrackedRequest | null | undefined };

export { UNMATCHED_ROUTE } from '../runtime/request-stats.js';

/** A Fastify plugin; the handler is closed with the Fastify instance. */
export type FastifyStatusPlugin = ((fastify: FastifyInstance) => Promise<void>) & { readonly handler: StatusHandler };

/**
 * A Fastify plugin that adds the routes `<prefix>*` (default `/status/*`) and, with
 * `metricsPath`, the Prometheus route. Give the prefix in these options, not in Fastify's
 * `register` options: the plugin registers at the root (it skips encapsulation).
 */
export function fastifyStatus(options: StatusHandlerOptions = {}): FastifyStatusPlugin {
  const handler = createStatusHandler(options);
  const route = async (request: FastifyRequest, reply: FastifyReply) => {
    const r = await handler.handle({
      method: request.method.toUpperCase(),
      url: request.raw.url ?? request.url,
      header: (name) => {
        const v = request.headers[name];
        return Array.isArray(v) ? v.join(', ') : v;
      },
    });
    if (!r) return reply.callNotFound();
    return reply.code(r.status).headers(r.headers).send(r.body);
  };
  const plugin = (async (fastify: FastifyInstance) => {
    fastify.addHook('onClose', async () => handler.close());
    fastify.all(handler.prefix.slice(0, -1) || '/', route);
    fastify.all(handler.prefix + '*', route);
    if (options.metricsPath) fastify.all(options.metricsPath, route);
  }) as FastifyStatusPlugin;
  Object.defineProperty(plugin, 'handler', { value: handler });
  // Fastify's documented switch (what fastify-plugin sets): register in the parent context.
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  return plugin;
}

/** Options of {@link fastifyRequestStats}. */
export interface FastifyRequestStatsOptions extends RequestStatsGlueOptions {
  /** The route template of a request (default: `request.routeOptions.url`, {@link UNMATCHED_ROUTE} for a 404). */
  route?: (request: FastifyRequest) => string | undefined;
}

/** A Fastify plugin recording requests. */
export type FastifyRequestStatsPlugin = (fastify: FastifyInstance) => Promise<void>;

/**
 * A Fastify plugin recording every request of the instance under `/http` (one line): count by
 * method, route TEMPLATE (`routeOptions.url`, `/users/:id`) and status, latency per route,
 * requests in flight, bytes sent, errors (the handler threw, or 5xx) and aborted requests.
 * Requests no route matched go under {@link UNMATCHED_ROUTE}; the status pages' own requests
 * are left out unless `includeOwn`. It registers at the root (it skips encapsulation).
 *
 * @example
 * import Fastify from 'fastify';
 * import { fastifyRequestStats } from 'scales-metrics/fastify';
 * const app = Fastify();
 * await app.register(fastifyRequestStats());
 */
export function fastifyRequestStats(options: FastifyRequestStatsOptions = {}): FastifyRequestStatsPlugin {
  const { route, stats, includeOwn } = setUpGlue('fastifyRequestStats', 'request', options, fastifyRoute);
  const plugin = (async (fastify: FastifyInstance) => {
    // Declared up front (Fastify's way to keep the request object's shape): the request being recorded.
    if (!fastify.hasRequestDecorator(TRACKED_KEY)) fastify.decorateRequest(TRACKED_KEY, null);
    fastify.addHook('onRequest', (request, reply, done) => {
      (request as unknown as Tracked)[TRACKED_KEY] = trackNodeRequest(stats, includeOwn, request.raw, reply.raw, route, request) ?? null;
      done();
    });
    fastify.addHook('onError', (request, _reply, _error, done) => {
      const t = (request as unknown as Tracked)[TRACKED_KEY];
      if (t !== null && t !== undefined) t.error = true;
      done();
    });
  }) as FastifyRequestStatsPlugin;
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  return plugin;
}

/** The matched route's template; undefined for a 404. */
function fastifyRoute(request: FastifyRequest): string | undefined {
  return request.is404 ? undefined : request.routeOptions.url;
}
