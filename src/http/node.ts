/**
 * The status pages for Node's `http` server (and anything with `(req, res)` handlers, such as
 * Connect): `createNodeHandler(options)` returns `(req, res, next?) => void`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeThrown } from '../core/snapshot.js';
import { createStatusHandler } from './create.js';
import type { StatusHandler, StatusHandlerOptions, StatusRequest, StatusResponse } from './handler.js';

/** A `(req, res, next?)` handler with a `close()` that releases the sparkline sampler. */
export interface NodeStatusHandler {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** The underlying handler. */
  readonly handler: StatusHandler;
  /** Stops the sparkline sampler when no other handler uses it. */
  close(): void;
}

/** Wraps a Node request as the handler's request model (`url` defaults to `req.url`). */
export function toStatusRequest(req: IncomingMessage, url = req.url ?? '/'): StatusRequest {
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    header(name) {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    },
  };
}

/**
 * Writes a handler response to a Node response; errors of a closed socket are ignored. With
 * `sendTimeoutMs` > 0, a response not handed to the network within that time (a client that
 * does not read) is destroyed with its connection, freeing its buffers.
 */
export function sendStatusResponse(res: ServerResponse, r: StatusResponse, sendTimeoutMs = 0): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(r.status, r.headers);
  res.end(r.body);
  if (sendTimeoutMs > 0 && !res.writableFinished) {
    const timer = setTimeout(() => res.destroy(), sendTimeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
  }
}

function plain(status: number, message: string): StatusResponse {
  const body = Buffer.from(message + '\n', 'utf8');
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) }, body };
}

/**
 * Serves the handler's requests on a Node `(req, res)` pair; other paths go to `next()` when
 * given, else get a 404. Never throws; a failure answers 500. `sendTimeoutMs`: see
 * {@link sendStatusResponse}.
 */
export function serveNodeRequest(
  handler: StatusHandler,
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
  url?: string,
  sendTimeoutMs = 0,
): void {
  handler.handle(toStatusRequest(req, url)).then(
    (r) => {
      if (r) sendStatusResponse(res, r, sendTimeoutMs);
      else if (next) next();
      else sendStatusResponse(res, plain(404, 'not found'), sendTimeoutMs);
    },
    (e: unknown) => {
      try {
        sendStatusResponse(res, plain(500, `error: ${describeThrown(e)}`), sendTimeoutMs);
      } catch {
        // the response is gone: nothing left to tell
      }
    },
  );
}

/**
 * A Node `(req, res, next?)` handler for the status pages.
 *
 * @example
 * import http from 'node:http';
 * import * as scales from 'scales-metrics';
 * const status = createNodeHandler({ serverName: 'web-1' });
 * http.createServer((req, res) => status(req, res, () => app(req, res))).listen(8080);
 */
export function createNodeHandler(options: StatusHandlerOptions = {}): NodeStatusHandler {
  const handler = createStatusHandler(options);
  const fn = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) =>
    serveNodeRequest(handler, req, res, next)) as NodeStatusHandler;
  Object.defineProperty(fn, 'handler', { value: handler });
  fn.close = () => handler.close();
  return fn;
}
