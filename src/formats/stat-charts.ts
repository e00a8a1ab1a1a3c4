/**
 * Which charts a page draws, from the samples each kind yields (never from the kind's name):
 * the overview's figures; for one stat, its percentiles over time (a chart per labelled pmf),
 * its counts as rates per second, its other numbers as they are, and the current distribution
 * of each pmf drawn from the sketch's buckets on a log axis.
 */
import { isObject } from '../core/json.js';
import type { Sample } from '../core/samples.js';
import type { JsonValue } from '../core/snapshot.js';
import { kindOf, type SnapshotStat } from '../registry/snapshot.js';
import { LogSketch } from '../sampling/sketch.js';
import type { ChartSpec } from './browser/charts.js';
import { leafFormat, liveKey } from './live.js';
import { DEFAULT_THRESHOLDS, ERROR_LIKE, OVERVIEW_FIGURES, type OverviewFigure, overviewKey, type StatusThresholds } from './overview.js';

/** Most lines in one chart, and most charts of one kind of sample on a stat's page. */
const MAX_LINES = 6;
const MAX_GROUPS = 6;
/** Most bars of a distribution chart. */
const MAX_BARS = 48;

function thresholdOf(name: keyof StatusThresholds | undefined, t: StatusThresholds): number | undefined {
  if (name === undefined) return undefined;
  return t[name] ?? (DEFAULT_THRESHOLDS as StatusThresholds)[name];
}

/** The overview's charts, for the figures present, each linked to its stat's page. */
export function overviewCharts(
  present: readonly OverviewFigure[],
  statUrl: (container: string, stat: string) => string,
  t: StatusThresholds,
  details?: ReadonlyMap<string, string>,
): ChartSpec[] {
  return present.map((f) => ({
    // What the figure is of, now: `p99 latency (slowest route: GET /slow)`.
    title: withDetail(f.label, details?.get(f.id)),
    href: statUrl(f.container, f.stat),
    type: 'line' as const,
    fmt: f.format,
    mode: f.mode,
    keys: [[overviewKey(f.id), f.label]],
    threshold: thresholdOf(f.threshold, t),
    // The errors also as a share of the requests.
    ...(f.id === 'errors' && present.some((p) => p.id === 'requests') ? { share: [overviewKey('requests'), 'requests'] as [string, string] } : {}),
  }));
}

function withDetail(label: string, detail: string | undefined): string {
  if (detail === undefined) return label;
  return label.endsWith(')') ? label.slice(0, -1) + ': ' + detail + ')' : label + ' (' + detail + ')';
}

/** The overview figures by id (for tests and docs). */
export const OVERVIEW_IDS: readonly string[] = OVERVIEW_FIGURES.map((f) => f.id);

function labelText(labels: Sample['labels']): string {
  return labels === null || labels.length === 0 ? '' : labels.map(([k, v]) => (k === 'key' ? v : k + '=' + v)).join(', ');
}

/** The value at a field path of a stat's value. */
function at(value: JsonValue, field: readonly string[]): JsonValue | undefined {
  let v: JsonValue | undefined = value;
  for (const k of field) v = isObject(v) ? v[k] : undefined;
  return v;
}

/** The pmf unit in scope at a field path (the `unit` key of the innermost object that has one). */
function unitAt(value: JsonValue, field: readonly string[]): string | undefined {
  let v: JsonValue | undefined = value;
  let unit: string | undefined;
  for (const k of field) {
    if (isObject(v) && typeof v.unit === 'string') unit = v.unit;
    v = isObject(v) ? v[k] : undefined;
  }
  return unit;
}

const QUANTILE_LABEL = (q: number): string => (q === 0.5 ? 'p50' : 'p' + String(q * 100).replace('.', ''));

/**
 * The charts of one stat's page. `segments` are the stat's path segments (its history keys
 * start with them); `value` may hold serialized sketches (`sketch` keys) for the distributions.
 */
export function statCharts(stat: SnapshotStat, segments: readonly string[], t: StatusThresholds): ChartSpec[] {
  if (stat.error !== undefined) return [];
  const kind = kindOf(stat);
  const samples = kind.samples(stat.value, stat.kind === 'value' && stat.nonFinite ? { nonFinite: true } : {});
  const keyOf = (field: readonly string[]): string => liveKey([...segments, ...field]);
  const fmtOf = (field: readonly string[]): string => {
    const v = at(stat.value, field);
    const description = (stat as { description?: { unit?: string } }).description;
    return leafFormat(kind.display, field[field.length - 1], typeof v === 'number' ? v : 0, unitAt(stat.value, field), stat.name, description?.unit);
  };
  const slow = thresholdOf('slowSeconds', t)!;
  const errors = ERROR_LIKE.test(stat.name) ? thresholdOf('errorsPerSecond', t) : undefined;
  const out: ChartSpec[] = [];
  // Percentiles: one chart per labelled distribution.
  const quantiles = new Map<string, { fmt: string; keys: Array<[string, string]> }>();
  const rates: Array<[string, string]> = [];
  const values: Array<[string, string, string]> = [];
  // A distribution's other numbers (its schema, its error bound) are settings, not worth a chart.
  const isDistribution = samples.some((s) => s.type === 'quantile' || s.type === 'distribution');
  for (const s of samples) {
    if (s.field === null) continue;
    const name = labelText(s.labels);
    if (s.type === 'quantile') {
      let g = quantiles.get(name);
      if (!g) {
        if (quantiles.size >= MAX_GROUPS) continue;
        quantiles.set(name, (g = { fmt: fmtOf(s.field), keys: [] }));
      }
      if (s.quantile >= 0.5 && s.quantile !== 0.75 && s.quantile !== 0.98) g.keys.push([keyOf(s.field), QUANTILE_LABEL(s.quantile)]);
    } else if (
      s.type === 'counter' ||
      ((s.type === 'gauge' || s.type === 'distribution') && s.delta !== undefined && (s.type !== 'distribution' || s.figure === 'count'))
    ) {
      if (rates.length < MAX_LINES)
        rates.push([keyOf(s.field), (name ? name + ' ' : '') + (s.field.length > 0 ? s.field[s.field.length - 1] : stat.name)]);
    } else if ((s.type === 'gauge' && !(isDistribution && s.labels === null)) || s.type === 'state') {
      if (values.length < MAX_LINES)
        values.push([keyOf(s.field), (name ? name + ' ' : '') + (s.field.length > 0 ? s.field.join('/') : stat.name), fmtOf(s.field)]);
    }
  }
  for (const [name, g] of quantiles) {
    out.push({
      title: 'Percentiles over time' + (name ? ' (' + name + ')' : ''),
      type: 'line',
      fmt: g.fmt,
      mode: 'value',
      keys: g.keys,
      threshold: g.fmt === 'ms' ? slow * 1000 : slow,
    });
  }
  if (rates.length > 0) out.push({ title: 'Rate per second', type: 'line', fmt: 'r', mode: 'rate', keys: rates, threshold: errors });
  if (values.length > 0) {
    const fmt = values[0][2];
    out.push({ title: 'Value over time', type: 'line', fmt, mode: 'value', keys: values.filter((v) => v[2] === fmt).map(([k, l]) => [k, l]) });
  }
  for (const [name, sketch, unit] of sketches(stat.value, stat.name)) {
    // A pmf in us or ns: plain numbers in its unit (the threshold, in seconds, scaled to it).
    const fmt = unit === 'ms' ? 'ms' : unit === 'us' || unit === 'ns' ? 'n' : 's';
    out.push({
      title: 'Distribution now (log scale)' + (name !== stat.name ? ' (' + name + ')' : ''),
      type: 'bars',
      fmt,
      bars: distributionBars(sketch),
      threshold: slow * (unit === 'ms' ? 1e3 : unit === 'us' ? 1e6 : unit === 'ns' ? 1e9 : 1),
    });
  }
  return out;
}

/** The serialized sketches in a value (a pmf, or pmfs nested in dicts): [name, text, unit], at most {@link MAX_GROUPS}. */
function sketches(v: JsonValue, name: string, out: Array<[string, string, string]> = []): Array<[string, string, string]> {
  if (!isObject(v) || out.length >= MAX_GROUPS) return out;
  if (typeof v.sketch === 'string') {
    out.push([name, v.sketch, typeof v.unit === 'string' ? v.unit : 's']);
    return out;
  }
  for (const k of Object.keys(v)) sketches(v[k], k, out);
  return out;
}

/**
 * A sketch's positive buckets as at most {@link MAX_BARS} bars `[lower, upper, count]`, merged
 * from neighbours so each bar spans an equal part of the log axis. An unreadable sketch gives none.
 */
export function distributionBars(text: string): Array<[number, number, number]> {
  let b: ReturnType<LogSketch['nativeBuckets']>;
  try {
    b = LogSketch.deserialize(text).nativeBuckets();
  } catch {
    return [];
  }
  if (b.positive.length === 0) return [];
  const base = 2 ** (2 ** -b.schema);
  const lo = b.positive[0][0] - 1;
  const hi = b.positive[b.positive.length - 1][0];
  const per = Math.max(1, Math.ceil((hi - lo) / MAX_BARS));
  const out: Array<[number, number, number]> = [];
  for (const [i, count] of b.positive) {
    const g = Math.floor((i - 1 - lo) / per);
    const lower = base ** (lo + g * per);
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === lower) last[2] += count;
    else out.push([lower, base ** (lo + (g + 1) * per), count]);
  }
  return out;
}
