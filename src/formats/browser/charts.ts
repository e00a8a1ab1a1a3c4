/**
 * The status page's charts: our own SVG, no library (see docs/status-page.md for why). Like
 * liveMain, html-assets.ts inlines this function's source into the page, so it must not use
 * anything outside its own body.
 */

/** A chart as the server describes it (the page's `#charts` data). */
export interface ChartSpec {
  /** Title above the chart. */
  title: string;
  /** Link of the title (a stat's page), if any. */
  href?: string;
  /** 'line': series over time; 'bars': a distribution over a log axis. */
  type: 'line' | 'bars';
  /** Value format of the y axis (line) or the x axis (bars), as formatValue takes it. */
  fmt: string;
  /** 'rate': the series are cumulative counts, drawn per second. */
  mode?: 'rate' | 'value';
  /** Series: [history key, legend label]. */
  keys?: Array<[string, string]>;
  /** Bars: [lower bound, upper bound, count]. */
  bars?: Array<[number, number, number]>;
  /** Values at or above it are drawn as trouble (in the chart's own unit: per second for rates). */
  threshold?: number;
  /**
   * A chart of one series: its values also as a share of this series' ([history key, what it
   * is]; a rate of it for a rate chart), in the legend and the hover: errors as a part of requests.
   */
  share?: [string, string];
}

/** The functions the live view draws with. */
export interface ChartKit {
  /**
   * Draws a chart into `el` (replacing what it held). `lo`: the lowest value of the first
   * (coarse) samples by key; a chart of one value draws the range down to it as a band.
   */
  draw(
    el: HTMLElement,
    spec: ChartSpec,
    t: number[],
    series: Record<string, Array<number | null>>,
    lo?: Record<string, Array<number | null>>,
    /** The host's width when the caller read it (default: read now). */
    width?: number,
  ): void;
  /** The per-second rates of a cumulative series (null across a gap or a reset). */
  rates(t: number[], v: Array<number | null>): Array<number | null>;
  /** The indices of a series drawn at pixel columns `px(i)`: per column its lowest and highest point in time order; -1 where the line breaks. */
  thin(d: Array<number | null>, px: (i: number) => number): number[];
}

/** Builds the chart kit around the page's value formatter. */
export function chartKit(fmt: (v: unknown, f: string) => string): ChartKit {
  const SVG = 'http://www.w3.org/2000/svg';
  const H = 150;
  const PAD_L = 58;
  const PAD_R = 8;
  const PAD_T = 8;
  const PAD_B = 22;
  let uid = 0;
  const el = <K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] => {
    const e = document.createElementNS(SVG, name);
    for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  };
  const rates = (t: number[], v: Array<number | null>): Array<number | null> => {
    const out: Array<number | null> = [null];
    for (let i = 1; i < v.length; i++) {
      const a = v[i - 1];
      const b = v[i];
      const dt = (t[i] - t[i - 1]) / 1000;
      out.push(a === null || b === null || dt <= 0 || b < a ? null : (b - a) / dt);
    }
    return out;
  };
  /**
   * The indices of a series worth drawing at its pixel columns: per column its lowest and its
   * highest point, in time order (a day of 2,100 points in a 280-pixel plot: at most 560, and the
   * line looks the same: every spike and dip is kept); -1 where the line breaks (no value).
   */
  const thin = (d: Array<number | null>, px: (i: number) => number): number[] => {
    const out: number[] = [];
    let col = Number.NaN;
    let first = -1;
    let lowI = -1;
    let highI = -1;
    const flush = (): void => {
      if (first < 0) return;
      if (lowI === highI) out.push(lowI);
      else if (lowI < highI) out.push(lowI, highI);
      else out.push(highI, lowI);
      first = -1;
    };
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v === null || !Number.isFinite(v)) {
        flush();
        if (out.length > 0 && out[out.length - 1] !== -1) out.push(-1);
        continue;
      }
      const c = Math.floor(px(i));
      if (c !== col || first < 0) {
        flush();
        col = c;
        first = lowI = highI = i;
      } else {
        if (v < d[lowI]!) lowI = i;
        if (v > d[highI]!) highI = i;
      }
    }
    flush();
    return out;
  };
  /** About `n` round ticks from lo to hi. */
  const ticks = (lo: number, hi: number, n: number): number[] => {
    const span = hi - lo || Math.abs(hi) || 1;
    const raw = span / n;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
    const out: number[] = [];
    for (let x = Math.ceil(lo / step) * step; x <= hi + step * 1e-9; x += step) out.push(Math.abs(x) < step * 1e-9 ? 0 : x);
    return out;
  };
  const two = (n: number): string => (n < 10 ? '0' : '') + n;
  const clock = (ms: number, withSeconds: boolean): string => {
    const d = new Date(ms);
    return two(d.getHours()) + ':' + two(d.getMinutes()) + (withSeconds ? ':' + two(d.getSeconds()) : '');
  };
  const frame = (host: HTMLElement, spec: ChartSpec, width: number | undefined): { svg: SVGSVGElement; w: number; tip: HTMLElement } => {
    // Read before the host is emptied (and given by the caller when it draws several charts: one layout for all, not one each).
    const w = Math.max(200, Math.floor(width || host.clientWidth || 300));
    host.textContent = '';
    host.classList.add('chart');
    const head = document.createElement('div');
    head.className = 'chart-title';
    if (spec.href) {
      const a = document.createElement('a');
      a.href = spec.href;
      a.textContent = spec.title;
      head.appendChild(a);
    } else head.textContent = spec.title;
    host.appendChild(head);
    const svg = el('svg', { width: w, height: H, viewBox: `0 0 ${w} ${H}`, role: 'img', tabindex: 0, 'aria-label': spec.title });
    host.appendChild(svg);
    const tip = document.createElement('div');
    tip.className = 'tip';
    tip.hidden = true;
    host.appendChild(tip);
    return { svg, w, tip };
  };
  const axisY = (svg: SVGSVGElement, w: number, ys: number[], y: (v: number) => number, f: string): void => {
    for (const v of ys) {
      const py = y(v);
      el('line', { x1: PAD_L, x2: w - PAD_R, y1: py, y2: py, class: 'grid' }, svg);
      const label = el('text', { x: PAD_L - 4, y: py + 4, 'text-anchor': 'end', class: 'ax' }, svg);
      label.textContent = fmt(v, f);
    }
  };
  const hover = (svg: SVGSVGElement, w: number, tip: HTMLElement, n: number, xOf: (i: number) => number, text: (i: number) => string): void => {
    if (n === 0) return;
    const cursor = el('line', { x1: 0, x2: 0, y1: PAD_T, y2: H - PAD_B, class: 'cursor', visibility: 'hidden' }, svg);
    let at = n - 1;
    const show = (i: number): void => {
      at = Math.max(0, Math.min(n - 1, i));
      const x = xOf(at);
      cursor.setAttribute('x1', String(x));
      cursor.setAttribute('x2', String(x));
      cursor.setAttribute('visibility', 'visible');
      tip.hidden = false;
      tip.textContent = text(at);
      // CSSOM, not a style attribute: the page's CSP allows no inline style attributes.
      tip.style.left = Math.min(Math.max(0, x - 60), Math.max(0, w - 170)) + 'px';
    };
    const hide = (): void => {
      cursor.setAttribute('visibility', 'hidden');
      tip.hidden = true;
    };
    const nearest = (px: number): number => {
      let best = 0;
      for (let i = 1; i < n; i++) if (Math.abs(xOf(i) - px) < Math.abs(xOf(best) - px)) best = i;
      return best;
    };
    svg.addEventListener('mousemove', (e) => {
      const r = svg.getBoundingClientRect();
      show(nearest(((e.clientX - r.left) * w) / (r.width || w)));
    });
    svg.addEventListener('mouseleave', hide);
    svg.addEventListener('focus', () => show(at));
    svg.addEventListener('blur', hide);
    svg.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowLeft') show(at - 1);
      else if (e.key === 'ArrowRight') show(at + 1);
      else return;
      e.preventDefault();
    });
  };
  const line = (
    host: HTMLElement,
    spec: ChartSpec,
    t: number[],
    series: Record<string, Array<number | null>>,
    lows: Record<string, Array<number | null>> | undefined,
    width: number | undefined,
  ): void => {
    const { svg, w, tip } = frame(host, spec, width);
    const keys = (spec.keys ?? []).filter(([k]) => series[k] !== undefined);
    const data = keys.map(([k]) => (spec.mode === 'rate' ? rates(t, series[k]) : series[k]));
    // One value's coarse minutes: the line is each minute's highest, the band reaches its lowest.
    const band = keys.length === 1 && spec.mode !== 'rate' ? lows?.[keys[0][0]] : undefined;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const d of band ? [...data, band] : data) {
      for (const v of d) {
        if (v === null || !Number.isFinite(v)) continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    const f = spec.mode === 'rate' && spec.fmt === 'n' ? 'r' : spec.fmt;
    if (!(hi >= lo) || t.length === 0) {
      const msg = el('text', { x: w / 2, y: H / 2, 'text-anchor': 'middle', class: 'ax' }, svg);
      msg.textContent = 'no data yet';
      return;
    }
    lo = Math.min(0, lo);
    // A threshold far above the data would squash the lines at the bottom: it is left out then
    // (nothing is near it); one within a quarter above the top is shown, and the axis reaches it.
    const threshold = spec.threshold !== undefined && spec.threshold <= hi * 1.25 ? spec.threshold : undefined;
    if (threshold !== undefined) hi = Math.max(hi, threshold);
    if (hi === lo) hi = lo + 1;
    hi *= 1.08;
    const t0 = t[0];
    const t1 = Math.max(t[t.length - 1], t0 + 1);
    const x = (ms: number): number => PAD_L + ((ms - t0) / (t1 - t0)) * (w - PAD_L - PAD_R);
    const y = (v: number): number => H - PAD_B - ((v - lo) / (hi - lo)) * (H - PAD_T - PAD_B);
    axisY(svg, w, ticks(lo, hi, 4), y, f);
    const withSeconds = t1 - t0 < 10 * 60_000;
    for (const ms of ticks(t0, t1, Math.max(2, Math.floor(w / 110)))) {
      const px = x(ms);
      const anchor = px < PAD_L + 30 ? 'start' : px > w - PAD_R - 30 ? 'end' : 'middle';
      const label = el('text', { x: px, y: H - 6, 'text-anchor': anchor, class: 'ax' }, svg);
      label.textContent = clock(ms, withSeconds);
    }
    el('line', { x1: PAD_L, x2: w - PAD_R, y1: H - PAD_B, y2: H - PAD_B, class: 'axis' }, svg);
    let clip = '';
    if (threshold !== undefined) {
      const ty = y(threshold);
      el('line', { x1: PAD_L, x2: w - PAD_R, y1: ty, y2: ty, class: 'threshold' }, svg);
      clip = 'over' + ++uid;
      const cp = el('clipPath', { id: clip }, svg);
      el('rect', { x: 0, y: 0, width: w, height: Math.max(0, ty) }, cp);
    }
    if (band) {
      // One closed shape per run of minutes with both values: along the highs, back along the
      // lows; one step a pixel column (its highest high, its lowest low).
      const d = data[0];
      let p = '';
      let run: Array<[number, number, number]> = [];
      const close = (): void => {
        if (run.length > 1) {
          for (let j = 0; j < run.length; j++) p += (j === 0 ? 'M' : 'L') + run[j][0].toFixed(1) + ' ' + y(run[j][1]).toFixed(1);
          for (let j = run.length - 1; j >= 0; j--) p += 'L' + run[j][0].toFixed(1) + ' ' + y(run[j][2]).toFixed(1);
          p += 'Z';
        }
        run = [];
      };
      for (let i = 0; i < band.length && i < d.length; i++) {
        const top = d[i];
        const bottom = band[i];
        if (top === null || bottom === null || !Number.isFinite(top) || !Number.isFinite(bottom)) {
          close();
          continue;
        }
        const px = x(t[i]);
        const prev = run[run.length - 1];
        if (prev !== undefined && Math.floor(prev[0]) === Math.floor(px)) {
          prev[1] = Math.max(prev[1], top);
          prev[2] = Math.min(prev[2], bottom);
        } else run.push([px, top, bottom]);
      }
      close();
      if (p) el('path', { d: p, class: 'band s0' }, svg);
    }
    const xAt = (i: number): number => x(t[i]);
    data.forEach((d, s) => {
      let p = '';
      let pen = false;
      // Thinned to the pixel columns first: the cost of a redraw follows the chart's width, not the history's length.
      for (const i of thin(d, xAt)) {
        if (i < 0) {
          pen = false;
          continue;
        }
        p += (pen ? 'L' : 'M') + x(t[i]).toFixed(1) + ' ' + y(d[i]!).toFixed(1);
        pen = true;
      }
      // A lone point (one sample so far) is drawn as a dot.
      el('path', { d: p, class: 'ln s' + (s % 6) }, svg);
      if (clip) el('path', { d: p, class: 'ln bad', 'clip-path': `url(#${clip})` }, svg);
    });
    const last = (d: Array<number | null>): number | null => {
      for (let i = d.length - 1; i >= 0; i--) if (d[i] !== null) return d[i];
      return null;
    };
    // The share of another series (errors of requests), where that one is above 0.
    const whole =
      spec.share && keys.length === 1 && series[spec.share[0]]
        ? spec.mode === 'rate'
          ? rates(t, series[spec.share[0]])
          : series[spec.share[0]]
        : undefined;
    const shareAt = (i: number): string => {
      const v = data[0][i];
      const of = whole?.[i];
      return v === null || v === undefined || of === null || of === undefined || !(of > 0)
        ? ''
        : ' (' + fmt(v / of, 'p') + ' of ' + spec.share![1] + ')';
    };
    const legend = document.createElement('div');
    legend.className = 'legend';
    keys.forEach(([, label], s) => {
      const item = document.createElement('span');
      const v = last(data[s]);
      let at = data[s].length - 1;
      while (at > 0 && data[s][at] === null) at--;
      item.className = 'lg s' + (s % 6) + (spec.threshold !== undefined && v !== null && v >= spec.threshold ? ' bad' : '');
      item.textContent = label + ' ' + fmt(v, f) + (whole ? shareAt(at) : '');
      legend.appendChild(item);
    });
    host.appendChild(legend);
    hover(
      svg,
      w,
      tip,
      t.length,
      (i) => x(t[i]),
      (i) =>
        clock(t[i], true) +
        '  ' +
        keys
          .map(
            ([, label], s) =>
              label +
              ' ' +
              fmt(data[s][i], f) +
              (band && band[i] !== undefined && band[i] !== null && band[i] !== data[s][i] ? ' (min ' + fmt(band[i], f) + ')' : '') +
              (whole ? shareAt(i) : ''),
          )
          .join('  '),
    );
  };
  const bars = (host: HTMLElement, spec: ChartSpec, width: number | undefined): void => {
    const { svg, w, tip } = frame(host, spec, width);
    const bs = (spec.bars ?? []).filter((b) => b[0] > 0 && b[2] > 0);
    if (bs.length === 0) {
      const msg = el('text', { x: w / 2, y: H / 2, 'text-anchor': 'middle', class: 'ax' }, svg);
      msg.textContent = 'no values in the window';
      return;
    }
    const l0 = Math.log10(bs[0][0]);
    const l1 = Math.max(Math.log10(bs[bs.length - 1][1]), l0 + 1e-9);
    let top = 0;
    for (const b of bs) top = Math.max(top, b[2]);
    const x = (v: number): number => PAD_L + ((Math.log10(v) - l0) / (l1 - l0)) * (w - PAD_L - PAD_R);
    const y = (c: number): number => H - PAD_B - (c / (top * 1.08)) * (H - PAD_T - PAD_B);
    axisY(svg, w, ticks(0, top * 1.08, 3), y, 'n');
    // Log axis: a label at each power of ten, or at the ends when the data spans less than one.
    const decades: number[] = [];
    for (let e = Math.ceil(l0); e <= Math.floor(l1); e++) decades.push(10 ** e);
    const marks = decades.length >= 2 ? decades : [bs[0][0], bs[bs.length - 1][1]];
    for (const v of marks) {
      // Labels at the ends are anchored inside the chart, so that none is cut off.
      const px = x(v);
      const anchor = px < PAD_L + 30 ? 'start' : px > w - PAD_R - 30 ? 'end' : 'middle';
      const label = el('text', { x: px, y: H - 6, 'text-anchor': anchor, class: 'ax' }, svg);
      label.textContent = fmt(v, spec.fmt);
    }
    el('line', { x1: PAD_L, x2: w - PAD_R, y1: H - PAD_B, y2: H - PAD_B, class: 'axis' }, svg);
    for (const b of bs) {
      const x0 = x(b[0]);
      const bad = spec.threshold !== undefined && b[1] > spec.threshold;
      el('rect', { x: x0, y: y(b[2]), width: Math.max(1, x(b[1]) - x0 - 0.5), height: H - PAD_B - y(b[2]), class: bad ? 'bar bad' : 'bar' }, svg);
    }
    hover(
      svg,
      w,
      tip,
      bs.length,
      (i) => (x(bs[i][0]) + x(bs[i][1])) / 2,
      (i) => fmt(bs[i][0], spec.fmt) + ' – ' + fmt(bs[i][1], spec.fmt) + ': ' + fmt(bs[i][2], 'n'),
    );
  };
  return {
    draw(host, spec, t, series, lo, width) {
      if (spec.type === 'bars') bars(host, spec, width);
      else line(host, spec, t, series, lo, width);
    },
    rates,
    thin,
  };
}
