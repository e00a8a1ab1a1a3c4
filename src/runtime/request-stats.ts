/**
 * Request stats: what every HTTP server records per request (count by method, route template and
 * status; latency per route; time at each number of requests in flight; bytes sent; errors;
 * aborted requests), as ordinary stats under `/http`. This file is the recording; the one-line
 * glue for node:http, Express, Fastify, Koa and Hono lives in the framework subpaths
 * (`scales-metrics/http`'s `recordRequests`, `scales-metrics/express`'s `expressRequestStats`...).
 */
import type { Container } from '../core/container.js';
import { parsePath } from '../core/path.js';
import { intDictStat, intStat, namedPmfDictStat, stateTimeStat } from '../registry/catalogue.js';
import { defaultRegistry } from '../registry/default-registry.js';
import type { Registry } from '../registry/registry.js';
import type { IntDictChild, LabelledIntDictHandle } from '../stats/int-dict-stat.js';
import type { NumberHandle } from '../stats/number-stat.js';
import type { PmfHandle } from '../stats/pmf-stat.js';
import type { Clock } from '../sampling/clock.js';
import { type StateTimeCell, stateTimeCellOf } from '../stats/state-time-stat.js';

/** Default container of the request stats. */
export const DEFAULT_REQUEST_STATS_PATH = '/http';
/**
 * The route of a request no route template matched (a 404, a static file, a server without a
 * router): one constant, so that raw URLs never become label values.
 */
export const UNMATCHED_ROUTE = '(unmatched)';
/** Default most (method, route) pairs with a latency pmf of their own (each holds a sketch of up to 32 KiB). */
export const DEFAULT_ROUTE_LIMIT = 100;

/** Options of {@link requestStats}. */
export interface RequestStatsOptions {
  /** The tree to add the stats to (default: the default registry). */
  registry?: Registry;
  /** Container of the stats (default `/http`). */
  path?: string;
  /**
   * Most (method, route) pairs with a latency pmf of their own (default 100); the key limit of
   * the counts is the registry's (1,000 method × route × status). Beyond either, writes go to the
   * `__overflow__` key and are counted under `/scales/overflow`.
   */
  routeLimit?: number;
}

type CounterChild = IntDictChild;
type PmfChild = PmfHandle;
/** A stat labelled (method, route). */
type ByRoute<C> = { labels(method: string, route: string): C };

/** The children of one (method, route): each resolved on first use, then each write is a field update. */
class RouteEntry {
  readonly byStatus = new Map<number, CounterChild>();
  private latencyChild: PmfChild | undefined = undefined;
  private errorsChild: CounterChild | undefined = undefined;
  private abortedChild: CounterChild | undefined = undefined;
  constructor(
    private readonly stats: { latency: ByRoute<PmfChild>; errors: ByRoute<CounterChild>; aborted: ByRoute<CounterChild> },
    readonly method: string,
    readonly route: string,
  ) {}

  get latency(): PmfChild {
    return (this.latencyChild ??= this.stats.latency.labels(this.method, this.route));
  }

  get errors(): CounterChild {
    return (this.errorsChild ??= this.stats.errors.labels(this.method, this.route));
  }

  get aborted(): CounterChild {
    return (this.abortedChild ??= this.stats.aborted.labels(this.method, this.route));
  }
}

/**
 * The recording behind every framework's glue, and the way to write glue of your own: call
 * {@link RequestStats.begin} when a request arrives and {@link RequestStats.end} (or
 * {@link RequestStats.abort}) once when it is over. Never throws into the request.
 *
 * @example
 * const http = scales.requestStats();                 // the stats under /http
 * const start = http.begin();
 * // ... answer the request ...
 * http.end(start, 'GET', '/users/:id', 200, 512, false);
 */
export class RequestStats {
  /** The container's path (`/http` by default). */
  readonly path: string;
  private level = 0;
  private requests!: LabelledIntDictHandle<readonly ['method', 'route', 'status']>;
  private labelled!: { latency: ByRoute<PmfChild>; errors: ByRoute<CounterChild>; aborted: ByRoute<CounterChild> };
  private inFlightTime!: StateTimeCell;
  /** The registry's clock: one reading per request edge serves both the latency and the time in flight. */
  private readonly clock: Clock;
  private bytesSent!: NumberHandle;
  /** The stats' container: when it leaves the tree (`reset()`, `remove()`), the stats are declared afresh. */
  private container: Container | undefined;
  /** route -> method -> children; bounded by the route limit (beyond it, children are looked up per write). */
  private readonly routes = new Map<string, Map<string, RouteEntry>>();
  private entries = 0;
  private readonly routeLimit: number;

  /** @internal use {@link requestStats}. */
  constructor(
    private readonly registry: Registry,
    path: string,
    routeLimit: number,
  ) {
    this.path = path;
    this.routeLimit = routeLimit;
    this.clock = registry.clock;
    this.declare();
  }

  private declare(): void {
    const s = this.registry.collection(
      this.path,
      intDictStat('requests', {
        labels: ['method', 'route', 'status'],
        help: 'Requests answered, by method, route template and status',
        prometheusName: 'http_requests_total',
      }),
      namedPmfDictStat('latency', {
        labels: ['method', 'route'],
        unit: 's',
        keyLimit: this.routeLimit,
        help: 'Time from the request to the last byte of the response handed to the network, by method and route template',
        prometheusName: 'http_request_duration_seconds',
      }),
      stateTimeStat('inFlight', { help: 'Seconds spent at each number of requests in flight' }),
      intStat('bytesSent', {
        unit: 'bytes',
        help: 'Bytes written to the connections for the responses, headers included',
        prometheusName: 'http_response_sent_bytes_total',
      }),
      intDictStat('errors', {
        labels: ['method', 'route'],
        help: 'Requests that failed on the server: the handler threw, or the status was 5xx',
        prometheusName: 'http_request_errors_total',
      }),
      intDictStat('aborted', {
        labels: ['method', 'route'],
        help: 'Requests whose connection closed before the response was sent (not in requests or latency)',
        prometheusName: 'http_requests_aborted_total',
      }),
    );
    this.requests = s.$.requests;
    this.labelled = { latency: s.$.latency, errors: s.$.errors, aborted: s.$.aborted };
    const inFlight = stateTimeCellOf(s.$.inFlight);
    if (inFlight === undefined) throw new Error(`requestStats: ${this.path}/inFlight is not a stateTime stat`);
    this.inFlightTime = inFlight;
    this.bytesSent = s.$.bytesSent;
    this.inFlightTime.set(this.level);
    this.container = this.registry.root.find(parsePath(this.path));
    this.routes.clear();
    this.entries = 0;
  }

  /** Whether the stats left the tree (one field read per request); if so, declares them afresh. */
  private checkAttached(): void {
    if (this.container?.detached === true) this.declare();
  }

  /** The number of requests in flight now (begun, neither ended nor aborted). */
  get inFlight(): number {
    return this.level;
  }

  /**
   * A request arrived: raises the number in flight; returns its start (ms of the registry's
   * clock, `performance.now()` unless the registry was given another) for `end`.
   */
  begin(): number {
    const now = this.clock.now();
    try {
      this.inFlightTime.setAt(++this.level, now);
    } catch {
      // never into the request
    }
    return now;
  }

  /**
   * The request was answered (its response handed to the network): counts it under (method,
   * route, status), records its latency under (method, route), adds the bytes sent, and counts
   * an error when `error` (the handler threw) or the status is 5xx. `route` is the route
   * TEMPLATE (`/users/:id`), undefined when none matched ({@link UNMATCHED_ROUTE}).
   */
  end(start: number, method: string, route: string | undefined, status: number, bytes: number, error: boolean): void {
    const now = this.clock.now();
    try {
      this.checkAttached();
      this.inFlightTime.setAt(--this.level, now);
      const e = this.entry(method, route ?? UNMATCHED_ROUTE);
      let c = e.byStatus.get(status);
      if (c === undefined) {
        c = this.requests.labels(e.method, e.route, status);
        if (e.byStatus.size < 64) e.byStatus.set(status, c);
      }
      c.inc();
      e.latency.record((now - start) / 1000);
      if (bytes > 0) this.bytesSent.inc(bytes);
      if (error || status >= 500) e.errors.inc();
    } catch {
      // never into the request
    }
  }

  /** The connection closed before the response was sent: counted under `aborted` only (and the bytes that did go out). */
  abort(method: string, route: string | undefined, bytes: number): void {
    try {
      this.checkAttached();
      this.inFlightTime.set(--this.level);
      this.entry(method, route ?? UNMATCHED_ROUTE).aborted.inc();
      if (bytes > 0) this.bytesSent.inc(bytes);
    } catch {
      // never into the request
    }
  }

  /** A request the glue began but decided not to record (the status page's own): lowers the number in flight. */
  drop(): void {
    try {
      this.inFlightTime.set(--this.level);
    } catch {
      // never into the request
    }
  }

  private entry(method: string, route: string): RouteEntry {
    let byMethod = this.routes.get(route);
    let e = byMethod?.get(method);
    if (e !== undefined) return e;
    e = new RouteEntry(this.labelled, method, route);
    // Cache only as many as the stats keep keys for: a route function returning raw URLs must not pin memory.
    if (this.entries < this.routeLimit) {
      if (byMethod === undefined) this.routes.set(route, (byMethod = new Map()));
      byMethod.set(method, e);
      this.entries++;
    }
    return e;
  }
}

const shared = new WeakMap<Registry, Map<string, RequestStats>>();

function checkLimit(v: number | undefined): number {
  if (v === undefined) return DEFAULT_ROUTE_LIMIT;
  if (!(Number.isInteger(v) && v >= 1 && v <= 100_000)) {
    throw new RangeError(`requestStats: routeLimit must be an integer from 1 to 100000, not ${String(v)}`);
  }
  return v;
}

/**
 * The request stats of `options.registry` at `options.path` (`/http` by default), declared on
 * first use and shared by every later call with the same registry and path (the first call's
 * options hold). After `reset()` or `remove()` of the container, the next request declares them
 * afresh.
 * The framework glue calls it; call it yourself only to write glue of your own.
 */
export function requestStats(options: RequestStatsOptions = {}): RequestStats {
  const registry = options.registry ?? defaultRegistry;
  const path = '/' + parsePath(options.path ?? DEFAULT_REQUEST_STATS_PATH).join('/');
  const routeLimit = checkLimit(options.routeLimit);
  let byPath = shared.get(registry);
  if (byPath === undefined) shared.set(registry, (byPath = new Map()));
  let s = byPath.get(path);
  if (s === undefined) byPath.set(path, (s = new RequestStats(registry, path, routeLimit)));
  return s;
}
