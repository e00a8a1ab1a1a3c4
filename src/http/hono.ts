/**
 * `scales-metrics/hono`: the status pages as Hono middleware (any Web-standard runtime).
 *
 * @example
 * import { Hono } from 'hono';
 * import { honoStatus } from 'scales-metrics/hono';
 * const app = new Hono();
 * app.use(honoStatus({ serverName: 'web-1' }));   // serves /status/...
 */
import type { MiddlewareHandler } from 'hono';
import { createStatusHandler } from './create.js';
import type { StatusHandler, StatusHandlerOptions } from './handler.js';

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
