/**
 * The one status handler behind every adapter: `GET <prefix><path>` answers the subtree at
 * `<path>` — or, when `<path>` names a stat, that stat alone (its own page, with its charts) —
 * as HTML (default), `?format=json`, `?format=prettyjson`, `?format=prometheus` (the protobuf
 * exposition with native histograms, or OpenMetrics, when the Accept header asks for it: see
 * {@link prometheusAnswerType}), `?format=openmetrics`, `?format=live` (the live view's
 * data) or `?format=history` (the history kept since the handler was created); `?query=`
 * filters HTML and JSON; `?fold=a,b/c` shows those containers folded. The root page starts with
 * the overview (request and error rates, p99 latency, event-loop delay, heap, CPU: those whose
 * stats exist). Optionally also `GET /metrics` (Prometheus, whole tree; `?format=openmetrics`
 * there too, any other format is a 400).
 *
 * Robustness: 404 naming the path when no container is there, 405 for methods other than
 * GET/HEAD, 400 for a bad query, format or path encoding, 401 without the configured
 * credentials, 500 with a message when anything else fails (the handler never throws into the
 * host app), 503 when too many renders are queued; bodies are bounded by `maxBodyChars`;
 * rendering yields to the event loop every few ms.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { describeThrown } from '../core/snapshot.js';
import { kindOf, type SnapshotNode, type SnapshotStat } from '../registry/snapshot.js';
import { DEFAULT_STATUS_PREFIX, htmlChunks } from '../formats/html.js';
import { STATUS_PAGE_CSS, STATUS_PAGE_SCRIPT } from '../formats/html-assets.js';
import { jsonChunks } from '../formats/json.js';
import { liveJsonChunks, pathSegments } from '../formats/live.js';
import { checkThresholds, DEFAULT_THRESHOLDS, overviewFigures, overviewKey, type StatusThresholds } from '../formats/overview.js';
import { overviewCharts, statCharts } from '../formats/stat-charts.js';
import type { ChartSpec } from '../formats/browser/charts.js';
import type { PageCharts } from '../formats/html.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, prometheusChunks, wantsOpenMetrics } from '../formats/prometheus.js';
import { describeMatch, emptyLike, filterSnapshot, matchKey, parseQuery, type KeyMatch, type Query, QueryError } from '../formats/query.js';
import { authChallenge, isAuthorized, type StatusAuth, validateAuth } from './auth.js';
import { DEFAULT_SLICE_MS } from '../core/slices.js';
import { collectBody, collectBytes } from './chunks.js';
import { PROMETHEUS_PROTOBUF_CONTENT_TYPE, prometheusProtobufChunks, wantsPrometheusProtobuf } from '../formats/prometheus-protobuf.js';
import { checkSourceOption, type StatsSource } from '../registry/source.js';
import { acquireHistory, type HistoryOptions, type HistorySampler, type HistoryTimeline, SPARK_POINTS } from './history.js';

export type { StatusAuth } from './auth.js';
export type { StatusThresholds } from '../formats/overview.js';

/** Options of {@link createStatusHandler} (and of every adapter). */
export interface StatusHandlerOptions {
  /** Where the stats come from (default: the default registry). */
  source?: StatsSource;
  /** Shown in the page title and heading (default: the host name). */
  serverName?: string;
  /** URL prefix of the status pages (default `/status/`). */
  prefix?: string;
  /** Also answer Prometheus scrapes of the whole tree at this path, e.g. `'/metrics'` (default off). */
  metricsPath?: string | false;
  /** Require a bearer token or basic-auth credentials. */
  auth?: StatusAuth;
  /** Largest response body, in bytes; bigger renders answer 500 (default 32 MiB). */
  maxBodyBytes?: number;
  /** Live view on the HTML page (default true). */
  live?: boolean;
  /** How often the page polls for new values (default 5000 ms). */
  liveIntervalMs?: number;
  /**
   * History kept on the server for the charts and sparklines, sampled from the handler's
   * creation on (see {@link HistoryOptions}; needs `live`, the default).
   */
  history?: HistoryOptions;
  /** When the page colours a figure, a percentile or an error count as trouble (see {@link StatusThresholds}). */
  thresholds?: StatusThresholds;
  /** Renders running at once; more wait in a queue (default 2). */
  maxConcurrent?: number;
  /** Requests allowed to wait for a render; more get 503 (default 64). */
  maxQueued?: number;
  /** Rendering work between yields to the event loop, in ms (default 4). */
  sliceMs?: number;
  /** Called with errors answered as 500, for logging (default: none). Must not throw. */
  onError?: (error: unknown) => void;
}

/** Default largest body: 32 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Default poll period of the live view. */
export const DEFAULT_LIVE_INTERVAL_MS = 5000;
/** Default number of renders running at once. */
export const DEFAULT_MAX_CONCURRENT = 2;
/** Default number of requests waiting for a render. */
export const DEFAULT_MAX_QUEUED = 64;

/** The framework-free request the handler reads. */
export interface StatusRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Path and query (`/status/web?format=json`), or an absolute URL. */
  url: string;
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
}

/** The handler's answer; `body` is empty for HEAD (`content-length` still tells its size). */
export interface StatusResponse {
  status: number;
  headers: Record<string, string>;
  /** The UTF-8 body. */
  body: Buffer;
}

function sha256(text: string): string {
  return "'sha256-" + createHash('sha256').update(text, 'utf8').digest('base64') + "'";
}

// Only our own inline style and script may run: an injected tag could not, even if escaping failed.
const HTML_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STATUS_PAGE_CSS)}`,
  `script-src ${sha256(STATUS_PAGE_SCRIPT)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const EMPTY = Buffer.alloc(0);

const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function text(status: number, message: string, extra: Record<string, string> = {}): StatusResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...COMMON_HEADERS, ...extra },
    body: Buffer.from(message + '\n', 'utf8'),
  };
}

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(
    private readonly max: number,
    private readonly maxQueued: number,
  ) {}
  /** Resolves true when a slot is held, false when the queue is full. */
  async acquire(): Promise<boolean> {
    if (this.active < this.max) {
      this.active++;
      return true;
    }
    if (this.waiting.length >= this.maxQueued) return false;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return true;
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

type Format = 'html' | 'json' | 'prettyjson' | 'prometheus' | 'openmetrics' | 'live' | 'history';
const FORMATS = new Set<string>(['html', 'json', 'prettyjson', 'prometheus', 'openmetrics', 'live', 'history']);

/** Most containers a `?fold=` may name (the rest are ignored). */
const MAX_FOLDS = 1000;

/** The chart data of a page: the specs, the timeline, and the series the specs draw; without a history (`live: false`), only the charts of the present (distributions). */
function pageCharts(heading: string, all: ChartSpec[], timeline: HistoryTimeline | undefined): PageCharts {
  const specs = timeline ? all : all.filter((s) => s.type !== 'line');
  const series: Record<string, Array<number | null>> = {};
  const lo: Record<string, Array<number | null>> = {};
  for (const spec of specs) {
    for (const [k] of spec.share ? [...(spec.keys ?? []), spec.share] : (spec.keys ?? [])) {
      // A series the sampler does not hold (yet) starts empty and fills from the live polls.
      series[k] = timeline?.read(k) ?? (timeline ? timeline.t.map(() => null) : []);
    }
    // A chart of one value (not a rate) draws each coarse minute's range as a band under its highest value.
    const only = spec.keys?.length === 1 && spec.mode !== 'rate' ? timeline?.low(spec.keys[0][0]) : undefined;
    if (only && only.length > 0) lo[spec.keys![0][0]] = only;
  }
  return { heading, specs, t: timeline ? [...timeline.t] : [], series, lo };
}

/** A JSON object's pieces with one more field (`"name":value` text) before its closing brace. */
function* withField(pieces: Iterable<string>, field: string): Generator<string> {
  let last: string | undefined;
  for (const p of pieces) {
    if (last !== undefined) yield last;
    last = p;
  }
  // The last piece ends the object: `...}`.
  yield last!.slice(0, -1) + ',' + field + '}';
}

/**
 * The history as JSON, in pieces: `{"t": [...], "coarse": n, "series": {key: [...]}, "min": {key: [...]}}`:
 * the first `coarse` times are coarse samples, whose value in `series` is the period's highest
 * and in `min` (n values a series) its lowest.
 */
function* historyJsonChunks(timeline: HistoryTimeline, keys: readonly string[]): Generator<string> {
  yield '{"t":' + JSON.stringify(timeline.t) + ',"coarse":' + timeline.coarse + ',"series":{';
  yield* jsonMembers(keys, (k) => timeline.read(k));
  yield '},"min":{';
  yield* jsonMembers(keys, (k) => timeline.low(k));
  yield '}}';
}

/** `"key":value` members of a JSON object, comma-separated, one chunk each; keys whose value is undefined left out. */
function* jsonMembers(keys: readonly string[], read: (key: string) => unknown): Generator<string> {
  let first = true;
  for (const k of keys) {
    const v = read(k);
    if (v === undefined) continue;
    yield (first ? '' : ',') + JSON.stringify(k) + ':' + JSON.stringify(v);
    first = false;
  }
}

/**
 * The status handler. Adapters call {@link StatusHandler.handle}; Web-standard servers
 * (Hono, Bun, Deno, workers) call {@link StatusHandler.fetch}. Call `close()` when done: it
 * stops the sparkline sampler when no other handler of the registry uses it.
 */
export class StatusHandler {
  /** The URL prefix, always ending with '/'. */
  readonly prefix: string;
  private readonly source: StatsSource;
  private readonly serverName: string;
  private readonly metricsPath: string | undefined;
  private readonly auth: StatusAuth | undefined;
  private readonly maxBodyBytes: number;
  private readonly live: boolean;
  private readonly liveIntervalMs: number;
  private readonly sliceMs: number;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly gate: Semaphore;
  private readonly thresholds: StatusThresholds;
  private history: { sampler: HistorySampler; release(): void } | undefined;

  constructor(options: StatusHandlerOptions & { source: StatsSource }) {
    const prefix = options.prefix ?? DEFAULT_STATUS_PREFIX;
    if (typeof prefix !== 'string' || !prefix.startsWith('/') || /[?#\s]/.test(prefix)) {
      throw new TypeError(`invalid status prefix ${JSON.stringify(prefix)}: must start with '/' and hold no '?', '#' or spaces`);
    }
    this.prefix = prefix.endsWith('/') ? prefix : prefix + '/';
    const mp = options.metricsPath;
    if (mp !== undefined && mp !== false && (typeof mp !== 'string' || !mp.startsWith('/'))) {
      throw new TypeError(`invalid metricsPath ${JSON.stringify(mp)}: must start with '/'`);
    }
    this.metricsPath = mp || undefined;
    if (options.auth) validateAuth(options.auth);
    this.auth = options.auth;
    const source = checkSourceOption(options, 'StatusHandler');
    if (source === undefined) throw new TypeError('StatusHandler: "source" is required (createStatusHandler defaults it to the default registry)');
    this.source = source;
    this.serverName = options.serverName ?? hostname();
    for (const key of ['maxBodyBytes', 'liveIntervalMs', 'maxConcurrent', 'maxQueued', 'sliceMs'] as const) {
      const v = options[key];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= (key === 'maxQueued' ? 0 : 1))) {
        throw new RangeError(`invalid status handler option ${key}: ${String(v)} (a positive number)`);
      }
    }
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.live = options.live ?? true;
    this.liveIntervalMs = options.liveIntervalMs ?? DEFAULT_LIVE_INTERVAL_MS;
    this.sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    this.onError = options.onError;
    this.gate = new Semaphore(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, options.maxQueued ?? DEFAULT_MAX_QUEUED);
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...checkThresholds(options.thresholds) };
    // History from now on (not from the first page view): the 3am page shows what happened at 2:40.
    if (this.live) this.history = acquireHistory(this.source, options.history ?? {});
  }

  /** The history sampler (undefined with `live: false`). */
  get sampler(): HistorySampler | undefined {
    return this.history?.sampler;
  }

  /** Whether a URL path is served by this handler (adapters pass other requests on). */
  matches(pathname: string): boolean {
    return pathname === this.metricsPath || pathname.startsWith(this.prefix) || pathname === this.prefix.slice(0, -1);
  }

  /**
   * Answers one request, or resolves undefined when its path is not the handler's (the
   * adapter then passes it on). Never rejects.
   */
  async handle(req: StatusRequest): Promise<StatusResponse | undefined> {
    let pathname: string;
    let search: string;
    try {
      ({ pathname, search } = splitUrl(req.url));
    } catch {
      return undefined; // not a URL we could serve (e.g. `OPTIONS *`): pass it on
    }
    if (!this.matches(pathname)) return undefined;
    const head = req.method === 'HEAD';
    const res = await this.answer(req, pathname, search);
    res.headers['content-length'] = String(res.body.length);
    if (head) res.body = EMPTY;
    return res;
  }

  /**
   * The Web-standard handler: `(Request) => Promise<Response>`; paths outside the prefix
   * answer 404.
   *
   * @example Bun.serve({ fetch: (req) => handler.fetch(req) })
   */
  async fetch(request: Request): Promise<Response> {
    const res = await this.handle({
      method: request.method.toUpperCase(),
      url: request.url,
      header: (name) => request.headers.get(name) ?? undefined,
    });
    const r = res ?? text(404, 'not found');
    // Node's Buffer pool is a plain ArrayBuffer, never a SharedArrayBuffer.
    return new Response(r.body.length === 0 ? null : (r.body as Uint8Array<ArrayBuffer>), { status: r.status, headers: r.headers });
  }

  /** Releases the sparkline sampler (stopped when no other handler uses it). Idempotent. */
  close(): void {
    this.history?.release();
    this.history = undefined;
  }

  private async answer(req: StatusRequest, pathname: string, search: string): Promise<StatusResponse> {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return text(405, `method ${req.method} not allowed: use GET or HEAD`, { allow: 'GET, HEAD' });
      }
      if (this.auth && !isAuthorized(req.header('authorization'), this.auth)) {
        return text(401, 'authentication required', { 'www-authenticate': authChallenge(this.auth) });
      }
      const params = new URLSearchParams(search);
      let statPath = '/';
      let format: Format;
      if (pathname === this.metricsPath) {
        const f = params.get('format') ?? 'prometheus';
        if (f !== 'prometheus' && f !== 'openmetrics')
          return text(400, `unknown format ${JSON.stringify(f)} for ${this.metricsPath}: use prometheus or openmetrics`);
        format = f;
      } else {
        const f = params.get('format') ?? 'html';
        if (!FORMATS.has(f))
          return text(400, `unknown format ${JSON.stringify(f)}: use html, json, prettyjson, prometheus, openmetrics, live or history`);
        format = f as Format;
        const segments = pathname.length > this.prefix.length ? pathname.slice(this.prefix.length).split('/') : [];
        const decoded: string[] = [];
        for (const s of segments) {
          if (s === '') continue;
          try {
            decoded.push(decodeURIComponent(s));
          } catch {
            return text(400, `bad percent-encoding in path segment ${JSON.stringify(s)}`);
          }
        }
        statPath = '/' + decoded.join('/');
      }
      let query: Query | undefined;
      const rawQuery = format === 'prometheus' || format === 'openmetrics' ? null : params.get('query');
      if (rawQuery !== null && rawQuery.trim() !== '') {
        try {
          query = parseQuery(rawQuery);
        } catch (e) {
          if (e instanceof QueryError) return text(400, e.message);
          throw e;
        }
      }
      const foldText = params.get('fold');
      const fold = foldText ? new Set(foldText.split(',', MAX_FOLDS).filter((p) => p !== '')) : undefined;
      if (!(await this.gate.acquire())) return text(503, 'too many status requests at once; try again', { 'retry-after': '1' });
      try {
        return await this.render(req, format, statPath, query, rawQuery ?? '', params.get('history') === '1', fold);
      } finally {
        this.gate.release();
      }
    } catch (e) {
      return this.fail(e, pathname);
    }
  }

  private async render(
    req: StatusRequest,
    format: Format,
    statPath: string,
    query: Query | undefined,
    rawQuery: string,
    withHistory: boolean,
    fold: ReadonlySet<string> | undefined,
  ): Promise<StatusResponse> {
    let node: SnapshotNode | undefined;
    // Set when the path names a stat: the page is that stat's own.
    let statOnly: SnapshotStat | undefined;
    const segments = pathSegments(statPath);
    try {
      // Prometheus gets the lifetime buckets of distributions (native or classic histograms).
      const options = format === 'prometheus' || format === 'openmetrics' ? HISTOGRAMS : undefined;
      node = await this.source.snapshotAsync(statPath, options);
      if (!node && segments.length > 0) {
        const parent = await this.source.snapshotAsync('/' + segments.slice(0, -1).join('/'), options);
        statOnly = parent?.stats.find((s) => s.name === segments[segments.length - 1]);
        if (parent && statOnly) node = { name: parent.name, path: parent.path, stats: [statOnly], children: [] };
      }
    } catch (e) {
      // A segment the registry could never hold (reserved, control characters): not found.
      if (e instanceof Error && e.name === 'InvalidNameError') return text(404, `no stats at ${JSON.stringify(statPath)}: ${e.message}`);
      throw e;
    }
    if (!node) return text(404, `no stats at ${JSON.stringify(statPath)}`);
    const match = query ? matchKey(node, query.key) : undefined;
    const filtered: SnapshotNode | undefined = query ? filterSnapshot(node, query, match) : node;
    const shown = filtered ?? emptyLike(node);
    // Collapsing is a display choice of JSON and the page; Prometheus gets every container.
    const collapsed = this.source.isCollapsed?.bind(this.source);
    let pieces: Iterable<string>;
    let type: string;
    const headers: Record<string, string> = { ...COMMON_HEADERS };
    switch (format) {
      case 'json':
      case 'prettyjson':
        pieces = jsonChunks(shown, { pretty: format === 'prettyjson', collapsed });
        type = 'application/json; charset=utf-8';
        break;
      case 'prometheus':
      case 'openmetrics': {
        const answer = prometheusAnswerType(format, req.header('accept'));
        if (answer === 'protobuf') {
          const bytes = await collectBytes(prometheusProtobufChunks(node), this.maxBodyBytes, this.sliceMs);
          if (bytes === undefined) return text(500, `status response for ${JSON.stringify(statPath)} is larger than ${this.maxBodyBytes} bytes`);
          headers['content-type'] = PROMETHEUS_PROTOBUF_CONTENT_TYPE;
          return { status: 200, headers, body: bytes };
        }
        const om = answer === 'openmetrics';
        pieces = prometheusChunks(node, { openMetrics: om });
        type = om ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
        break;
      }
      case 'live': {
        const sampler = this.history?.sampler;
        const extra = node.path === '/' && !statOnly ? overviewFigures(node).map(([f, v]) => [overviewKey(f.id), v] as const) : undefined;
        // As the page shows them: pmfs and meters as rows in the tree, in full on a stat's own page.
        pieces = liveJsonChunks(shown, Date.now(), withHistory && sampler ? (k) => sampler.history(k) : undefined, collapsed, extra, !statOnly);
        // A stat page's distributions, as they are now (the page redraws its bars from them).
        const bars = statOnly ? await this.distributionsNow(statOnly, segments) : [];
        if (bars.length > 0) pieces = withField(pieces, '"bars":' + JSON.stringify(bars));
        type = 'application/json; charset=utf-8';
        break;
      }
      case 'history': {
        const sampler = this.history?.sampler;
        if (!sampler) return text(404, 'no history: the handler was created with live: false');
        const keys = sampler.keysUnder(segments);
        if (segments.length === 0 && !statOnly) for (const [f] of overviewFigures(node)) keys.unshift(overviewKey(f.id));
        pieces = historyJsonChunks(sampler.timeline(), keys);
        type = 'application/json; charset=utf-8';
        break;
      }
      default: {
        const liveUrl = '?format=live' + (rawQuery ? '&query=' + encodeURIComponent(rawQuery) : '');
        const timeline = this.history?.sampler.timeline();
        let charts: PageCharts | undefined;
        if (statOnly) {
          charts = pageCharts('Charts', statCharts(await this.withSketches(statOnly, segments), segments, this.thresholds), timeline);
        } else if (node.path === '/') {
          const figures = overviewFigures(node);
          const details = new Map<string, string>();
          for (const [f, , d] of figures) if (d !== undefined) details.set(f.id, d);
          const statUrl = (container: string, stat: string) => this.prefix + [...pathSegments(container), stat].map(encodeURIComponent).join('/');
          charts = pageCharts(
            'Overview',
            overviewCharts(
              figures.map(([f]) => f),
              statUrl,
              this.thresholds,
              details,
            ),
            timeline,
          );
        }
        pieces = htmlChunks(shown, {
          serverName: this.serverName,
          prefix: this.prefix,
          query: rawQuery,
          live: this.live ? { url: liveUrl, intervalMs: this.liveIntervalMs, points: SPARK_POINTS } : undefined,
          emptyMessage: query && !filtered ? emptyMessage(query, match!) : undefined,
          queryNote: query && match!.how !== 'none' ? describeMatch(query, match!) : undefined,
          collapsed,
          fold,
          compact: !statOnly,
          charts,
          thresholds: { slowSeconds: this.thresholds.slowSeconds, errorsPerSecond: this.thresholds.errorsPerSecond },
          statPage: statOnly
            ? { name: statOnly.name, kind: statOnly.kind, help: (statOnly as { description?: { help?: string } }).description?.help }
            : undefined,
        });
        type = 'text/html; charset=utf-8';
        headers['content-security-policy'] = HTML_CSP;
        headers['referrer-policy'] = 'no-referrer';
      }
    }
    const body = await collectBody(pieces, this.maxBodyBytes, this.sliceMs);
    if (body === undefined) {
      return text(500, `status response for ${JSON.stringify(statPath)} is larger than ${this.maxBodyBytes} bytes; ask for a sub-path or a ?query=`);
    }
    headers['content-type'] = type;
    return { status: 200, headers, body };
  }

  /** The stat again with its sketches (the distributions need them; a plain snapshot leaves them out), when it holds distributions. */
  private async withSketches(stat: SnapshotStat, segments: readonly string[]): Promise<SnapshotStat> {
    if (stat.error !== undefined || kindOf(stat).display.row?.form !== 'distribution') return stat;
    const parent = await this.source.snapshotAsync('/' + segments.slice(0, -1).join('/'), { sketches: true });
    return parent?.stats.find((x) => x.name === stat.name) ?? stat;
  }

  /** The bars of a stat's distribution charts now, in the order of its page's bar charts. */
  private async distributionsNow(stat: SnapshotStat, segments: readonly string[]): Promise<Array<ChartSpec['bars']>> {
    if (stat.error !== undefined || kindOf(stat).display.row?.form !== 'distribution') return [];
    const s = await this.withSketches(stat, segments);
    return statCharts(s, segments, this.thresholds)
      .filter((c) => c.type === 'bars')
      .map((c) => c.bars);
  }

  private fail(e: unknown, pathname: string): StatusResponse {
    try {
      this.onError?.(e);
    } catch {
      // a logging hook that throws must not turn a 500 into a crash
    }
    return text(500, `error rendering ${pathname}: ${describeThrown(e)}`);
  }
}

/** What the page says when a query kept nothing: that the key matched nothing, or that no value of the names it matched passed. */
function emptyMessage(q: Query, m: KeyMatch): string {
  if (m.how === 'none') {
    const d = describeMatch(q, m)!;
    return d[0].toUpperCase() + d.slice(1) + '.';
  }
  const list = m.names.join(', ') + (m.count > m.names.length ? ` (and ${m.count - m.names.length} more)` : '');
  return q.op === undefined ? 'No stats match the query.' : `No value of ${list} is ${q.op} ${q.value}.`;
}

const HISTOGRAMS = Object.freeze({ histograms: true, prometheus: true });

/**
 * Which Prometheus exposition answers a scrape: `?format=openmetrics` is OpenMetrics; else the
 * `Accept` header decides: the delimited protobuf exposition (the only one that carries native
 * histograms; Prometheus asks for it first when started with
 * `--enable-feature=native-histograms`) when it is listed, else OpenMetrics when listed, else the
 * text format 0.0.4. Only the media types count, not their `q` order: every Prometheus lists
 * the one it prefers among these first or alone.
 */
export function prometheusAnswerType(format: 'prometheus' | 'openmetrics', accept: string | undefined): 'protobuf' | 'openmetrics' | 'text' {
  if (format === 'openmetrics') return 'openmetrics';
  if (wantsPrometheusProtobuf(accept)) return 'protobuf';
  return wantsOpenMetrics(accept) ? 'openmetrics' : 'text';
}

function splitUrl(url: string): { pathname: string; search: string } {
  if (!url.startsWith('/')) {
    const u = new URL(url);
    return { pathname: u.pathname, search: u.search };
  }
  const q = url.indexOf('?');
  const pathPart = q < 0 ? url : url.slice(0, q);
  const hash = pathPart.indexOf('#');
  return { pathname: hash < 0 ? pathPart : pathPart.slice(0, hash), search: q < 0 ? '' : url.slice(q) };
}
