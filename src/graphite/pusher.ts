/**
 * The producing half of the Graphite exporter: reads the stat tree, applies the rules, builds
 * one batch of datapoints with one period-aligned timestamp, and hands it to a sender.
 * `push()` never rejects and never blocks the event loop for more than a few milliseconds.
 */

import os from 'node:os';
import { sourceOf } from '../registry/default-registry.js';
import type { StatsSource } from '../registry/source.js';
import { Registry } from '../registry/registry.js';
import { describeThrown, type SnapshotOptions } from '../core/snapshot.js';
import type { SnapshotNode } from '../registry/snapshot.js';
import { type Collected, walkSnapshot } from './collect.js';
import type { DatapointBatch } from './datapoints.js';
import { DeltaTracker } from './deltas.js';
import { type GraphitePruneRule, type GraphiteRule, GraphiteRules } from './rules.js';
import { normalizePrefix } from './sanitize.js';
import { DEFAULT_SELF_STATS_PATH, declareSelfStats, type GraphiteSelfStats } from './self-stats.js';
import {
  createGraphiteSender,
  DEFAULT_BUFFER_BYTES,
  type GraphiteProtocol,
  type GraphiteSender,
  type GraphiteSenderOptions,
  type GraphiteSenderStats,
} from './sender.js';
import { runSliced, TimeSlice } from '../core/slices.js';

/** Carbon's plaintext port (also used for UDP). */
export const DEFAULT_GRAPHITE_PORT = 2003;
/** Carbon's pickle port. */
export const DEFAULT_PICKLE_PORT = 2004;
/** How long an awaited `push()` waits for its datapoints to reach the OS, in ms. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 5000;
/** Datapoints handed to the sender at a time (the pusher yields to the event loop between slices). */
const SEND_SLICE = 5000;
/** The periodic pusher's reads: slow gauges are skipped (see RegistryOptions.gaugeBudgetMs). */
const BACKGROUND: SnapshotOptions = { background: true };

/** Options of a {@link GraphitePusher}. */
export interface GraphitePusherOptions extends Omit<GraphiteSenderOptions, 'host' | 'port' | 'listener'> {
  /**
   * The tree to push (default: the default registry, the one `scales.collection` uses). When
   * it is a `Registry`, the pusher reports on itself there (see `selfStatsPath`).
   */
  source?: StatsSource;
  /** Push only this subtree (default '/'); names still carry its full path. */
  path?: string;
  /**
   * Send counters as their change since the previous period instead of their running total
   * (int, intDict and sum aggregations; a meter's `count`; a pmf's `lifetime.count` and
   * `lifetime.sum`; the seconds per state of a stateTime stat). Default false.
   */
  deltas?: boolean;
  /**
   * Timestamps are aligned down to a multiple of this many seconds (default 1 for a
   * GraphitePusher, and the push period for a GraphitePeriodicPusher).
   */
  period?: number;
  /** Wall clock in epoch ms (default `Date.now`), for the datapoints' timestamps. */
  now?: () => number;
  /** How long an awaited `push()` waits for delivery (default {@link DEFAULT_FLUSH_TIMEOUT_MS}); data not delivered by then stays queued. */
  flushTimeoutMs?: number;
  /** Where the pusher reports on itself, in its source when that is a `Registry` (default '/scales/graphite'); `null` for nowhere. */
  selfStatsPath?: string | null;
  /** A sender to use instead of creating one from host, port and protocol (its owner closes it). */
  sender?: GraphiteSender;
}

/** What one push did. */
export interface PushResult {
  /** The timestamp (epoch seconds) every datapoint of this push carries. */
  timestamp: number;
  /** Datapoints handed to the sender. */
  datapoints: number;
  /** Allowed numeric leaves left out because their name cannot be stored by carbon (>= 500 characters, or a segment over 255 bytes). */
  skipped: number;
  /** True when everything queued reached the OS before the push returned. */
  drained: boolean;
  /** Datapoints still queued (carbon slow or down): they go out when it is back, unless dropped for space. */
  pending: number;
  /** Time the push took, in ms. */
  durationMs: number;
  /** Set when the push itself failed (the tree could not be read); the host app is never affected. */
  error?: string;
}

/**
 * Pushes the stat tree to Graphite on demand (Python's `GraphitePusher`). Nothing is sent
 * until a rule allows it.
 *
 * @example
 * const pusher = new GraphitePusher('graphite.example.com', 2003, 'my.server.');
 * pusher.allow('*').forbid('web/secret*');
 * await pusher.push();
 * await pusher.close();
 */
export class GraphitePusher {
  /** The normalized prefix every name starts with (e.g. `my.server.`). */
  readonly prefix: string;
  /** `host:port` of carbon. */
  readonly destination: string;
  /** Seconds the timestamps are aligned to. */
  readonly period: number;
  protected readonly source: StatsSource;
  protected readonly sender: GraphiteSender;
  protected readonly flushTimeoutMs: number;
  readonly #ownsSender: boolean;
  readonly #rules: GraphiteRules;
  readonly #path: string;
  readonly #now: () => number;
  readonly #deltas: DeltaTracker | null;
  readonly #self: GraphiteSelfStats | null;
  readonly #bufferBytes: number;
  #buffered = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #running = 0;
  #closed = false;

  /**
   * @param host carbon's host name or address
   * @param port default 2003 (2004 for the pickle protocol)
   * @param prefix start of every name; default the lower-cased host name; a missing trailing
   *   '.' is added; `''` for none
   */
  constructor(host: string, port?: number, prefix?: string, options: GraphitePusherOptions = {}) {
    const protocol: GraphiteProtocol = options.protocol ?? 'plaintext';
    const thePort = port ?? (protocol === 'pickle' ? DEFAULT_PICKLE_PORT : DEFAULT_GRAPHITE_PORT);
    this.prefix = normalizePrefix(prefix ?? os.hostname().toLowerCase());
    this.period = options.period ?? 1;
    if (!(this.period > 0) || !Number.isFinite(this.period)) {
      throw new TypeError(`invalid graphite period ${String(options.period)}: expected a positive number of seconds`);
    }
    this.source = sourceOf(options, 'GraphitePusher');
    this.#path = options.path ?? '/';
    this.#now = options.now ?? Date.now;
    this.flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
    this.#bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    this.#deltas = options.deltas ? new DeltaTracker() : null;
    const selfPath = options.selfStatsPath === undefined ? DEFAULT_SELF_STATS_PATH : options.selfStatsPath;
    this.#self = selfPath === null || !(this.source instanceof Registry) ? null : declareSelfStats(this.source, selfPath);
    const self = this.#self;
    this.#rules = new GraphiteRules((error, path) => this.#error(`graphite rule for "${path}" threw: ${describe(error)}`));
    if (options.sender) {
      this.sender = options.sender;
      this.#ownsSender = false;
    } else {
      this.sender = createGraphiteSender({
        ...options,
        host,
        port: thePort,
        protocol,
        listener: {
          sent: (n) => self?.$.sent.inc(n),
          dropped: (n) => self?.$.dropped.inc(n),
          reconnect: () => self?.$.reconnects.inc(),
          error: (message) => this.#error(message),
          buffered: (bytes) => {
            self?.$.bufferedBytes.inc(bytes - this.#buffered);
            this.#buffered = bytes;
          },
        },
      });
      this.#ownsSender = true;
    }
    this.destination = this.sender.destination;
  }

  /** Allows the paths a glob or predicate matches (the newest matching rule wins). Throws a TypeError for any other rule. */
  allow(rule: GraphiteRule): this {
    this.#rules.allow(rule);
    return this;
  }

  /** Forbids the paths a glob or predicate matches (the newest matching rule wins). Throws a TypeError for any other rule. */
  forbid(rule: GraphiteRule): this {
    this.#rules.forbid(rule);
    return this;
  }

  /** Stops the walk at the branches a glob or predicate on the path matches. Throws a TypeError for any other rule. */
  prune(rule: GraphitePruneRule): this {
    this.#rules.prune(rule);
    return this;
  }

  /** The sender's counters (sent, dropped, reconnects, errors, lastError, bufferedBytes). */
  stats(): GraphiteSenderStats {
    return this.sender.stats();
  }

  /**
   * Reads the tree and sends every allowed numeric leaf, all with one timestamp. Waits (up to
   * `flushTimeoutMs`) until the datapoints reach the OS or carbon is known to be down, keeping
   * the process alive meanwhile. Pushes never overlap: a push called while one runs waits for
   * it. Never rejects.
   */
  push(): Promise<PushResult> {
    if (this.#closed) {
      const error = `graphite pusher for ${this.destination} is closed`;
      return Promise.resolve({ timestamp: 0, datapoints: 0, skipped: 0, drained: false, pending: 0, durationMs: 0, error });
    }
    return this.enqueuePush(true);
  }

  /** Stops using the connection: waits for running pushes, flushes (up to `timeoutMs`), then closes it. */
  async close(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#chain;
    if (this.#ownsSender) await this.sender.close(timeoutMs);
  }

  /** True while a push runs. @internal */
  protected get busy(): boolean {
    return this.#running > 0;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs a push after the ones already queued. `background` (the periodic pusher's timer): gauges
   * over the registry's `gaugeBudgetMs` are not called, so nothing is sent for them. @internal
   */
  protected enqueuePush(keepAlive: boolean, background = false): Promise<PushResult> {
    this.#running++;
    const run = this.#chain.then(() => this.#pushNow(keepAlive, background ? BACKGROUND : undefined));
    this.#chain = run.then(
      () => this.#running--,
      () => this.#running--,
    );
    return run;
  }

  /** Counts a scheduled push that was skipped because the previous one still ran. @internal */
  protected countOverlap(): void {
    this.#self?.$.overlaps.inc();
  }

  async #pushNow(keepAlive: boolean, read?: SnapshotOptions): Promise<PushResult> {
    const t0 = performance.now();
    // Rounded to the ms so that a fractional period (tests) does not print as 1800000000.4000001.
    const timestamp = Math.round(Math.floor(this.#now() / 1000 / this.period) * this.period * 1000) / 1000;
    const result: PushResult = { timestamp, datapoints: 0, skipped: 0, drained: true, pending: 0, durationMs: 0 };
    try {
      // Collapsed containers are pushed (collapsing is for the status page, as in Python
      // scales); pruned branches are not even read.
      const node: SnapshotNode | undefined = await this.source.snapshotAsync(this.#path, { ...read, skip: (p) => this.#rules.isPruned(p) });
      if (node !== undefined) {
        const collected = await runSliced(walkSnapshot(node, this.#rules, this.prefix));
        if (this.#deltas) this.#applyDeltas(collected, timestamp);
        result.datapoints = collected.names.length;
        result.skipped = collected.skipped;
        await this.#send(collected, timestamp, keepAlive);
      }
      const flushed = await this.sender.flush({ timeoutMs: this.flushTimeoutMs, keepAlive });
      result.drained = flushed.drained;
      result.pending = flushed.pending;
    } catch (error) {
      result.error = `graphite push to ${this.destination} failed: ${describe(error)}`;
      this.#error(result.error);
    }
    result.durationMs = performance.now() - t0;
    const self = this.#self;
    if (self) {
      self.$.pushes.inc();
      self.$.datapoints.inc(result.datapoints);
      if (result.skipped > 0) self.$.skipped.inc(result.skipped);
      self.$.lastPushMs.set(result.durationMs);
    }
    return result;
  }

  #applyDeltas(collected: Collected, timestamp: number): void {
    const deltas = this.#deltas!;
    deltas.begin(timestamp);
    // Keyed by the sent name, which is unique within a walk (names that met got `_2`...), so
    // two leaves never share a base.
    const { names, values, counters } = collected;
    for (let i = 0; i < names.length; i++) {
      const mode = counters[i];
      if (mode !== null) values[i] = deltas.delta(names[i], values[i], mode);
    }
  }

  async #send(collected: Collected, timestamp: number, keepAlive: boolean): Promise<void> {
    const { names, values } = collected;
    // Slices also small enough to fit in half the buffer (estimated from the first names).
    let sample = 0;
    const probe = Math.min(names.length, 100);
    for (let i = 0; i < probe; i++) sample += names[i].length;
    const perPoint = (probe > 0 ? sample / probe : 0) + 32;
    const slice = Math.max(1, Math.min(SEND_SLICE, Math.floor(this.#bufferBytes / 2 / perPoint)));
    const time = new TimeSlice();
    for (let i = 0; i < names.length; i += slice) {
      // A push larger than the buffer flows through while carbon takes it (back-pressure);
      // when carbon is down, flush() returns at once and the oldest data is dropped instead.
      if (i > 0 && this.sender.stats().bufferedBytes > this.#bufferBytes / 2) {
        await this.sender.flush({ timeoutMs: this.flushTimeoutMs, keepAlive });
        time.restart();
      }
      const batch: DatapointBatch =
        names.length <= slice ? { names, values, timestamp } : { names: names.slice(i, i + slice), values: values.slice(i, i + slice), timestamp };
      this.sender.send(batch);
      if (i + slice < names.length && time.spent) await time.next();
    }
  }

  #error(message: string): void {
    const self = this.#self;
    if (!self) return;
    self.$.errors.inc();
    self.$.lastError.set(message);
  }
}

/** An Error's message; anything else (even a value without `toString`) described safely. */
function describe(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === 'string') return error.message;
  } catch {
    // a revoked Proxy, a throwing getter: described below
  }
  return describeThrown(error);
}
