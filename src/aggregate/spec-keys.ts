/**
 * Keys of an aggregation spec. A spec is a plain object that reads like the stat tree; its keys
 * are exact names, with three special forms:
 * - `'*'`: every key of the data at that level, each result kept under its own name;
 * - `'re:<name>:<pattern>'` (write it with {@link match}): every key matching the regular
 *   expression, all merged under `<name>`; the pattern must match the WHOLE key (it is anchored)
 *   and `'re:<name>:/<pattern>/<flags>'` carries flags, e.g. `i`;
 * - `'=<key>'`: the exact key `<key>`, for the rare data key that is `*` or starts with `re:`
 *   or `=`.
 */

/** A parsed spec key. */
export type SpecKey = { kind: 'exact'; key: string } | { kind: 'star' } | { kind: 'regex'; name: string; regex: RegExp; source: string };

const FLAGS_OK = /^[imsu]*$/;

/**
 * The spec key that matches every data key fitting `regex` and merges them under `name`.
 * Use it as a computed key, so that the spec still reads like the tree:
 * @example
 * new Aggregation({ http: { [match('ok', /[123]\d\d/)]: [new Sum()], [match('error', /[45]\d\d/)]: [new Sum()] } })
 * // match('error', /[45]\d\d/) === 're:error:[45]\\d\\d'
 */
export function match(name: string, regex: RegExp | string): string {
  if (name.length === 0 || name.includes(':')) {
    throw new Error(`match(): invalid result name ${JSON.stringify(name)}: it must be non-empty and contain no ':'`);
  }
  if (typeof regex === 'string') {
    compileAnchored(regex, '', name);
    return `re:${name}:${regex}`;
  }
  const flags = regex.flags.replace(/[gyd]/g, '');
  if (!FLAGS_OK.test(flags)) throw new Error(`match(): flags "${regex.flags}" of /${regex.source}/ are not supported`);
  return flags === '' && !regex.source.startsWith('/') ? `re:${name}:${regex.source}` : `re:${name}:/${regex.source}/${flags}`;
}

function compileAnchored(pattern: string, flags: string, name: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, flags);
  } catch (err) {
    throw new Error(`invalid regular expression in spec key for "${name}": ${(err as Error).message}`);
  }
}

/** Parses one spec key (see the module comment for the forms). Throws on a malformed `re:` key. */
export function parseSpecKey(key: string): SpecKey {
  if (key === '*') return { kind: 'star' };
  if (key.startsWith('=')) return { kind: 'exact', key: key.slice(1) };
  if (!key.startsWith('re:')) return { kind: 'exact', key };
  const rest = key.slice(3);
  const colon = rest.indexOf(':');
  if (colon <= 0) {
    throw new Error(`invalid spec key ${JSON.stringify(key)}: expected "re:<name>:<pattern>"`);
  }
  const name = rest.slice(0, colon);
  let pattern = rest.slice(colon + 1);
  let flags = '';
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (literal !== null) {
    pattern = literal[1]!;
    flags = literal[2]!;
    if (!FLAGS_OK.test(flags)) throw new Error(`invalid spec key ${JSON.stringify(key)}: unsupported flags "${flags}"`);
  }
  return { kind: 'regex', name, regex: compileAnchored(pattern, flags, name), source: pattern };
}
