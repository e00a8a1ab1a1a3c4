/**
 * Prometheus text exposition 0.0.4 and OpenMetrics 1.0 rendering of a snapshot.
 *
 * Mapping (documented in the README):
 * - a stat's path becomes its metric name: `/web/success` → `web_success`; every character
 *   outside `[a-zA-Z0-9_]` becomes `_`, a leading digit gets a `_` prefix;
 * - int, double, sum aggregation, numeric `stat()` values → gauge; booleans → gauge 0/1;
 *   a gauge's NaN or ±Infinity (text in the snapshot) → gauge `NaN`/`+Inf`/`-Inf`;
 *   strings → info (`name_info{value="..."} 1`); other values are skipped;
 * - intDict, intDict sum aggregation, histogram aggregation → gauge with a `key` label;
 *   stringDict → info with `key` and `value` labels;
 * - pmf → summary: `quantile` 0.5 … 0.999 of the recent window (`NaN` when the window is empty),
 *   `_sum` and `_count` over the pmf's lifetime; namedPmfDict → the same with a `key` label;
 * - meter → counter `name` (`name_total`, the event count) and gauge `name_rate` with a
 *   `window` label (`m1`, `m5`, `m15`, `mean`, events per second); meterDict adds `key`;
 * - stateTime → gauge with a `state` label (seconds spent in each state);
 * - stats whose reading failed are left out; collapsed containers are included.
 *
 * Two paths that map to the same name (`/a-b/c` and `/a_b/c`) never produce duplicate
 * families: the later one in tree order gets `_2` (then `_3`, ...). `# HELP` holds the path.
 */
import type { JsonValue, SnapshotNode, SnapshotStat } from '../core/snapshot.js';
import { isObject } from '../core/json.js';

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

const NAME_CHAR_BAD = /[^a-zA-Z0-9_]/;
const NAME_CHARS_BAD = /[^a-zA-Z0-9_]/g;

/** Every character outside `[a-zA-Z0-9_]` as `_`. */
function nameChars(text: string): string {
  return NAME_CHAR_BAD.test(text) ? text.replace(NAME_CHARS_BAD, '_') : text;
}

/** A valid name from sanitized characters: `_` when empty, a `_` before a leading digit. */
function finishName(out: string): string {
  if (out === '') return '_';
  const c = out.charCodeAt(0);
  return c >= 48 && c <= 57 ? '_' + out : out;
}

/**
 * The metric name of a stat path.
 *
 * @example metricName('/web/success') === 'web_success'; metricName('/api/v1.2/p99') === 'api_v1_2_p99'
 */
export function metricName(path: string): string {
  return finishName(
    nameChars(
      path
        .split('/')
        .filter((s) => s !== '')
        .join('_'),
    ),
  );
}

const LABEL_BAD = /[\\"\n]/;

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(v: string): string {
  return LABEL_BAD.test(v) ? v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c)) : v;
}

function escapeHelp(v: string, openMetrics: boolean): string {
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

function label(name: string, value: string): Labels {
  return name + '="' + escapeLabelValue(value) + '"';
}

function withLabel(labels: Labels, extra: Labels): Labels {
  return labels === '' ? extra : labels + ',' + extra;
}

function line(name: string, labels: Labels, value: number): string {
  return (labels === '' ? name : name + '{' + labels + '}') + ' ' + formatSampleValue(value) + '\n';
}

// [label, snapshot field]
const QUANTILES: ReadonlyArray<readonly [Labels, string]> = [
  ['quantile="0.5"', 'median'],
  ['quantile="0.75"', '75percentile'],
  ['quantile="0.95"', '95percentile'],
  ['quantile="0.98"', '98percentile'],
  ['quantile="0.99"', '99percentile'],
  ['quantile="0.999"', '999percentile'],
];
const RATE_WINDOWS: ReadonlyArray<readonly [Labels, string]> = [
  ['window="m1"', 'm1'],
  ['window="m5"', 'm5'],
  ['window="m15"', 'm15'],
  ['window="mean"', 'mean'],
];
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

const SUFFIXES = {
  gauge: [''],
  info: ['', '_info'],
  summary: ['', '_sum', '_count', '_created'],
  meter: ['', '_total', '_created', '_rate'],
} as const;

type Obj = { [key: string]: JsonValue };
function num(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Renders the families of one container tree, claiming unique names as it goes. */
class Writer {
  private readonly used = new Set<string>();
  constructor(private readonly om: boolean) {}

  /** Picks `base`, or `base_2`, `base_3`, ... so that none of the family's names is taken. */
  private claim(base: string, suffixes: readonly string[]): string {
    let name = base;
    for (let i = 2; suffixes.some((s) => this.used.has(name + s)); i++) name = base + '_' + i;
    for (const s of suffixes) this.used.add(name + s);
    return name;
  }

  private head(name: string, type: string, help: string): string {
    const h = '# HELP ' + name + ' ' + escapeHelp(help, this.om) + '\n';
    const t = '# TYPE ' + name + ' ' + type + '\n';
    return this.om ? t + h : h + t;
  }

  gauge(base: string, help: string, samples: Array<[Labels, number]>): string {
    const name = this.claim(base, SUFFIXES.gauge);
    if (samples.length === 0) return '';
    let out = this.head(name, 'gauge', help);
    for (const [labels, v] of samples) out += line(name, labels, v);
    return out;
  }

  info(base: string, help: string, labelSets: Labels[]): string {
    const name = this.claim(base, SUFFIXES.info);
    if (labelSets.length === 0) return '';
    let out = this.om ? this.head(name, 'info', help) : this.head(name + '_info', 'gauge', help);
    for (const labels of labelSets) out += line(name + '_info', labels, 1);
    return out;
  }

  summary(base: string, help: string, entries: Array<[Labels, Obj]>): string {
    const name = this.claim(base, SUFFIXES.summary);
    if (entries.length === 0) return '';
    let out = this.head(name, 'summary', help);
    for (const [labels, pmf] of entries) {
      for (const [q, field] of QUANTILES) {
        if (!(field in pmf)) continue;
        out += line(name, withLabel(labels, q), num(pmf[field]) ?? Number.NaN);
      }
      const life = pmf.lifetime;
      if (isObject(life)) {
        const sum = num(life.sum);
        const count = num(life.count);
        if (sum !== undefined) out += line(name + '_sum', labels, sum);
        if (count !== undefined) out += line(name + '_count', labels, count);
      }
    }
    return out;
  }

  meter(base: string, help: string, entries: Array<[Labels, Obj]>): string {
    const name = this.claim(base, SUFFIXES.meter);
    if (entries.length === 0) return '';
    const total = name + '_total';
    let out = this.om ? this.head(name, 'counter', help + ' (events)') : this.head(total, 'counter', help + ' (events)');
    let rates = '';
    for (const [labels, m] of entries) {
      const count = num(m.count);
      if (count !== undefined) out += line(total, labels, count);
      for (const [w, field] of RATE_WINDOWS) {
        const v = num(m[field]);
        if (v !== undefined) rates += line(name + '_rate', withLabel(labels, w), v);
      }
    }
    if (rates !== '') out += this.head(name + '_rate', 'gauge', help + ' (events per second)') + rates;
    return out;
  }

  stat(base: string, path: string, stat: SnapshotStat): string {
    if (stat.error !== undefined) return '';
    const v = stat.value;
    switch (stat.kind) {
      case 'int':
      case 'double':
      case 'sumAggregation':
      case 'value':
        if (typeof v === 'number') return this.gauge(base, path, [['', v]]);
        if (typeof v === 'boolean') return this.gauge(base, path, [['', v ? 1 : 0]]);
        // A gauge that returned NaN or an infinity stays a gauge (JSON snapshots hold them as text).
        if (stat.kind === 'value' && typeof v === 'string' && NON_FINITE.has(v)) return this.gauge(base, path, [['', Number(v)]]);
        if (typeof v === 'string') return this.info(base, path, [label('value', v)]);
        return '';
      case 'intDict':
      case 'intDictSumAggregation':
      case 'histogramAggregation':
        return this.gauge(base, path, dictEntries(v, (x) => (typeof x === 'number' ? x : undefined), 'key'));
      case 'stateTime':
        return this.gauge(base, path, dictEntries(v, (x) => (typeof x === 'number' ? x : undefined), 'state'));
      case 'stringDict': {
        const sets: Labels[] = [];
        if (isObject(v)) for (const k of Object.keys(v)) sets.push(label('key', k) + ',' + label('value', String(v[k])));
        return this.info(base, path, sets);
      }
      case 'pmf':
        return this.summary(base, path, isObject(v) ? [['', v]] : []);
      case 'namedPmfDict':
        return this.summary(base, path, dictEntries(v, (x) => (isObject(x) ? x : undefined), 'key'));
      case 'meter':
        return this.meter(base, path, isObject(v) ? [['', v]] : []);
      case 'meterDict':
        return this.meter(base, path, dictEntries(v, (x) => (isObject(x) ? x : undefined), 'key'));
      default:
        return '';
    }
  }
}

function dictEntries<T>(v: JsonValue, pick: (x: JsonValue) => T | undefined, name: string): Array<[Labels, T]> {
  const out: Array<[Labels, T]> = [];
  if (!isObject(v)) return out;
  for (const k of Object.keys(v)) {
    const x = pick(v[k]);
    if (x !== undefined) out.push([label(name, k), x]);
  }
  return out;
}

function* walk(node: SnapshotNode, w: Writer): Generator<string> {
  const prefix = node.path === '/' ? '' : node.path;
  // metricName(path) of each stat, with the container's part sanitized once.
  const base = nameChars(
    node.path
      .split('/')
      .filter((s) => s !== '')
      .join('_'),
  );
  for (const s of node.stats) {
    const path = prefix + '/' + s.name;
    const text = w.stat(finishName(base === '' ? nameChars(s.name) : base + '_' + nameChars(s.name)), path, s);
    if (text !== '') yield text;
  }
  for (const c of node.children) yield* walk(c, w);
}

/**
 * Renders the snapshot as a Prometheus exposition, one metric family per piece (see the
 * module comment for the mapping). OpenMetrics output ends with `# EOF`.
 */
export function* prometheusChunks(node: SnapshotNode, options: PrometheusRenderOptions = {}): Generator<string> {
  const w = new Writer(options.openMetrics === true);
  yield* walk(node, w);
  if (options.openMetrics) yield '# EOF\n';
}

/**
 * Renders the snapshot as one Prometheus exposition string.
 *
 * @example renderPrometheus(registry.snapshot()!) // '# HELP web_errors /web/errors\n# TYPE web_errors gauge\nweb_errors 3\n'
 */
export function renderPrometheus(node: SnapshotNode, options: PrometheusRenderOptions = {}): string {
  let out = '';
  for (const piece of prometheusChunks(node, options)) out += piece;
  return out;
}
