/**
 * Request stats on Node's `(req, res)` pair: the part every Node-based framework's glue shares
 * (node:http and https servers, Express, Fastify, Koa, Hono on @hono/node-server), and
 * `recordRequests(server)`, the one line for a node:http or https server.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { type RequestStats, type RequestStatsOptions, requestStats, UNMATCHED_ROUTE } from '../runtime/request-stats.js';
import { isOwnRequest } from './own-requests.js';

/** Options of every framework's request-stats glue. */
export interface RequestStatsGlueOptions extends RequestStatsOptions {
  /**
   * Record the requests that the status pages and `/metrics` of this process answer themselves
   * (default false: a scrape every 15 s would otherwise show up as traffic).
   */
  includeOwn?: boolean;
}

/** The route template of a request, or undefined when none matched; called once, when the response is over. */
export type RouteOf<R> = (req: R) => string | undefined;

/** Options of {@link recordRequests}. */
export interface NodeRequestStatsOptions extends RequestStatsGlueOptions {
  /**
   * The route TEMPLATE of a request (`/users/:id`), for a server without a framework: a plain
   * node:http server has no routes, so by default every request goes under
   * {@link UNMATCHED_ROUTE}. Never return the raw URL: each distinct value is a series.
   */
  route?: RouteOf<IncomingMessage>;
}

/** What every glue takes from its options once, at setup. */
export interface GlueSetup<F> {
  /** The route function, checked to be one (or undefined where there is no default). */
  route: F;
  stats: RequestStats;
  includeOwn: boolean;
}

/**
 * The setup every glue shares: its `route` option (or `fallback`) checked to be a function (a
 * TypeError naming the glue and the function's parameter), the shared request stats of its
 * registry and path, and `includeOwn`.
 */
export function setUpGlue<F>(glue: string, param: string, options: RequestStatsGlueOptions & { route?: F }, fallback: F): GlueSetup<F> {
  const route = options.route ?? fallback;
  if (route !== undefined && typeof route !== 'function') throw new TypeError(`${glue}: route must be a function (${param}) => string | undefined`);
  return { route, stats: requestStats(options), includeOwn: options.includeOwn ?? false };
}

/** Set on a server whose requests `recordRequests` records, so that a framework's glue on it stands aside. */
const RECORDED = Symbol('scales-metrics.recordRequests');

type Socketish = { bytesWritten?: number; _bytesDispatched?: unknown } | null | undefined;

/**
 * Bytes the connection has handed to the OS. `bytesWritten` adds the bytes still queued, and
 * copies the write queue to count them: ~2% of a small server's CPU when read twice a request.
 * Node's own count of the handed bytes is the field behind it (every Node since 0.x); once the
 * response has finished, nothing of it is queued any more, so the two agree at both ends of a
 * request (a pipelined response queued behind the previous one aside).
 */
function sentBytes(socket: Socketish): number {
  if (socket === null || socket === undefined) return 0;
  const d = socket._bytesDispatched;
  return typeof d === 'number' ? d : (socket.bytesWritten ?? 0);
}
type RecordedServer = { [RECORDED]?: true };

/** One request being recorded. (internal to the glue) */
export class TrackedRequest {
  /** Set by the glue when the framework reports that the handler threw. */
  error = false;

  constructor(
    readonly stats: RequestStats,
    readonly res: ServerResponse,
    readonly start: number,
    readonly method: string,
    readonly socket: Socketish,
    readonly bytes0: number,
    readonly routeOf: RouteOf<never> | undefined,
    readonly routeArg: unknown,
  ) {}

  /**
   * The response closed: 'close' follows 'finish' when the response was sent (Node 19+), and
   * comes alone when the connection went first. Listened to bound to this object: one
   * allocation where a closure over (this, res) would be two.
   */
  close(): void {
    const res = this.res;
    try {
      const route = this.routeOf === undefined ? undefined : (this.routeOf as RouteOf<unknown>)(this.routeArg);
      // The connection's bytes since the request began: headers and body (res.socket is already
      // detached here, so the socket is the one captured at the start).
      const bytes = this.socket === null || this.socket === undefined ? 0 : sentBytes(this.socket) - this.bytes0;
      if (res.writableFinished) this.stats.end(this.start, this.method, route, res.statusCode, bytes, this.error);
      else this.stats.abort(this.method, route, bytes);
    } catch {
      this.stats.drop(); // a route function that threw: the level in flight still comes down
    }
  }
}

/**
 * Starts recording one request on its Node `(req, res)` pair; it is recorded when `res`
 * closes: answered if the response finished, else aborted. Returns undefined when the request
 * is not recorded (the status pages' own, or a server `recordRequests` already records). `url`
 * is the full request target (Express's `originalUrl`), to recognise the status pages' own
 * requests. Nothing is stored on `req` or `res`: adding a property to them was half the glue's
 * cost (profiled).
 */
export function trackNodeRequest<R>(
  stats: RequestStats,
  includeOwn: boolean,
  req: IncomingMessage,
  res: ServerResponse,
  routeOf: RouteOf<R> | undefined,
  routeArg: R,
  url: string | undefined = req.url,
  byServerGlue = false,
): TrackedRequest | undefined {
  const socket = req.socket as (Socketish & { server?: RecordedServer }) | null;
  if (!byServerGlue && socket?.server?.[RECORDED] === true) return undefined;
  if (!includeOwn && isOwnRequest(url)) return undefined;
  const t = new TrackedRequest(
    stats,
    res,
    stats.begin(),
    req.method ?? 'GET',
    socket,
    sentBytes(socket),
    routeOf as RouteOf<never> | undefined,
    routeArg,
  );
  res.on('close', t.close.bind(t));
  return t;
}

/** What {@link recordRequests} returns. */
export interface RequestStatsHandle {
  /** The stats' container (`/http` by default). */
  readonly path: string;
  /** Stops recording this server's requests (the stats stay in the tree). */
  stop(): void;
}

/**
 * Records every request of a node:http or https server under `/http` (one line): count by
 * method, route and status, latency per route, requests in flight, bytes sent, errors (5xx)
 * and aborted requests. The status pages' own requests are left out unless `includeOwn`.
 *
 * @example
 * import http from 'node:http';
 * import { recordRequests } from 'scales-metrics/http';
 * const server = http.createServer(app);
 * recordRequests(server, { route: (req) => router.match(req.url)?.template });
 */
export function recordRequests(server: Server | HttpsServer, options: NodeRequestStatsOptions = {}): RequestStatsHandle {
  if (server === null || typeof server !== 'object' || typeof (server as { prependListener?: unknown }).prependListener !== 'function') {
    throw new TypeError(`recordRequests: expected a node:http or https server, not ${String(server)}`);
  }
  const { route, stats, includeOwn } = setUpGlue('recordRequests', 'req', options, undefined);
  if ((server as RecordedServer)[RECORDED] === true) throw new TypeError('recordRequests: this server is already recorded');
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    trackNodeRequest(stats, includeOwn, req, res, route, req, req.url, true);
  };
  (server as RecordedServer)[RECORDED] = true;
  // First, so that the clock starts before the application's own listener runs.
  server.prependListener('request', listener);
  return {
    path: stats.path,
    stop: () => {
      server.off('request', listener);
      delete (server as RecordedServer)[RECORDED];
    },
  };
}

export { UNMATCHED_ROUTE };
