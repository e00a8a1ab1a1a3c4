import { type Clock, systemClock } from '../sampling/clock.js';
import { Container } from '../core/container.js';
import { InvalidNameError, parsePath, validateName } from '../core/path.js';
import { runSliced, runToEnd } from '../core/slices.js';
import { describeThrown, type JsonObject, type JsonValue, type SnapshotOptions } from '../core/snapshot.js';
import type { StatDescription } from '../core/description.js';
import { PrometheusNameTable } from '../core/prometheus-name.js';
import type { Aggregator, StatCell, StatContext } from '../core/stat-cell.js';
import { type AnyDef, intDictStat, type Stats } from './catalogue.js';
import { type SnapshotNode, type SnapshotStat, snapshotJson } from './snapshot.js';
import type { StatsSource } from './source.js';
import { toJson, ValueCell } from '../stats/value-stat.js';

/** Options of a {@link Registry}. */
export interface RegistryOptions {
  /** Time source of meters, windows, timers and state times (default: `performance.now()`). */
  clock?: Clock;
  /** Default key limit of dict stats (default {@link DEFAULT_KEY_LIMIT}). */
  keyLimit?: number;
  /**
   * Throw a RangeError on a rejected write (NaN, ±Infinity, wrong type) instead of dropping and
   * counting it. Default false: a metrics write never throws into the host application.
   */
  strict?: boolean;
  /**
   * Called with an error describing each rejected write (default: `process.emitWarning`, once
   * per stat path).
   */
  onError?: (error: Error) => void;
  /**
   * A gauge function that takes longer than this to read, in ms of `clock` (default
   * {@link DEFAULT_GAUGE_BUDGET_MS}), is reported: its read time under
   * `/scales/gaugeReadMs/<stat path>` and one process warning per stat (`SCALES_SLOW_GAUGE`);
   * background reads (the status page's sparkline history, the Graphite periodic pusher's timed
   * pushes, `dumpStatsPeriodically`) skip it, then try it again after a back-off: the first
   * background read after the slow one is skipped, and each background retry that is still slow
   * doubles the number skipped (1, 2, 4, ... up to {@link MAX_SLOW_GAUGE_SKIPS}); a fast read
   * (background retry or foreground) brings it back for good. Foreground reads (pages, scrapes,
   * `getStats`, `push()`, `dumpStatsTo`, crash dumps) always call it.
   */
  gaugeBudgetMs?: number;
}

/** The longest back-off of a slow gauge: background reads skipped between two retries. */
export const MAX_SLOW_GAUGE_SKIPS = 32;
/** Default key limit of dict stats. */
export const DEFAULT_KEY_LIMIT = 1000;
/** Default budget of one gauge read: 50 ms (see {@link RegistryOptions.gaugeBudgetMs}). */
export const DEFAULT_GAUGE_BUDGET_MS = 50;
const MAX_WARNED = 1000;
/** Key limit of the registry's own /scales/rejected and /scales/overflow dicts (keyed by stat path). */
const SELF_KEY_LIMIT = 10_000;

type Owner = object;
type StatsLike = Record<string, unknown>;

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  return typeof v;
}

/** One stat's reading: its value, or the error that took its place. */
/** A gauge over the budget: its last read's time and its background back-off. */
interface SlowGauge {
  ms: number;
  skipLeft: number;
  backoff: number;
}

interface Reading {
  value: JsonValue;
  error?: string;
  nonFinite?: true;
}

/**
 * A tree of stats. The module-level functions (`scales.collection`, `scales.getStats`, ...)
 * use {@link defaultRegistry}; make your own for an isolated tree (a library, a test).
 *
 * @example
 * const registry = new scales.Registry();
 * const STATS = registry.collection('/jobs', scales.intStat('done'));
 * STATS.done += 1;
 * registry.getStats(); // { jobs: { done: 1 } }
 */
export class Registry implements StatsSource {
  /** The root container ('/'). @internal */
  root = new Container('', null);
  /** The registry's time source. */
  readonly clock: Clock;
  /** Default key limit of dict stats. */
  readonly keyLimit: number;
  private readonly strict: boolean;
  private readonly onError: (error: Error) => void;
  private owners = new WeakMap<Owner, Container>();
  private warned = new Set<string>();
  private selfStats: { rejected: StatsLike; overflow: StatsLike; cells: Set<StatCell> } | null = null;
  /** The Prometheus series names of the stats in the tree (stable names, see core/prometheus-name.ts). */
  private readonly prometheusNames = new PrometheusNameTable();
  /** Stats whose Prometheus name was refused (another stat holds it): left out of the Prometheus expositions. */
  private prometheusRefused = new WeakSet<StatCell>();
  private readonly gaugeBudgetMs: number;
  /**
   * Gauges whose last read went over the budget: that read's time (ms, rounded up), the
   * background reads still to skip before the next retry, and the current back-off.
   */
  private slowGauges = new WeakMap<StatCell, SlowGauge>();
  private gaugeReadMs: { set(key: string, ms: number): void } | null = null;
  /** @internal */
  readonly ctx: StatContext;

  constructor(options: RegistryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.keyLimit = options.keyLimit ?? DEFAULT_KEY_LIMIT;
    if (!(Number.isInteger(this.keyLimit) && this.keyLimit > 0))
      throw new RangeError(`Registry: keyLimit must be a positive integer, not ${options.keyLimit}`);
    this.strict = options.strict ?? false;
    this.onError = options.onError ?? ((e) => this.warnOnce(e));
    this.gaugeBudgetMs = options.gaugeBudgetMs ?? DEFAULT_GAUGE_BUDGET_MS;
    if (!(typeof this.gaugeBudgetMs === 'number' && this.gaugeBudgetMs >= 0 && Number.isFinite(this.gaugeBudgetMs))) {
      throw new RangeError(`Registry: gaugeBudgetMs must be a finite number of milliseconds >= 0, not ${String(options.gaugeBudgetMs)}`);
    }
    const self = this;
    this.ctx = {
      clock: this.clock,
      keyLimit: this.keyLimit,
      reject: (cell, value, reason) => self.reject(cell, value, reason),
      overflow: (cell) => self.overflow(cell),
    };
  }

  // ---- declaring stats ------------------------------------------------------------------

  /**
   * Declares stats at `path` and returns an object whose properties are the stats.
   * @example
   * const STATS = registry.collection('/web', scales.intStat('errors'), scales.pmfStat('latency'));
   */
  collection<const D extends readonly AnyDef[]>(path: string, ...defs: D): Stats<D> {
    return this.bindStats(this.root.descend(parsePath(path)), defs);
  }

  /**
   * Gives `owner` (usually `this` in a constructor) a container at `path` with the given stats,
   * and returns its stats object. Children created with {@link initChild} go under it.
   */
  init<const D extends readonly AnyDef[]>(owner: Owner, path: string, ...defs: D): Stats<D> {
    this.checkOwner(owner, 'init');
    const c = this.root.descend(parsePath(path));
    this.owners.set(owner, c);
    return this.bindStats(c, defs);
  }

  /**
   * Gives `owner` a container called `name` under `parent`'s container (`parent` being an
   * object passed to `init`/`initChild`, or a stats object). A name with '/' makes several
   * levels. Stats of the child feed the parent's aggregations of the same name.
   */
  initChild<const D extends readonly AnyDef[]>(owner: Owner, parent: Owner, name: string, ...defs: D): Stats<D> {
    this.checkOwner(owner, 'initChild');
    const segments = parsePath(name);
    if (segments.length === 0) throw new InvalidNameError(`initChild: child name ${JSON.stringify(name)} is empty`);
    const c = this.containerOf(parent, 'initChild').descend(segments);
    this.owners.set(owner, c);
    return this.bindStats(c, defs);
  }

  /**
   * Like {@link initChild} with an auto-numbered level: `typeName/1`, `typeName/2`, ...
   * (numbered per registry and type name, like Python's `initChildOfType`).
   */
  initChildOfType<const D extends readonly AnyDef[]>(owner: Owner, parent: Owner, typeName: string, ...defs: D): Stats<D> {
    validateName(typeName, 'container');
    const counters = this.root.typeCounters;
    const n = (counters.get(typeName) ?? 0) + 1;
    counters.set(typeName, n);
    return this.initChild(owner, parent, `${typeName}/${n}`, ...defs);
  }

  /** Adds stats to the container of an object already given one by `init`/`initChild`. */
  addStats<const D extends readonly AnyDef[]>(owner: Owner, ...defs: D): Stats<D> {
    return this.bindStats(this.containerOf(owner, 'addStats'), defs);
  }

  /** The path of the container of `owner` (an object given to init/initChild, or a stats object). */
  pathOf(owner: Owner): string {
    return this.containerOf(owner, 'pathOf').path;
  }

  /**
   * Collapses (or expands) a container: collapsed containers are left out of JSON (`getStats`,
   * `?format=json`, dumps) and shown as links in HTML; Prometheus and Graphite send them. `target` is a path or an owner/stats object.
   */
  setCollapsed(target: string | Owner, collapsed = true): void {
    const c = typeof target === 'string' ? this.root.descend(parsePath(target)) : this.containerOf(target, 'setCollapsed');
    c.collapsed = collapsed;
    if (collapsed) this.collapsedSome = true;
  }

  /** False until a container is first collapsed: renderings then ask nothing of the tree. */
  private collapsedSome = false;

  /**
   * Takes a container (a path, or an owner/stats object) and everything below it out of the
   * tree. Histogram aggregations above forget the removed stats' values; sum aggregations keep
   * what the removed stats contributed (totals never go backwards).
   */
  remove(target: string | Owner): boolean {
    const c = typeof target === 'string' ? this.root.find(parsePath(target)) : this.owners.get(target);
    if (c === undefined || c.parent === null || c.detached) return false;
    for (const d of c.walk()) {
      for (const cell of d.stats.values()) {
        if (!this.prometheusRefused.has(cell)) this.prometheusNames.release(cell.path);
        const up = cell.up;
        if (up === null || c.isAncestorOf(up.container)) continue;
        if (up.forgetsRemoved) cell.linkUp(null);
        else cell.up = null;
      }
      d.detached = true;
    }
    c.parent.children.delete(c.name);
    return true;
  }

  /**
   * Starts every stat at or below `path` (default the whole tree) again from its initial value,
   * keeping the declarations and the stats objects: counters and sums to 0, dicts emptied,
   * distributions, meters and state times started afresh (a state time keeps its current
   * state). Aggregations above follow. For values per interval, e.g. after each report.
   * Returns false when no container is at `path`.
   */
  clear(path = '/'): boolean {
    const c = this.root.find(parsePath(path));
    if (c === undefined) return false;
    const containers = [...c.walk()];
    for (const d of containers) for (const cell of d.stats.values()) if (!cell.aggregates) cell.clear();
    // Then what removed children left in aggregations, deepest first, so each clear moves only
    // its own remainder up the tree.
    for (const d of containers.reverse()) for (const cell of d.stats.values()) if (cell.aggregates) cell.clear();
    return true;
  }

  /** Clears the whole tree (for tests). Existing stats objects keep working, detached. */
  reset(): void {
    for (const c of this.root.walk()) c.detached = true;
    this.root = new Container('', null);
    this.owners = new WeakMap();
    this.selfStats = null;
    this.prometheusNames.clear();
    this.prometheusRefused = new WeakSet();
    this.gaugeReadMs = null;
    this.slowGauges = new WeakMap();
    this.warned.clear();
  }

  // ---- reading --------------------------------------------------------------------------

  /**
   * A plain JSON snapshot of the tree at `path` (default the root): gauges evaluated, a gauge
   * that throws shown as `{ error: message }`, collapsed containers left out (but for the one
   * asked for). `undefined` when no container is at `path`.
   */
  getStats(path = '/', options: SnapshotOptions = {}): JsonObject | undefined {
    // The JSON of the snapshot (one model); collapsed containers are not even read.
    const c = this.root.find(parsePath(path));
    return c === undefined ? undefined : snapshotJson(runToEnd(this.snapshotOf(c, options, true)));
  }

  /**
   * Whether the container at `path` is collapsed ({@link setCollapsed}): a display choice that
   * JSON and HTML renderings take as their `collapsed` option (`collapsed: registry.isCollapsed`).
   */
  readonly isCollapsed = (path: string): boolean => {
    return this.collapsedSome && this.root.find(parsePath(path))?.collapsed === true;
  };

  /**
   * A typed snapshot of the tree at `path` (kinds included), for renderers and exporters:
   * every container below it (collapsing is a render option), but those `options.skip` names.
   */
  snapshot(path = '/', options: SnapshotOptions = {}): SnapshotNode | undefined {
    const c = this.root.find(parsePath(path));
    if (c === undefined) return undefined;
    return runToEnd(this.snapshotOf(c, options, false));
  }

  /**
   * Like {@link snapshot}, but yields to the event loop whenever it has worked for
   * a few ms, so that a huge tree never stalls the host application.
   */
  async snapshotAsync(path = '/', options: SnapshotOptions = {}): Promise<SnapshotNode | undefined> {
    const c = this.root.find(parsePath(path));
    if (c === undefined) return undefined;
    return runSliced(this.snapshotOf(c, options, false));
  }

  /** The snapshot of `c`, in steps; `omitCollapsed`: collapsed containers below are left out (JSON). */
  private *snapshotOf(c: Container, options: SnapshotOptions, omitCollapsed: boolean): Generator<void, SnapshotNode> {
    const stats: SnapshotStat[] = [];
    const children: SnapshotNode[] = [];
    const node: SnapshotNode = { name: c.name, path: c.path, stats, children };
    const skip = options.skip;
    let n = 0;
    for (const cell of [...c.stats.values()]) {
      const r = this.read(cell, options);
      // The one place a snapshot stat is made: a cell's kind is a catalogue name, its read() that kind's value.
      const s: { name: string; kind: string; value: JsonValue; error?: string; nonFinite?: true; description?: StatDescription } =
        r.error !== undefined
          ? { name: cell.name, kind: cell.kind, value: null, error: r.error }
          : r.nonFinite
            ? { name: cell.name, kind: cell.kind, value: r.value, nonFinite: true }
            : { name: cell.name, kind: cell.kind, value: r.value };
      if (cell.description !== undefined) s.description = cell.description;
      if (this.prometheusRefused.has(cell)) (s as { prometheusRefused?: true }).prometheusRefused = true;
      stats.push(s as SnapshotStat);
      // A chance to yield every 32 cheap stats, and after each expensive one (percentile summaries).
      if (++n % 32 === 0 || cell.costly) yield;
    }
    for (const child of [...c.children.values()]) {
      if ((omitCollapsed && child.collapsed) || skip?.(child.path)) continue;
      children.push(yield* this.snapshotOf(child, options, omitCollapsed));
    }
    yield;
    return node;
  }

  // ---- reading one stat -----------------------------------------------------------------

  /** Reads one stat; never throws (whatever a gauge throws becomes the reading's error). */
  private read(cell: StatCell, options: SnapshotOptions): Reading {
    if (cell instanceof ValueCell) return this.readValue(cell, options);
    try {
      return { value: cell.read(options) };
    } catch (e) {
      return { value: null, error: describeThrown(e) };
    }
  }

  /** A `stat()`: its gauge function called once (and timed), its value typed. */
  private readValue(cell: ValueCell, options: SnapshotOptions): Reading {
    let raw: unknown;
    if (typeof cell.value === 'function') {
      const slow = this.slowGauges.get(cell);
      if (slow !== undefined && options.background === true && slow.skipLeft > 0) {
        slow.skipLeft--;
        return { value: null, error: `not read in the background: this gauge took ${slow.ms} ms, over the ${this.gaugeBudgetMs} ms budget` };
      }
      const gauge = cell.value as () => unknown;
      const start = this.clock.now();
      try {
        raw = gauge();
      } catch (e) {
        return { value: null, error: describeThrown(e) };
      } finally {
        this.timeGauge(cell, this.clock.now() - start);
      }
    } else raw = cell.value;
    try {
      const value = toJson(raw);
      return typeof raw === 'number' && !Number.isFinite(raw) ? { value, nonFinite: true } : { value };
    } catch (e) {
      // A value that cannot be walked (a revoked Proxy, a throwing getter).
      return { value: null, error: describeThrown(e) };
    }
  }

  /** Reports a gauge over the budget (and one that is fast again) under /scales/gaugeReadMs. */
  private timeGauge(cell: StatCell, ms: number): void {
    const over = ms > this.gaugeBudgetMs;
    if (!over && !this.slowGauges.has(cell)) return;
    const rounded = Math.ceil(ms);
    if (over) {
      // Slow (again): skip the next background reads, twice as many as last time (capped).
      const prev = this.slowGauges.get(cell);
      const backoff = prev === undefined ? 1 : Math.min(prev.backoff * 2, MAX_SLOW_GAUGE_SKIPS);
      this.slowGauges.set(cell, { ms: rounded, skipLeft: backoff, backoff });
    } else this.slowGauges.delete(cell);
    try {
      if (this.gaugeReadMs === null) {
        const s = this.collection('/scales', intDictStat('gaugeReadMs', { keyLimit: SELF_KEY_LIMIT, gauge: true }));
        this.gaugeReadMs = s.$.gaugeReadMs;
      }
      this.gaugeReadMs.set(cell.path, rounded);
    } catch {
      // The application declared something else at /scales/gaugeReadMs: the warning still tells.
    }
    if (over) {
      this.warnOnceAs(
        `slow-gauge ${cell.path}`,
        `scales-metrics: the gauge ${cell.path} took ${rounded} ms to read, over the ${this.gaugeBudgetMs} ms budget (gaugeBudgetMs); background reads (sparkline history, periodic Graphite pushes and dumps) skip it and retry it after a back-off that doubles (up to ${MAX_SLOW_GAUGE_SKIPS} reads) while it stays slow`,
        'SCALES_SLOW_GAUGE',
      );
    }
  }

  // ---- internals ------------------------------------------------------------------------

  private checkOwner(owner: unknown, fn: string): void {
    if (owner === null || (typeof owner !== 'object' && typeof owner !== 'function')) {
      throw new TypeError(`${fn}: the owner must be an object (usually \`this\`), not ${describeValue(owner)}`);
    }
  }

  private containerOf(owner: Owner, fn: string): Container {
    this.checkOwner(owner, fn);
    const c = this.owners.get(owner);
    if (c === undefined) {
      throw new TypeError(`${fn}: ${describeValue(owner)} has no stats container in this registry; give it one with init() or initChild() first`);
    }
    return c;
  }

  private bindStats<D extends readonly AnyDef[]>(c: Container, defs: D): Stats<D> {
    const target: Record<string, unknown> = {};
    const handles: Record<string, unknown> = {};
    for (const d of defs) {
      if (d === null || typeof d !== 'object' || typeof d.create !== 'function') {
        throw new TypeError(`stats for ${c.path}: expected stat declarations such as scales.intStat('name'), got ${describeValue(d)}`);
      }
      if (Object.hasOwn(target, d.name)) throw new TypeError(`stats for ${c.path}: stat "${d.name}" is declared twice`);
      this.declare(c, d).bind(target, handles);
    }
    Object.defineProperty(target, '$', { value: Object.freeze(handles), enumerable: false });
    this.owners.set(target, c);
    return target as Stats<D>;
  }

  private declare(c: Container, d: AnyDef): StatCell {
    validateName(d.name, 'stat', c.path);
    const existing = c.stats.get(d.name);
    if (existing !== undefined) {
      if (existing.kind !== d.kind) throw new TypeError(`stat "${d.name}" in ${c.path} is already declared as ${existing.kind}, not ${d.kind}`);
      const had = existing.description?.labels ?? [];
      const has = d.description?.labels ?? [];
      if (had.length !== has.length || had.some((l, i) => l !== has[i])) {
        throw new TypeError(`stat "${d.name}" in ${c.path} is already declared with labels [${had.join(', ')}], not [${has.join(', ')}]`);
      }
      if ((existing.description?.gauge === true) !== (d.description?.gauge === true)) {
        const was = existing.description?.gauge === true ? 'a gauge ({ gauge: true })' : 'a counter';
        throw new TypeError(`stat "${d.name}" in ${c.path} is already declared as ${was}; declare it the same way again`);
      }
      return existing;
    }
    if (c.children.has(d.name)) throw new TypeError(`cannot declare stat "${d.name}" in ${c.path}: a container of that name exists there`);
    // Stable Prometheus names: a stat whose name (or one of its series' names) another stat
    // holds is refused, thrown in strict mode, else counted, reported and left out of Prometheus.
    const named = c.detached ? undefined : this.prometheusNames.claim((c.path === '/' ? '' : c.path) + '/' + d.name, d.description);
    if (named instanceof Error && this.strict) throw named;
    const cell = d.create(c, this.ctx);
    cell.description = d.description;
    c.stats.set(d.name, cell);
    if (named instanceof Error) this.refuseName(cell, named);
    // A stat declared in a removed container (a late callback of a removed owner) works, but
    // reports to no aggregation of the live tree, which could never forget it.
    if (c.detached) return cell;
    cell.linkUp(this.aggregatorFor(c.parent, cell));
    if (cell.aggregates) {
      // Descendants declared before this aggregation now report to it (if it is their nearest).
      for (const below of c.walk()) {
        if (below === c) continue;
        const s = below.stats.get(d.name);
        if (s !== undefined) s.linkUp(this.aggregatorFor(below.parent, s));
      }
    }
    return cell;
  }

  private aggregatorFor(start: Container | null, cell: StatCell): (StatCell & Aggregator) | null {
    for (let c = start; c !== null; c = c.parent) {
      const s = c.stats.get(cell.name);
      if (s?.aggregates && cell.feeds(s.kind, s)) {
        // A counter's sum only goes up: a stat that may go down cannot feed it.
        if (s.counter && !cell.counter) {
          throw new TypeError(
            `stat "${cell.name}" in ${cell.container.path} may go down (a gauge) but the sum aggregation ${s.path} is a counter: declare the aggregation with { gauge: true }`,
          );
        }
        return s as StatCell & Aggregator;
      }
    }
    return null;
  }

  private reject(cell: StatCell, value: unknown, reason: string): void {
    const error = new RangeError(`scales-metrics: rejected a write to ${cell.path}: ${describeValue(value)} is ${reason}`);
    if (this.strict) throw error;
    try {
      const self = this.self();
      if (!self.cells.has(cell)) (self.rejected.$ as { rejected: { inc(k: string): void } }).rejected.inc(cell.path);
      this.onError(error);
    } catch {
      // Neither a failing error reporter nor an application stat in the way at /scales/rejected
      // may turn a dropped write into a crash.
    }
  }

  /** Counts and reports a declaration whose Prometheus name was refused (see declare()). */
  private refuseName(cell: StatCell, error: Error): void {
    this.prometheusRefused.add(cell);
    try {
      const self = this.self();
      (self.rejected.$ as { rejected: { inc(k: string): void } }).rejected.inc(cell.path);
      this.onError(error);
    } catch {
      // A failing error reporter must not turn a refused name into a crash.
    }
  }

  private overflow(cell: StatCell): void {
    try {
      const self = this.self();
      if (!self.cells.has(cell)) (self.overflow.$ as { overflow: { inc(k: string): void } }).overflow.inc(cell.path);
    } catch {
      // The application declared something else at /scales/overflow: counting is lost, the
      // write it came from is not.
    }
  }

  private self(): { rejected: StatsLike; overflow: StatsLike; cells: Set<StatCell> } {
    if (this.selfStats === null) {
      const s = this.collection(
        '/scales',
        intDictStat('rejected', { keyLimit: SELF_KEY_LIMIT }),
        intDictStat('overflow', { keyLimit: SELF_KEY_LIMIT }),
      );
      const c = this.root.find(['scales'])!;
      this.selfStats = { rejected: s, overflow: s, cells: new Set([c.stats.get('rejected')!, c.stats.get('overflow')!]) };
    }
    return this.selfStats;
  }

  private warnOnce(error: Error): void {
    this.warnOnceAs(error.message, error.message, 'SCALES_REJECTED_WRITE');
  }

  private warnOnceAs(key: string, message: string, code: string): void {
    if (this.warned.has(key) || this.warned.size >= MAX_WARNED) return;
    this.warned.add(key);
    process.emitWarning(message, { code });
  }
}
