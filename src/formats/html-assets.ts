/**
 * The status page's only assets, inlined into every page (no CDN, nothing to fetch): a small
 * style sheet and the live-view script. Without JavaScript the page is a static tree.
 */
import { liveMain } from './browser/live-main.js';
import { formatValue } from './value-format.js';

/** The page's style sheet. */
export const STATUS_PAGE_CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px 24px;color:#222;background:#fff}
h1{margin:0;font-size:22px}h3{margin:2px 0 10px;font-weight:normal;color:#555}
nav.crumbs{margin:0 0 8px;font-family:ui-monospace,monospace}nav.crumbs a{text-decoration:none}
form{margin:0 0 10px}input[name=query]{width:22em;font-family:ui-monospace,monospace}
#live{margin:0 0 12px;color:#555;font-size:12px}#live button{font-size:12px}
.level{margin-left:18px;border-left:1px solid #e3e3e3;padding-left:8px}
body>.level{margin-left:0;border-left:0;padding-left:0}
.key{font-weight:600;color:#1a4d80}.container>.key{margin-top:4px}
.v{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
.v.changed{background:#fff3b0;transition:background .6s}
.error{color:#b00020;font-family:ui-monospace,monospace}
table.obj{border-collapse:collapse;margin:2px 0 4px 0;font-size:13px}
table.obj th{text-align:left;font-weight:normal;color:#555;padding:0 10px 0 0;vertical-align:top}
table.obj td{padding:0 6px 0 0}
svg.spark{vertical-align:middle;margin-left:6px}svg.spark polyline{fill:none;stroke:#2a7ab8;stroke-width:1.2}
.empty{color:#777}
`;

/** The live-view script: the compiled `liveMain`, handed the same formatter as the server. */
export const STATUS_PAGE_SCRIPT = `(${liveMain.toString()})(${formatValue.toString()});`;
