/**
 * `serveInBackground`: a standalone status server, the original `serveInBackground(port,
 * serverName)` made safe: it binds 127.0.0.1 unless a host is given.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStatusHandler } from './create.js';
import type { StatusHandlerOptions } from './handler.js';
import { serveNodeRequest } from './node.js';

/** Options of {@link serveInBackground}. */
export interface ServeOptions extends StatusHandlerOptions {
  /** Interface to bind (default `127.0.0.1`; `0.0.0.0` exposes the stats to the network). */
  host?: string;
}

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
  const handler = createStatusHandler({ metricsPath: DEFAULT_METRICS_PATH, ...options });
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url === '') {
      res.writeHead(302, { location: handler.prefix, 'content-length': '0' });
      res.end();
      return;
    }
    serveNodeRequest(handler, req, res);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
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
