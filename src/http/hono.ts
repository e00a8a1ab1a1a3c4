/**
 * `scales-metrics/hono`: the status pages as Hono middleware (any Web-standard runtime).
 *
 * @example
 * import { Hono } from 'hono';
 * import { honoStatus } from 'scales-metrics/hono';
 * const app = new Hono();
 * app.use(honoStatus({ serverName: 'web-1' }));   // serves /status/...
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { UNMATCHED_ROUTE } from '../runtime/request-stats.js';
import { createStatusHandler } from './create.js';
import type { StatusHandler, StatusHandlerOptions } from './handler.js';
import { isOwnRequest } from './own-requests.js';
import { type RequestStatsGlueOptions, setUpGlue, trackNodeRequest } from './request-stats.js';

export { UNMATCHED_ROUTE };

/** Hono middleware with a `close()` that releases the sparkline sampler. */
export type HonoStatusMiddleware = MiddlewareHandler & { readonly handler: StatusHandler; close(): void };

/** Hono middleware serving `<prefix>...` (default `/status/`); other requests go on to `next()`. */
export function honoStatus(options: StatusHandlerOptions = {}): HonoStatusMiddleware {
  const handler = createStatusHandler(options);
  const mw = (async (c, next) => {
    if (!handler.matches(new URL(c.req.url).pathname)) {
      await next();
      return;
    }
    return handler.fetch(c.req.raw);
  }) as HonoStatusMiddleware;
  Object.defineProperty(mw, 'handler', { value: handler });
  mw.close = () => handler.close();
  return mw;
}

/** Options of {@link honoRequestStats}. */
export interface HonoRequestStatsOptions extends RequestStatsGlueOptions {
  /**
   * The route template of a request (default: the path of the handler that answered,
   * `/users/:id`; {@link UNMATCHED_ROUTE} when no handler did).
   */
  route?: (c: Context) => string | undefined;
}

type NodeBindings = { incoming?: IncomingMessage; outgoing?: ServerResponse };

/**
 * Hono middleware recording every request under `/http` (one line; put it first): count by
 * method, route TEMPLATE (`/users/:id`) and status, latency per route, requests in flight,
 * bytes sent, errors (a handler threw, or 5xx) and aborted requests. On @hono/node-server the
 * response is followed to its last byte on the connection (latency, bytes, aborts); on other
 * runtimes a request is over when the handler returns its Response (bytes from its
 * Content-Length, no aborts). Requests no handler matched go under {@link UNMATCHED_ROUTE}; the
 * status pages' own requests are left out unless `includeOwn`. A handler is a route function
 * of one parameter `(c)`; functions of two `(c, next)` are middleware, as Hono's own helpers count them.
 *
 * @example
 * import { Hono } from 'hono';
 * import { honoRequestStats } from 'scales-metrics/hono';
 * const app = new Hono();
 * app.use(honoRequestStats());
 */
export function honoRequestStats(options: HonoRequestStatsOptions = {}): MiddlewareHandler {
  const { route, stats, includeOwn } = setUpGlue('honoRequestStats', 'c', options, honoRoute);
  return async (c, next) => {
    const env = c.env as NodeBindings | undefined;
    const incoming = env?.incoming;
    const outgoing = env?.outgoing;
    if (incoming !== undefined && outgoing !== undefined && typeof outgoing.on === 'function') {
      // The route is read when the response is over (or aborted: the handler that runs is known).
      const t = trackNodeRequest(stats, includeOwn, incoming, outgoing, (ctx: Context) => routeOrUndefined(route, ctx), c);
      if (t === undefined) return next();
      await next();
      if (c.error !== undefined) t.error = true;
      return;
    }
    if (!includeOwn && isOwnRequest(pathOf(c.req.url))) return next();
    const start = stats.begin();
    let error = false;
    try {
      await next();
    } catch (e) {
      error = true;
      throw e;
    } finally {
      let r: string | undefined;
      let status = 500;
      let bytes = 0;
      try {
        r = route(c);
        status = c.res.status;
        bytes = Number(c.res.headers.get('content-length')) || 0;
      } catch {
        // a route function that threw: unmatched
      }
      stats.end(start, c.req.method, r, status, bytes, error || c.error !== undefined);
    }
  };
}

function routeOrUndefined(route: (c: Context) => string | undefined, c: Context): string | undefined {
  try {
    return route(c);
  } catch {
    return undefined; // a route function that threw: unmatched
  }
}

/** The path and query of a URL (the status handlers match the path). */
function pathOf(url: string): string {
  const i = url.indexOf('/', url.indexOf('//') + 2);
  return i < 0 ? '/' : url.slice(i);
}

/** The path of the handler that answered: the route at `routeIndex`, when it is a handler `(c)` and not middleware `(c, next)`. */
function honoRoute(c: Context): string | undefined {
  const r = c.req.matchedRoutes[c.req.routeIndex];
  return r !== undefined && r.handler.length < 2 ? r.path : undefined;
}
