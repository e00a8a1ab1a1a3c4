/**
 * Prometheus text exposition 0.0.4 and OpenMetrics 1.0 rendering of a snapshot (the protobuf
 * exposition, prometheus-protobuf.ts, shares the names and families made here).
 *
 * Mapping (documented in docs/prometheus.md):
 * - names: each stat's family name comes from its path and declaration (core/prometheus-name.ts:
 *   snake_case, `_seconds`/`_bytes`/`_ratio` for the declared unit, values converted to seconds,
 *   `prometheusName` as is); `# HELP` is the declared help, else the path;
 * - each kind's samples decide the family: counters → `name_total`; gauges (booleans 0/1, a number
 *   NaN or ±Infinity flagged `nonFinite` as `NaN`/`+Inf`/`-Inf`); strings (also "NaN") → info
 *   (`name_info{value="..."} 1`); keyed stats carry their labels (`key` when unnamed);
 * - pmf, namedPmfDict → histogram when the snapshot carries lifetime buckets (taken with
 *   `{ histograms: true }`): classic `_bucket{le}` lines derived from them, `_sum`, `_count`; else
 *   (or declared `{ summary: true }`) a summary: `quantile` 0.5 … 0.999 of the recent window
 *   (`NaN` when it is empty), `_sum` and `_count` over the lifetime;
 * - meter → counter `name_total` and gauge `name_rate{window}` (events per second);
 * - stats whose reading failed, or whose name the registry refused, are left out; collapsed
 *   containers are included.
 *
 * Two stats never share a name: the registry refuses the second at declaration; a snapshot made
 * elsewhere that holds two families of one name gets the first in tree order, never a renamed
 * copy. Label values are UTF-8, which cannot carry a lone UTF-16 surrogate (`'\uD800'`): a key or
 * value holding one is written JSON-escaped (`\ud800`, a backslash doubled, reversible with
 * `JSON.parse`) and its series gets the label `escaped="key"` (the escaped labels' names), so
 * two keys never become one series.
 */
import { type Labels as SampleLabels, type Sample, unhandled } from '../core/samples.js';
import type { StatDescription } from '../core/description.js';
import { exportScale, metricName, prometheusFamilyName, SERIES_SUFFIXES } from '../core/prometheus-name.js';
import type { HistogramBuckets } from '../core/snapshot.js';
import { kindOf, type SnapshotNode, type SnapshotStat, seriesFamily } from '../registry/snapshot.js';
import { indexAt, ZERO_THRESHOLD } from '../sampling/exponential-index.js';

/** Content type of the Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Options of {@link renderPrometheus} and {@link prometheusChunks}. */
export interface PrometheusRenderOptions {
  /** Render OpenMetrics 1.0 instead of the text format 0.0.4. */
  openMetrics?: boolean;
}

/**
 * Whether an `Accept` header asks for OpenMetrics (as Prometheus does by default): true when
 * it lists `application/openmetrics-text` without `q=0`.
 */
export function wantsOpenMetrics(accept: string | null | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    const version = params.find((p) => p.startsWith('version='));
    if (version && !version.slice(8).startsWith('1.')) continue;
    return true;
  }
  return false;
}

export { metricName };

const LABEL_BAD = /[\\"\n]/;
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(v: string): string {
  return LABEL_BAD.test(v) ? v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c)) : v;
}

/** Any character that may need escaping in a help text or label value (no /u flag: faster than \p{Cs}). */
const MAY_NEED_ESCAPE = /[\\"\n\uD800-\uDFFF]/;

function escapeHelp(v: string, openMetrics: boolean): string {
  if (!MAY_NEED_ESCAPE.test(v)) return v; // the common case: a plain path
  // A lone surrogate as its code (UTF-8 would make it U+FFFD); the backslash is escaped below.
  if (LONE_SURROGATE.test(v)) v = v.replace(LONE_SURROGATES, (c) => '\\u' + c.charCodeAt(0).toString(16));
  if (!LABEL_BAD.test(v)) return v;
  return v.replace(openMetrics ? /[\\"\n]/g : /[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

/** Formats a sample value: `NaN`, `+Inf`, `-Inf`, or the shortest round-trip decimal. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Rendered, escaped labels: `key="a",window="m1"`, or '' for none. */
type Labels = string;

/**
 * Rendered labels of `[name, value]` pairs. A value with a lone surrogate is written as its
 * JSON escape and named in an added `escaped` label: an escaped value can then never equal
 * another key's plain value (the JSON escape alone could: `'\uD800'` and the six characters
 * `\uD800`), and distinct escaped values stay distinct.
 */
function labels(pairs: SampleLabels): Labels {
  let out = '';
  let escaped = '';
  for (let i = 0; i < pairs.length; i++) {
    const name = pairs[i][0];
    let v = pairs[i][1];
    if (MAY_NEED_ESCAPE.test(v)) {
      if (LONE_SURROGATE.test(v)) {
        v = JSON.stringify(v).slice(1, -1);
        escaped = escaped === '' ? name : escaped + ',' + name;
      }
      v = escapeLabelValue(v);
    }
    out = i === 0 ? name + '="' + v + '"' : out + ',' + name + '="' + v + '"';
  }
  return escaped === '' ? out : out + ',escaped="' + escaped + '"';
}

/** The suffixes of each family's series (a family claims all of its names). (not part of the public API) */
export const SUFFIXES = {
  gauge: [''],
  info: ['', '_info'],
  summary: ['', '_sum', '_count', '_created'],
  histogram: ['', '_sum', '_count', '_created', '_bucket'],
  counter: ['', '_total', '_created', '_rate'],
} as const;

/** Rendered labels of a sample: `key="a",window="m1"` (lone surrogates escaped, see {@link labels}). */
function labelsOf(pairs: SampleLabels): Labels {
  return pairs.length === 0 ? '' : labels(pairs);
}

/** `quantile="0.5"} `: the end of a quantile line's labels, up to its value. */
const QUANTILE_ENDS = new Map<number, string>();
function quantileEnd(q: number): string {
  let l = QUANTILE_ENDS.get(q);
  if (l === undefined) {
    l = 'quantile="' + q + '"} ';
    if (QUANTILE_ENDS.size < 100) QUANTILE_ENDS.set(q, l);
  }
  return l;
}

/** Default upper bounds of classic buckets of a duration, in seconds (prom-client's defaults). */
export const DEFAULT_BUCKETS_SECONDS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/**
 * Cumulative counts of classic buckets derived from native buckets: for each bound (in the
 * buckets' unit, increasing), the values at or below it. The bucket holding the bound counts
 * as below it (a value exactly at the bound is counted, as `le` says; values in the rest of that
 * bucket, within the sketch's relative error above the bound, too).
 */
export function classicCounts(h: HistogramBuckets, bounds: readonly number[]): number[] {
  const out = new Array<number>(bounds.length);
  const { schema } = h;
  const pi = h.positive.indexes;
  const pc = h.positive.counts;
  const ni = h.negative.indexes;
  const nc = h.negative.counts;
  let negTotal = 0;
  for (let k = 0; k < nc.length; k++) negTotal += nc[k];
  // Walk the bounds upwards; negative buckets from the largest index (most negative) down.
  let n = ni.length - 1;
  let negBelow = 0;
  let p = 0;
  let posBelow = 0;
  for (let b = 0; b < bounds.length; b++) {
    const bound = bounds[b];
    if (bound < -ZERO_THRESHOLD) {
      // negative bucket j holds [-base^j, -base^(j-1)): counted when j >= index of |bound|
      const j = indexAt(-bound, schema);
      while (n >= 0 && ni[n] >= j) negBelow += nc[n--];
      out[b] = negBelow;
    } else if (bound <= ZERO_THRESHOLD) {
      out[b] = negTotal + (bound >= 0 ? h.zeroCount : 0);
    } else {
      const i = indexAt(bound, schema);
      while (p < pi.length && pi[p] <= i) posBelow += pc[p++];
      out[b] = negTotal + h.zeroCount + posBelow;
    }
  }
  return out;
}

/**
 * A stat's metric names as they are when no other family took its name (the usual case), kept
 * across renders: the name and path strings are then built, sanitized and hashed once, not per
 * scrape.
 */
export class StatNames {
  /** `base` + each suffix of {@link suffixes} (the family's names). */
  private names: readonly string[] = [];
  private suffixes: readonly string[] | undefined;
  /** The family name (see core/prometheus-name.ts). */
  readonly base: string;
  /** The help text: the declared help, else the path. */
  readonly help: string;
  /** Values are multiplied by this on export (a time unit to seconds). */
  readonly scale: number;

  /**
   * True when another cached stat's names meet this one's (only a snapshot made elsewhere, a
   * merged dump, can hold such: a registry refuses them); only then is each render checked.
   */
  shared = false;
  /** The other cached stats whose names meet this one's. */
  peers: StatNames[] | null = null;
  /** The render ({@link NameClaims.id}) that last wrote this stat's family, and with which suffixes. */
  writtenIn = 0;
  writtenSuffixes: readonly string[] = [];
  /** Rendered family headers (`# HELP ...\n# TYPE ...\n`), kept while name, type and help stay the same. */
  private headers: Array<{ name: string; type: string; help: string; om: boolean; then: string; text: string }> = [];

  constructor(
    /** The stat's path. */
    readonly path: string,
    /** What its declaration said (the names are kept while it stays the same object). */
    readonly description: StatDescription | undefined,
  ) {
    this.base = prometheusFamilyName(path, description);
    this.help = description?.help ?? path;
    this.scale = exportScale(description);
  }

  /** `le="..."} ` label ends of the classic buckets, and the bounds (in the values' unit) they were made for. */
  private les: string[] = [];
  private lesFor: readonly number[] | undefined;
  private lesScale = 1;

  /**
   * The `le` label ends (`le="0.005"} `) of classic buckets: one per bound, then `+Inf`. Kept
   * while the bounds stay the same (they are declared: the usual case).
   */
  leEnds(bounds: readonly number[], scale: number): readonly string[] {
    const last = this.lesFor;
    if (last === bounds && scale === this.lesScale) return this.les;
    if (last !== undefined && scale === this.lesScale && sameNumbers(last, bounds)) {
      this.lesFor = bounds;
      return this.les;
    }
    this.les = bounds.map((b) => 'le="' + formatSampleValue(scaled(b, scale)) + '"} ');
    this.les.push('le="+Inf"} ');
    this.lesFor = bounds;
    this.lesScale = scale;
    this.bucketStarts = [];
    return this.les;
  }

  /** `name_bucket{le="..."} ` of each bound of the last {@link leEnds}: the start of an unlabelled bucket line. */
  private bucketStarts: string[] = [];
  private bucketStartsName = '';

  /** The unlabelled bucket lines' starts (`name_bucket{le="0.005"} `), for the bounds of the last {@link leEnds} call. */
  bucketLineStarts(bucketName: string): readonly string[] {
    if (this.bucketStarts.length === 0 || bucketName !== this.bucketStartsName) {
      this.bucketStarts = this.les.map((l) => flat(bucketName + '{' + l));
      this.bucketStartsName = bucketName;
    }
    return this.bucketStarts;
  }

  /** The protobuf exposition's name, help and type fields of this stat's gauge family, encoded (see prometheus-protobuf.ts). */
  protoHead: Uint8Array | null = null;
  protoHeadName = '';
  protoHeadHelp = '';

  /** The last family of one unlabelled line rendered, and what it was made of. */
  private lastValue = Number.NaN;
  private lastFamily = '';
  private lastName = '';
  private lastOm = false;
  private lastType = '';

  /**
   * A family of one unlabelled sample, header included, as one string, when its value is the
   * same as in the previous render (most of a big tree does not change between two scrapes):
   * such a family then costs one comparison and no formatting. undefined when the value changed:
   * the caller writes it piece by piece (a string kept for a value seen once would only be
   * garbage that the long-lived names object pins to the young heap).
   */
  scalarFamily(headerName: string, lineName: string, type: string, help: string, om: boolean, value: number): string | undefined {
    if (value !== this.lastValue || lineName !== this.lastName || om !== this.lastOm || type !== this.lastType) {
      this.lastValue = value;
      this.lastName = lineName;
      this.lastOm = om;
      this.lastType = type;
      this.lastFamily = '';
      return undefined;
    }
    // flat: joined into every scrape from now on
    if (this.lastFamily === '') this.lastFamily = flat(this.scalarText(headerName, lineName, type, help, om, value));
    return this.lastFamily;
  }

  /** A family of one unlabelled sample: header, `name value`. */
  scalarText(headerName: string, lineName: string, type: string, help: string, om: boolean, value: number): string {
    return this.header(headerName, type, help, om, this.lead(lineName)) + formatSampleValue(value) + '\n';
  }

  private leadName = '';
  private leadText = '';

  /** `name + ' '`, kept. */
  lead(name: string): string {
    if (name !== this.leadName) {
      this.leadName = name;
      this.leadText = name + ' ';
    }
    return this.leadText;
  }

  /** The `# HELP` and `# TYPE` lines of a family of this stat (built once, then kept). */
  header(name: string, type: string, help: string, om: boolean, then = ''): string {
    const hs = this.headers;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i];
      if (h.name === name && h.type === type && h.help === help && h.om === om && h.then === then) return h.text;
    }
    const hl = '# HELP ' + name + ' ' + escapeHelp(help, om) + '\n';
    const tl = '# TYPE ' + name + ' ' + type + '\n';
    // One flat string (not a rope of the pieces): it is joined into every scrape.
    const text = flat((om ? tl + hl : hl + tl) + then);
    if (hs.length < 4) hs.push({ name, type, help, om, then, text });
    return text;
  }

  /** The family's names for `suffixes` when it gets `base`. */
  namesFor(suffixes: readonly string[]): readonly string[] {
    if (suffixes !== this.suffixes) {
      // A counter named `x_total` (a prometheusName kept from prom-client) writes `x_total`.
      const base = suffixes === SUFFIXES.counter && this.base.endsWith('_total') ? this.base.slice(0, -6) : this.base;
      this.names = suffixes.map((x) => base + x);
      this.suffixes = suffixes;
    }
    return this.names;
  }
}

/** A string as one flat sequence of characters (V8 keeps a concatenation as a tree until it is read). */
function flat(s: string): string {
  Number(s); // reading it flattens it in place
  return s;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `v * scale` without the float noise of the multiplication (`0.001 * 3` is 0.003, not 0.0030000000000000005). */
export function scaled(v: number, scale: number): number {
  return scale === 1 ? v : Number((v * scale).toPrecision(15));
}

/** Whether the distribution samples carry lifetime buckets (then the family is a histogram). */
export function hasHistogram(samples: readonly Sample[]): boolean {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s.type === 'distribution' && s.figure === 'count' && s.scope === 'lifetime') return s.histogram !== undefined;
  }
  return false;
}

/** Default classic bounds per scale (seconds per unit of the values): prom-client's, converted. */
const DEFAULT_BOUNDS = new Map<number, readonly number[]>([[1, DEFAULT_BUCKETS_SECONDS]]);

/** The default classic bounds in the values' unit (`scale` seconds each). */
export function defaultBounds(scale: number): readonly number[] {
  let b = DEFAULT_BOUNDS.get(scale);
  if (b === undefined) {
    b = DEFAULT_BUCKETS_SECONDS.map((x) => scaled(x, 1 / scale));
    if (DEFAULT_BOUNDS.size < 16) DEFAULT_BOUNDS.set(scale, b);
  }
  return b;
}

/** Most stats whose names are kept across renders (about 260 bytes each); past it the cache starts over, so memory stays bounded. */
const MAX_CACHED_STATS = 50_000;
/** Per container path, per stat name (both strings are the registry's own, so hashing them is free). */
const cachedNames = new Map<string, Map<string, StatNames>>();
let cachedCount = 0;
/** The cached stats by family name (see {@link StatNames.shared}). */
const byBase = new Map<string, StatNames>();
/** Renders so far (each {@link NameClaims} has its own id). */
let renders = 0;

/** Starts the cache over when it holds too many stats: at the start of a render only, never during one. */
function trimCache(): void {
  if (cachedCount <= MAX_CACHED_STATS && cachedNames.size <= MAX_CACHED_STATS) return;
  cachedNames.clear();
  byBase.clear();
  cachedCount = 0;
}

/** The names of the stats of the container at `path`, cached across renders. */
function namesIn(path: string): Map<string, StatNames> {
  let m = cachedNames.get(path);
  if (m === undefined) {
    m = new Map();
    cachedNames.set(path, m);
  }
  return m;
}

function rememberNames(m: Map<string, StatNames>, name: string, n: StatNames): void {
  cachedCount++;
  const old = m.get(name);
  m.set(name, n);
  // A stat declared again (another description): the old names are not another stat's.
  if (old !== undefined && byBase.get(old.base) === old) byBase.delete(old.base);
  // Two families' series names meet only when their names are equal, or when one's name is the
  // other's plus a suffix: no suffix ends another, so base1 + s1 = base2 + s2 needs s1 = s2 or
  // one of them empty. One map entry per stat, a few lookups.
  const b = n.base;
  meet(n, byBase.get(b));
  for (let i = 1; i < SERIES_SUFFIXES.length; i++) {
    const x = SERIES_SUFFIXES[i];
    meet(n, byBase.get(b + x));
    if (b.endsWith(x)) meet(n, byBase.get(b.slice(0, -x.length)));
  }
  if (!byBase.has(b)) byBase.set(b, n);
}

/** Marks two stats whose names meet (each render then checks them; see {@link NameClaims.claim}). */
function meet(n: StatNames, other: StatNames | undefined): void {
  if (other === undefined || other === n) return;
  other.shared = true;
  n.shared = true;
  if (!(other.peers ??= []).includes(n)) other.peers.push(n);
  if (!(n.peers ??= []).includes(other)) n.peers.push(other);
}

/** Families gathered before a chunk is handed over. */
const CHUNK_FAMILIES = 64;

/** The family names taken so far in one rendering. (not part of the public API) */
export class NameClaims {
  private readonly used = new Set<string>();
  /** This render's number. */
  readonly id = ++renders;

  constructor() {
    trimCache();
  }

  /**
   * The family's names (the name, then the name + each suffix), claimed; null when one of them
   * is taken by a family written before: the family is then left out, never renamed. (A
   * registry refuses such declarations, see core/prometheus-name.ts: only a snapshot made
   * elsewhere, a merged dump, can hold two.)
   */
  claim(stat: StatNames, suffixes: readonly string[]): readonly string[] | null {
    const names = stat.namesFor(suffixes);
    if (!stat.shared) {
      // Names no other stat can write need no check (the usual case: names are refused at declaration).
      stat.writtenIn = this.id;
      stat.writtenSuffixes = suffixes;
      return names;
    }
    // Peers written before in this render without a check: their names count as taken.
    for (const p of stat.peers!) if (p.writtenIn === this.id) for (const x of p.namesFor(p.writtenSuffixes)) this.used.add(x);
    if (this.taken(names)) return null;
    for (let i = 0; i < names.length; i++) this.used.add(names[i]);
    stat.writtenIn = this.id;
    stat.writtenSuffixes = suffixes;
    return names;
  }

  /** Whether any of the family's names is taken (a loop, no closure: once per stat). */
  private taken(names: readonly string[]): boolean {
    for (let i = 0; i < names.length; i++) if (this.used.has(names[i])) return true;
    return false;
  }
}

/** What renders one stat at a time and hands its output over in pieces. (not part of the public API) */
export interface StatRenderer<T> {
  stat(names: StatNames, stat: SnapshotStat): void;
  /** Whether enough output is gathered to hand over a piece. */
  readonly full: boolean;
  /** The output gathered so far; starts over. */
  take(): T;
}

/**
 * Renders the families of one container tree, claiming their names as it goes, into one text
 * handed over per chunk by {@link Writer.take}; a family whose header depends on its samples
 * gets it (or is dropped, when empty) once its lines are written.
 */
class Writer implements StatRenderer<string> {
  private readonly names = new NameClaims();
  /** Whole families not yet taken, one string each (joined once per chunk). */
  readonly parts: string[] = [];
  /**
   * The lines of the family being written, appended piece by piece (a small rope that the join
   * copies once: fewer and larger parts than one part per token, no deep rope of the whole text).
   */
  private text = '';
  constructor(
    private readonly om: boolean,
    private readonly chunkFamilies = CHUNK_FAMILIES,
  ) {}

  get full(): boolean {
    return this.parts.length >= this.chunkFamilies;
  }

  /** The text gathered so far; starts over. */
  take(): string {
    const text = this.parts.join('');
    this.parts.length = 0;
    return text;
  }

  private claim(stat: StatNames, suffixes: readonly string[]): readonly string[] | null {
    return this.names.claim(stat, suffixes);
  }

  /** Starts a family whose header depends on its lines; see {@link close}. */
  private open(): void {
    this.text = '';
  }

  /** Ends the family started by `open()`: its header, then its lines (false: no lines, no family). */
  private close(stat: StatNames, name: string, type: string, help: string): boolean {
    if (this.text === '') return false;
    this.parts.push(stat.header(name, type, help, this.om) + this.text);
    this.text = '';
    return true;
  }

  /** One line: `name{labels} value`, the value multiplied by `scale` (a time unit to seconds). */
  private line(name: string, labels: Labels, value: number, scale = 1): void {
    if (scale !== 1) value *= scale;
    if (labels === '') this.text += name + ' ' + formatSampleValue(value) + '\n';
    else this.text += name + '{' + labels + '} ' + formatSampleValue(value) + '\n';
  }

  /** A gauge family: gauge, state and counter samples, one line each. */
  gauge(stat: StatNames, samples: readonly Sample[]): void {
    const names = this.claim(stat, SUFFIXES.gauge);
    if (names === null) return;
    const name = names[0];
    const scale = stat.scale;
    if (samples.length === 1) {
      // The usual scalar: header and `name ` as one kept string, then the value.
      const s = samples[0];
      if (s.labels !== null && s.labels.length === 0 && (s.type === 'gauge' || s.type === 'counter' || s.type === 'state')) {
        const v = scale === 1 ? s.value : s.value * scale;
        this.parts.push(stat.scalarFamily(name, name, 'gauge', stat.help, this.om, v) ?? stat.scalarText(name, name, 'gauge', stat.help, this.om, v));
        return;
      }
    }
    this.open();
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s.labels === null) continue;
      switch (s.type) {
        case 'gauge':
        case 'state':
        case 'counter':
          this.line(name, labelsOf(s.labels), s.value, scale);
          break;
        case 'quantile':
        case 'distribution':
        case 'info':
          break; // a gauge family has no place for them: kinds with them declare another family
        default:
          unhandled(s);
      }
    }
    this.close(stat, name, 'gauge', stat.help);
  }

  /** An info family: one `name_info{labels} 1` line per info sample. */
  info(stat: StatNames, samples: readonly Sample[]): void {
    const names = this.claim(stat, SUFFIXES.info);
    if (names === null) return;
    const name = names[0];
    const infoName = names[1];
    this.open();
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s.labels === null) continue;
      switch (s.type) {
        case 'info':
          this.line(infoName, labelsOf(s.labels), 1);
          break;
        case 'gauge':
        case 'state':
        case 'counter':
        case 'quantile':
        case 'distribution':
          break; // an info family holds text only
        default:
          unhandled(s);
      }
    }
    if (this.om) this.close(stat, name, 'info', stat.help);
    else this.close(stat, infoName, 'gauge', stat.help);
  }

  /**
   * A distribution family (pmf, namedPmfDict): a histogram when its entries carry lifetime
   * buckets (a snapshot taken with `{ histograms: true }`), classic `_bucket{le}` lines derived
   * from them; else a summary: quantile lines of the recent window. Then per entry `_sum` and
   * `_count` of its lifetime. Values are multiplied by `scale` (a pmf in ms exported in seconds).
   */
  distribution(stat: StatNames, samples: readonly Sample[], scale: number): void {
    const histogram = hasHistogram(samples);
    const names = this.claim(stat, histogram ? SUFFIXES.histogram : SUFFIXES.summary);
    if (names === null) return;
    const name = names[0];
    this.open();
    // The samples of one entry (a pmf, a dict key's pmf) come together: its quantile lines,
    // then its lifetime _sum and _count, entry after entry.
    let pairs: SampleLabels | undefined;
    let labels: Labels = '';
    let sum: number | undefined;
    let count: number | undefined;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s.labels === null) continue;
      switch (s.type) {
        case 'quantile':
        case 'distribution':
          if (s.labels !== pairs) {
            if (pairs !== undefined) this.entryEnd(names, labels, sum, count, scale);
            pairs = s.labels;
            labels = labelsOf(s.labels);
            sum = undefined;
            count = undefined;
          }
          if (s.type === 'quantile') {
            if (histogram) break;
            const v = formatSampleValue(s.value === null ? Number.NaN : s.value * scale);
            if (labels === '') this.text += name + '{' + quantileEnd(s.quantile) + v + '\n';
            else this.text += name + '{' + labels + ',' + quantileEnd(s.quantile) + v + '\n';
          } else if (s.scope === 'lifetime' && s.value !== null) {
            // the window's figures have no line in a summary or histogram
            if (s.figure === 'sum') sum = s.value;
            else if (s.figure === 'count') {
              count = s.value;
              if (histogram && s.histogram !== undefined) {
                this.buckets(stat, names[4], labels, s.histogram, scale);
                // _sum and _count of the same buckets, so that they agree with the +Inf bucket
                count = s.histogram.count;
                sum = s.histogram.sum;
              }
            }
          }
          break;
        case 'gauge':
        case 'state':
        case 'counter':
        case 'info':
          break; // not part of a summary or histogram
        default:
          unhandled(s);
      }
    }
    if (pairs !== undefined) this.entryEnd(names, labels, sum, count, scale);
    this.close(stat, name, histogram ? 'histogram' : 'summary', stat.help);
  }

  /** The classic `_bucket{le}` lines of one entry, derived from its native buckets. */
  private buckets(stat: StatNames, bucketName: string, labels: Labels, h: HistogramBuckets, scale: number): void {
    const bounds = h.bounds ?? defaultBounds(scale);
    const les = stat.leEnds(bounds, scale);
    const counts = classicCounts(h, bounds);
    let t = '';
    if (labels === '') {
      const starts = stat.bucketLineStarts(bucketName);
      for (let b = 0; b < counts.length; b++) t += starts[b] + counts[b] + '\n';
      this.text += t + starts[counts.length] + h.count + '\n';
      return;
    }
    const open = bucketName + '{' + labels + ',';
    for (let b = 0; b < counts.length; b++) t += open + les[b] + counts[b] + '\n';
    this.text += t + open + les[counts.length] + h.count + '\n';
  }

  /** The `_sum` and `_count` lines ending a summary's entry. */
  private entryEnd(names: readonly string[], labels: Labels, sum: number | undefined, count: number | undefined, scale: number): void {
    if (sum !== undefined) this.line(names[1], labels, sum * scale); // SUFFIXES.summary/histogram: _sum, _count
    if (count !== undefined) this.line(names[2], labels, count);
  }

  /** A counter family: `name_total` lines of the counter samples, then the gauges as `name_rate`. */
  counter(stat: StatNames, samples: readonly Sample[]): void {
    const names = this.claim(stat, SUFFIXES.counter);
    if (names === null) return;
    const help = stat.help;
    const scale = stat.scale;
    const name = names[0];
    const total = names[1]; // SUFFIXES.counter: _total, _created, _rate
    const rate = names[3];
    if (samples.length === 1) {
      // The usual scalar counter: kept whole while its value does not change (see StatNames.scalarFamily).
      const s = samples[0];
      if (s.type === 'counter' && s.labels !== null && s.labels.length === 0) {
        const h = s.unit === undefined ? help : help + ' (' + s.unit + ')';
        const v = scale === 1 ? s.value : s.value * scale;
        const headerName = this.om ? name : total;
        this.parts.push(
          stat.scalarFamily(headerName, total, 'counter', h, this.om, v) ?? stat.scalarText(headerName, total, 'counter', h, this.om, v),
        );
        return;
      }
    }
    let totalUnit: string | undefined;
    let rateUnit: string | undefined;
    this.open();
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s.labels === null) continue;
      switch (s.type) {
        case 'counter':
          this.line(total, labelsOf(s.labels), s.value, scale);
          totalUnit ??= s.unit;
          break;
        case 'gauge':
        case 'state':
        case 'quantile':
        case 'distribution':
        case 'info':
          break; // the rates come after the totals; the rest is not part of a counter family
        default:
          unhandled(s);
      }
    }
    const totals = this.text;
    this.text = '';
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      if (s.labels === null || s.type !== 'gauge') continue;
      this.line(rate, labelsOf(s.labels), s.value, scale);
      rateUnit ??= s.unit;
    }
    const rates = this.text;
    this.text = '';
    if (totals !== '') {
      const totalHelp = totalUnit === undefined ? help : help + ' (' + totalUnit + ')';
      this.parts.push(stat.header(this.om ? name : total, 'counter', totalHelp, this.om) + totals);
    }
    if (rates !== '') this.parts.push(stat.header(rate, 'gauge', rateUnit === undefined ? help : help + ' (' + rateUnit + ')', this.om) + rates);
  }

  stat(names: StatNames, stat: SnapshotStat): void {
    if (stat.error !== undefined || stat.prometheusRefused) return;
    // A stat held many times (a cluster's workers): their labelled series in its one family.
    const series = stat.series !== undefined ? seriesFamily(stat as Parameters<typeof seriesFamily>[0]) : undefined;
    if (series === null) return;
    const kind = kindOf(stat);
    const family = series !== undefined ? series.family : kind.family(stat.value, stat);
    if (family === null) return;
    switch (family) {
      case 'gauge':
        this.gauge(names, series?.samples ?? kind.samples(stat.value, stat));
        break;
      case 'info':
        this.info(names, series?.samples ?? kind.samples(stat.value, stat));
        break;
      case 'summary':
        this.distribution(names, series?.samples ?? kind.samples(stat.value, stat), names.scale);
        break;
      case 'counter':
        this.counter(names, series?.samples ?? kind.samples(stat.value, stat));
        break;
      default:
        unhandled(family);
    }
  }
}

/** Renders every stat of the tree with `w`, handing over its pieces as they fill. (not part of the public API) */
export function* walkStats<T>(node: SnapshotNode, w: StatRenderer<T>): Generator<T> {
  const known = namesIn(node.path);
  const stats = node.stats;
  for (let i = 0; i < stats.length; i++) {
    const s = stats[i];
    w.stat(namesOf(known, node.path, s), s);
    if (w.full) yield w.take();
  }
  for (const c of node.children) yield* walkStats(c, w);
}

/** {@link walkStats} in one go, for a renderer that is never full (no generator per container). */
export function renderAll<T>(node: SnapshotNode, w: StatRenderer<T>): void {
  const known = namesIn(node.path);
  const stats = node.stats;
  for (let i = 0; i < stats.length; i++) {
    const s = stats[i];
    w.stat(namesOf(known, node.path, s), s);
  }
  const children = node.children;
  for (let i = 0; i < children.length; i++) renderAll(children[i], w);
}

/** The names of stat `s` of the container at `path` (cached in `known`). */
function namesOf(known: Map<string, StatNames>, path: string, s: SnapshotStat): StatNames {
  let names = known.get(s.name);
  if (names === undefined || names.description !== s.description) {
    names = new StatNames((path === '/' ? '' : path) + '/' + s.name, s.description);
    rememberNames(known, s.name, names);
  }
  return names;
}

/**
 * Renders the snapshot as a Prometheus exposition, in pieces of whole metric families (see the
 * module comment for the mapping). OpenMetrics output ends with `# EOF`.
 */
export function* prometheusChunks(node: SnapshotNode, options: PrometheusRenderOptions = {}): Generator<string> {
  const w = new Writer(options.openMetrics === true);
  yield* walkStats(node, w);
  if (options.openMetrics) w.parts.push('# EOF\n');
  if (w.parts.length > 0) yield w.take();
}

/**
 * Renders the snapshot as one Prometheus exposition string.
 *
 * @example renderPrometheus(registry.snapshot()!) // '# HELP web_errors /web/errors\n# TYPE web_errors gauge\nweb_errors 3\n'
 */
export function renderPrometheus(node: SnapshotNode, options: PrometheusRenderOptions = {}): string {
  // One join at the end: no chunks to hand over in between.
  const w = new Writer(options.openMetrics === true, Number.POSITIVE_INFINITY);
  renderAll(node, w);
  if (options.openMetrics) w.parts.push('# EOF\n');
  return w.take();
}
