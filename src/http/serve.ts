/**
 * `serveInBackground`: a standalone status server, the original `serveInBackground(port,
 * serverName)` made safe: it binds 127.0.0.1 unless a host is given, and bounds what slow or
 * hostile clients can hold: idle connections are closed, requests and their headers have a
 * deadline, a response the client does not read is destroyed, connections are capped, and so
 * are the bytes of responses in flight.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStatusHandler } from './create.js';
import type { StatusHandlerOptions } from './handler.js';
import { type ResponseBudget, serveNodeRequest } from './node.js';

/** Options of {@link serveInBackground}. */
export interface ServeOptions extends StatusHandlerOptions {
  /** Interface to bind (default `127.0.0.1`; `0.0.0.0` exposes the stats to the network). */
  host?: string;
  /**
   * A connection with no request in progress is closed after this long without a byte: one
   * that never sends anything, or one idle between keep-alive requests (default
   * {@link DEFAULT_IDLE_TIMEOUT_MS}; 0: never).
   */
  idleTimeoutMs?: number;
  /** Longest time a client may take to send a request's headers (default {@link DEFAULT_HEADERS_TIMEOUT_MS}; 0: no limit). */
  headersTimeoutMs?: number;
  /** Longest time a client may take to send a whole request (default {@link DEFAULT_REQUEST_TIMEOUT_MS}; 0: no limit). */
  requestTimeoutMs?: number;
  /**
   * A response not handed to the network this long after it was rendered (a client that does
   * not read) is destroyed with its connection, freeing its buffers (default
   * {@link DEFAULT_SEND_TIMEOUT_MS}; 0: never).
   */
  sendTimeoutMs?: number;
  /** Most connections open at once; more are closed as they arrive (default {@link DEFAULT_MAX_CONNECTIONS}; 0: no cap). */
  maxConnections?: number;
  /**
   * Most bytes of rendered responses not yet handed to the network, over all connections; a
   * request whose page would go over it is answered 503 with `Retry-After` (default
   * {@link DEFAULT_MAX_BYTES_IN_FLIGHT}; 0: no limit). A page bigger than this is still served
   * when nothing else is in flight.
   */
  maxBytesInFlight?: number;
}

/** Default idle timeout of the standalone server's connections: 5 s (Node's keep-alive default). */
export const DEFAULT_IDLE_TIMEOUT_MS = 5_000;
/** Default deadline of a request's headers: 10 s. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** Default deadline of a whole request: 30 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default time a response may take to be handed to the network: 30 s. */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;
/** Default cap on open connections: 64. */
export const DEFAULT_MAX_CONNECTIONS = 64;
/** Default budget of response bytes in flight: 64 MiB. */
export const DEFAULT_MAX_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

const LIMITS = ['idleTimeoutMs', 'headersTimeoutMs', 'requestTimeoutMs', 'sendTimeoutMs', 'maxConnections', 'maxBytesInFlight'] as const;

/** Default interface of the standalone server. */
export const DEFAULT_SERVE_HOST = '127.0.0.1';
/** Default Prometheus path of the standalone server. */
export const DEFAULT_METRICS_PATH = '/metrics';

/** A running status server. */
export interface StatusServer {
  /** The status page's URL, e.g. `http://127.0.0.1:8765/status/`. */
  readonly url: string;
  /** The port listened on (useful with port 0). */
  readonly port: number;
  /** Connections open now. */
  readonly connections: number;
  /** Bytes of rendered responses not yet handed to the network (see `maxBytesInFlight`). */
  readonly bytesInFlight: number;
  /** Requests answered 503 since the start because `maxBytesInFlight` was used. */
  readonly refusedBusy: number;
  /** Stops listening, closes open connections and the sparkline sampler. */
  close(): Promise<void>;
}

/**
 * Starts a status server in the background: the pages under `/status/`, Prometheus at
 * `/metrics`, `/` redirects to the pages. The server does not keep the process alive.
 *
 * @example
 * const server = await serveInBackground(8765, { serverName: 'something-server-42' });
 * console.log(server.url); // http://127.0.0.1:8765/status/
 * await server.close();
 */
export async function serveInBackground(port: number, options: ServeOptions = {}): Promise<StatusServer> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`invalid port ${port}: an integer in 0..65535`);
  const host = options.host ?? DEFAULT_SERVE_HOST;
  for (const key of LIMITS) {
    const v = options[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      throw new RangeError(`invalid serveInBackground option ${key}: ${String(v)} (an integer >= 0; 0 turns it off)`);
    }
  }
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const headersTimeoutMs = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const budget: ResponseBudget = { max: options.maxBytesInFlight ?? DEFAULT_MAX_BYTES_IN_FLIGHT, used: 0, refused: 0 };
  const handler = createStatusHandler({ metricsPath: DEFAULT_METRICS_PATH, ...options });
  // Node checks the header and request deadlines every `connectionsCheckingInterval` (30 s by
  // default): often enough that they hold to within a second, or a quarter of a short one.
  const deadlines = [headersTimeoutMs, requestTimeoutMs].filter((t) => t > 0);
  const connectionsCheckingInterval = Math.max(10, Math.min(1000, Math.floor(Math.min(...deadlines, 4000) / 4)));
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    // The idle timeout is for connections with nothing going on: not while we render.
    if (idleTimeoutMs > 0) req.socket.setTimeout(0);
    if (req.url === '/' || req.url === '') {
      res.writeHead(302, { location: handler.prefix, 'content-length': '0' });
      res.end();
      return;
    }
    serveNodeRequest(handler, req, res, undefined, undefined, sendTimeoutMs, budget);
  });
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  // A socket timeout with no 'timeout' listener destroys the socket: server.timeout applies
  // from the connection's first moment (a client that never sends a byte), keepAliveTimeout
  // after each response.
  server.timeout = idleTimeoutMs;
  server.keepAliveTimeout = idleTimeoutMs;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (maxConnections > 0) server.maxConnections = maxConnections;
  let open = 0;
  server.on('connection', (socket) => {
    open++;
    socket.once('close', () => open--);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      handler.close();
      const error = new Error(`status server could not listen on ${host}:${port}: ${e.message}`, { cause: e });
      // Keep Node's code (EADDRINUSE, EACCES, ...) so that callers can test it and try another port.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== undefined) Object.assign(error, { code });
      reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // After listening, errors (e.g. a socket fault) must not become an unhandled 'error' event.
  server.on('error', () => {});
  server.unref();
  const actual = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actual}${handler.prefix}`,
    port: actual,
    get connections() {
      return open;
    },
    get bytesInFlight() {
      return budget.used;
    },
    get refusedBusy() {
      return budget.refused;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        handler.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
