/**
 * The primary's side: the latest report of every worker, kept as it arrived, and a
 * {@link StatsSource} that serves them merged. A read never asks a worker anything: it merges
 * what is there (cached until a report or a worker's state changes), so a busy, late or dead
 * worker can never slow it down or fail it.
 */
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import type { MessagePort, Worker as ThreadWorker } from 'node:worker_threads';
import { describeThrown, type PmfSnapshot, type SnapshotOptions } from '../core/snapshot.js';
import type { LogSketch } from '../sampling/sketch.js';
import { defaultRegistry } from '../registry/default-registry.js';
import type { SnapshotNode, SnapshotStat } from '../registry/snapshot.js';
import type { StatsSource } from '../registry/source.js';
import { runSliced, runToEnd } from '../core/slices.js';
import { childPath, decodeSketchOf, mergeSteps, mergeTrees, retireTree, type TreePart } from './merge.js';
import { checkReport, DEFAULT_MAX_REPORT_BYTES, isProtocolMessage, parseTree, PROTOCOL, type ReportMessage } from './protocol.js';

/** Options of {@link clusterStats}. */
export interface ClusterStatsOptions {
  /**
   * Listen to the node:cluster workers' reports (default: true in a cluster primary). Workers
   * threads are added one by one with {@link ClusterStats.add}.
   */
  cluster?: boolean;
  /** The primary's own stats, shown under `/primary` (default: the default registry; null: none). */
  primary?: StatsSource | null;
  /**
   * A worker whose last report is older than this is marked `late` (its values are kept and
   * still merged). Default: 3 report intervals of that worker, and at least 2 s.
   */
  lateAfterMs?: number;
  /**
   * How long a dead worker stays listed under `/workers/<id>` (default 300,000 ms, the length of
   * a pmf window). Then it is forgotten, its counts folded into the totals so they never drop.
   */
  keepDeadMs?: number;
  /**
   * A merged tree younger than this is served again even if reports arrived since (default
   * 200 ms): with many workers reporting, reads cost one merge per period at most.
   */
  mergeEveryMs?: number;
  /** Most workers listed at once (default 1024); the oldest dead ones are forgotten first. */
  maxWorkers?: number;
  /** Largest report accepted, in bytes of JSON (default {@link DEFAULT_MAX_REPORT_BYTES}: 1 MiB). */
  maxReportBytes?: number;
  /** The time in ms (default `Date.now`); a test passes a manual clock's. */
  now?: () => number;
  /**
   * What a Prometheus exposition (`/metrics`, a Pushgateway push) gets. Default false: the merged
   * families only, as prom-client's AggregatorRegistry gives (`/workers/<id>` is left out: it
   * stays in JSON and on the page). true: each family holds one series per worker instead,
   * labelled `worker="<id>"` (its other labels after it), as each worker would export it; a dead
   * worker's series keep its counts until it is forgotten, then `worker="retired"` holds what
   * the forgotten ones counted, so `sum without (worker) (...)` is the merged figure and never
   * drops. Figures only the merge has (`<name>Min`/`<name>Max`) are then left out (PromQL's
   * `min`/`max` give them); a stat that has a label named `worker` of its own stays merged.
   */
  workerSeries?: boolean;
}

/** A worker's state as the primary sees it. */
export type WorkerState = 'live' | 'late' | 'dead';

/** What the primary knows of one worker (see {@link ClusterStats.workers}). */
export interface WorkerInfo {
  /** The cluster worker's id, or the id given to `add` (a thread's threadId by default). */
  readonly id: string;
  readonly pid: number | null;
  readonly state: WorkerState;
  /** Milliseconds since its last report (null before the first). */
  readonly ageMs: number | null;
  readonly reports: number;
  /** Size in bytes of its last report. */
  readonly lastBytes: number;
  /** Why its last report was refused, if it was. */
  readonly error: string | null;
}

const DEFAULT_KEEP_DEAD_MS = 300_000;
const DEFAULT_MAX_WORKERS = 1024;
const DEFAULT_MERGE_EVERY_MS = 200;
const MIN_LATE_MS = 2000;
const EMPTY: SnapshotNode = { name: '', path: '/', stats: [], children: [] };

interface Entry {
  readonly id: string;
  pid: number | null;
  incarnation: string | null;
  tree: SnapshotNode | null;
  receivedAt: number | null;
  intervalMs: number;
  reports: number;
  lastBytes: number;
  error: string | null;
  deadAt: number | null;
}

const stat = (name: string, value: SnapshotStat['value'], kind: 'value' | 'int' = 'value'): SnapshotStat => ({ name, kind, value }) as SnapshotStat;

/**
 * A {@link StatsSource} of many workers: pass it as `source` to the status page, `/metrics`, the
 * Graphite pusher or a dump, and they show one tree: every worker's stats merged by kind (counts
 * summed, percentiles from merged sketches, gauges summed with their min and max), each worker's
 * own tree under `/workers/<id>` with its state and age, the primary's own stats under
 * `/primary`, and the cluster's own figures under `/scales/cluster`.
 */
export class ClusterStats implements StatsSource {
  private readonly entries = new Map<string, Entry>();
  /** What forgotten workers left: their counts (see retireTree). */
  private retired: SnapshotNode | null = null;
  private readonly primary: StatsSource | null;
  private readonly lateAfterMs: number | undefined;
  private readonly keepDeadMs: number;
  private readonly maxWorkers: number;
  private readonly maxReportBytes: number;
  private readonly mergeEveryMs: number;
  private readonly now: () => number;
  private readonly workerSeries: boolean;
  private readonly detach: (() => void)[] = [];
  /** Bumped when a worker comes, dies or goes: the merge is redone at once. */
  private version = 0;
  /** Bumped on every report kept: the merge is redone once mergeEveryMs has passed. */
  private reports = 0;
  /** Decoded window sketches of the reports held (dropped with their report). */
  private readonly decoded = new WeakMap<PmfSnapshot, LogSketch>();
  private readonly sketchOf = (pmf: PmfSnapshot): LogSketch => {
    let s = this.decoded.get(pmf);
    if (s === undefined) this.decoded.set(pmf, (s = decodeSketchOf(pmf)));
    return s;
  };
  private cache: {
    version: number;
    reports: number;
    at: number;
    sketches: boolean;
    merged: SnapshotNode;
    /** The worker trees that merge was made of: /workers/<id> shows these, so one read is consistent. */
    trees: ReadonlyMap<string, SnapshotNode>;
  } | null = null;
  /** The parts each merged tree was made of (the retired totals included), for per-worker Prometheus series. */
  private readonly partsOf = new WeakMap<SnapshotNode, readonly TreePart[]>();
  /** What of a dead worker's tree counts (retireTree), kept while its tree is. */
  private readonly retiredOf = new WeakMap<SnapshotNode, SnapshotNode>();
  private received = 0;
  private refused = 0;
  private receivedBytes = 0;
  private forgotten = 0;

  constructor(options: ClusterStatsOptions = {}) {
    this.primary = options.primary === undefined ? defaultRegistry : options.primary;
    this.lateAfterMs = positive(options.lateAfterMs, 'lateAfterMs');
    this.keepDeadMs = positive(options.keepDeadMs, 'keepDeadMs') ?? DEFAULT_KEEP_DEAD_MS;
    this.maxWorkers = positive(options.maxWorkers, 'maxWorkers') ?? DEFAULT_MAX_WORKERS;
    this.maxReportBytes = positive(options.maxReportBytes, 'maxReportBytes') ?? DEFAULT_MAX_REPORT_BYTES;
    this.mergeEveryMs = options.mergeEveryMs ?? DEFAULT_MERGE_EVERY_MS;
    if (!(typeof this.mergeEveryMs === 'number' && this.mergeEveryMs >= 0))
      throw new RangeError(`clusterStats: mergeEveryMs ${String(options.mergeEveryMs)} is not a number of ms >= 0`);
    this.now = options.now ?? Date.now;
    this.workerSeries = options.workerSeries === true;
    if (options.cluster ?? cluster.isPrimary) this.listenToCluster();
  }

  private listenToCluster(): void {
    const onMessage = (w: ClusterWorker, m: unknown): void => {
      if (isProtocolMessage(m) && m.type === 'report') this.receive(String(w.id), m as unknown as { [key: string]: unknown });
    };
    const onExit = (w: ClusterWorker): void => this.markDead(String(w.id));
    cluster.on('message', onMessage);
    cluster.on('exit', onExit);
    this.detach.push(() => {
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
    });
  }

  /**
   * Takes the reports of a worker thread (its `reportStats()` sends them), or of any MessagePort
   * whose other end a worker's `reportStats({ port })` sends on. Call it right after creating
   * the worker. `id` names it under `/workers` (default: the thread's `threadId`).
   *
   * @example
   * const worker = new Worker(new URL('./task.js', import.meta.url));
   * stats.add(worker);
   */
  add(worker: ThreadWorker | MessagePort, id?: string): void {
    if (worker === null || typeof worker !== 'object' || typeof worker.on !== 'function') {
      throw new TypeError('ClusterStats.add: expected a worker_threads Worker or a MessagePort');
    }
    const name = id ?? ('threadId' in worker ? String(worker.threadId) : undefined);
    if (name === undefined || name === '' || name.includes('/')) {
      throw new TypeError(`ClusterStats.add: id ${JSON.stringify(name)} must be a non-empty name without "/" (a MessagePort needs one)`);
    }
    if ('threadId' in worker) {
      const thread = worker;
      const onHello = (m: unknown): void => {
        if (!isProtocolMessage(m) || m.type !== 'hello') return;
        const port = (m as unknown as { port?: unknown }).port;
        if (port !== null && typeof port === 'object' && typeof (port as MessagePort).postMessage === 'function')
          this.listenToPort(port as MessagePort, name);
      };
      const onExit = (): void => this.markDead(name);
      thread.on('message', onHello);
      thread.once('exit', onExit);
      this.detach.push(() => {
        thread.off('message', onHello);
        thread.off('exit', onExit);
      });
    } else {
      this.listenToPort(worker, name);
    }
  }

  private listenToPort(port: MessagePort, id: string): void {
    const onMessage = (m: unknown): void => {
      if (!isProtocolMessage(m) || m.type !== 'report') return;
      this.receive(id, m as unknown as { [key: string]: unknown });
      const seq = (m as unknown as { seq?: unknown }).seq;
      try {
        port.postMessage({ scales: PROTOCOL, type: 'ack', seq });
      } catch {
        // the worker is gone
      }
    };
    const onClose = (): void => this.markDead(id);
    port.on('message', onMessage);
    port.once('close', onClose);
    port.unref(); // a worker's reports never keep the primary alive
    this.detach.push(() => {
      port.off('message', onMessage);
      port.off('close', onClose);
    });
  }

  /** Keeps one report of worker `id` (refused with a reason when malformed). */
  private receive(id: string, m: { [key: string]: unknown }): void {
    const now = this.now();
    let entry = this.entries.get(id);
    let report: ReportMessage;
    let tree: SnapshotNode | null = null;
    let error: string | null = null;
    try {
      report = checkReport(m, this.maxReportBytes);
      if (report.tree === null) error = `its report of ${report.bytes} bytes is over its maxReportBytes: not sent`;
      else tree = parseTree(report.tree);
    } catch (e) {
      this.refused++;
      if (entry !== undefined) entry.error = `report refused: ${describeThrown(e)}`;
      return;
    }
    this.received++;
    this.receivedBytes += report.bytes;
    if (entry !== undefined && entry.incarnation !== null && entry.incarnation !== report.incarnation) {
      // The same id, a new process: what the old one counted goes to the totals first.
      this.retire(entry);
      entry = undefined;
    }
    if (entry === undefined) {
      this.makeRoom();
      entry = {
        id,
        pid: null,
        incarnation: null,
        tree: null,
        receivedAt: null,
        intervalMs: report.intervalMs,
        reports: 0,
        lastBytes: 0,
        error: null,
        deadAt: null,
      };
      this.entries.set(id, entry);
      this.version++;
    }
    entry.pid = report.pid;
    entry.incarnation = report.incarnation;
    entry.intervalMs = report.intervalMs;
    entry.reports++;
    entry.lastBytes = report.bytes;
    entry.receivedAt = now;
    entry.error = error;
    // (a report still in flight when its worker died leaves it dead: a new process is a new incarnation)
    if (tree !== null) entry.tree = tree;
    this.reports++;
  }

  private markDead(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.deadAt !== null) return;
    entry.deadAt = this.now();
    this.version++;
  }

  /** Folds a worker's counts into the retired totals and forgets it. */
  private retire(entry: Entry): void {
    if (entry.tree !== null) {
      const left = retireTree(entry.tree);
      this.retired =
        this.retired === null
          ? left
          : mergeTrees(
              [
                { node: this.retired, worker: 'retired', live: false },
                { node: left, worker: entry.id, live: false },
              ],
              { sketches: false },
            );
    }
    this.entries.delete(entry.id);
    this.forgotten++;
    this.version++;
  }

  private makeRoom(): void {
    if (this.entries.size < this.maxWorkers) return;
    const dead = [...this.entries.values()].filter((e) => e.deadAt !== null).sort((a, b) => (a.deadAt ?? 0) - (b.deadAt ?? 0));
    const oldest = dead[0] ?? [...this.entries.values()].sort((a, b) => (a.receivedAt ?? 0) - (b.receivedAt ?? 0))[0];
    if (oldest !== undefined) this.retire(oldest);
  }

  /** Forgets the workers dead for longer than keepDeadMs. */
  private upkeep(now: number): void {
    for (const e of [...this.entries.values()]) if (e.deadAt !== null && now - e.deadAt > this.keepDeadMs) this.retire(e);
  }

  private stateOf(e: Entry, now: number): WorkerState {
    if (e.deadAt !== null) return 'dead';
    const late = this.lateAfterMs ?? Math.max(MIN_LATE_MS, 3 * e.intervalMs);
    return e.receivedAt === null || now - e.receivedAt > late ? 'late' : 'live';
  }

  /** Every worker listed, in id order (numbers by value). */
  workers(): WorkerInfo[] {
    const now = this.now();
    this.upkeep(now);
    return this.sorted().map((e) => ({
      id: e.id,
      pid: e.pid,
      state: this.stateOf(e, now),
      ageMs: e.receivedAt === null ? null : now - e.receivedAt,
      reports: e.reports,
      lastBytes: e.lastBytes,
      error: e.error,
    }));
  }

  private sorted(): Entry[] {
    return [...this.entries.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  }

  /**
   * The merged tree of every worker and the retired totals: the cached one while nothing
   * changed, or while it is younger than mergeEveryMs (reports of many workers then cost one
   * merge); `run` runs the merge's steps (at once, or sliced for an async read).
   */
  private merged<R>(sketches: boolean, run: (steps: Generator<void, SnapshotNode>) => R, wrap: (n: SnapshotNode) => R): R {
    const c = this.cache;
    if (
      c !== null &&
      c.sketches === sketches &&
      c.version === this.version &&
      (c.reports === this.reports || this.now() - c.at < this.mergeEveryMs)
    ) {
      return wrap(c.merged);
    }
    const parts: TreePart[] = [];
    const trees = new Map<string, SnapshotNode>();
    if (this.retired !== null) parts.push({ node: this.retired, worker: 'retired', live: false });
    for (const e of this.sorted()) {
      if (e.tree === null) continue;
      parts.push({ node: e.tree, worker: e.id, live: e.deadAt === null });
      trees.set(e.id, e.tree);
    }
    const { version, reports } = this;
    const at = this.now();
    const keep = (merged: SnapshotNode): SnapshotNode => {
      this.cache = { version, reports, at, sketches, merged, trees };
      this.partsOf.set(merged, parts);
      return merged;
    };
    const r = run(mergeSteps(parts, { sketches, sketchOf: this.sketchOf }));
    return (r instanceof Promise ? r.then(keep) : keep(r as SnapshotNode)) as R;
  }

  /**
   * The whole tree: the merged stats, /workers, /primary, /scales/cluster. For Prometheus
   * (`forPrometheus`), without /workers, and with per-worker series when asked for.
   */
  private tree(merged: SnapshotNode, options: SnapshotOptions, forPrometheus = false): SnapshotNode {
    const now = this.now();
    const workers: SnapshotNode[] = [];
    const counts = { live: 0, late: 0, dead: 0 };
    // Each worker's own tree as the merge used it (a report newer than the merge shows with the
    // next merge), so the totals and the workers' own figures of one read agree.
    const used = this.cache !== null && this.cache.merged === merged ? this.cache.trees : null;
    const parts = forPrometheus && this.workerSeries ? this.partsOf.get(merged) : undefined;
    if (parts !== undefined) merged = this.withSeries(merged, parts);
    for (const e of this.sorted()) {
      const state = this.stateOf(e, now);
      counts[state]++;
      const path = `/workers/${e.id}`;
      const own = (used !== null ? used.get(e.id) : e.tree) ?? EMPTY;
      const meta = [
        stat('state', state),
        stat('pid', e.pid),
        stat('ageSeconds', e.receivedAt === null ? null : (now - e.receivedAt) / 1000),
        stat('reports', e.reports, 'int'),
        stat('reportBytes', e.lastBytes),
        stat('error', e.error),
      ];
      const names = new Set(meta.map((s) => s.name));
      workers.push({
        name: e.id,
        path,
        stats: [...meta, ...own.stats.filter((s) => !names.has(s.name))],
        children: own.children.map((c) => rebase(c, childPath(path, c.name))),
      });
    }
    const self: SnapshotNode = {
      name: 'cluster',
      path: '/scales/cluster',
      stats: [
        stat('live', counts.live),
        stat('late', counts.late),
        stat('dead', counts.dead),
        stat('forgotten', this.forgotten, 'int'),
        stat('reports', this.received, 'int'),
        stat('reportBytes', this.receivedBytes, 'int'),
        stat('refused', this.refused, 'int'),
      ],
      children: [],
    };
    const children = merged.children.filter((c) => c.name !== 'workers' && c.name !== 'primary');
    const scales = children.findIndex((c) => c.name === 'scales');
    if (scales >= 0) children[scales] = { ...children[scales]!, children: [...children[scales]!.children.filter((c) => c.name !== 'cluster'), self] };
    else children.push({ name: 'scales', path: '/scales', stats: [], children: [self] });
    if (!forPrometheus) children.push({ name: 'workers', path: '/workers', stats: [], children: workers });
    if (this.primary !== null) {
      // Its own paths differ from ours (/x here is /primary/x): skipping is done on the result.
      const own = this.primary.snapshot('/', { ...options, skip: undefined });
      // For Prometheus its families are named from their paths (primary_process_cpu_seconds_total):
      // a declared name (process_cpu_seconds_total) is the workers' merged family's.
      if (own !== undefined) children.push(rebase({ ...(forPrometheus ? pathNamed(own) : own), name: 'primary' }, '/primary'));
    }
    return { name: '', path: '/', stats: merged.stats, children };
  }

  /**
   * The merged tree's stats with the series of every worker (see `workerSeries`): a live or late
   * worker's values, a dead one's counts, the retired totals as worker `retired`. Stats no worker
   * has (Min/Max) are left out.
   */
  private withSeries(merged: SnapshotNode, parts: readonly TreePart[]): SnapshotNode {
    const own = parts.map((p) => ({
      labels: [['worker', p.worker]] as const,
      node: p.live ? p.node : this.retiredTree(p.node),
    }));
    const walk = (node: SnapshotNode, trees: readonly { labels: readonly (readonly [string, string])[]; node: SnapshotNode }[]): SnapshotNode => {
      const stats: SnapshotStat[] = [];
      const byName = trees.map((t) => ({ labels: t.labels, stats: new Map(t.node.stats.map((x) => [x.name, x] as const)) }));
      for (const stat of node.stats) {
        if (stat.error !== undefined || stat.description?.labels?.includes('worker')) {
          stats.push(stat);
          continue;
        }
        const series: { labels: readonly (readonly [string, string])[]; value: unknown; nonFinite?: true }[] = [];
        for (const t of byName) {
          const s: SnapshotStat | undefined = t.stats.get(stat.name);
          if (s === undefined || s.error !== undefined || s.kind !== stat.kind) continue;
          series.push(
            s.kind === 'value' && s.nonFinite ? { labels: t.labels, value: s.value, nonFinite: true } : { labels: t.labels, value: s.value },
          );
        }
        if (series.length > 0) stats.push({ ...stat, series } as SnapshotStat);
      }
      const children = node.children.map((c) =>
        walk(
          c,
          trees.flatMap((t) => {
            const n = t.node.children.find((x) => x.name === c.name);
            return n === undefined ? [] : [{ labels: t.labels, node: n }];
          }),
        ),
      );
      return { ...node, stats, children };
    };
    return walk(merged, own);
  }

  private retiredTree(node: SnapshotNode): SnapshotNode {
    let r = this.retiredOf.get(node);
    if (r === undefined) this.retiredOf.set(node, (r = retireTree(node)));
    return r;
  }

  /** The subtree at `path` ('/' when omitted) of the merged tree; undefined when nothing is there. */
  snapshot(path = '/', options: SnapshotOptions = {}): SnapshotNode | undefined {
    this.upkeep(this.now());
    return this.select(
      this.merged(options.sketches === true, runToEnd, (n) => n),
      path,
      options,
    );
  }

  /**
   * The same as {@link ClusterStats.snapshot}, the merge done in slices of a few milliseconds
   * (yielding to the event loop between them). It reads memory only: it never waits on a worker.
   */
  async snapshotAsync(path = '/', options: SnapshotOptions = {}): Promise<SnapshotNode | undefined> {
    this.upkeep(this.now());
    const merged = await this.merged(options.sketches === true, runSliced, (n) => Promise.resolve(n));
    return this.select(merged, path, options);
  }

  private select(merged: SnapshotNode, path: string, options: SnapshotOptions): SnapshotNode | undefined {
    const names = path.split('/').filter((p) => p !== '');
    // Prometheus gets the merged families (per-worker series when asked for), not /workers as
    // families of their own; unless it asks for /workers itself.
    let node: SnapshotNode | undefined = this.tree(merged, options, options.prometheus === true && names[0] !== 'workers');
    for (const name of names) {
      node = node.children.find((c) => c.name === name);
      if (node === undefined) return undefined;
    }
    return select(node, options);
  }

  /** Collapsed containers of the primary's own registry, under `/primary`. */
  isCollapsed(path: string): boolean {
    if (this.primary?.isCollapsed === undefined || !(path === '/primary' || path.startsWith('/primary/'))) return false;
    const own = path.slice('/primary'.length) || '/';
    return own !== '/' && this.primary.isCollapsed(own);
  }

  /** Stops listening to the cluster and to the threads added (what was received stays readable). */
  close(): void {
    for (const d of this.detach.splice(0)) d();
  }
}

/**
 * Serves node:cluster workers (and, with {@link ClusterStats.add}, worker threads) as one tree.
 * Call it once in the primary and pass what it returns as `source` to any output; each worker
 * calls `reportStats()`.
 *
 * @example
 * import cluster from 'node:cluster';
 * import { clusterStats, reportStats } from 'scales-metrics/cluster';
 * import { serveInBackground } from 'scales-metrics/http';
 * if (cluster.isPrimary) {
 *   await serveInBackground(8765, { source: clusterStats() });
 *   for (let i = 0; i < 4; i++) cluster.fork();
 * } else {
 *   reportStats();
 * }
 */
export function clusterStats(options: ClusterStatsOptions = {}): ClusterStats {
  return new ClusterStats(options);
}

function positive(v: number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new RangeError(`clusterStats: ${name} ${String(v)} is not a positive number`);
  return v;
}

/** A tree whose stats carry no declared Prometheus name (their families are named from their paths). */
function pathNamed(node: SnapshotNode): SnapshotNode {
  const stats = node.stats.map((s) => {
    if (s.description?.prometheusName === undefined) return s;
    const { prometheusName: _, ...description } = s.description;
    return { ...s, description } as SnapshotStat;
  });
  return { ...node, stats, children: node.children.map(pathNamed) };
}

/** A node and everything under it moved to `path` (paths of the workers' trees, of the primary's). */
function rebase(node: SnapshotNode, path: string): SnapshotNode {
  return {
    ...node,
    path,
    children: node.children.map((c) => rebase(c, childPath(path, c.name))),
  };
}

/**
 * A copy of `node` with the options applied: skipped containers left out, sketches and lifetime
 * buckets only when asked for (reports carry both; the merge keeps both).
 */
function select(node: SnapshotNode, options: SnapshotOptions): SnapshotNode {
  const drop = { sketch: options.sketches !== true, histogram: options.histograms !== true };
  const stats = drop.sketch || drop.histogram ? node.stats.map((s) => withoutExtras(s, drop)) : node.stats;
  const children = node.children.filter((c) => options.skip === undefined || !options.skip(c.path)).map((c) => select(c, options));
  return { ...node, stats, children };
}

interface Drop {
  readonly sketch: boolean;
  readonly histogram: boolean;
}

function withoutExtras(s: SnapshotStat, drop: Drop): SnapshotStat {
  if (s.error !== undefined) return s;
  if (s.kind === 'pmf') {
    if (!((drop.sketch && s.value.sketch !== undefined) || (drop.histogram && s.value.histogram !== undefined))) return s;
    const value = { ...s.value };
    if (drop.sketch) delete value.sketch;
    if (drop.histogram) delete value.histogram;
    return { ...s, value };
  }
  if (s.kind === 'namedPmfDict') return { ...s, value: dropExtras(s.value, drop) as typeof s.value };
  return s;
}

/** A dict of pmfs (nested per label) without their sketches (text) and buckets (an object with a schema). */
function dropExtras(v: unknown, drop: Drop): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (drop.sketch && k === 'sketch' && typeof x === 'string') continue;
    if (drop.histogram && k === 'histogram' && x !== null && typeof x === 'object' && 'schema' in x) continue;
    out[k] = dropExtras(x, drop);
  }
  return out;
}
