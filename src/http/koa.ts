/**
 * `scales-metrics/koa`: the status pages as Koa middleware.
 *
 * @example
 * import Koa from 'koa';
 * import { koaStatus } from 'scales-metrics/koa';
 * const app = new Koa();
 * app.use(koaStatus({ serverName: 'web-1' }));   // serves /status/...
 */
import type { Context, Middleware, Next } from 'koa';
import { createStatusHandler } from './create.js';
import type { StatusHandler, StatusHandlerOptions } from './handler.js';
import { type RequestStatsGlueOptions, setUpGlue, trackNodeRequest } from './request-stats.js';

export { UNMATCHED_ROUTE } from '../runtime/request-stats.js';

/** Koa middleware with a `close()` that releases the sparkline sampler. */
export type KoaStatusMiddleware = Middleware & { readonly handler: StatusHandler; close(): void };

/** Koa middleware serving `<prefix>...` (default `/status/`); other requests go on to `next()`. */
export function koaStatus(options: StatusHandlerOptions = {}): KoaStatusMiddleware {
  const handler = createStatusHandler(options);
  const mw = (async (ctx: Context, next: Next) => {
    const r = await handler.handle({
      method: ctx.method.toUpperCase(),
      url: ctx.originalUrl,
      header: (name) => ctx.get(name) || undefined,
    });
    if (!r) return next();
    ctx.status = r.status;
    ctx.set(r.headers);
    ctx.body = r.body;
    // Koa recomputes the length from the body; HEAD must still announce the GET size.
    ctx.set('content-length', r.headers['content-length']);
  }) as KoaStatusMiddleware;
  Object.defineProperty(mw, 'handler', { value: handler });
  mw.close = () => handler.close();
  return mw;
}

/** Options of {@link koaRequestStats}. */
export interface KoaRequestStatsOptions extends RequestStatsGlueOptions {
  /**
   * The route template of a request (default: the template @koa/router matched,
   * `ctx._matchedRoute`; {@link UNMATCHED_ROUTE} when none did).
   */
  route?: (ctx: Context) => string | undefined;
}

/**
 * Koa middleware recording every request under `/http` (one line; put it first): count by
 * method, route TEMPLATE (@koa/router's `/users/:id`) and status, latency per route, requests
 * in flight, bytes sent, errors (a middleware threw, or 5xx) and aborted requests. Requests no
 * route matched go under {@link UNMATCHED_ROUTE}; the status pages' own requests are left out
 * unless `includeOwn`.
 *
 * @example
 * import Koa from 'koa';
 * import { koaRequestStats } from 'scales-metrics/koa';
 * const app = new Koa();
 * app.use(koaRequestStats());
 */
export function koaRequestStats(options: KoaRequestStatsOptions = {}): Middleware {
  const { route, stats, includeOwn } = setUpGlue('koaRequestStats', 'ctx', options, koaRoute);
  return async (ctx: Context, next: Next) => {
    const t = trackNodeRequest(stats, includeOwn, ctx.req, ctx.res, route, ctx, ctx.originalUrl);
    if (t === undefined) return next();
    try {
      await next();
    } catch (e) {
      t.error = true;
      throw e;
    }
  };
}

/** The template @koa/router matched (`_matchedRoute`), read when the response is over. */
function koaRoute(ctx: Context): string | undefined {
  const r = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return r === undefined || r === null ? undefined : String(r);
}
