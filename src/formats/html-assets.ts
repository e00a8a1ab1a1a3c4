/**
 * The status page's only assets, inlined into every page (no CDN, nothing to fetch): a small
 * style sheet and the live-view script with its chart kit. Without JavaScript the page is a
 * static tree (foldable: containers are `<details>`).
 */
import { chartKit } from './browser/charts.js';
import { liveMain } from './browser/live-main.js';
import { formatValue } from './value-format.js';

/** The page's style sheet: light and dark (from the system setting), usable from 400 px wide. */
export const STATUS_PAGE_CSS = `
:root{color-scheme:light dark;--fg:#1d1d1f;--muted:#5b5f66;--bg:#fff;--line:#d9dce1;--key:#174f86;--bad:#c4162a;--card:#f6f7f9;--moved:#2a7ab8;
--s0:#2a7ab8;--s1:#d9730d;--s2:#2e9e5b;--s3:#8a4fbf;--s4:#b8860b;--s5:#5b6b7a}
@media (prefers-color-scheme:dark){:root{--fg:#e4e6eb;--muted:#a0a6b0;--bg:#15171a;--line:#33373d;--key:#7fb4ea;--bad:#ff6b6b;--card:#1e2126;--moved:#6fb1ea;
--s0:#6fb1ea;--s1:#f0a050;--s2:#5cc98a;--s3:#b58be0;--s4:#e0c050;--s5:#9aa8b5}}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:12px clamp(8px,3vw,24px);color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
a{color:var(--key)}.chart-title a,a.key{text-decoration:none}a:focus-visible,summary:focus-visible,svg:focus-visible,button:focus-visible,input:focus-visible{outline:2px solid var(--moved);outline-offset:2px}
h1{margin:0;font-size:22px}h2{font-size:16px;margin:14px 0 6px}h3{margin:2px 0 10px;font-weight:normal;color:var(--muted)}
nav.crumbs{margin:0 0 8px;font-family:ui-monospace,monospace}nav.crumbs a{text-decoration:none}
form{margin:0 0 10px;display:flex;flex-wrap:wrap;gap:4px;align-items:center}input[name=query]{width:22em;max-width:100%;font-family:ui-monospace,monospace}
#live{margin:0 0 12px;color:var(--muted);font-size:12px}#live button{font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,340px),1fr));gap:10px;margin:0 0 14px}
.chart{position:relative;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:6px;min-width:0}
.chart-title{font-weight:600;font-size:13px;margin:0 0 2px}
.chart svg{display:block;width:100%;height:auto}.chart .ax{font-size:10px;fill:var(--muted)}
.chart .grid{stroke:var(--line);stroke-width:1}.chart .axis{stroke:var(--muted);stroke-width:1}
.chart .ln{fill:none;stroke-width:1.6;stroke-linejoin:round}.chart .band{fill:currentColor;fill-opacity:.2;stroke:none}.chart .ln.bad{stroke:var(--bad);stroke-width:2.2}
.chart .threshold{stroke:var(--bad);stroke-dasharray:4 3;stroke-width:1}.chart .cursor{stroke:var(--muted);stroke-width:1}
.chart .bar{fill:var(--s0)}.chart .bar.bad{fill:var(--bad)}
.s0{stroke:var(--s0);color:var(--s0)}.s1{stroke:var(--s1);color:var(--s1)}.s2{stroke:var(--s2);color:var(--s2)}
.s3{stroke:var(--s3);color:var(--s3)}.s4{stroke:var(--s4);color:var(--s4)}.s5{stroke:var(--s5);color:var(--s5)}
.legend{font-size:12px;display:flex;flex-wrap:wrap;gap:2px 10px}.legend .lg::before{content:"\\25A0 "}.legend .lg.bad{color:var(--bad);font-weight:600}
.tip{position:absolute;top:22px;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:2px 6px;font:12px ui-monospace,monospace;pointer-events:none;max-width:100%;white-space:pre-wrap}
.level{margin-left:14px;border-left:1px solid var(--line);padding-left:8px}
main>.level{margin-left:0;border-left:0;padding-left:0}
details>summary{cursor:pointer;list-style-position:outside}
.key{font-weight:600;color:var(--key)}.container>summary{margin-top:4px}
.v{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
.row i{font-style:normal;color:var(--muted);margin:0 3px 0 6px}.row i:first-child{margin-left:6px}
.v.moved{box-shadow:inset 3px 0 var(--moved);padding-left:4px}
.v.bad,.error{color:var(--bad);font-weight:600}.error{font-family:ui-monospace,monospace}
table.obj{border-collapse:collapse;margin:2px 0 4px 0;font-size:13px;max-width:100%}
table.obj th{text-align:left;font-weight:normal;color:var(--muted);padding:0 10px 0 0;vertical-align:top}
table.obj td{padding:0 6px 0 0}
svg.spark{vertical-align:middle;margin-left:6px}svg.spark polyline{fill:none;stroke:var(--s0);stroke-width:1.2}
.empty{color:var(--muted)}.qnote{margin:0 0 8px;color:var(--muted);overflow-wrap:anywhere}
@media (max-width:520px){table.obj th{padding-right:6px}.level{margin-left:6px;padding-left:6px}svg.spark{display:none}}
`;

/** The live-view script: the compiled `liveMain`, handed the same formatter as the server and the chart kit. */
export const STATUS_PAGE_SCRIPT = `(${liveMain.toString()})(${formatValue.toString()},${chartKit.toString()});`;
