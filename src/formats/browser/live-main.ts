/**
 * The status page's live-view script: the only code of the package that runs in a browser.
 * It is type-checked on its own (tsconfig.browser.json: the DOM library, no Node types), and
 * the rest of src never sees the DOM types. html-assets.ts inlines its source text into the
 * page, so it must not use anything outside its own body (no imports, no module variables).
 */

/**
 * The live view: polls the page's live endpoint, updates values in place, draws sparklines;
 * when stats or dict keys appear or vanish, it re-fetches the page and swaps in its tree.
 */
export function liveMain(fmt: (v: unknown, f: string) => string): void {
  const body = document.body;
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
  const TREE = 'body > .level, body > p.empty';
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
  };
  const tick = async (): Promise<void> => {
    clearTimeout(timer);
    try {
      const res = await fetch(url + (first ? '&history=1' : ''), { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const data = (await res.json()) as { values: Record<string, unknown>; history?: Record<string, Array<number | null>> };
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
        for (const el of list) {
          const text = fmt(v, el.dataset.f || 'n');
          el.classList.toggle('changed', el.textContent !== text);
          if (el.textContent !== text) el.textContent = text;
          el.title = String(v);
        }
        if (typeof v === 'number') {
          let h = hist.get(k);
          if (!h) hist.set(k, (h = []));
          h.push(v);
          if (h.length > maxPoints) h.splice(0, h.length - maxPoints);
          if (h.length > 1) spark(list[0], h);
        }
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
