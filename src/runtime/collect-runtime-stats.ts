import { availableParallelism } from 'node:os';
import { constants as perfConstants, PerformanceObserver, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, type HeapSpaceInfo } from 'node:v8';
import type { ValueOptions } from '../core/description.js';
import { defaultRegistry } from '../registry/default-registry.js';
import { intDictStat, namedPmfDictStat, pmfStat, stat } from '../registry/catalogue.js';
import type { IntDictHandle } from '../stats/int-dict-stat.js';
import type { Container } from '../core/container.js';
import { parsePath } from '../core/path.js';
import type { Registry } from '../registry/registry.js';
import type { NamedPmfDictHandle } from '../stats/named-pmf-dict-stat.js';
import type { PmfHandle } from '../stats/pmf-stat.js';
import { type DistributionSummary, WindowedDistribution } from '../sampling/windowed-distribution.js';

/** Options of {@link collectRuntimeStats}. */
export interface RuntimeStatsOptions {
  /** The tree to add the stats to (default: the default registry, the one `scales.collection` uses). */
  registry?: Registry;
  /** Container of the stats (default `/process`). */
  path?: string;
  /**
   * How often the event loop's delay is sampled, in ms (default 20; Node's `monitorEventLoopDelay` and prom-client
   * sample every 10 ms: each sample wakes an idle process, so half as often). A block of the
   * loop of B ms is seen as a delay between B − resolution and B.
   */
  eventLoopResolutionMs?: number;
  /** Event-loop and CPU utilization are figures of the last completed interval of this many ms (default 1000). */
  utilizationWindowMs?: number;
  /** Record GC pauses per kind (default true). */
  gc?: boolean;
}

/** What {@link collectRuntimeStats} returns. */
export interface RuntimeStatsHandle {
  /** The container's path (`/process` by default). */
  readonly path: string;
  /**
   * Stops the sampling of this collector (its timer and GC observer; idempotent). The stats stay
   * in the tree: gauges (memory, CPU seconds, fds...) keep reading live values, the sampled ones
   * (event-loop delay, utilization, GC pauses) stop changing.
   */
  stop(): void;
}

/** Default container of the runtime stats. */
export const DEFAULT_RUNTIME_PATH = '/process';
/** Default sampling interval of the event-loop delay, in ms. */
export const DEFAULT_EVENT_LOOP_RESOLUTION_MS = 20;
/** Default interval over which event-loop and CPU utilization are computed, in ms. */
export const DEFAULT_UTILIZATION_WINDOW_MS = 1000;

/**
 * The Prometheus name each runtime stat SHOULD get, keyed by its path under the container. Where
 * prom-client's `collectDefaultMetrics()` has the same concept the name is prom-client's
 * (`promClient: true`, checked against node_modules/prom-client/lib/metrics/*.js, 15.1), so the
 * public Node.js Grafana dashboards work unchanged; the others are proposals. `<space>`, `<kind>`
 * and `<type>` become the label named in `labels`. Not wired yet: the Prometheus output renders
 * these stats under their path-derived names until a later issue maps them with this table.
 */
export const RUNTIME_PROMETHEUS_NAMES: Readonly<
  Record<
    string,
    {
      name: string;
      type: 'counter' | 'gauge' | 'summary' | 'info';
      labels?: readonly string[];
      promClient: boolean;
      note?: string;
      /** False: not declared as the stat's prometheusName (it renders under its path-derived name); see the note. */
      declared?: false;
    }
  >
> = {
  versionInfo: {
    name: 'nodejs_version_info',
    type: 'info',
    labels: ['version', 'major', 'minor', 'patch'],
    promClient: true,
    note: 'value 1; labels from process.version',
  },
  nodeVersion: {
    name: 'process_node_version_info',
    type: 'info',
    promClient: false,
    declared: false,
    note: 'process.version as text (JSON, page); its path-derived name (an info family adds _info to a declared name, which would be nodejs_version_info)',
  },
  startTimeSeconds: { name: 'process_start_time_seconds', type: 'gauge', promClient: true },
  uptimeSeconds: {
    name: 'process_uptime_seconds',
    type: 'gauge',
    promClient: false,
    note: 'prom-client has none: time() - process_start_time_seconds',
  },
  'cpu/userSeconds': { name: 'process_cpu_user_seconds_total', type: 'counter', promClient: true },
  'cpu/systemSeconds': { name: 'process_cpu_system_seconds_total', type: 'counter', promClient: true },
  'cpu/totalSeconds': { name: 'process_cpu_seconds_total', type: 'counter', promClient: true },
  'cpu/utilization': {
    name: 'process_cpu_utilization_cores',
    type: 'gauge',
    promClient: false,
    note: 'prom-client has none (rate(process_cpu_seconds_total))',
  },
  'cpu/cores': { name: 'nodejs_available_parallelism', type: 'gauge', promClient: false },
  'memory/rssBytes': { name: 'process_resident_memory_bytes', type: 'gauge', promClient: true },
  'memory/virtualBytes': { name: 'process_virtual_memory_bytes', type: 'gauge', promClient: true, note: 'Linux only (VmSize)' },
  'memory/dataBytes': {
    name: 'process_heap_bytes',
    type: 'gauge',
    promClient: true,
    note: "Linux only (VmData: prom-client's 'process heap' is the data segment)",
  },
  'memory/heapUsedBytes': { name: 'nodejs_heap_size_used_bytes', type: 'gauge', promClient: true },
  'memory/heapTotalBytes': { name: 'nodejs_heap_size_total_bytes', type: 'gauge', promClient: true },
  'memory/heapLimitBytes': { name: 'nodejs_heap_size_limit_bytes', type: 'gauge', promClient: false },
  'memory/externalBytes': { name: 'nodejs_external_memory_bytes', type: 'gauge', promClient: true },
  'memory/arrayBuffersBytes': { name: 'nodejs_array_buffers_bytes', type: 'gauge', promClient: false },
  'memory/heapSpaces/usedBytes': { name: 'nodejs_heap_space_size_used_bytes', type: 'gauge', labels: ['space'], promClient: true },
  'memory/heapSpaces/sizeBytes': { name: 'nodejs_heap_space_size_total_bytes', type: 'gauge', labels: ['space'], promClient: true },
  'memory/heapSpaces/availableBytes': { name: 'nodejs_heap_space_size_available_bytes', type: 'gauge', labels: ['space'], promClient: true },
  'eventLoop/delaySeconds': {
    name: 'nodejs_eventloop_delay_seconds',
    type: 'summary',
    promClient: false,
    note: "the pmf itself; prom-client's figures are the eventLoop/lag gauges",
  },
  'eventLoop/lag/minSeconds': { name: 'nodejs_eventloop_lag_min_seconds', type: 'gauge', promClient: true },
  'eventLoop/lag/maxSeconds': { name: 'nodejs_eventloop_lag_max_seconds', type: 'gauge', promClient: true },
  'eventLoop/lag/meanSeconds': { name: 'nodejs_eventloop_lag_mean_seconds', type: 'gauge', promClient: true },
  'eventLoop/lag/stddevSeconds': { name: 'nodejs_eventloop_lag_stddev_seconds', type: 'gauge', promClient: true },
  'eventLoop/lag/p50Seconds': { name: 'nodejs_eventloop_lag_p50_seconds', type: 'gauge', promClient: true },
  'eventLoop/lag/p90Seconds': {
    name: 'nodejs_eventloop_lag_p90_seconds',
    type: 'gauge',
    promClient: true,
    note: "the pmf reports no 0.9: read from the window's sketch",
  },
  'eventLoop/lag/p99Seconds': { name: 'nodejs_eventloop_lag_p99_seconds', type: 'gauge', promClient: true },
  'eventLoop/lastDelaySeconds': {
    name: 'nodejs_eventloop_lag_seconds',
    type: 'gauge',
    promClient: true,
    note: "prom-client's measures the scrape's own setImmediate; ours is the latest sample",
  },
  'eventLoop/utilization': { name: 'nodejs_eventloop_utilization', type: 'gauge', promClient: false },
  'gc/pauseSeconds': {
    name: 'nodejs_gc_duration_seconds',
    type: 'summary',
    labels: ['kind'],
    promClient: true,
    note: 'prom-client: a histogram; dashboards use its _sum and _count, which a summary has',
  },
  'handles/active': { name: 'nodejs_active_handles_total', type: 'gauge', promClient: true },
  'handles/activeByType': {
    name: 'nodejs_active_handles',
    type: 'gauge',
    labels: ['type'],
    promClient: true,
  },
  'handles/requests': { name: 'nodejs_active_requests_total', type: 'gauge', promClient: true },
  'handles/requestsByType': {
    name: 'nodejs_active_requests',
    type: 'gauge',
    labels: ['type'],
    promClient: true,
  },
  'handles/resources': { name: 'nodejs_active_resources_total', type: 'gauge', promClient: true },
  'handles/resourcesByType': {
    name: 'nodejs_active_resources',
    type: 'gauge',
    labels: ['type'],
    promClient: true,
  },
  'fds/open': { name: 'process_open_fds', type: 'gauge', promClient: true, note: 'Linux only' },
  'fds/max': { name: 'process_max_fds', type: 'gauge', promClient: true, note: 'Linux only' },
};

/**
 * The declaration options of the runtime stat at `key` (its path under the container): its help
 * text and unit, and its Prometheus name from {@link RUNTIME_PROMETHEUS_NAMES}.
 */
export function runtimeDeclaration(key: string, help: string, unit?: string): ValueOptions {
  const n = RUNTIME_PROMETHEUS_NAMES[key];
  const named = n !== undefined && !n.name.includes('{') && n.declared !== false;
  // A total read from the process (CPU seconds) is a counter, as prom-client's is.
  const counter = n?.type === 'counter';
  return { help, ...(unit === undefined ? {} : { unit }), ...(named ? { prometheusName: n.name } : {}), ...(counter ? { counter } : {}) };
}

/** GC kinds by `detail.kind`, named as prom-client labels them. */
const GC_KINDS = new Map<number, string>([
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [perfConstants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/** Window of the prom-client-style lag figures (eventLoop/lag): the last minute, in 6 sub-windows. */
const LAG_WINDOW_MS = 60_000;
/** Quantiles of the lag figures: p50, p90, p99 (as prom-client's nodejs_eventloop_lag_pNN_seconds). */
const LAG_QUANTILES = [0.5, 0.9, 0.99] as const;

/** Readings shared by the gauges of one snapshot: reused when younger than this many ms. */
const READING_TTL_MS = 100;
/** /proc/self/fd is read at most once a second, and at most 0.1% of the time (1000x its read time). */
const FD_MIN_TTL_MS = 1000;
const FD_TTL_PER_READ_MS = 1000;
/** /proc/self/limits is re-read at most once a minute (setrlimit is rare). */
const LIMITS_TTL_MS = 60_000;

/** A reading computed at most once per `ttlMs` (shared by the gauges of one snapshot); null when it throws. */
function cached<T>(ttlMs: number, read: () => T): () => T | null {
  let at = Number.NEGATIVE_INFINITY;
  let value: T | null = null;
  return () => {
    const now = performance.now();
    if (now - at < ttlMs) return value;
    try {
      value = read();
    } catch {
      value = null; // an unsupported runtime or platform reads null, never throws
    }
    at = performance.now();
    return value;
  };
}

/** `counts` written into a gauge dict: every key set, keys no longer there removed. */
function renewDict(dict: IntDictHandle, counts: Record<string, number> | null): void {
  if (counts === null) return;
  for (const k of [...dict.keys()]) if (!(k in counts)) dict.delete(k);
  for (const k of Object.keys(counts)) dict.set(k, counts[k]!);
}

/** A field of every V8 heap space, by its short name as prom-client labels them ('new_space' -> 'new'). */
function spacesBy(spaces: HeapSpaceInfo[] | null, field: 'space_used_size' | 'space_size' | 'space_available_size'): Record<string, number> | null {
  if (spaces === null) return null;
  const out: Record<string, number> = {};
  for (const s of spaces) out[s.space_name.endsWith('_space') ? s.space_name.slice(0, -'_space'.length) : s.space_name] = s[field];
  return out;
}

function countOrNull(items: readonly unknown[] | null): Record<string, number> | null {
  return items === null ? null : countByType(items);
}

/** Counts objects by their constructor's name (or by the string itself), as prom-client groups handles. */
function countByType(items: readonly unknown[]): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const x of items) {
    const type =
      typeof x === 'string' ? x : (((x as { constructor?: { name?: unknown } } | null)?.constructor?.name as string | undefined) ?? 'unknown');
    out[type] = (out[type] ?? 0) + 1;
  }
  return { ...out };
}

type ProcessInternals = { _getActiveHandles?: () => unknown[]; _getActiveRequests?: () => unknown[] };
type FsLike = { readdirSync(path: string): string[]; readFileSync(path: string, encoding: 'utf8'): string };

/** The soft limit of open files from /proc/self/limits text; null when unlimited or absent. */
export function parseMaxFds(limits: string): number | null {
  const m = /^Max open files\s+(\S+)/m.exec(limits);
  if (m === null) return null;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : null;
}

function checkMs(name: string, v: number | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= max)) {
    throw new RangeError(`collectRuntimeStats: ${name} must be a number of milliseconds from 1 to ${max}, not ${String(v)}`);
  }
  return v;
}

/** One running collector per registry and path; handles count its users. */
class Collector {
  users = 0;
  private timer: NodeJS.Timeout | null = null;
  private observer: PerformanceObserver | null = null;
  private lastTick = performance.now();
  /** Where the current utilization window started. */
  private windowStart: { at: number; cpu: NodeJS.CpuUsage; elu: EventLoopUtilization };
  /** Utilizations of the last completed window; null until one completed. */
  private cpuUtilization: number | null = null;
  private loopUtilization: number | null = null;
  lastDelay: number | null = null;
  private readonly cores: number;
  /** The delays of the last minute again, for the lag figures (p90 included, which the pmf does not report). */
  private readonly lagDist = new WindowedDistribution({ windowMs: LAG_WINDOW_MS, subWindows: 6 });
  private lagSummary: DistributionSummary | null = null;
  private lagAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly resolutionMs: number,
    private readonly windowMs: number,
    private readonly delay: PmfHandle,
    gcPause: NamedPmfDictHandle | null,
    private readonly onStop: (c: Collector) => void,
    private readonly onWindow: () => void,
  ) {
    this.cores = Math.max(1, availableParallelism());
    this.windowStart = { at: performance.now(), cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() };
    // One unref'd timer: it samples the loop's delay and closes the utilization windows.
    this.timer = setInterval(() => this.tick(), resolutionMs);
    this.timer.unref();
    if (gcPause !== null) {
      this.observer = new PerformanceObserver((list) => {
        // Every entry of every batch (prom-client and OpenTelemetry read only the first).
        for (const e of list.getEntries()) {
          try {
            const kind = GC_KINDS.get((e as { detail?: { kind?: number } | null }).detail?.kind ?? -1) ?? 'other';
            gcPause.record(kind, e.duration / 1000);
          } catch {
            // never into the host application
          }
        }
      });
      this.observer.observe({ entryTypes: ['gc'] });
    }
  }

  /**
   * The delay is the timer's lateness: Node re-arms an interval timer `resolutionMs` after the
   * loop picked it up, so the time between two callbacks is the interval plus how late the loop
   * was. Subtracting the interval gives the true delay (monitorEventLoopDelay's histogram keeps
   * the interval in every sample, so it reads ~resolution high even when idle).
   */
  private tick(): void {
    try {
      const now = performance.now();
      const d = Math.max(0, now - this.lastTick - this.resolutionMs) / 1000;
      this.lastTick = now;
      this.lastDelay = d;
      this.delay.record(d);
      this.lagDist.record(d);
      if (now - this.windowStart.at >= this.windowMs) this.closeWindow(now);
    } catch {
      // never into the host application
    }
  }

  private closeWindow(now: number): void {
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    const s = this.windowStart;
    this.cpuUtilization = cpuCores(cpu, s.cpu, now - s.at, this.cores);
    this.loopUtilization = performance.eventLoopUtilization(elu, s.elu).utilization;
    this.windowStart = { at: now, cpu, elu };
    this.onWindow();
  }

  /** CPU in use, in cores (0..cores): of the last completed window, or since start. */
  cpu(): number {
    if (this.cpuUtilization !== null) return this.cpuUtilization;
    return cpuCores(process.cpuUsage(), this.windowStart.cpu, performance.now() - this.windowStart.at, this.cores);
  }

  /** The lag figures of the last minute (computed at most once per {@link READING_TTL_MS}). */
  lag(): DistributionSummary {
    const now = performance.now();
    if (this.lagSummary === null || now - this.lagAt >= READING_TTL_MS) {
      this.lagSummary = this.lagDist.summary(LAG_QUANTILES);
      this.lagAt = now;
    }
    return this.lagSummary;
  }

  /** Share of the time the loop was busy (0..1): of the last completed window, or since start. */
  loop(): number {
    if (this.loopUtilization !== null) return this.loopUtilization;
    return performance.eventLoopUtilization(performance.eventLoopUtilization(), this.windowStart.elu).utilization;
  }

  /** The containers whose stats it feeds; when one leaves the tree (`reset`, `remove`), it is stale. */
  containers: Container[] = [];

  get stale(): boolean {
    return this.containers.some((c) => c.detached);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.observer?.disconnect();
    this.observer = null;
    this.onStop(this);
  }
}

function cpuCores(cpu: NodeJS.CpuUsage, from: NodeJS.CpuUsage, elapsedMs: number, cores: number): number {
  if (!(elapsedMs > 0)) return 0;
  const used = (cpu.user - from.user + cpu.system - from.system) / 1000;
  // cpuUsage and the wall clock are not read at the same instant: clamp the jitter.
  return Math.min(cores, Math.max(0, used / elapsedMs));
}

const running = new WeakMap<Registry, Map<string, Collector>>();

/**
 * Adds the Node.js runtime's stats to the tree, as ordinary stats under `/process` (see the
 * README for the list): event-loop delay (a pmf, in seconds) and utilization, heap (used, total,
 * limit, per space), RSS, external and array-buffer memory, GC pauses per kind (pmfs), CPU
 * seconds and utilization (in cores), active handles/requests/resources, open and max file
 * descriptors (Linux), start time, uptime and Node version. Gauges are computed when read;
 * one unref'd timer samples the event loop and a PerformanceObserver records GC pauses. Nothing
 * here throws into the application or keeps the process alive. Calling it again for the same
 * registry and path shares the running collector, with the first call's options (it stops when
 * every handle has stopped; after `reset()` or `remove()` of its container, a call starts afresh).
 *
 * @example
 * const runtime = scales.collectRuntimeStats();
 * scales.getStats('/process/eventLoop')?.delaySeconds; // { count, max, '99percentile', ... }
 * runtime.stop(); // e.g. in a test's teardown
 */
export function collectRuntimeStats(options: RuntimeStatsOptions = {}): RuntimeStatsHandle {
  const registry = options.registry ?? defaultRegistry;
  const path = '/' + parsePath(options.path ?? DEFAULT_RUNTIME_PATH).join('/');
  const resolutionMs = checkMs('eventLoopResolutionMs', options.eventLoopResolutionMs, DEFAULT_EVENT_LOOP_RESOLUTION_MS, 60_000);
  const windowMs = checkMs('utilizationWindowMs', options.utilizationWindowMs, DEFAULT_UTILIZATION_WINDOW_MS, 3_600_000);
  const byPath = running.get(registry) ?? new Map<string, Collector>();
  running.set(registry, byPath);
  let collector = byPath.get(path);
  // A collector whose stats left the tree (registry.reset(), remove()) feeds nothing anyone reads: start afresh.
  if (collector?.stale) collector.stop();
  if (collector === undefined || collector.stale) {
    collector = start(registry, path, resolutionMs, windowMs, options.gc ?? true, (stopped) => {
      if (byPath.get(path) === stopped) byPath.delete(path);
    });
    byPath.set(path, collector);
  }
  const c = collector;
  c.users++;
  let stopped = false;
  return {
    path,
    stop() {
      if (stopped) return;
      stopped = true;
      if (--c.users === 0) c.stop();
    },
  };
}

function start(registry: Registry, path: string, resolutionMs: number, windowMs: number, gc: boolean, onStop: (c: Collector) => void): Collector {
  const memory = cached(READING_TTL_MS, () => process.memoryUsage());
  const heap = cached(READING_TTL_MS, () => getHeapStatistics());
  const spaces = cached(READING_TTL_MS, () => getHeapSpaceStatistics());
  const internals = process as unknown as ProcessInternals;
  const handles = cached(READING_TTL_MS, () => internals._getActiveHandles?.() ?? null);
  const requests = cached(READING_TTL_MS, () => internals._getActiveRequests?.() ?? null);
  const resources = cached(READING_TTL_MS, () => (typeof process.getActiveResourcesInfo === 'function' ? process.getActiveResourcesInfo() : null));
  const startTimeSeconds = Math.round((Date.now() - process.uptime() * 1000) / 10) / 100;

  const top = registry.collection(
    path,
    stat('nodeVersion', process.version, runtimeDeclaration('nodeVersion', 'The Node.js version (process.version)')),
    intDictStat('versionInfo', {
      ...runtimeDeclaration('versionInfo', 'The Node.js version, as labels (always 1)'),
      labels: ['version', 'major', 'minor', 'patch'],
      gauge: true,
    }),
    stat(
      'startTimeSeconds',
      startTimeSeconds,
      runtimeDeclaration('startTimeSeconds', 'Start time of the process since the Unix epoch, in seconds', 's'),
    ),
    stat('uptimeSeconds', () => process.uptime(), runtimeDeclaration('uptimeSeconds', 'Seconds since the process started', 's')),
  );
  const loop = registry.collection(
    `${path}/eventLoop`,
    pmfStat('delaySeconds', {
      help: 'Event-loop delay: how late the loop ran a timer, the sampling interval subtracted',
      unit: 's',
      prometheusName: 'nodejs_eventloop_delay_seconds',
    }),
    stat<number | null, 'lastDelaySeconds'>(
      'lastDelaySeconds',
      null,
      runtimeDeclaration('eventLoop/lastDelaySeconds', 'The latest event-loop delay sample', 's'),
    ),
    stat<number | null, 'utilization'>(
      'utilization',
      null,
      runtimeDeclaration('eventLoop/utilization', 'Share of the last utilization window the event loop was busy (0..1)', 'ratio'),
    ),
  );
  const lagFigure = (name: string, help: string) =>
    stat<number | null, string>(name, null, runtimeDeclaration(`eventLoop/lag/${name}`, `Event-loop delay over the last minute: ${help}`, 's'));
  const lag = registry.collection(
    `${path}/eventLoop/lag`,
    lagFigure('minSeconds', 'least'),
    lagFigure('maxSeconds', 'most'),
    lagFigure('meanSeconds', 'mean'),
    lagFigure('stddevSeconds', 'standard deviation'),
    lagFigure('p50Seconds', 'median'),
    lagFigure('p90Seconds', '90th percentile'),
    lagFigure('p99Seconds', '99th percentile'),
  );
  const gcStats = gc
    ? registry.collection(
        `${path}/gc`,
        namedPmfDictStat('pauseSeconds', {
          ...runtimeDeclaration('gc/pauseSeconds', 'Garbage-collection pauses per kind (every entry of every observer batch)'),
          unit: 's',
          labels: ['kind'],
          keyLimit: 10,
        }),
      )
    : null;
  const cpu = registry.collection(
    `${path}/cpu`,
    stat('userSeconds', () => process.cpuUsage().user / 1e6, runtimeDeclaration('cpu/userSeconds', 'User CPU time spent, in seconds', 's')),
    stat('systemSeconds', () => process.cpuUsage().system / 1e6, runtimeDeclaration('cpu/systemSeconds', 'System CPU time spent, in seconds', 's')),
    stat(
      'totalSeconds',
      () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      },
      runtimeDeclaration('cpu/totalSeconds', 'User and system CPU time spent, in seconds', 's'),
    ),
    stat<number | null, 'utilization'>(
      'utilization',
      null,
      runtimeDeclaration('cpu/utilization', 'CPU in use over the last utilization window, in cores (0..cores)', 'cores'),
    ),
    stat('cores', Math.max(1, availableParallelism()), runtimeDeclaration('cpu/cores', 'Cores available to the process (os.availableParallelism())')),
  );
  registry.collection(
    `${path}/memory`,
    stat('rssBytes', () => memory()?.rss ?? null, runtimeDeclaration('memory/rssBytes', 'Resident set size', 'bytes')),
    stat('heapUsedBytes', () => memory()?.heapUsed ?? null, runtimeDeclaration('memory/heapUsedBytes', 'V8 heap in use', 'bytes')),
    stat('heapTotalBytes', () => memory()?.heapTotal ?? null, runtimeDeclaration('memory/heapTotalBytes', 'V8 heap allocated', 'bytes')),
    stat(
      'heapLimitBytes',
      () => heap()?.heap_size_limit ?? null,
      runtimeDeclaration('memory/heapLimitBytes', 'Most the V8 heap may grow to', 'bytes'),
    ),
    stat(
      'externalBytes',
      () => memory()?.external ?? null,
      runtimeDeclaration('memory/externalBytes', 'Memory of C++ objects bound to JavaScript objects', 'bytes'),
    ),
    stat(
      'arrayBuffersBytes',
      () => memory()?.arrayBuffers ?? null,
      runtimeDeclaration('memory/arrayBuffersBytes', 'Memory of ArrayBuffers and Buffers', 'bytes'),
    ),
  );
  const spaceDict = (name: string, help: string) =>
    intDictStat(name, {
      ...runtimeDeclaration(`memory/heapSpaces/${name}`, `V8 heap spaces: ${help} (renewed every utilization window)`, 'bytes'),
      labels: ['space'],
      gauge: true,
      keyLimit: 32,
    });
  const heapSpaces = registry.collection(
    `${path}/memory/heapSpaces`,
    spaceDict('usedBytes', 'in use'),
    spaceDict('sizeBytes', 'allocated'),
    spaceDict('availableBytes', 'available'),
  ).$;
  const byType = registry.collection(
    `${path}/handles`,
    stat('active', () => handles()?.length ?? null, runtimeDeclaration('handles/active', 'Active libuv handles (process._getActiveHandles())')),
    intDictStat('activeByType', {
      ...runtimeDeclaration('handles/activeByType', 'Active libuv handles per type (renewed every utilization window)'),
      labels: ['type'],
      gauge: true,
      keyLimit: 100,
    }),
    stat(
      'requests',
      () => requests()?.length ?? null,
      runtimeDeclaration('handles/requests', 'Active libuv requests (process._getActiveRequests())'),
    ),
    intDictStat('requestsByType', {
      ...runtimeDeclaration('handles/requestsByType', 'Active libuv requests per type (renewed every utilization window)'),
      labels: ['type'],
      gauge: true,
      keyLimit: 100,
    }),
    stat(
      'resources',
      () => resources()?.length ?? null,
      runtimeDeclaration('handles/resources', 'Active resources keeping the loop alive (process.getActiveResourcesInfo())'),
    ),
    intDictStat('resourcesByType', {
      ...runtimeDeclaration('handles/resourcesByType', 'Active resources per type (renewed every utilization window)'),
      labels: ['type'],
      gauge: true,
      keyLimit: 100,
    }),
  );
  if (process.platform === 'linux') declareLinux(registry, path);
  // Last, so that a declaration that throws (a stat of another kind already there) leaves no timer.
  // The gauges are set, not declared: a restarted collector's stats are the same cells.
  const v = /^v(\d+)\.(\d+)\.(\d+)/.exec(process.version);
  top.$.versionInfo.labels(process.version, v?.[1] ?? '', v?.[2] ?? '', v?.[3] ?? '').set(1);
  // The labelled gauges (per heap space, per handle type) are renewed when a utilization window closes.
  const renew = () => {
    renewDict(heapSpaces.usedBytes, spacesBy(spaces(), 'space_used_size'));
    renewDict(heapSpaces.sizeBytes, spacesBy(spaces(), 'space_size'));
    renewDict(heapSpaces.availableBytes, spacesBy(spaces(), 'space_available_size'));
    renewDict(byType.$.activeByType, countOrNull(handles()));
    renewDict(byType.$.requestsByType, countOrNull(requests()));
    renewDict(byType.$.resourcesByType, countOrNull(resources()));
  };
  renew();
  const collector = new Collector(resolutionMs, windowMs, loop.$.delaySeconds, gcStats?.$.pauseSeconds ?? null, onStop, renew);
  loop.$.lastDelaySeconds.set(() => collector.lastDelay);
  loop.$.utilization.set(() => collector.loop());
  cpu.$.utilization.set(() => collector.cpu());
  const lagHandles = lag.$ as Record<string, { set(v: () => number | null): void }>;
  const w = () => collector.lag().window;
  const q = (i: number) => () => collector.lag().quantiles[i] ?? null;
  lagHandles.minSeconds!.set(() => w().min);
  lagHandles.maxSeconds!.set(() => w().max);
  lagHandles.meanSeconds!.set(() => w().mean);
  lagHandles.stddevSeconds!.set(() => w().stddev);
  lagHandles.p50Seconds!.set(q(0));
  lagHandles.p90Seconds!.set(q(1));
  lagHandles.p99Seconds!.set(q(2));
  for (const sub of ['', '/eventLoop', '/eventLoop/lag', '/cpu', '/memory/heapSpaces', '/handles', ...(gc ? ['/gc'] : [])]) {
    const c = registry.root.find(parsePath(path + sub));
    if (c !== undefined) collector.containers.push(c);
  }
  return collector;
}

/** The `kB` fields of /proc/self/status text, in bytes (`{ VmSize: ..., VmData: ... }`). */
export function parseProcStatus(status: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of status.matchAll(/^(Vm\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]) * 1024;
  return out;
}

/**
 * Linux only, from /proc: virtual and data memory, open and max file descriptors, each read at
 * most as often as is cheap.
 */
function declareLinux(registry: Registry, path: string): void {
  const fs = process.getBuiltinModule?.('node:fs') as FsLike | undefined; // loaded only here: the root imports no file-system module
  if (fs === undefined) return;
  let ttl = FD_MIN_TTL_MS;
  let at = Number.NEGATIVE_INFINITY;
  let open: number | null = null;
  const openFds = () => {
    const now = performance.now();
    if (now - at < ttl) return open;
    try {
      open = fs.readdirSync('/proc/self/fd').length - 1; // less the directory's own fd, as prom-client
    } catch {
      open = null;
    }
    at = performance.now();
    // A process with very many fds pays for the readdir: read it less often (<= 0.1% of the time).
    ttl = Math.max(FD_MIN_TTL_MS, (at - now) * FD_TTL_PER_READ_MS);
    return open;
  };
  const limits = cached(LIMITS_TTL_MS, () => parseMaxFds(fs.readFileSync('/proc/self/limits', 'utf8')));
  const status = cached(READING_TTL_MS, () => parseProcStatus(fs.readFileSync('/proc/self/status', 'utf8')));
  registry.collection(
    `${path}/memory`,
    stat('virtualBytes', () => status()?.VmSize ?? null, runtimeDeclaration('memory/virtualBytes', 'Virtual memory size (VmSize)', 'bytes')),
    stat('dataBytes', () => status()?.VmData ?? null, runtimeDeclaration('memory/dataBytes', 'Data segment size (VmData)', 'bytes')),
  );
  registry.collection(
    `${path}/fds`,
    stat('open', openFds, runtimeDeclaration('fds/open', 'Open file descriptors')),
    stat('max', () => limits(), runtimeDeclaration('fds/max', 'Most open file descriptors (soft limit)')),
  );
}
