/**
 * Shell-style glob matching with the semantics of Python's `fnmatch.fnmatchcase`, used by the
 * Graphite rules: `*` matches any run of characters (including `/`), `?` any one character,
 * `[abc]` / `[a-z]` one character of a set, `[!abc]` one character not in it. Matching is
 * case-sensitive and anchored at both ends. A `[` without a closing `]` is a literal `[`.
 */

// Characters with a meaning in a RegExp (unicode mode) outside a character class.
const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
// Characters with a meaning inside a character class (unicode mode).
const CLASS_SYNTAX = /[\\\]^[-]/g;

function escapeLiteral(ch: string): string {
  return ch.replace(REGEXP_SYNTAX, '\\$&');
}

function escapeInClass(ch: string): string {
  return ch.replace(CLASS_SYNTAX, '\\$&');
}

/** Translates the inside of `[...]` (without the brackets) into a RegExp character class. */
function translateSet(body: string): string {
  let negate = false;
  let chars = Array.from(body);
  if (chars[0] === '!') {
    negate = true;
    chars = chars.slice(1);
  }
  let items = '';
  for (let i = 0; i < chars.length; i++) {
    const lo = chars[i];
    // "a-z" is a range unless the '-' is the set's last character.
    if (chars[i + 1] === '-' && i + 2 < chars.length) {
      const hi = chars[i + 2];
      i += 2;
      // Python drops empty ranges such as "z-a"; a RegExp would throw on them.
      if (lo.codePointAt(0)! <= hi.codePointAt(0)!) items += `${escapeInClass(lo)}-${escapeInClass(hi)}`;
      continue;
    }
    items += escapeInClass(lo);
  }
  if (items === '') return negate ? '[\\s\\S]' : '(?!)';
  return `[${negate ? '^' : ''}${items}]`;
}

/**
 * Compiles a glob into an anchored RegExp (unicode mode, so `?` matches one code point).
 *
 * @example
 * fnmatchToRegExp('web/*').test('web/latency/median'); // true: '*' crosses '/'
 */
export function fnmatchToRegExp(pattern: string): RegExp {
  if (typeof pattern !== 'string') throw new TypeError(`glob pattern must be a string, got ${typeof pattern}`);
  const chars = Array.from(pattern);
  const n = chars.length;
  let re = '';
  let i = 0;
  while (i < n) {
    const c = chars[i++];
    if (c === '*') {
      while (chars[i] === '*') i++;
      re += '[\\s\\S]*';
    } else if (c === '?') {
      re += '[\\s\\S]';
    } else if (c === '[') {
      let j = i;
      if (chars[j] === '!') j++;
      if (chars[j] === ']') j++; // a ']' first in the set is a literal
      while (j < n && chars[j] !== ']') j++;
      if (j >= n) {
        re += '\\[';
      } else {
        re += translateSet(chars.slice(i, j).join(''));
        i = j + 1;
      }
    } else {
      re += escapeLiteral(c);
    }
  }
  return new RegExp(`^${re}$`, 'u');
}

/**
 * Tests `name` against the glob `pattern` (Python `fnmatch.fnmatchcase` semantics).
 *
 * @example
 * fnmatch('web/errors', 'web/*');        // true
 * fnmatch('web/errors', 'web/[!e]*');    // false
 */
export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchToRegExp(pattern).test(name);
}
