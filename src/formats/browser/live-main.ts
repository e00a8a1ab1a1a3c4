/**
 * The status page's live-view script: the only code of the package that runs in a browser.
 * It is type-checked on its own (tsconfig.browser.json: the DOM library, no Node types), and
 * the rest of src never sees the DOM types. html-assets.ts inlines its source text into the
 * page, so it must not use anything outside its own body (no imports, no module variables).
 */
import type { ChartKit, ChartSpec } from './charts.js';

/**
 * The live view: draws the page's charts from the history the server embedded, polls the
 * page's live endpoint, updates values and charts in place, draws sparklines, colours values
 * past the thresholds, remembers folded containers in the URL; when stats or dict keys appear
 * or vanish, it re-fetches the page and swaps in its tree.
 */
export function liveMain(fmt: (v: unknown, f: string) => string, makeKit: (f: typeof fmt) => ChartKit): void {
  const body = document.body;
  const kit = makeKit(fmt);
  const slow = Number(body.dataset.slow);
  const errRate = Number(body.dataset.errors);
  const ERRORISH = /error|fail|reject|timeout|abort/i;
  const PERCENTILE = /^(median|\d+percentile)$/;
  // Folding: <details data-p> containers; the closed ones are kept in the URL's `fold`.
  const foldUrl = (): void => {
    const closed: string[] = [];
    for (const d of Array.from(document.querySelectorAll<HTMLDetailsElement>('details[data-p]'))) if (!d.open) closed.push(d.dataset.p!);
    const u = new URL(location.href);
    if (closed.length > 0) u.searchParams.set('fold', closed.join(','));
    else u.searchParams.delete('fold');
    history.replaceState(null, '', u.toString());
  };
  document.addEventListener(
    'toggle',
    (e) => {
      if ((e.target as Element).matches?.('details[data-p]')) foldUrl();
    },
    true,
  );
  // Charts: the history embedded by the server, extended by each poll.
  const dataEl = document.getElementById('charts');
  const cd = dataEl
    ? (JSON.parse(dataEl.textContent || '{}') as {
        t: number[];
        series: Record<string, Array<number | null>>;
        lo: Record<string, Array<number | null>>;
        charts: ChartSpec[];
      })
    : undefined;
  const MAX_T = 4000;
  // A chart under the pointer or the keyboard's focus is not redrawn by a poll (its cursor and
  // values stay put while someone reads them); it catches up at the next poll after.
  const drawAll = (fromPoll: boolean): void => {
    if (!cd) return;
    const t0 = performance.now();
    // Every width read before any chart is redrawn: one layout, not one a chart.
    const hosts = cd.charts.map((_, i) => document.querySelector<HTMLElement>('[data-chart="' + i + '"]'));
    const widths = hosts.map((h) => h?.clientWidth ?? 0);
    cd.charts.forEach((spec, i) => {
      const host = hosts[i];
      if (host && !(fromPoll && host.matches(':hover, :focus-within'))) kit.draw(host, spec, cd.t, cd.series, cd.lo, widths[i]);
    });
    // How long drawing took, for whoever profiles the page (DevTools' timings, the tests).
    performance.measure('scales-charts', { start: t0 });
  };
  drawAll(false);
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => drawAll(false), 150);
  });
  const url = body.dataset.live;
  if (!url) return;
  const interval = Number(body.dataset.interval) || 5000;
  const maxPoints = Number(body.dataset.points) || 120;
  const maxSparks = 1000;
  const els = new Map<string, HTMLElement[]>();
  const index = (): void => {
    els.clear();
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-k]'))) {
      const k = el.dataset.k!;
      const list = els.get(k);
      if (list) list.push(el);
      else els.set(k, [el]);
    }
  };
  index();
  const hist = new Map<string, number[]>();
  // Polls in a row a value did not change: a value that starts moving after standing still is
  // marked; one that changes at every poll (a counter under traffic) is not.
  const still = new Map<string, number>();
  // The last value polled per key (not the element's title: a swapped-in tree has the server's).
  const lastRaw = new Map<string, string>();
  const bar = document.getElementById('live')!;
  const btn = document.getElementById('live-toggle')!;
  const status = document.getElementById('live-status')!;
  bar.hidden = false;
  let paused = false;
  let first = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The key list for which the tree was last re-fetched (not again for the same list).
  let refreshedFor = '';
  let sparks = 0;
  const SVG = 'http://www.w3.org/2000/svg';
  const spark = (el: HTMLElement, h: number[]): void => {
    let svg = el.nextElementSibling;
    if (svg?.getAttribute('class') !== 'spark') {
      if (sparks >= maxSparks) return;
      sparks++;
      svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('class', 'spark');
      svg.setAttribute('width', '60');
      svg.setAttribute('height', '14');
      svg.setAttribute('viewBox', '0 0 60 14');
      svg.setAttribute('aria-hidden', 'true');
      svg.appendChild(document.createElementNS(SVG, 'polyline'));
      el.after(svg);
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of h) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const span = hi - lo;
    const pts: string[] = [];
    h.forEach((v, i) => {
      // A flat series is drawn across the middle.
      const y = span > 0 ? 13 - ((v - lo) / span) * 12 : 7;
      // Right-aligned: the newest sample at the right edge, the line grows to the left.
      const x = ((maxPoints - h.length + i) * 60) / Math.max(1, maxPoints - 1);
      if (Number.isFinite(v)) pts.push(x.toFixed(1) + ',' + y.toFixed(1));
    });
    svg.firstElementChild!.setAttribute('points', pts.join(' '));
  };
  // Stats or dict keys that appeared or vanished since the page was drawn: fetch the page
  // again and swap its tree in place (no reload; scripts of a parsed document never run).
  const TREE = 'main > .level, main > p.empty';
  const refresh = async (keys: string[]): Promise<void> => {
    const sig = keys.join('\n');
    if (sig === refreshedFor) return;
    refreshedFor = sig;
    const res = await fetch(location.href, { headers: { accept: 'text/html' }, cache: 'no-store' });
    if (!res.ok) return;
    const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector(TREE);
    const old = document.querySelector(TREE);
    if (!fresh || !old) return;
    old.replaceWith(document.adoptNode(fresh));
    sparks = 0;
    index();
    // Forget the history of keys that left the page (bounded memory under key churn).
    for (const k of Array.from(hist.keys())) if (!els.has(k)) hist.delete(k);
    for (const k of Array.from(lastRaw.keys())) {
      if (els.has(k)) continue;
      lastRaw.delete(k);
      still.delete(k);
    }
  };
  const trouble = (k: string, el: HTMLElement, v: unknown, prev: string | undefined): boolean => {
    if (typeof v !== 'number') return false;
    const f = el.dataset.f;
    if ((f === 's' || f === 'ms') && slow >= 0) {
      const last = k.slice(k.lastIndexOf(',"') + 2, -2);
      if (PERCENTILE.test(last)) return (f === 'ms' ? v / 1000 : v) >= slow;
    }
    if (errRate >= 0 && ERRORISH.test(k) && prev !== undefined) {
      const was = Number(prev);
      return Number.isFinite(was) && (v - was) / (interval / 1000) > errRate;
    }
    return false;
  };
  const tick = async (): Promise<void> => {
    clearTimeout(timer);
    try {
      const res = await fetch(url + (first ? '&history=1' : ''), { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const data = (await res.json()) as {
        t: number;
        values: Record<string, unknown>;
        extra?: Record<string, number | null>;
        bars?: Array<ChartSpec['bars']>;
        history?: Record<string, Array<number | null>>;
      };
      if (first && data.history) {
        for (const k of Object.keys(data.history))
          hist.set(
            k,
            data.history[k].map((x) => (x === null ? Number.NaN : x)),
          );
      }
      first = false;
      const keys = Object.keys(data.values);
      if (keys.length !== els.size || keys.some((k) => !els.has(k))) await refresh(keys);
      for (const k of keys) {
        const list = els.get(k);
        if (!list) continue;
        const v = data.values[k];
        const raw = String(v);
        // Before the first poll: the server's value, in the title when the text is formatted (a plain integer's text is exact but for its separators).
        const prev = lastRaw.get(k) ?? (list[0].title || (list[0].textContent ?? '').replace(/,/g, ''));
        const changed = prev !== raw;
        const moved = changed && (still.get(k) ?? 0) >= 3;
        still.set(k, changed ? 0 : (still.get(k) ?? 0) + 1);
        lastRaw.set(k, raw);
        for (const el of list) {
          const text = fmt(v, el.dataset.f || 'n');
          el.classList.toggle('moved', moved);
          el.classList.toggle('bad', trouble(k, el, v, prev));
          if (el.textContent !== text) el.textContent = text;
          el.title = raw;
        }
        if (typeof v === 'number') {
          let h = hist.get(k);
          if (!h) hist.set(k, (h = []));
          h.push(v);
          if (h.length > maxPoints) h.splice(0, h.length - maxPoints);
          if (h.length > 1) spark(list[0], h);
        }
      }
      if (cd && cd.charts.length > 0) {
        // A stat page's distributions as they are now.
        let b = 0;
        for (const spec of cd.charts) {
          if (spec.type !== 'bars') continue;
          const now = data.bars?.[b++];
          if (now) spec.bars = now;
        }
        cd.t.push(data.t);
        for (const k of Object.keys(cd.series)) {
          const v = data.extra?.[k] ?? data.values[k];
          cd.series[k].push(typeof v === 'number' ? v : null);
        }
        if (cd.t.length > MAX_T) {
          const drop = cd.t.length - MAX_T;
          cd.t.splice(0, drop);
          for (const k of Object.keys(cd.series)) cd.series[k].splice(0, drop);
          for (const k of Object.keys(cd.lo)) cd.lo[k].splice(0, drop);
        }
        drawAll(true);
      }
      status.textContent = 'live \u00b7 updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      status.textContent = 'live \u00b7 update failed: ' + (e as Error).message;
    }
    if (!paused) timer = setTimeout(tick, interval);
  };
  btn.addEventListener('click', () => {
    paused = !paused;
    btn.textContent = paused ? 'Resume' : 'Pause';
    if (paused) {
      clearTimeout(timer);
      status.textContent = 'paused';
    } else void tick();
  });
  void tick();
}
