/**
 * `scales-metrics/express`: the status pages as Express (or Connect) middleware.
 *
 * @example
 * import express from 'express';
 * import { expressRequestStats, expressStatus } from 'scales-metrics/express';
 * const app = express();
 * app.use(expressRequestStats());                      // records every request under /http
 * app.use(expressStatus({ serverName: 'web-1' }));   // serves /status/...
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createStatusHandler } from './create.js';
import type { StatusHandler, StatusHandlerOptions } from './handler.js';
import { serveNodeRequest } from './node.js';
import { type RequestStatsGlueOptions, setUpGlue, trackNodeRequest } from './request-stats.js';

export { UNMATCHED_ROUTE } from '../runtime/request-stats.js';

/** Express middleware with a `close()` that releases the sparkline sampler. */
export type ExpressStatusMiddleware = RequestHandler & { readonly handler: StatusHandler; close(): void };

/**
 * Express middleware serving `<prefix>...` (default `/status/`); other requests go on to
 * `next()`. It reads `req.originalUrl`, so `app.use(mw)` and `app.use('/status', mw)` both work
 * with the default prefix.
 */
export function expressStatus(options: StatusHandlerOptions = {}): ExpressStatusMiddleware {
  const handler = createStatusHandler(options);
  const mw = ((req: Request, res: Response, next: NextFunction) =>
    serveNodeRequest(handler, req, res, next, req.originalUrl ?? req.url)) as ExpressStatusMiddleware;
  Object.defineProperty(mw, 'handler', { value: handler });
  mw.close = () => handler.close();
  return mw;
}

/** Options of {@link expressRequestStats}. */
export interface ExpressRequestStatsOptions extends RequestStatsGlueOptions {
  /**
   * The route template of a request (default: `req.baseUrl + req.route.path` of the route that
   * answered, {@link UNMATCHED_ROUTE} when none did). Never return the raw URL.
   */
  route?: (req: Request) => string | undefined;
}

/**
 * Records every request of an Express 4 or 5 app under `/http` (one line; put it first): count
 * by method, route TEMPLATE (`/users/:id`, with the routers' mount paths) and status, latency
 * per route, requests in flight, bytes sent, errors (5xx) and aborted requests. Requests no
 * route answered (404s, static files) go under {@link UNMATCHED_ROUTE}; the status pages' own
 * requests are left out unless `includeOwn`.
 *
 * @example
 * import express from 'express';
 * import { expressRequestStats } from 'scales-metrics/express';
 * const app = express();
 * app.use(expressRequestStats());
 */
export function expressRequestStats(options: ExpressRequestStatsOptions = {}): RequestHandler {
  const { route, stats, includeOwn } = setUpGlue('expressRequestStats', 'req', options, expressRoute);
  return (req: Request, res: Response, next: NextFunction) => {
    trackNodeRequest(stats, includeOwn, req, res, route, req, req.originalUrl ?? req.url);
    next();
  };
}

/** `req.baseUrl + req.route.path` of the route that answered; read when the response is over. */
function expressRoute(req: Request): string | undefined {
  const r = (req as { route?: { path?: unknown } }).route;
  if (r === undefined || r === null) return undefined;
  const p = r.path;
  return (req.baseUrl ?? '') + (typeof p === 'string' ? p : Array.isArray(p) ? p.map(String).join('|') : String(p));
}
