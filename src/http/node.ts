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
 * A byte budget shared by the responses of one server: bytes of bodies rendered and not yet
 * handed to the network. (internal to the standalone server)
 */
export interface ResponseBudget {
  /** Most bytes in flight; a response that would go over it is answered 503 instead. */
  readonly max: number;
  /** Bytes in flight now. */
  used: number;
  /** Responses answered 503 because the budget was used. */
  refused: number;
}

/** Seconds a client refused for the response budget is told to wait. */
const BUSY_RETRY_AFTER_S = 5;

/**
 * Writes a handler response to a Node response; errors of a closed socket are ignored. With
 * `sendTimeoutMs` > 0, a response not handed to the network within that time (a client that
 * does not read) is destroyed with its connection, freeing its buffers. With a `budget`, the
 * body's bytes count against it until the response finishes or its connection closes; a body
 * that would take the bytes in flight over `budget.max` is answered 503 with `Retry-After`
 * instead (unless nothing else is in flight: a page bigger than the budget is still served alone).
 */
export function sendStatusResponse(res: ServerResponse, r: StatusResponse, sendTimeoutMs = 0, budget?: ResponseBudget): void {
  if (res.headersSent || res.destroyed) return;
  let held = 0;
  if (budget !== undefined && budget.max > 0) {
    if (budget.used > 0 && budget.used + r.body.length > budget.max) {
      budget.refused++;
      r = plain(503, 'busy: too many responses in flight to slow clients; retry later');
      r.headers['retry-after'] = String(BUSY_RETRY_AFTER_S);
    } else {
      held = r.body.length;
      budget.used += held;
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    if (budget !== undefined) budget.used -= held;
  };
  try {
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  } catch (e) {
    release();
    throw e;
  }
  if (res.writableFinished || res.destroyed) {
    release();
    return;
  }
  if (held === 0 && sendTimeoutMs <= 0) return;
  const timer = sendTimeoutMs > 0 ? setTimeout(() => res.destroy(), sendTimeoutMs).unref() : undefined;
  // Sent ('finish') or its connection gone ('close'): one listener each for both jobs.
  const done = () => {
    release();
    clearTimeout(timer);
  };
  res.once('finish', done);
  res.once('close', done);
}

function plain(status: number, message: string): StatusResponse {
  const body = Buffer.from(message + '\n', 'utf8');
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) }, body };
}

/**
 * Serves the handler's requests on a Node `(req, res)` pair; other paths go to `next()` when
 * given, else get a 404. Never throws; a failure answers 500. `sendTimeoutMs` and `budget`:
 * see {@link sendStatusResponse}.
 */
export function serveNodeRequest(
  handler: StatusHandler,
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
  url?: string,
  sendTimeoutMs = 0,
  budget?: ResponseBudget,
): void {
  handler.handle(toStatusRequest(req, url)).then(
    (r) => {
      if (r) sendStatusResponse(res, r, sendTimeoutMs, budget);
      else if (next) next();
      else sendStatusResponse(res, plain(404, 'not found'), sendTimeoutMs, budget);
    },
    (e: unknown) => {
      try {
        sendStatusResponse(res, plain(500, `error: ${describeThrown(e)}`), sendTimeoutMs, budget);
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
