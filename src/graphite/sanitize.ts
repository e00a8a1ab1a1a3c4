/**
 * Graphite metric names: one segment per container, stat and key, sanitized so that carbon
 * stores exactly the name that was sent (no rejected line, no silent rewrite, no collision
 * with carbon's own syntax).
 */

/** Names of this many characters or more are not sent (as in Python scales). */
export const MAX_NAME_LENGTH = 500;

/** A segment longer than this in UTF-8 bytes cannot be a whisper file or directory name. */
export const MAX_SEGMENT_BYTES = 255;

// Everything a segment must not contain, in one pass:
// - whitespace (carbon splits a line on it; Python's str.split also splits on \x1c-\x1f, \x85);
// - '.' (the segment separator) and '/' (carbon maps it to '.');
// - control characters (C0, DEL, C1);
// - ';' '{' '}' (carbon parses them as tags), '~' (carbon strips a leading one);
// - '*' '?' '[' ']' ',' (graphite-web's query syntax: such a name cannot be queried by itself);
// - lone UTF-16 surrogates (they would be sent as U+FFFD; invalid UTF-8 drops the connection).
const UNSAFE =
  /[\s\u001c-\u001f\u0085./\u0000-\u0008\u000e-\u001b\u007f-\u0084\u0086-\u009f;{}~*?[\],]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;
const UNSAFE_TEST = new RegExp(UNSAFE.source, 'u');
const WHITESPACE = /^[\s\u001c-\u001f\u0085]$/u;
// Whitespace at either end, removed first (Python scales' `name.strip()`).
const EDGE_WHITESPACE = /^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/gu;

function replaceUnsafe(ch: string): string {
  if (ch === '.') return '-';
  if (ch === '/') return '_';
  if (WHITESPACE.test(ch)) return '-';
  return '_';
}

/**
 * Sanitizes one segment of a metric name as Python scales did: whitespace at either end is
 * removed, then whitespace and '.' become '-' and '/' becomes '_'; every other character that
 * carbon would reject, rewrite or read as syntax (control characters, `; { } ~ * ? [ ] ,`,
 * lone surrogates) becomes '_'. An empty segment becomes '_' (carbon would collapse `a..b`
 * into `a.b`).
 *
 * @example
 * sanitizeSegment(' GET /a.b '); // 'GET-_a-b'
 */
export function sanitizeSegment(segment: string): string {
  if (segment.length === 0) return '_';
  if (!UNSAFE_TEST.test(segment)) return segment;
  const trimmed = segment.replace(EDGE_WHITESPACE, '');
  if (trimmed.length === 0) return '_';
  return trimmed.replace(UNSAFE, replaceUnsafe);
}

/**
 * Normalizes a name prefix such as `my.server.` : each dot-separated part is sanitized like a
 * segment, empty parts are dropped (no leading '.', no '..'), and a trailing '.' is added when
 * the prefix is not empty.
 *
 * @example
 * normalizePrefix('My Host.example.com'); // 'My-Host.example.com.'
 */
export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw new TypeError(`invalid graphite prefix ${String(prefix)}: a prefix must be a string`);
  const parts = prefix
    .split('.')
    .filter((p) => p.length > 0)
    .map(sanitizeSegment);
  return parts.length === 0 ? '' : `${parts.join('.')}.`;
}

/**
 * Whether a segment fits a whisper file or directory name (at most 255 UTF-8 bytes).
 */
export function segmentFits(segment: string): boolean {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes, so short segments need no counting.
  return segment.length <= 85 || Buffer.byteLength(segment, 'utf8') <= MAX_SEGMENT_BYTES;
}
