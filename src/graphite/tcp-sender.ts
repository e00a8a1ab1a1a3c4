/**
 * Plaintext or pickle over TCP, with one long-lived connection that is opened when there is
 * something to send, reconnected with jittered exponential backoff, and never allowed to keep
 * the process alive or to throw. Unacknowledged chunks of a dropped connection are queued
 * again (a datapoint may then arrive twice, which carbon treats as the same point).
 */

import net from 'node:net';
import { backoffDelay, DEFAULT_RECONNECT_BASE_MS, DEFAULT_RECONNECT_MAX_MS } from './backoff.js';
import type { DatapointBatch, EncodedChunk } from './datapoints.js';
import { encodePickle } from './pickle.js';
import { encodePlaintext } from './plaintext.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_WRITE_TIMEOUT_MS,
  type FlushOptions,
  type FlushResult,
  type GraphiteSender,
  type GraphiteSenderListener,
  type GraphiteSenderOptions,
  type GraphiteSenderStats,
} from './sender.js';

interface Entry {
  readonly chunk: EncodedChunk;
  settled: boolean;
}

interface Waiter {
  resolve(result: FlushResult): void;
  timer: NodeJS.Timeout;
  keepAlive: boolean;
}

type State = 'idle' | 'connecting' | 'connected' | 'waiting' | 'closed';

/** Internal: use {@link createGraphiteSender}. */
export class TcpGraphiteSender implements GraphiteSender {
  readonly protocol: 'plaintext' | 'pickle';
  readonly destination: string;
  readonly #host: string;
  readonly #port: number;
  readonly #bufferBytes: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #connectTimeoutMs: number;
  readonly #writeTimeoutMs: number;
  readonly #listener: GraphiteSenderListener;
  readonly #encode: (batch: DatapointBatch) => EncodedChunk[];

  #state: State = 'idle';
  #closing = false;
  #socket: net.Socket | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #attempt = 0;
  #attempts = 0;
  #queue: Entry[] = [];
  #queueHead = 0;
  #inflight: Entry[] = [];
  #queuedBytes = 0;
  #inflightBytes = 0;
  #waiters = new Set<Waiter>();
  #keepAlive = 0;
  #stats: GraphiteSenderStats = { sent: 0, dropped: 0, reconnects: 0, errors: 0, lastError: '', bufferedBytes: 0 };

  constructor(options: GraphiteSenderOptions & { protocol: 'plaintext' | 'pickle'; bufferBytes: number }) {
    this.protocol = options.protocol;
    this.#host = options.host;
    this.#port = options.port;
    this.destination = `${options.host}:${options.port}`;
    this.#bufferBytes = options.bufferBytes;
    this.#baseMs = options.reconnectBaseMs ?? DEFAULT_RECONNECT_BASE_MS;
    this.#maxMs = options.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.#listener = options.listener ?? {};
    // Chunks well under the bound, so that dropping the oldest one always makes room.
    const chunk = Math.max(1024, Math.min(256 * 1024, Math.floor(this.#bufferBytes / 4)));
    // Plaintext chunks are cut by characters (up to 3 bytes each): a third of the byte size.
    const chunkChars = Math.max(512, Math.floor(chunk / 3));
    this.#encode = this.protocol === 'pickle' ? (b) => encodePickle(b, chunk) : (b) => encodePlaintext(b, chunkChars);
  }

  stats(): GraphiteSenderStats {
    return { ...this.#stats, bufferedBytes: this.#queuedBytes + this.#inflightBytes };
  }

  send(batch: DatapointBatch): void {
    let chunks: EncodedChunk[];
    try {
      chunks = this.#encode(batch);
    } catch (error) {
      this.#fail(`encoding failed: ${(error as Error).message}`);
      this.#drop(batch.names.length);
      return;
    }
    for (const chunk of chunks) this.#enqueue({ chunk, settled: false });
    this.#buffered();
    this.#kick();
  }

  flush(options: FlushOptions): Promise<FlushResult> {
    if (this.#isDrained() || this.#state === 'waiting' || this.#state === 'closed') {
      return Promise.resolve(this.#result());
    }
    return new Promise((resolve) => {
      const keepAlive = options.keepAlive === true;
      const waiter: Waiter = {
        resolve,
        keepAlive,
        timer: setTimeout(() => this.#settle(waiter), Math.max(0, options.timeoutMs)),
      };
      if (!keepAlive) waiter.timer.unref();
      else if (this.#keepAlive++ === 0) this.#socket?.ref();
      this.#waiters.add(waiter);
    });
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.#state === 'closed') return;
    const deadline = Date.now() + Math.max(0, timeoutMs);
    if (!this.#isDrained()) {
      if (this.#state === 'waiting') {
        // One last attempt now rather than after the backoff.
        this.#clearRetry();
        this.#connect();
      }
      await this.flush({ timeoutMs, keepAlive: true });
    }
    this.#closing = true;
    this.#clearRetry();
    const socket = this.#socket;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => socket.destroy(), Math.max(0, deadline - Date.now()));
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.end();
      });
    }
    this.#state = 'closed';
    this.#dropQueued();
    this.#settleAll();
  }

  #enqueue(entry: Entry): void {
    const size = entry.chunk.bytes.length;
    if (this.#closing || this.#state === 'closed') {
      this.#drop(entry.chunk.count);
      return;
    }
    // Make room by dropping the oldest queued chunks (fresh data is worth more).
    while (this.#queuedBytes + this.#inflightBytes + size > this.#bufferBytes && this.#queueHead < this.#queue.length) {
      const old = this.#queue[this.#queueHead];
      this.#queue[this.#queueHead++] = undefined as unknown as Entry;
      this.#queuedBytes -= old.chunk.bytes.length;
      this.#drop(old.chunk.count);
    }
    if (this.#queuedBytes + this.#inflightBytes + size > this.#bufferBytes) {
      this.#drop(entry.chunk.count);
      return;
    }
    this.#compactQueue();
    this.#queue.push(entry);
    this.#queuedBytes += size;
  }

  #compactQueue(): void {
    if (this.#queueHead > 64 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #kick(): void {
    if (this.#state === 'idle') this.#connect();
    else if (this.#state === 'connected') this.#pump();
  }

  #connect(): void {
    if (this.#attempts++ > 0) {
      this.#stats.reconnects++;
      this.#call('reconnect');
    }
    this.#state = 'connecting';
    const socket = net.createConnection({ host: this.#host, port: this.#port });
    this.#socket = socket;
    if (this.#keepAlive === 0) socket.unref();
    socket.setKeepAlive(true, 15000);
    socket.setTimeout(this.#connectTimeoutMs);
    socket.on('connect', () => {
      if (this.#socket !== socket) return;
      this.#state = 'connected';
      this.#attempt = 0;
      socket.setTimeout(this.#writeTimeoutMs);
      this.#pump();
    });
    socket.on('timeout', () => {
      if (this.#state === 'connecting') {
        socket.destroy(new Error(`connection to ${this.destination} timed out after ${this.#connectTimeoutMs} ms`));
      } else if (this.#inflight.length > 0) {
        socket.destroy(new Error(`writes to ${this.destination} stalled for ${this.#writeTimeoutMs} ms`));
      }
    });
    // Carbon sends nothing, but reading is what lets us see its FIN (no CLOSE_WAIT forever).
    socket.on('data', () => {});
    socket.on('end', () => socket.destroy());
    socket.on('drain', () => {
      if (this.#socket === socket) this.#pump();
    });
    socket.on('error', (error) => this.#fail(error.message));
    socket.on('close', () => this.#onClose(socket));
  }

  #onClose(socket: net.Socket): void {
    if (this.#socket !== socket) return;
    const wasConnected = this.#state === 'connected';
    this.#socket = null;
    // Chunks the OS did not take are queued again, in order, ahead of newer data.
    const unsent = this.#inflight.filter((e) => !e.settled);
    this.#inflight = [];
    this.#inflightBytes = 0;
    if (unsent.length > 0) {
      const rest = this.#queue.slice(this.#queueHead);
      this.#queue = [];
      this.#queueHead = 0;
      this.#queuedBytes = 0;
      for (const e of unsent) e.settled = true;
      for (const e of [...unsent, ...rest]) this.#enqueue({ chunk: e.chunk, settled: false });
    }
    this.#buffered();
    if (this.#closing || this.#state === 'closed') {
      this.#state = 'closed';
      return;
    }
    if (!this.#isDrained()) {
      this.#state = 'waiting';
      const delay = backoffDelay(this.#attempt++, this.#baseMs, this.#maxMs);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = null;
        if (this.#state !== 'waiting') return;
        if (this.#isDrained()) this.#state = 'idle';
        else this.#connect();
      }, delay);
      this.#retryTimer.unref();
    } else {
      this.#state = 'idle';
    }
    // Flushes waiting on a connection that failed learn now that carbon is down.
    if (!wasConnected || !this.#isDrained()) this.#settleAll();
  }

  #pump(): void {
    const socket = this.#socket;
    if (!socket || this.#state !== 'connected') return;
    while (this.#queueHead < this.#queue.length && !socket.writableNeedDrain) {
      const entry = this.#queue[this.#queueHead];
      this.#queue[this.#queueHead++] = undefined as unknown as Entry;
      const size = entry.chunk.bytes.length;
      this.#queuedBytes -= size;
      this.#inflightBytes += size;
      this.#inflight.push(entry);
      socket.write(entry.chunk.bytes, (error) => this.#onWritten(entry, error));
    }
    if (this.#queueHead === this.#queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    }
  }

  #onWritten(entry: Entry, error: Error | null | undefined): void {
    if (entry.settled || error) return; // a failed write is re-queued when the socket closes
    entry.settled = true;
    const i = this.#inflight.indexOf(entry);
    if (i >= 0) this.#inflight.splice(i, 1);
    this.#inflightBytes -= entry.chunk.bytes.length;
    this.#stats.sent += entry.chunk.count;
    this.#call('sent', entry.chunk.count);
    this.#buffered();
    if (this.#isDrained()) this.#settleAll();
  }

  #isDrained(): boolean {
    return this.#queueHead >= this.#queue.length && this.#inflight.length === 0;
  }

  #pendingCount(): number {
    let n = 0;
    for (let i = this.#queueHead; i < this.#queue.length; i++) n += this.#queue[i].chunk.count;
    for (const e of this.#inflight) if (!e.settled) n += e.chunk.count;
    return n;
  }

  #result(): FlushResult {
    return { drained: this.#isDrained(), pending: this.#pendingCount() };
  }

  #settle(waiter: Waiter): void {
    if (!this.#waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    if (waiter.keepAlive && --this.#keepAlive === 0) this.#socket?.unref();
    waiter.resolve(this.#result());
  }

  #settleAll(): void {
    for (const w of [...this.#waiters]) this.#settle(w);
  }

  #dropQueued(): void {
    const n = this.#pendingCount();
    this.#queue = [];
    this.#queueHead = 0;
    this.#queuedBytes = 0;
    for (const e of this.#inflight) e.settled = true;
    this.#inflight = [];
    this.#inflightBytes = 0;
    if (n > 0) this.#drop(n);
    this.#buffered();
  }

  #clearRetry(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #drop(count: number): void {
    if (count <= 0) return;
    this.#stats.dropped += count;
    this.#call('dropped', count);
  }

  #fail(message: string): void {
    this.#stats.errors++;
    this.#stats.lastError = message.includes(this.destination) ? message : `${message} (graphite ${this.destination})`;
    this.#call('error', this.#stats.lastError);
  }

  #buffered(): void {
    const bytes = this.#queuedBytes + this.#inflightBytes;
    if (bytes !== this.#stats.bufferedBytes) {
      this.#stats.bufferedBytes = bytes;
      this.#call('buffered', bytes);
    }
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
