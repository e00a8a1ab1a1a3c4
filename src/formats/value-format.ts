/**
 * Number formatting for people, shared by the HTML renderer (server side) and the live view
 * script (browser side). The functions are self-contained on purpose: the page embeds their
 * compiled source with `Function.prototype.toString`, so both sides format a value the same way.
 */

/**
 * How a value on the status page is formatted: plain number, duration in s or ms, rate per
 * second, bytes (binary units), a ratio shown in percent, or text.
 */
export type ValueFormat = 'n' | 's' | 'ms' | 'r' | 'b' | 'p' | 't';

/**
 * Formats a number for reading: thousands separators, at most 3 decimals at or above 1 and
 * 4 significant digits below 1.
 *
 * @example formatNumber(1234567) === '1,234,567'; formatNumber(0.000045) === '0.000045'
 */
export function formatNumber(v: number): string {
  return formatValue(v, 'n');
}

/**
 * Formats a stat value for the page. Durations (`'s'`, `'ms'`) get a readable unit
 * (µs, ms, s), bytes (`'b'`) a binary one (KiB, MiB, ...), ratios (`'p'`) a percent sign;
 * `null` (a percentile of an empty window) shows as an en dash.
 *
 * @example formatValue(0.042, 's') === '42 ms'; formatValue(3 * 2 ** 20, 'b') === '3 MiB'
 */
export function formatValue(v: unknown, f: string): string {
  // Inlined copy of formatNumber: this function must stand alone when embedded in the page.
  const num = (x: number): string => {
    if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf';
    const a = Math.abs(x);
    if (a >= 1e21) return String(x);
    let s: string;
    if (Number.isInteger(x)) s = String(x);
    else if (a >= 1) s = x.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
    else return String(Number(x.toPrecision(4)));
    const dot = s.indexOf('.');
    const int = dot < 0 ? s : s.slice(0, dot);
    return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (dot < 0 ? '' : s.slice(dot));
  };
  if (v === null || v === undefined) return '\u2013';
  if (typeof v !== 'number') return String(v);
  if (f === 'r') return num(v) + '/s';
  if (f === 'p') return num(Number((v * 100).toPrecision(3))) + '%';
  if (f === 'b') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let x = v;
    let u = 0;
    while (Math.abs(x) >= 1024 && u < units.length - 1) {
      x /= 1024;
      u++;
    }
    return num(u === 0 ? x : Number(x.toPrecision(3))) + ' ' + units[u];
  }
  if (f !== 's' && f !== 'ms') return num(v);
  const sec = f === 'ms' ? v / 1000 : v;
  const a = Math.abs(sec);
  if (!Number.isFinite(sec) || a === 0) return num(v) + ' ' + f;
  if (a < 1e-3) return num(Number((sec * 1e6).toPrecision(3))) + ' \u00b5s';
  if (a < 1) return num(Number((sec * 1e3).toPrecision(4))) + ' ms';
  return num(sec) + ' s';
}

/**
 * {@link formatValue} for the server side, with fast paths for integers shown plain or as a
 * rate and for durations from 1 ms to 1 s (most values of a status page), which give the same
 * text without the regular expressions. Not embedded in the page: the live view uses {@link formatValue} itself.
 */
export function formatValueFast(v: unknown, f: string): string {
  if (typeof v === 'number' && (f === 's' || f === 'ms')) {
    // A duration from 1 ms to 1 s (most percentiles): 4 significant digits in ms, no separators.
    const sec = f === 'ms' ? v / 1000 : v;
    const a = sec < 0 ? -sec : sec;
    if (a >= 1e-3 && a < 1) {
      const ms = Number((sec * 1e3).toPrecision(4));
      if (ms < 1000 && ms > -1000) return String(ms) + ' ms';
    }
    return formatValue(v, f);
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || (f !== 'n' && f !== 'r')) return formatValue(v, f);
  const a = v < 0 ? -v : v;
  if (a >= 1e21) return formatValue(v, f);
  let s = String(a);
  if (a >= 1000) {
    let grouped = '';
    let end = s.length;
    for (let start = end - 3; start > 0; start -= 3, end -= 3) grouped = ',' + s.slice(start, end) + grouped;
    s = s.slice(0, end) + grouped;
  }
  if (v < 0) s = '-' + s;
  return f === 'r' ? s + '/s' : s;
}
