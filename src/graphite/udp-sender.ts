/**
 * Plaintext over UDP: lines packed into datagrams of at most `maxDatagramBytes`, sent fire and
 * forget. Nothing is retried (UDP gives no acknowledgement); datagrams the OS refuses and
 * datagrams beyond the byte bound while earlier ones are still being sent are counted as dropped.
 */

import dgram from 'node:dgram';
import net from 'node:net';
import type { DatapointBatch, EncodedChunk } from './datapoints.js';
import { encodePlaintext } from './plaintext.js';
import {
  DEFAULT_MAX_DATAGRAM_BYTES,
  type FlushOptions,
  type FlushResult,
  type GraphiteSender,
  type GraphiteSenderListener,
  type GraphiteSenderOptions,
  type GraphiteSenderStats,
} from './sender.js';

/** Internal: use {@link createGraphiteSender}. */
export class UdpGraphiteSender implements GraphiteSender {
  readonly protocol = 'udp' as const;
  readonly destination: string;
  readonly #host: string;
  readonly #port: number;
  readonly #bufferBytes: number;
  readonly #maxDatagramBytes: number;
  readonly #listener: GraphiteSenderListener;
  #socket: dgram.Socket | null = null;
  #closed = false;
  #pendingBytes = 0;
  #pendingCount = 0;
  #waiters = new Set<{ resolve(r: FlushResult): void; timer: NodeJS.Timeout }>();
  #stats: GraphiteSenderStats = { sent: 0, dropped: 0, reconnects: 0, errors: 0, lastError: '', bufferedBytes: 0 };

  constructor(options: GraphiteSenderOptions & { bufferBytes: number }) {
    this.#host = options.host;
    this.#port = options.port;
    this.destination = `${options.host}:${options.port}`;
    this.#bufferBytes = options.bufferBytes;
    this.#maxDatagramBytes = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
    this.#listener = options.listener ?? {};
  }

  stats(): GraphiteSenderStats {
    return { ...this.#stats, bufferedBytes: this.#pendingBytes };
  }

  send(batch: DatapointBatch): void {
    if (this.#closed) {
      this.#drop(batch.names.length);
      return;
    }
    let chunks: EncodedChunk[];
    try {
      chunks = encodePlaintext(batch, this.#maxDatagramBytes, true);
    } catch (error) {
      this.#fail(`encoding failed: ${(error as Error).message}`);
      this.#drop(batch.names.length);
      return;
    }
    const socket = this.#open();
    for (const chunk of chunks) {
      const size = chunk.bytes.length;
      if (this.#pendingBytes + size > this.#bufferBytes) {
        this.#drop(chunk.count);
        continue;
      }
      this.#pendingBytes += size;
      this.#pendingCount += chunk.count;
      try {
        socket.send(chunk.bytes, this.#port, this.#host, (error) => this.#onSent(chunk, error));
      } catch (error) {
        this.#onSent(chunk, error as Error);
      }
    }
    this.#call('buffered', this.#pendingBytes);
  }

  flush(options: FlushOptions): Promise<FlushResult> {
    if (this.#pendingCount === 0) return Promise.resolve({ drained: true, pending: 0 });
    return new Promise((resolve) => {
      const waiter = {
        resolve,
        timer: setTimeout(
          () => {
            this.#waiters.delete(waiter);
            resolve({ drained: this.#pendingCount === 0, pending: this.#pendingCount });
          },
          Math.max(0, options.timeoutMs),
        ),
      };
      if (options.keepAlive !== true) waiter.timer.unref();
      this.#waiters.add(waiter);
    });
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.#closed) return;
    await this.flush({ timeoutMs, keepAlive: true });
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      await new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      });
    }
    // Datagrams the OS never reported on are lost with the socket.
    if (this.#pendingCount > 0) this.#drop(this.#pendingCount);
    this.#pendingCount = 0;
    this.#pendingBytes = 0;
  }

  #open(): dgram.Socket {
    if (this.#socket) return this.#socket;
    const socket = dgram.createSocket(net.isIPv6(this.#host) ? 'udp6' : 'udp4');
    socket.on('error', (error) => this.#fail(error.message));
    socket.unref();
    this.#socket = socket;
    return socket;
  }

  #onSent(chunk: EncodedChunk, error: Error | null | undefined): void {
    if (this.#closed) return;
    this.#pendingBytes -= chunk.bytes.length;
    this.#pendingCount -= chunk.count;
    if (error) {
      this.#fail(error.message);
      this.#drop(chunk.count);
    } else {
      this.#stats.sent += chunk.count;
      this.#call('sent', chunk.count);
    }
    this.#call('buffered', this.#pendingBytes);
    if (this.#pendingCount === 0) {
      for (const w of this.#waiters) {
        clearTimeout(w.timer);
        w.resolve({ drained: true, pending: 0 });
      }
      this.#waiters.clear();
    }
  }

  #drop(count: number): void {
    if (count <= 0) return;
    this.#stats.dropped += count;
    this.#call('dropped', count);
  }

  #fail(message: string): void {
    this.#stats.errors++;
    this.#stats.lastError = message.includes(this.destination) ? message : `${message} (graphite udp ${this.destination})`;
    this.#call('error', this.#stats.lastError);
  }

  #call<K extends keyof GraphiteSenderListener>(name: K, ...args: Parameters<NonNullable<GraphiteSenderListener[K]>>): void {
    const fn = this.#listener[name] as ((...a: unknown[]) => void) | undefined;
    if (!fn) return;
    try {
      fn.apply(this.#listener, args);
    } catch {
      // A listener must not break the sender.
    }
  }
}
