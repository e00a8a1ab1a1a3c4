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
import { leafFormat, liveKey, pathSegments } from './live.js';
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
  /** Containers (below the top one) shown as links to their own page, e.g. `registry.isCollapsed`. */
  collapsed?: CollapsedTest;
  /** Containers shown folded, by path relative to the page's node (`api`, `web/api`). */
  fold?: ReadonlySet<string>;
  /** Charts above the tree (drawn by the page's script from this data): a heading, the specs and their history. */
  charts?: PageCharts;
  /** Thresholds the page's script colours values by: a percentile at or above `slowSeconds`, an error-like count rising faster than `errorsPerSecond`. */
  thresholds?: { slowSeconds?: number; errorsPerSecond?: number };
  /** The page is one stat's own page: its heading names the stat, and the tree holds that stat only. */
  statPage?: { name: string; kind: string; help?: string };
}

/** Charts of a page and the history they draw. */
export interface PageCharts {
  readonly heading: string;
  readonly specs: readonly ChartSpec[];
  /** Sample times, epoch ms. */
  readonly t: readonly number[];
  /** Values by history key, one per time. */
  readonly series: Readonly<Record<string, ReadonlyArray<number | null>>>;
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
  return p + segments.map(encodeURIComponent).join('/');
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
  /** Per render: a field name's escaped text and escaped JSON text (the same few names repeat in every stat). */
  keys: Map<string, readonly [html: string, json: string]>;
}

function escapedKey(ctx: Ctx, k: string): readonly [string, string] {
  let e = ctx.keys.get(k);
  if (e === undefined) {
    e = [escapeHtml(k), escapeHtml(JSON.stringify(k))];
    ctx.keys.set(k, e);
  }
  return e;
}

/** The attributes after a value's live key, by format: few formats, one string each. */
const FORMAT_ATTRS = new Map<string, string>();

function formatAttrs(f: string): string {
  let a = FORMAT_ATTRS.get(f);
  if (a === undefined) {
    a = ']" data-f="' + f + '" title="';
    FORMAT_ATTRS.set(f, a);
  }
  return a;
}

/**
 * A scalar value's element, tagged for the live view, in its slot (the markup around it):
 * constant markup goes in as few pieces as possible, since the chunk's join costs per piece.
 * `key` is the HTML-escaped live key (see {@link liveKey}) without its closing bracket: keys
 * are built by appending to the stat's, not by stringifying every leaf's path again. Numbers
 * (their text and their formatted text) hold no character HTML escapes, so only other values
 * go through {@link escapeHtml}.
 */
function valueSpan(out: string[], slot: Slot, key: string, v: JsonValue, field: string | undefined, ctx: Ctx): void {
  if (Array.isArray(v)) {
    out.push(slot.before, '<span class="v">', escapeHtml(JSON.stringify(v)), slot.close);
    return;
  }
  const f = leafFormat(ctx.display, field, v, ctx.unit, ctx.name, ctx.declared);
  const shown = formatValueFast(v, f);
  const isNum = typeof v === 'number';
  out.push(slot.open, key, formatAttrs(f), isNum ? String(v) : escapeHtml(String(v)), '">', isNum ? shown : escapeHtml(shown), slot.close);
}

/** Where a value's element goes: the markup before it, that markup with the element's start, and its end with the markup after. */
interface Slot {
  readonly before: string;
  readonly open: string;
  readonly close: string;
}

/** A value in a table cell (after its `<th>`). */
const CELL: Slot = { before: '</th><td>', open: '</th><td><span class="v" data-k="', close: '</span></td></tr>' };
/** A scalar stat's value (after its key). */
const STAT: Slot = { before: ' ', open: ' <span class="v" data-k="', close: '</span></div>' };

function objectTable(out: string[], key: string, obj: { [key: string]: JsonValue }, ctx: Ctx, depth: number): void {
  // The kind's layout for objects at this depth (a pmf's fields in their order, its unit in scope).
  const t = ctx.display.table;
  const hint = t !== undefined && depth >= t.fromDepth ? t : undefined;
  const unitValue = hint?.unitKey === undefined ? undefined : obj[hint.unitKey];
  const unit = typeof unitValue === 'string' ? unitValue : ctx.unit;
  const inner: Ctx = unit === ctx.unit ? ctx : { ...ctx, unit };
  out.push(hint ? '<table class="obj ' + hint.className + '">' : '<table class="obj">');
  for (const k of orderedKeys(obj, hint?.order)) {
    const v = obj[k];
    const [html, json] = escapedKey(ctx, k);
    const seg = key + ',' + json;
    out.push('<tr><th>', html);
    if (isObject(v)) {
      out.push('</th><td>');
      objectTable(out, seg, v, inner, depth + 1);
      out.push('</td></tr>');
    } else valueSpan(out, CELL, seg, v, k, inner);
  }
  out.push('</table>');
}

/** Pieces of text gathered before they are joined into one chunk (a join per chunk, no rope of small strings). */
const CHUNK_PARTS = 512;

/**
 * Appends a stat's element to `out`. `levelKey` is the escaped live key of its container
 * without the closing bracket (`[` at the top).
 */
function statHtml(out: string[], levelKey: string, levelUrl: string, stat: SnapshotStat, keys: Ctx['keys']): void {
  // The declared unit, once declarations carry one (src/core/description.ts).
  const declared = (stat as { description?: { unit?: string } }).description?.unit;
  const ctx: Ctx = { display: kindOf(stat).display, unit: undefined, keys, name: stat.name, declared };
  const [html, json] = escapedKey(ctx, stat.name);
  out.push('<div class="stat"><a class="key" href="', levelUrl, escapeHtml(encodeURIComponent(stat.name)), '">', html, '</a>');
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
  keys: Ctx['keys'];
}

function* levelHtml(node: SnapshotNode, rel: string, lv: Level, out: string[]): Generator<string> {
  const { prefix, collapsed, keys } = lv;
  const base = pathSegments(node.path);
  const levelKey = escapeHtml(liveKey(base)).slice(0, -1);
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
    if (e.stat) statHtml(out, levelKey, levelUrl, e.stat, keys);
    else {
      const r = rel === '' ? e.name : rel + '/' + e.name;
      const name = escapeHtml(e.name);
      out.push('<details class="container" data-p="', escapeHtml(r), lv.fold?.has(r) ? '">' : '" open>', '<summary class="key">', name, '</summary>');
      yield* levelHtml(e.child!, r, lv, out);
      out.push('</details>');
    }
    if (out.length >= CHUNK_PARTS) yield take(out);
  }
  for (const c of links) {
    const href = statusUrl(prefix, pathSegments(c.path));
    out.push('<div class="key collapsed"><a href="', escapeHtml(href), '">', escapeHtml(c.name), '</a></div>');
  }
  out.push('</div>');
}

/** The gathered pieces as one string; empties `out`. */
function take(out: string[]): string {
  const text = out.join('');
  out.length = 0;
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
    (live ? '<div id="live" hidden><button type="button" id="live-toggle">Pause</button> <span id="live-status">live</span></div>' : '') +
    (sp?.help ? '<p class="help">' + escapeHtml(sp.help) + '</p>' : '') +
    '</header>\n';
  if (charts !== undefined && charts.specs.length > 0) yield chartsHtml(charts);
  yield '<main>';
  if (options.emptyMessage !== undefined) yield '<p class="empty">' + escapeHtml(options.emptyMessage) + '</p>\n';
  else {
    const out: string[] = [];
    yield* levelHtml(node, '', { prefix, collapsed: options.collapsed, fold: options.fold, keys: new Map() }, out);
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
    out + '</div></section>\n<script type="application/json" id="charts">' + scriptJson({ charts: c.specs, t: c.t, series: c.series }) + '</script>\n'
  );
}

/** Renders the status page as one string (see {@link htmlChunks}). */
export function renderHtml(node: SnapshotNode, options: HtmlRenderOptions = {}): string {
  let out = '';
  for (const piece of htmlChunks(node, options)) out += piece;
  return out;
}
