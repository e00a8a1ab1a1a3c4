import type { JsonObject, JsonValue } from '../core/snapshot.js';
import { kindOf, type SnapshotNode, type SnapshotStat } from '../registry/snapshot.js';
import { PMF_QUANTILES } from '../stats/pmf-stat.js';
import { formatValue } from '../formats/value-format.js';
import { type Palette, visibleLength } from './colors.js';
import { isObject } from '../core/json.js';

/** The percentile fields shown in a compact row, with their short labels (`99percentile` → p99). */
const PERCENTILE_FIELDS: [string, string][] = PMF_QUANTILES.map(([, key]) => [key, `p${key === 'median' ? '50' : key.replace('percentile', '')}`]);

/** A PmfStat leaf or a Percentiles result: has a count and percentiles. */
export function isDistribution(v: JsonValue): v is JsonObject {
  return isObject(v) && typeof v.count === 'number' && 'median' in v && '99percentile' in v;
}

/** A MeterStat leaf: count and 1/5/15-minute rates. */
export function isMeter(v: JsonValue): v is JsonObject {
  return isObject(v) && typeof v.count === 'number' && 'm1' in v && 'm5' in v && 'm15' in v;
}

function isErrorMarker(v: JsonValue): v is { error: string } {
  return isObject(v) && Object.keys(v).length === 1 && typeof v.error === 'string';
}

/** Shapes of aggregator results that read best on one line: Average and Highlight. */
const ONE_LINE_SHAPES = [
  ['count', 'total', 'average'],
  ['source', 'value'],
];

/** An Average or Highlight result (with scalar fields) fits on one line. */
function isOneLineRecord(v: JsonValue): v is JsonObject {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  return (
    ONE_LINE_SHAPES.some((shape) => shape.length === keys.length && shape.every((k, i) => keys[i] === k)) &&
    Object.values(v).every((x) => x === null || typeof x !== 'object')
  );
}

/** Seconds per unit of the time units a distribution may be in. */
const SECONDS_PER: Readonly<Record<string, number>> = { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 };

/** A figure of a distribution as a readable duration (us and ns as seconds scaled), else a plain number. */
function durationOf(v: JsonObject, x: JsonValue | undefined): string {
  const unit = v.unit === undefined ? 's' : v.unit;
  if (unit === 'ms') return formatValue(x, 'ms');
  const per = typeof unit === 'string' && Object.hasOwn(SECONDS_PER, unit) ? SECONDS_PER[unit] : undefined;
  if (per === undefined) return formatValue(x, 'n');
  return formatValue(typeof x === 'number' && per !== 1 ? x * per : x, 's');
}

function distributionRow(v: JsonObject, p: Palette): string {
  const parts = [`${p.dim('n')} ${p.number(formatValue(v.count, 'n'))}`];
  if ('min' in v) parts.push(`${p.dim('min')} ${p.number(durationOf(v, v.min))}`);
  for (const [key, label] of PERCENTILE_FIELDS) {
    if (key in v) parts.push(`${p.dim(label)} ${p.number(durationOf(v, v[key]))}`);
  }
  if ('max' in v) parts.push(`${p.dim('max')} ${p.number(durationOf(v, v.max))}`);
  if (typeof v.sources === 'number') parts.push(`${p.dim('sources')} ${p.number(String(v.sources))}`);
  return parts.join('  ');
}

function meterRow(v: JsonObject, p: Palette): string {
  const parts = [`${p.dim('count')} ${p.number(formatValue(v.count, 'n'))}`];
  for (const key of ['m1', 'm5', 'm15', 'mean']) {
    if (key in v) parts.push(`${p.dim(key)} ${p.number(formatValue(v[key], 'r'))}`);
  }
  return parts.join('  ');
}

const CONTROL_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A key or string as it may go to a terminal: control characters (newlines that would break the
 * tree, escape sequences from a remote server that would drive the terminal) shown escaped.
 */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => CONTROL_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * A message as it may go to a terminal: like {@link printable}, but its line breaks kept (a
 * stack trace, a list of warnings). The last guard before stderr, for text that mixes our words
 * with outside text (file names, server answers, JSON parser messages quoting the input).
 */
export function printableLines(s: string): string {
  return s.split('\n').map(printable).join('\n');
}

/**
 * JSON text for a terminal: `JSON.stringify` escapes C0 controls but leaves DEL and the C1
 * controls (U+009B is a CSI to some terminals) raw; these are written as `\\u00XX` too.
 */
export function printableJson(value: JsonValue, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

function scalar(v: JsonValue, p: Palette): string {
  if (typeof v === 'number') return p.number(formatValue(v, 'n'));
  if (typeof v === 'string') return p.string(v === '' ? '""' : printable(v));
  if (v === null) return p.dim('null');
  return p.number(String(v));
}

/** The one-line form of a leaf, or undefined when it needs a branch of its own. */
function inline(v: JsonValue, p: Palette): string | undefined {
  if (v === null || typeof v !== 'object') return scalar(v, p);
  if (isErrorMarker(v)) return p.error(`error: ${printable(v.error)}`);
  if (isDistribution(v)) return distributionRow(v, p);
  if (isMeter(v)) return meterRow(v, p);
  if (Array.isArray(v)) {
    const text = JSON.stringify(v);
    return text.length <= 100 ? p.string(text) : undefined;
  }
  if (isOneLineRecord(v)) {
    return Object.entries(v as JsonObject)
      .map(([k, x]) => `${p.dim(k)} ${scalar(x as JsonValue, p)}`)
      .join('  ');
  }
  return undefined;
}

/**
 * Renders a JSON stat tree as an indented, readable tree: branches end with `/`, keys of one
 * branch share a column, plain numbers are right-aligned in their branch, PmfStat leaves and
 * Percentiles results become one compact row (`n 100  min 1 ms  p50 49.8 ms ... max 100 ms`),
 * meters one row of rates. Returns the lines (without colour when `palette` is plain).
 */
export function renderTree(tree: JsonValue, palette: Palette, indent = ''): string[] {
  const lines: string[] = [];
  renderInto(lines, tree, palette, indent);
  return lines;
}

/** A line of a branch: its key, its value (numbers are right-aligned), its one-line form or what goes below. */
interface Entry {
  readonly key: string;
  readonly v: JsonValue;
  readonly text: string | undefined;
  readonly below?: (lines: string[], indent: string) => void;
}

// Appends to one array (no push(...lines), no Math.max(...widths)): a dict of 200,000 keys
// would overflow the call stack with spread arguments.
function renderInto(lines: string[], tree: JsonValue, palette: Palette, indent: string): void {
  if (!isObject(tree) && !Array.isArray(tree)) {
    lines.push(indent + (inline(tree, palette) ?? ''));
    return;
  }
  const pairs: [string, JsonValue][] = Array.isArray(tree) ? tree.map((v, i) => [String(i), v]) : Object.entries(tree);
  renderEntries(
    lines,
    pairs.map(([key, v]) => ({ key, v, text: inline(v, palette) })),
    palette,
    indent,
  );
}

function renderEntries(lines: string[], entries: Entry[], palette: Palette, indent: string): void {
  let keyWidth = 0;
  let numberWidth = 0;
  const rendered = entries.map((e) => {
    const k = printable(e.key);
    if (k.length > keyWidth) keyWidth = k.length;
    if (typeof e.v === 'number' && e.text !== undefined) numberWidth = Math.max(numberWidth, visibleLength(e.text));
    return { k, e };
  });
  for (const { k, e } of rendered) {
    if (e.text === undefined) {
      lines.push(`${indent}${palette.branch(k + '/')}`);
      if (e.below) e.below(lines, indent + '  ');
      else renderInto(lines, e.v, palette, indent + '  ');
      continue;
    }
    const pad = ' '.repeat(keyWidth - k.length);
    const value = typeof e.v === 'number' ? ' '.repeat(numberWidth - visibleLength(e.text)) + e.text : e.text;
    lines.push(`${indent}${palette.key(k)}${pad}  ${value}`);
  }
}

/** The one-line form of a row-shaped value (a pmf, a meter) as its kind's display hints say. */
function rowOf(form: 'distribution' | 'rates', v: JsonObject, p: Palette): string {
  return form === 'distribution' ? distributionRow(v, p) : meterRow(v, p);
}

/** The lines below a dict of rows `levels` deep: branches per level, then one row per leaf. */
function rowsBelow(v: JsonObject, levels: number, form: 'distribution' | 'rates', p: Palette): (lines: string[], indent: string) => void {
  return (lines, indent) =>
    renderEntries(
      lines,
      Object.keys(v).map((k) => {
        const x = v[k];
        if (levels > 1 && isObject(x)) return { key: k, v: x, text: undefined, below: rowsBelow(x, levels - 1, form, p) };
        return { key: k, v: x, text: isObject(x) ? rowOf(form, x, p) : inline(x, p) };
      }),
      p,
      indent,
    );
}

/** A stat's line: its error, its row (pmf, meter), a dict of rows below it, or its JSON value. */
function statEntry(stat: SnapshotStat, p: Palette): Entry {
  if (stat.error !== undefined) return { key: stat.name, v: null, text: p.error(`error: ${printable(stat.error)}`) };
  const v: JsonValue = stat.value;
  const row = kindOf(stat).display.row;
  if (row !== undefined && isObject(v)) {
    if (row.depth === 0) return { key: stat.name, v, text: rowOf(row.form, v, p) };
    // A dict of rows: one level per label (a labelled dict nests its combinations in label order).
    const levels = row.depth === 1 ? (stat.description?.labels?.length ?? 1) : row.depth;
    return { key: stat.name, v, text: undefined, below: rowsBelow(v, levels, row.form, p) };
  }
  // A number shows its declared unit beside it (`bytesSent  1,234 bytes`).
  const unit = stat.description?.unit;
  if (typeof v === 'number' && unit !== undefined) return { key: stat.name, v, text: `${scalar(v, p)} ${p.dim(printable(unit))}` };
  return { key: stat.name, v, text: inline(v, p) };
}

/** Whether a key is an array index, which a JSON object of the stats lists first. */
function isIndexKey(k: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(k) && Number(k) < 4294967295;
}

/**
 * Renders a typed snapshot (a live tree, or a dump read with its kinds) as {@link renderTree}
 * renders its JSON: containers are branches, each stat shown as its kind says (pmfs and meters
 * one row, a dict of them one row per key). Entries come in the order of the JSON object.
 */
export function renderSnapshotTree(node: SnapshotNode, palette: Palette, indent = ''): string[] {
  const lines: string[] = [];
  renderNodeInto(lines, node, palette, indent);
  return lines;
}

function renderNodeInto(lines: string[], node: SnapshotNode, palette: Palette, indent: string): void {
  const entries: Entry[] = node.stats.map((s) => statEntry(s, palette));
  for (const c of node.children) entries.push({ key: c.name, v: null, text: undefined, below: (l, i) => renderNodeInto(l, c, palette, i) });
  const index = entries.filter((e) => isIndexKey(e.key)).sort((a, b) => Number(a.key) - Number(b.key));
  renderEntries(lines, index.length === 0 ? entries : [...index, ...entries.filter((e) => !isIndexKey(e.key))], palette, indent);
}
