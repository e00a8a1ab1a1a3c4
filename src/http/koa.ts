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
