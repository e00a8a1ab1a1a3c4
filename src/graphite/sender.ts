/**
 * The sending half of the Graphite exporter: it takes batches of datapoints, encodes them for
 * the chosen protocol and delivers them to carbon in the background. A sender never throws
 * from a background path and never emits an unhandled 'error'; its memory is bounded by
 * `bufferBytes`, and what it has to give up is counted in `dropped`.
 */

import { DEFAULT_RECONNECT_BASE_MS } from './backoff.js';
import type { DatapointBatch } from './datapoints.js';
import { TcpGraphiteSender } from './tcp-sender.js';
import { UdpGraphiteSender } from './udp-sender.js';

/** Wire protocols: plaintext over TCP (carbon's port 2003), pickle over TCP (2004), plaintext over UDP. */
export type GraphiteProtocol = 'plaintext' | 'pickle' | 'udp';

/** Default bound of the data a sender holds (queued plus handed to the socket), in bytes. */
export const DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;
/** Default time allowed for a TCP connection to be established, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** A connection with data pending and no progress for this long is dropped and reconnected, in ms. */
export const DEFAULT_WRITE_TIMEOUT_MS = 10000;
/** Default largest UDP datagram: fits an Ethernet MTU, so datagrams are not fragmented. */
export const DEFAULT_MAX_DATAGRAM_BYTES = 1432;

/** Callbacks a sender calls as things happen (used by the pusher for its self-stats). Must not throw. */
export interface GraphiteSenderListener {
  /** `count` datapoints were handed to the operating system. */
  sent?(count: number): void;
  /** `count` datapoints were given up (buffer full, sender closed, datagram failed). */
  dropped?(count: number): void;
  /** A connection attempt other than the first one started. */
  reconnect?(): void;
  /** Something failed; the message names the destination. */
  error?(message: string): void;
  /** The number of bytes held changed to `bytes`. */
  buffered?(bytes: number): void;
}

/** Options of {@link createGraphiteSender}. */
export interface GraphiteSenderOptions {
  host: string;
  port: number;
  /** Default 'plaintext'. */
  protocol?: GraphiteProtocol;
  /** Bound of the bytes held, default {@link DEFAULT_BUFFER_BYTES}; the oldest data is dropped first. */
  bufferBytes?: number;
  /** First reconnect delay, default 200 ms (doubled per failure, jittered). */
  reconnectBaseMs?: number;
  /** Cap of the reconnect delay, default 5000 ms (at least `reconnectBaseMs`). */
  reconnectMaxMs?: number;
  /** Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  connectTimeoutMs?: number;
  /** Default {@link DEFAULT_WRITE_TIMEOUT_MS}. */
  writeTimeoutMs?: number;
  /** UDP only: the largest datagram, default {@link DEFAULT_MAX_DATAGRAM_BYTES}. */
  maxDatagramBytes?: number;
  listener?: GraphiteSenderListener;
}

/** Counters of a sender since it was created. */
export interface GraphiteSenderStats {
  /** Datapoints handed to the operating system (TCP: written to the socket; UDP: datagram sent). */
  sent: number;
  /** Datapoints given up. */
  dropped: number;
  /** Connection attempts after the first one. */
  reconnects: number;
  /** Number of errors seen (connect failures, dropped connections, datagram errors). */
  errors: number;
  /** Message of the latest error, '' if none. */
  lastError: string;
  /** Bytes held now (queued plus handed to the socket and not yet written). */
  bufferedBytes: number;
}

/** What {@link GraphiteSender.flush} found. */
export interface FlushResult {
  /** True when everything sent so far was handed to the operating system. */
  drained: boolean;
  /** Datapoints still held (they stay queued and go out when carbon is reachable again). */
  pending: number;
}

/** Options of a flush. */
export interface FlushOptions {
  /** Give up waiting after this many ms (the data stays queued). */
  timeoutMs: number;
  /**
   * Keep the process alive while waiting (for an awaited push or stop); background pushes
   * leave it false so the sender never keeps the process alive.
   */
  keepAlive?: boolean;
}

/** A sender: plaintext/pickle over TCP or plaintext over UDP. */
export interface GraphiteSender {
  readonly protocol: GraphiteProtocol;
  /** `host:port` of carbon. */
  readonly destination: string;
  /** Encodes and queues a batch; returns at once. Never throws. */
  send(batch: DatapointBatch): void;
  /**
   * Resolves when everything queued was handed to the OS, when the destination is known to be
   * down (a connection attempt failed), or after `timeoutMs`. Never rejects.
   */
  flush(options: FlushOptions): Promise<FlushResult>;
  /** Flushes (one last connection attempt if needed, up to `timeoutMs`), then closes; what is left is dropped. Never rejects. */
  close(timeoutMs: number): Promise<void>;
  /** A copy of the counters. */
  stats(): GraphiteSenderStats;
}

function checkNumber(name: string, value: number | undefined, ok: (v: number) => boolean, expected: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new TypeError(`invalid graphite ${name} ${String(value)}: expected ${expected}`);
  }
}

/** Longest preview of a wrong value in an error message. */
const PREVIEW_CHARS = 60;

/**
 * Describes a wrong `host` without ever throwing: its type and a bounded preview (an object's
 * first keys, never its serialization: it may be huge, circular, or a proxy that throws).
 */
function invalidHost(host: unknown): string {
  const expected = 'a host name or address (a non-empty string) is required';
  if (host === '') return `invalid graphite host "": ${expected}`;
  if (typeof host === 'string' || typeof host === 'number' || typeof host === 'boolean' || host === null || host === undefined) {
    const shown = host === null || host === undefined ? String(host) : `${typeof host} ${String(host).slice(0, PREVIEW_CHARS)}`;
    return `invalid graphite host ${shown}: ${expected}`;
  }
  if (typeof host !== 'object') return `invalid graphite host: got a ${typeof host}; ${expected}`;
  let preview: string;
  try {
    if (Array.isArray(host)) preview = `an array of length ${host.length}`;
    else {
      const keys = Object.keys(host);
      let shown = keys.slice(0, 5).join(', ');
      if (shown.length > PREVIEW_CHARS) shown = `${shown.slice(0, PREVIEW_CHARS)}…`;
      preview = keys.length === 0 ? 'an object with no keys' : `an object with keys ${shown}${keys.length > 5 ? ', …' : ''}`;
    }
  } catch {
    preview = 'an object';
  }
  return `invalid graphite host: got ${preview}; ${expected}. Did you mean new GraphitePusher(host, port, prefix, options)?`;
}

/**
 * Creates the sender for a protocol (the variant is picked once, here).
 *
 * @example
 * const sender = createGraphiteSender({ host: '127.0.0.1', port: 2003 });
 * sender.send({ names: ['my.app.up'], values: [1], timestamp: Math.floor(Date.now() / 1000) });
 * await sender.close(2000);
 */
export function createGraphiteSender(options: GraphiteSenderOptions): GraphiteSender {
  const protocol = options.protocol ?? 'plaintext';
  if (typeof options.host !== 'string' || options.host.length === 0) throw new TypeError(invalidHost(options.host));
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) {
    throw new TypeError(`invalid graphite port ${String(options.port)} for ${options.host}: expected an integer in 1..65535`);
  }
  const bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
  if (!(bufferBytes > 0)) throw new TypeError(`invalid graphite bufferBytes ${String(bufferBytes)}: expected a positive number`);
  // Checked here, not when used: a bad value would otherwise throw from a socket event (crashing
  // the host app) or make the sender reconnect in a tight loop.
  const baseMs = options.reconnectBaseMs ?? DEFAULT_RECONNECT_BASE_MS;
  checkNumber('reconnectBaseMs', options.reconnectBaseMs, (v) => v > 0, 'a positive number of milliseconds');
  checkNumber('reconnectMaxMs', options.reconnectMaxMs, (v) => v >= baseMs, `a number of milliseconds >= reconnectBaseMs (${baseMs})`);
  checkNumber('connectTimeoutMs', options.connectTimeoutMs, (v) => v >= 0, 'a number of milliseconds >= 0');
  checkNumber('writeTimeoutMs', options.writeTimeoutMs, (v) => v >= 0, 'a number of milliseconds >= 0');
  checkNumber('maxDatagramBytes', options.maxDatagramBytes, (v) => v > 0, 'a positive number of bytes');
  switch (protocol) {
    case 'plaintext':
    case 'pickle':
      return new TcpGraphiteSender({ ...options, protocol, bufferBytes });
    case 'udp':
      return new UdpGraphiteSender({ ...options, protocol, bufferBytes });
    default:
      throw new TypeError(`invalid graphite protocol ${JSON.stringify(protocol)}: expected 'plaintext', 'pickle' or 'udp'`);
  }
}
