/**
 * Parsing the JSON of dump files, status pages and specs that come from outside: a UTF-8 byte
 * order mark (as some editors and Windows tools write) is accepted, and a tree nested deeper than
 * {@link MAX_JSON_DEPTH} is refused with a clear error before it is parsed, since every reader of
 * a stat tree (the renderer, the query filter, the aggregation, the Graphite walk) recurses.
 */

/** The deepest nesting of objects and arrays accepted in a JSON text (stat trees are a few levels deep). */
export const MAX_JSON_DEPTH = 1000;

/** Thrown for JSON nested deeper than {@link MAX_JSON_DEPTH}. */
export class JsonTooDeepError extends Error {
  constructor(offset: number, maxDepth: number) {
    super(`nested deeper than ${maxDepth} levels (at character ${offset}); a stat tree is never that deep`);
    this.name = 'JsonTooDeepError';
  }
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Throws a {@link JsonTooDeepError} when `text` nests objects and arrays deeper than `maxDepth` (one pass, no recursion). */
export function checkJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) throw new JsonTooDeepError(i, maxDepth);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
}

/**
 * `JSON.parse` for outside text: a leading byte order mark is skipped, and nesting deeper than
 * {@link MAX_JSON_DEPTH} throws a {@link JsonTooDeepError} (never a stack overflow later).
 * Other errors are `JSON.parse`'s `SyntaxError`.
 */
export function parseJsonText(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  checkJsonDepth(body, maxDepth);
  return JSON.parse(body) as unknown;
}
