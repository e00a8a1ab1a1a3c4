/**
 * The HTML status page: title `<serverName> - Status: <path>`, breadcrumbs, the filter form,
 * optionally charts (the overview, a stat's own page), and the tree with sorted keys, nested,
 * each container a `<details>` (folded when `fold` names it), each stat's name a link to its
 * own page; every key and value HTML-escaped; collapsed containers as links to their own page;
 * pmfs, meters and dicts as small tables; numbers formatted for reading (the raw value in the
 * `title`). With `live`, the page also carries the live-view script, which draws the charts,
 * refreshes values in place and draws sparklines; without JavaScript it is a static page.
 */
import type { DisplayHints } from '../core/samples.js';
import type { JsonValue } from '../core/snapshot.js';
import { type CollapsedTest, kindOf, type SnapshotNode, type SnapshotStat } from '../registry/snapshot.js';
import type { ChartSpec } from './browser/charts.js';
import { STATUS_PAGE_CSS, STATUS_PAGE_SCRIPT } from './html-assets.js';
import { isBytesName, leafFormat, liveKey, pathSegments, type RowHint, rowFields } from './live.js';
import { formatValueFast } from './value-format.js';
import { isObject } from '../core/json.js';

/** Options of {@link htmlChunks} and {@link renderHtml}. */
export interface HtmlRenderOptions {
  /** Shown in the title and the heading. */
  serverName?: string;
  /** URL prefix of the status pages, used for links (default `/status/`). */
  prefix?: string;
  /** The active filter, shown in the form. */
  query?: string;
  /** Include the live view: its endpoint URL (relative) and poll period. */
  live?: { url: string; intervalMs: number; points: number };
  /** Text shown instead of the tree (e.g. "No stats match the query."). */
  emptyMessage?: string;
  /** What the filter's key matched (e.g. `nothing is named "heap": it matched heapTotalBytes, heapUsedBytes ...`), shown under the form. */
  queryNote?: string;
  /** Containers (below the top one) shown as links to their own page, e.g. `registry.isCollapsed`. */
  collapsed?: CollapsedTest;
  /** Containers shown folded, by path relative to the page's node (`api`, `web/api`). */
  fold?: ReadonlySet<string>;
  /** Charts above the tree (drawn by the page's script from this data): a heading, the specs and their history. */
  charts?: PageCharts;
  /** Thresholds the page's script colours values by: a percentile at or above `slowSeconds`, an error-like count rising faster than `errorsPerSecond`. */
  thresholds?: { slowSeconds?: number; errorsPerSecond?: number };
  /**
   * Pmfs and meters as one row of their main fields (default true); false: every field in a
   * table (a stat's own page). The live data must be asked for the same way (`liveJsonChunks`).
   */
  compact?: boolean;
  /** The page is one stat's own page: its heading names the stat, and the tree holds that stat only. */
  statPage?: { name: string; kind: string; help?: string };
}

/** Charts of a page and the history they draw. */
export interface PageCharts {
  readonly heading: string;
  readonly specs: readonly ChartSpec[];
  /** Sample times, epoch ms. */
  readonly t: readonly number[];
  /** Values by history key, one per time (a coarse sample's: its period's highest). */
  readonly series: Readonly<Record<string, ReadonlyArray<number | null>>>;
  /** The lowest value of each coarse sample (the first times), by key, for the charts that draw a band. */
  readonly lo?: Readonly<Record<string, ReadonlyArray<number | null>>>;
}

/** The default URL prefix of the status pages. */
export const DEFAULT_STATUS_PREFIX = '/status/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  // Most keys and values need no escaping: test first, replace only when needed.
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]) : text;
}

const NEEDS_ESCAPE = /[&<>"']/;

/** The URL of a container's page: the prefix, then each segment percent-encoded. */
export function statusUrl(prefix: string, segments: readonly string[]): string {
  const p = prefix.endsWith('/') ? prefix : prefix + '/';
  return p + segments.map(encodeSegment).join('/');
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function orderedKeys(obj: { [key: string]: JsonValue }, order: readonly string[] | undefined): string[] {
  const keys = Object.keys(obj);
  if (!order) return keys.sort(byName);
  const rank = (k: string): number => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  return keys.sort((a, b) => rank(a) - rank(b) || byName(a, b));
}

interface Ctx {
  display: DisplayHints;
  unit: string | undefined;
  /** The stat's name and declared unit (bytes are shown in binary units). */
  name: string;
  declared: string | undefined;
  /** The kind's compact row (pmfs, meters), when the page shows rows. */
  row: RowHint | undefined;
  /** Whether the stat's name says bytes. */
  bytesName: boolean;
  /** Per render: what a name gives, worked out once (the same few names repeat in every stat). */
  keys: Map<string, KeyText>;
}

/** A name's escaped text, its JSON text escaped for a single-quoted attribute, whether it says bytes, and its URL segment (escaped). */
type KeyText = readonly [html: string, json: string, bytes: boolean, href: string];

/** A path segment percent-encoded; a lone surrogate (which encodeURIComponent refuses) becomes U+FFFD. */
function encodeSegment(segment: string): string {
  try {
    return encodeURIComponent(segment);
  } catch {
    return encodeURIComponent(segment.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
  }
}

/** Escapes text for a single-quoted attribute: `"` stays as it is (live keys are JSON: full of them). */
function escapeSq(text: string): string {
  return NEEDS_SQ_ESCAPE.test(text) ? text.replace(/[&<>']/g, (c) => ESCAPES[c]) : text;
}

const NEEDS_SQ_ESCAPE = /[&<>']/;

function escapedKey(keys: Ctx['keys'], k: string): KeyText {
  let e = keys.get(k);
  if (e === undefined) {
    e = [escapeHtml(k), escapeSq(JSON.stringify(k)), isBytesName(k), escapeHtml(encodeSegment(k))];
    keys.set(k, e);
  }
  return e;
}

/** What follows a value's live key, by format: the key's end and, unless plain ('n', the page script's default) or text, the format. */
const FORMAT_ATTRS = new Map<string, string>();

function formatAttrs(f: string): string {
  let a = FORMAT_ATTRS.get(f);
  if (a === undefined) {
    // Text ('t') is shown as it is by the default format too.
    a = f === 'n' || f === 't' ? "]'" : ']\' data-f="' + f + '"';
    FORMAT_ATTRS.set(f, a);
  }
  return a;
}

/**
 * A scalar value's element, tagged for the live view, in its slot (the markup around it):
 * constant markup goes in as few pieces as possible, since the chunk's join costs per piece.
 * `key` is the live key (see {@link liveKey}) escaped for a single-quoted attribute, without
 * its closing bracket: keys are built by appending to the stat's, not by stringifying every
 * leaf's path again. The raw value goes in the `title` only when the text shown differs from
 * it by more than thousands separators. Numbers (their text and their formatted text) hold no character HTML escapes, so only
 * other values go through {@link escapeHtml}.
 */
function valueSpan(out: Sink, slot: Slot, key: string, v: JsonValue, field: string | undefined, ctx: Ctx): void {
  if (Array.isArray(v)) {
    out.push(slot.before, '<span class="v">', escapeHtml(JSON.stringify(v)), slot.close);
    return;
  }
  if (typeof v === 'number') {
    // leafFormat's rule, with the name tests worked out once per name.
    let f: string = ctx.display.format(field, ctx.unit);
    if (f === 'n' && (ctx.declared === 'bytes' || (field === undefined ? ctx.bytesName : escapedKey(ctx.keys, field)[2]))) f = 'b';
    const shown = formatValueFast(v, f);
    // A plain integer's text is exact (only separators added): no title, and no String(v).
    if (f === 'n' && Number.isInteger(v) && v < 1e21 && v > -1e21) {
      out.push(slot.open + key + "]'>" + shown + slot.close);
      return;
    }
    const raw = String(v);
    out.push(slot.open + key + formatAttrs(f) + (raw === shown ? '>' : ' title="' + raw + '">') + shown + slot.close);
    return;
  }
  const f = leafFormat(ctx.display, field, v, ctx.unit, ctx.name, ctx.declared);
  const shown = formatValueFast(v, f);
  const raw = String(v);
  const text = escapeHtml(shown);
  out.push(slot.open + key + formatAttrs(f) + (raw === shown ? '>' : ' title="' + escapeHtml(raw) + '">') + text + slot.close);
}

/** Where a value's element goes: the markup before it, that markup with the element's start, and its end with the markup after. */
interface Slot {
  readonly before: string;
  readonly open: string;
  readonly close: string;
}

/** A value in a table cell (after its `<th>`). */
const CELL: Slot = { before: '</th><td>', open: '</th><td><span class="v" data-k=\'', close: '</span></td></tr>' };
/** A scalar stat's value (after its key). */
const STAT: Slot = { before: ' ', open: ' <span class="v" data-k=\'', close: '</span></div>' };
/** A value in a compact row (after its label). */
const ROW: Slot = { before: '</i>', open: '</i><span class="v" data-k=\'', close: '</span> ' };

/** An object shown as one row of its main fields (a pmf: n, p50, p95, p99, max), if it is row-shaped at this depth; else false. */
function rowHtml(out: Sink, key: string, obj: { [key: string]: JsonValue }, ctx: Ctx, depth: number): boolean {
  const row = ctx.row;
  if (row === undefined || depth !== row.depth) return false;
  const fields = rowFields(row.form, obj);
  if (fields === undefined) return false;
  const unitValue = obj.unit;
  const unit = typeof unitValue === 'string' ? unitValue : ctx.unit;
  const inner: Ctx = unit === ctx.unit ? ctx : { ...ctx, unit };
  out.push('<span class="row">');
  for (const [k, label] of fields) {
    out.push('<i>' + label);
    valueSpan(out, ROW, key + ',' + escapedKey(ctx.keys, k)[1], obj[k], k, inner);
  }
  out.push('</span>');
  return true;
}

function objectTable(out: Sink, key: string, obj: { [key: string]: JsonValue }, ctx: Ctx, depth: number): void {
  if (rowHtml(out, key, obj, ctx, depth)) return;
  // The kind's layout for objects at this depth (a pmf's fields in their order, its unit in scope).
  const t = ctx.display.table;
  const hint = t !== undefined && depth >= t.fromDepth ? t : undefined;
  const unitValue = hint?.unitKey === undefined ? undefined : obj[hint.unitKey];
  const unit = typeof unitValue === 'string' ? unitValue : ctx.unit;
  const inner: Ctx = unit === ctx.unit ? ctx : { ...ctx, unit };
  out.push(hint ? '<table class="obj ' + hint.className + '">' : '<table class="obj">');
  for (const k of orderedKeys(obj, hint?.order)) {
    const v = obj[k];
    const [html, json] = escapedKey(ctx.keys, k);
    const seg = key + ',' + json;
    out.push('<tr><th>' + html);
    if (isObject(v)) {
      out.push('</th><td>');
      objectTable(out, seg, v, inner, depth + 1);
      out.push('</td></tr>');
    } else valueSpan(out, CELL, seg, v, k, inner);
  }
  out.push('</table>');
}

/** Characters gathered before a chunk is handed on. */
const CHUNK_CHARS = 32 * 1024;

/**
 * Where a render appends its text: one string grown with `+=` (V8 keeps it as a rope until it
 * is written out), cheaper than many small pieces joined.
 */
class Sink {
  s = '';
  push(a: string, b?: string, c?: string, d?: string, e?: string): void {
    this.s += a;
    if (b !== undefined) this.s += b;
    if (c !== undefined) this.s += c;
    if (d !== undefined) this.s += d;
    if (e !== undefined) this.s += e;
  }
}

/**
 * Appends a stat's element to `out`. `levelKey` is the escaped live key of its container
 * without the closing bracket (`[` at the top).
 */
function statHtml(out: Sink, levelKey: string, levelUrl: string, stat: SnapshotStat, lv: Level): void {
  // The declared unit, once declarations carry one (src/core/description.ts).
  const declared = (stat as { description?: { unit?: string } }).description?.unit;
  const display = kindOf(stat).display;
  const [html, json, bytesName, href] = escapedKey(lv.keys, stat.name);
  const ctx: Ctx = { display, unit: undefined, keys: lv.keys, name: stat.name, declared, row: lv.compact ? display.row : undefined, bytesName };
  out.push('<div class="stat"><a class="key" href="' + levelUrl + href + '">' + html + '</a>');
  if (stat.error !== undefined) {
    out.push(' <span class="error">error: ', escapeHtml(stat.error), '</span></div>');
    return;
  }
  // The stat's live key without its closing bracket; leaves append `,"field"` and `]`.
  const lk = levelKey.length === 1 ? levelKey + json : levelKey + ',' + json;
  const v = stat.value;
  if (isObject(v)) {
    objectTable(out, lk, v, ctx, 0);
    out.push('</div>');
  } else valueSpan(out, STAT, lk, v, undefined, ctx);
}

interface Level {
  prefix: string;
  collapsed: CollapsedTest | undefined;
  fold: ReadonlySet<string> | undefined;
  compact: boolean;
  keys: Ctx['keys'];
}

function* levelHtml(node: SnapshotNode, rel: string, lv: Level, out: Sink): Generator<string> {
  const { prefix, collapsed } = lv;
  const base = pathSegments(node.path);
  const levelKey = escapeSq(liveKey(base)).slice(0, -1);
  const levelUrl = escapeHtml(statusUrl(prefix, base) + (base.length > 0 ? '/' : ''));
  type Entry = { name: string; stat?: SnapshotStat; child?: SnapshotNode };
  const entries: Entry[] = [];
  const links: SnapshotNode[] = [];
  for (const s of node.stats) entries.push({ name: s.name, stat: s });
  for (const c of node.children) {
    if (collapsed?.(c.path)) links.push(c);
    else entries.push({ name: c.name, child: c });
  }
  entries.sort((a, b) => byName(a.name, b.name));
  links.sort((a, b) => byName(a.name, b.name));
  out.push('<div class="level">');
  for (const e of entries) {
    if (e.stat) statHtml(out, levelKey, levelUrl, e.stat, lv);
    else {
      const r = rel === '' ? e.name : rel + '/' + e.name;
      const name = escapeHtml(e.name);
      out.push(
        '<details class="container" data-p="' + escapeHtml(r),
        lv.fold?.has(r) ? '">' : '" open>',
        '<summary class="key">',
        name,
        '</summary>',
      );
      yield* levelHtml(e.child!, r, lv, out);
      out.push('</details>');
    }
    if (out.s.length >= CHUNK_CHARS) yield take(out);
  }
  for (const c of links) {
    const href = statusUrl(prefix, pathSegments(c.path));
    out.push('<div class="key collapsed"><a href="', escapeHtml(href), '">', escapeHtml(c.name), '</a></div>');
  }
  out.push('</div>');
}

/** The gathered text; empties `out`. */
function take(out: Sink): string {
  const text = out.s;
  out.s = '';
  return text;
}

function crumbs(prefix: string, path: string): string {
  const segs = pathSegments(path);
  let out = '<nav class="crumbs"><a href="' + escapeHtml(statusUrl(prefix, [])) + '">/</a>';
  for (let i = 0; i < segs.length; i++) {
    out += (i > 0 ? ' / ' : ' ') + '<a href="' + escapeHtml(statusUrl(prefix, segs.slice(0, i + 1))) + '">' + escapeHtml(segs[i]) + '</a>';
  }
  return out + '</nav>';
}

/**
 * Renders the status page for a (possibly filtered) snapshot, in pieces (see `jsonChunks`).
 *
 * @example renderHtml(node, { serverName: 'web-1', prefix: '/status/' })
 */
export function* htmlChunks(node: SnapshotNode, options: HtmlRenderOptions = {}): Generator<string> {
  const prefix = options.prefix ?? DEFAULT_STATUS_PREFIX;
  const server = options.serverName ?? '';
  const live = options.live;
  const th = options.thresholds;
  const charts = options.charts;
  const script = live !== undefined || (charts !== undefined && charts.specs.length > 0);
  const sp = options.statPage;
  const pagePath = sp ? (node.path === '/' ? '/' : node.path + '/') + sp.name : node.path;
  yield '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">' +
    '<title>' +
    escapeHtml(server + ' - Status: ' + pagePath) +
    '</title><style>' +
    STATUS_PAGE_CSS +
    '</style></head>\n<body' +
    (live ? ' data-live="' + escapeHtml(live.url) + '" data-interval="' + live.intervalMs + '" data-points="' + live.points + '"' : '') +
    (th?.slowSeconds !== undefined ? ' data-slow="' + th.slowSeconds + '"' : '') +
    (th?.errorsPerSecond !== undefined ? ' data-errors="' + th.errorsPerSecond + '"' : '') +
    '>\n<header><h1>' +
    (sp ? escapeHtml(sp.name) + ' <small>(' + escapeHtml(sp.kind) + ')</small>' : 'Stats') +
    '</h1><h3>' +
    escapeHtml(server) +
    '</h3>' +
    crumbs(prefix, pagePath) +
    '<form method="get" action=""><label>Filter: <input type="text" name="query" size="20" value="' +
    escapeHtml(options.query ?? '') +
    '"></label> <button type="submit">Filter</button></form>' +
    (options.queryNote ? '<p class="qnote" id="query-note">' + escapeHtml(options.queryNote) + '</p>' : '') +
    (live ? '<div id="live" hidden><button type="button" id="live-toggle">Pause</button> <span id="live-status">live</span></div>' : '') +
    (sp?.help ? '<p class="help">' + escapeHtml(sp.help) + '</p>' : '') +
    '</header>\n';
  if (charts !== undefined && charts.specs.length > 0) yield chartsHtml(charts);
  yield '<main>';
  if (options.emptyMessage !== undefined) yield '<p class="empty">' + escapeHtml(options.emptyMessage) + '</p>\n';
  else {
    const out = new Sink();
    yield* levelHtml(node, '', { prefix, collapsed: options.collapsed, fold: options.fold, compact: options.compact ?? true, keys: new Map() }, out);
    out.push('\n');
    yield take(out);
  }
  yield '</main>';
  if (script) yield '<script>' + STATUS_PAGE_SCRIPT + '</script>\n';
  yield '</body></html>\n';
}

/** JSON text safe inside a `<script>` element (no `<`, `>` or `&` that could end it). */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** The charts' section: one placeholder per chart, and their data for the script. */
function chartsHtml(c: PageCharts): string {
  let out = '<section class="overview" aria-label="' + escapeHtml(c.heading) + '"><h2>' + escapeHtml(c.heading) + '</h2><div class="charts">';
  c.specs.forEach((spec, i) => {
    const title = spec.href ? '<a href="' + escapeHtml(spec.href) + '">' + escapeHtml(spec.title) + '</a>' : escapeHtml(spec.title);
    out += '<div class="chart" data-chart="' + i + '"><div class="chart-title">' + title + '</div><noscript>charts need JavaScript</noscript></div>';
  });
  return (
    out +
    '</div></section>\n<script type="application/json" id="charts">' +
    scriptJson({ charts: c.specs, t: c.t, series: c.series, lo: c.lo ?? {} }) +
    '</script>\n'
  );
}

/** Renders the status page as one string (see {@link htmlChunks}). */
export function renderHtml(node: SnapshotNode, options: HtmlRenderOptions = {}): string {
  let out = '';
  for (const piece of htmlChunks(node, options)) out += piece;
  return out;
}
