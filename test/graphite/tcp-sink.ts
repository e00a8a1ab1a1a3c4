/**
 * Test helpers: a TCP sink on 127.0.0.1 that keeps what it receives, polling with a deadline,
 * and a check that nothing escapes as an uncaught exception or unhandled rejection.
 */

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before } from 'node:test';

/**
 * Collects every uncaught exception and unhandled rejection of the test file's process while
 * it runs and asserts, after its tests, that there was none.
 */
export function assertNothingEscapes(message: string): void {
  const escaped: unknown[] = [];
  const onEscape = (e: unknown) => escaped.push(e);
  before(() => {
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
  });
  after(() => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
    assert.deepEqual(escaped, [], message);
  });
}

/** A TCP server on 127.0.0.1 that collects everything it receives. */
export class Sink {
  readonly server = net.createServer();
  readonly sockets = new Set<net.Socket>();
  received = '';
  constructor() {
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('data', (d) => {
        this.received += d.toString('utf8');
      });
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    });
  }
  /** Listens on `port` (default: a free one) and returns the port. */
  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }
  /** Closes the listener and every connection (as a stopping carbon does). */
  close(): Promise<void> {
    for (const s of this.sockets) s.end();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
  /** Complete lines received so far. */
  lines(): string[] {
    return this.received.split('\n').filter(Boolean);
  }
  /** Received lines as a map name -> [value, timestamp] (the last one wins). */
  points(): Map<string, [number, number]> {
    const m = new Map<string, [number, number]>();
    for (const line of this.lines()) {
      const [name, value, ts] = line.split(' ');
      m.set(name, [Number(value), Number(ts)]);
    }
    return m;
  }
}

/**
 * Polls `cond` every 10 ms until it is true, or throws after `timeoutMs` (20 s by default: the
 * poll ends as soon as `cond` holds, and CI may run on a loaded 2-core machine).
 */
export async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A loopback port nothing listens on, for a service that is down: 2 (privileged, so never handed
 * out for a port 0 bind, unused, and not on fetch's list of blocked ports as 1 is). A port from
 * freePort() may be bound by another test meanwhile.
 */
export const REFUSED_PORT = 2;

/** A TCP port that was free a moment ago on 127.0.0.1 (for a server started on it later). */
export function freePort(): Promise<number> {
  const s = net.createServer();
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    }),
  );
}
