/**
 * `scales-metrics/express`: the status pages as Express (or Connect) middleware.
 *
 * @example
 * import express from 'express';
 * import { expressStatus } from 'scales-metrics/express';
 * const app = express();
 * app.use(expressStatus({ serverName: 'web-1' }));   // serves /status/...
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createStatusHandler } from './create.js';
import type { StatusHandler, StatusHandlerOptions } from './handler.js';
import { serveNodeRequest } from './node.js';

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
