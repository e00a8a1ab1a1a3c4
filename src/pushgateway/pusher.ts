/**
 * Pushes the stat tree (or a subtree) to a Prometheus Pushgateway, for batch jobs that end
 * before Prometheus could scrape them: the Prometheus text exposition of the tree, sent to the
 * job's group with PUT (replace the group) or POST (replace only the pushed names). A push
 * never rejects and never throws into the job: failures are counted and reported in the result.
 */
import { sourceOf } from '../registry/default-registry.js';
import { Registry } from '../registry/registry.js';
import type { StatsSource } from '../registry/source.js';
import type { SnapshotNode } from '../registry/snapshot.js';
import { PROMETHEUS_CONTENT_TYPE, prometheusChunks } from '../formats/prometheus.js';
import { collectBody } from '../http/chunks.js';
import { readBodyStart } from '../http/read-body.js';
import { describeThrown } from '../core/snapshot.js';
import { type GroupingLabels, groupingPath } from './grouping.js';
import { type PushAtExit, type PushAtExitOptions, pushAtExit } from './push-at-exit.js';
import { DEFAULT_PUSHGATEWAY_SELF_STATS_PATH, declarePushgatewaySelfStats, type PushgatewaySelfStats } from './self-stats.js';

/** How long one push may wait for the Pushgateway (sending the body and its answer), in ms; reading the stats and rendering come before and are not counted. */
export const DEFAULT_PUSHGATEWAY_TIMEOUT_MS = 5000;
/** The largest body a push sends, in bytes. */
export const DEFAULT_PUSHGATEWAY_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Options of a {@link PushgatewayPusher}. */
export interface PushgatewayOptions {
  /**
   * The Pushgateway's base URL, `http://host:9091` (a path prefix is kept: `http://h/pgw`).
   * Credentials in it (`http://user:pass@host:9091`) are sent as an `Authorization: Basic`
   * header (unless `headers` has one) and never shown in `url` or error messages.
   */
  url: string;
  /** The job name, the group's first label. */
  job: string;
  /** More grouping labels (`{ instance: 'db-1' }`); values may hold any character. */
  grouping?: GroupingLabels;
  /**
   * The tree to push (default: the default registry). When it is a `Registry`, the pusher
   * reports on itself there (see `selfStatsPath`).
   */
  source?: StatsSource;
  /** Push only this subtree (default '/'); names still carry its full path. */
  path?: string;
  /**
   * `'PUT'` (default) replaces every metric of the group: what a job that pushes its whole
   * state wants. `'POST'` replaces only the metrics with the pushed names, keeping the others.
   */
  method?: 'PUT' | 'POST';
  /** Give up waiting for the Pushgateway (sending and its answer) after this many ms (default {@link DEFAULT_PUSHGATEWAY_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Refuse to send a body over this many bytes (default 16 MiB). */
  maxBodyBytes?: number;
  /** Extra request headers, e.g. `{ authorization: 'Basic ...' }`. */
  headers?: Readonly<Record<string, string>>;
  /** Where the pusher reports on itself (default '/scales/pushgateway'); `null` for nowhere. */
  selfStatsPath?: string | null;
}

/** What one push (or delete) did. */
export interface PushgatewayResult {
  /** True when the Pushgateway answered 2xx. */
  ok: boolean;
  /** The HTTP status, when an answer came. */
  status?: number;
  /** Bytes of the body sent. */
  bytes: number;
  /** Time the push took, in ms. */
  durationMs: number;
  /** Why it failed (network error, timeout, non-2xx answer with its text, unreadable tree). */
  error?: string;
}

/** The counters of one pusher. */
export interface PushgatewayStats {
  pushes: number;
  failures: number;
  lastError: string;
}

/**
 * Pushes the stat tree to a Pushgateway group, on demand ({@link push}) and, if asked, when
 * the process ends ({@link pushAtExit}).
 *
 * @example
 * const pusher = new scales.PushgatewayPusher({ url: 'http://127.0.0.1:9091', job: 'nightly-backup', grouping: { db: 'users' } });
 * await runBackup();
 * await pusher.push(); // never throws; check the result or /scales/pushgateway
 */
export class PushgatewayPusher {
  /** The group's URL (base URL + `/metrics/job/...`). */
  readonly url: string;
  readonly method: 'PUT' | 'POST';
  readonly timeoutMs: number;
  readonly #source: StatsSource;
  readonly #path: string;
  readonly #maxBodyBytes: number;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #self: PushgatewaySelfStats | null;
  #chain: Promise<unknown> = Promise.resolve();
  #stats: PushgatewayStats = { pushes: 0, failures: 0, lastError: '' };

  /** Throws a `TypeError` naming the bad option (URL, job, grouping label, method, timeout). */
  constructor(options: PushgatewayOptions) {
    let base: URL;
    // Credentials never appear in messages.
    const shown = typeof options.url === 'string' ? JSON.stringify(options.url.replace(/\/\/[^/?#]*@/, '//***@')) : String(typeof options.url);
    try {
      base = new URL(options.url);
    } catch {
      throw new TypeError(`pushgateway url ${shown}: not a URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`pushgateway url ${shown}: only http and https are supported`);
    if (base.search !== '' || base.hash !== '') throw new TypeError(`pushgateway url ${shown}: no query or fragment expected`);
    const headers: Record<string, string> = { ...options.headers };
    if ((base.username !== '' || base.password !== '') && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      let user: string;
      let pass: string;
      try {
        user = decodeURIComponent(base.username);
        pass = decodeURIComponent(base.password);
      } catch {
        throw new TypeError(`pushgateway url ${shown}: the credentials are not valid percent-encoded UTF-8`);
      }
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
    }
    this.url = base.origin + base.pathname.replace(/\/+$/, '') + groupingPath(options.job, options.grouping);
    this.method = options.method ?? 'PUT';
    if (this.method !== 'PUT' && this.method !== 'POST')
      throw new TypeError(`pushgateway method ${JSON.stringify(options.method)}: expected 'PUT' or 'POST'`);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PUSHGATEWAY_TIMEOUT_MS;
    if (!(this.timeoutMs > 0) || !Number.isFinite(this.timeoutMs))
      throw new TypeError(`pushgateway timeoutMs ${String(options.timeoutMs)}: expected a positive number of ms`);
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_PUSHGATEWAY_MAX_BODY_BYTES;
    this.#source = sourceOf(options, 'PushgatewayPusher');
    this.#path = options.path ?? '/';
    this.#headers = headers;
    const selfPath = options.selfStatsPath === undefined ? DEFAULT_PUSHGATEWAY_SELF_STATS_PATH : options.selfStatsPath;
    this.#self = selfPath === null || !(this.#source instanceof Registry) ? null : declarePushgatewaySelfStats(this.#source, selfPath);
  }

  /** This pusher's counters (pushes, failures, lastError). */
  stats(): PushgatewayStats {
    return { ...this.#stats };
  }

  /**
   * Reads the tree and sends it to the group with the pusher's method. Pushes never overlap (a
   * push called while one runs goes after it). Never rejects: a failure is counted (`failures`,
   * `lastError`, also under the self-stats path) and described in the result.
   */
  push(): Promise<PushgatewayResult> {
    return this.#enqueue(() => this.#pushNow());
  }

  /**
   * Pushes once more when the process ends: when its event loop runs dry (`'beforeExit'`, once)
   * and on SIGTERM/SIGINT (option `signals`). The process waits for that push (at most
   * `timeoutMs`), then ends as it would have: after a signal, when no listener of the app's
   * own remains, it dies of that signal (a second signal ends the wait). Not on
   * `process.exit()` or a crash, which leave no time for a network request: there, push
   * yourself before exiting. Returns a handle whose `uninstall()` removes the listeners.
   */
  pushAtExit(options?: PushAtExitOptions): PushAtExit {
    return pushAtExit(this, options);
  }

  /** Deletes the group from the Pushgateway (all its metrics). Never rejects, like {@link push}. */
  delete(): Promise<PushgatewayResult> {
    return this.#enqueue(() => this.#send('DELETE', undefined, performance.now()));
  }

  #enqueue(fn: () => Promise<PushgatewayResult>): Promise<PushgatewayResult> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run;
    return run;
  }

  async #pushNow(): Promise<PushgatewayResult> {
    const t0 = performance.now();
    let body: Buffer | undefined;
    try {
      // Distributions as histograms (classic buckets derived from their lifetime sketches).
      const snap: SnapshotNode | undefined = await this.#source.snapshotAsync(this.#path, { histograms: true, prometheus: true });
      if (snap === undefined) return this.#done({ ok: false, bytes: 0, durationMs: 0, error: `no stats at ${JSON.stringify(this.#path)}` }, t0);
      body = await collectBody(prometheusChunks(snap), this.#maxBodyBytes);
    } catch (e) {
      return this.#done({ ok: false, bytes: 0, durationMs: 0, error: `could not read the stats: ${describe(e)}` }, t0);
    }
    if (body === undefined)
      return this.#done({ ok: false, bytes: 0, durationMs: 0, error: `the exposition is over maxBodyBytes (${this.#maxBodyBytes})` }, t0);
    return this.#send(this.method, body, t0);
  }

  async #send(method: string, body: Buffer | undefined, t0: number): Promise<PushgatewayResult> {
    const bytes = body?.length ?? 0;
    // One deadline for the request and its answer; the timer is cleared when done.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      const res = await fetch(this.url, {
        method,
        body: body === undefined ? undefined : new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length),
        headers: body === undefined ? this.#headers : { 'content-type': PROMETHEUS_CONTENT_TYPE, ...this.#headers },
        signal: abort.signal,
        redirect: 'error',
      });
      const { text } = await readBodyStart(res, ERROR_TEXT_BYTES);
      if (res.ok) return this.#done({ ok: true, status: res.status, bytes, durationMs: 0 }, t0);
      return this.#done({ ok: false, status: res.status, bytes, durationMs: 0, error: `HTTP ${res.status}: ${text.trim().slice(0, 500)}` }, t0);
    } catch (e) {
      const reason = abort.signal.aborted ? describe(abort.signal.reason) : describe(e);
      return this.#done({ ok: false, bytes, durationMs: 0, error: reason }, t0);
    } finally {
      clearTimeout(timer);
    }
  }

  #done(result: PushgatewayResult, t0: number): PushgatewayResult {
    result.durationMs = performance.now() - t0;
    const s = this.#stats;
    s.pushes++;
    if (!result.ok) {
      result.error = `pushgateway ${this.url}: ${result.error}`;
      s.failures++;
      s.lastError = result.error;
    }
    const self = this.#self;
    if (self) {
      self.$.pushes.inc();
      self.$.bytes.inc(result.bytes);
      self.$.lastPushMs.set(result.durationMs);
      if (!result.ok) {
        self.$.failures.inc();
        self.$.lastError.set(result.error ?? '');
      }
    }
    return result;
  }
}

/** The most of an answer's body a push reads (the start of an error's text); the rest is dropped. */
const ERROR_TEXT_BYTES = 4096;

/** An Error's message (with fetch's `cause`); anything else (even without `toString`) described safely. */
function describe(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === 'string') {
      // fetch() reports network failures as "fetch failed" with the reason in `cause`.
      const cause = (error as { cause?: unknown }).cause;
      return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
    }
  } catch {
    // a revoked Proxy, a throwing getter: described below
  }
  return describeThrown(error);
}
