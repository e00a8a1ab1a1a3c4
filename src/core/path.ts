/**
 * Path parsing and name validation, in one place. Names are checked once, when a stat or a
 * container is declared, never on a write.
 */

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
// C0 controls, DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The deepest a container may be below the root (in path segments). Deeper trees are refused when
 * declared, so that no read of the tree (JSON, snapshots, renderers, all recursive) can overflow
 * the stack later inside a status page or a pusher.
 */
export const MAX_PATH_DEPTH = 100;

/** The error thrown for a bad stat name or path segment. */
export class InvalidNameError extends TypeError {
  override readonly name = 'InvalidNameError';
}

function describe(where: string | undefined): string {
  return where ? ` in ${where}` : '';
}

/**
 * Checks one stat name or path segment and returns it. Rejects names that are not strings,
 * empty, contain a control character or '/', or are `__proto__`, `constructor`, `prototype`,
 * or `$` (the key of the handles object of a stats object).
 */
export function validateName(name: unknown, kind: 'stat' | 'container', where?: string): string {
  if (typeof name !== 'string') {
    throw new InvalidNameError(`invalid ${kind} name ${String(name)}${describe(where)}: a name must be a string`);
  }
  if (name.length === 0) throw new InvalidNameError(`invalid ${kind} name ""${describe(where)}: a name must not be empty`);
  if (CONTROL.test(name)) {
    throw new InvalidNameError(`invalid ${kind} name ${JSON.stringify(name)}${describe(where)}: control characters are not allowed`);
  }
  if (FORBIDDEN_NAMES.has(name)) {
    throw new InvalidNameError(`invalid ${kind} name "${name}"${describe(where)}: "${name}" is reserved`);
  }
  if (kind === 'stat') {
    if (name.includes('/')) throw new InvalidNameError(`invalid stat name "${name}"${describe(where)}: '/' is not allowed in a stat name`);
    if (name === '$') throw new InvalidNameError(`invalid stat name "$"${describe(where)}: "$" is reserved for the handles of a stats object`);
  }
  return name;
}

/**
 * Splits a path such as `/web/errors` into its segments (`['web', 'errors']`). A leading `/`
 * is optional and empty segments are ignored (`a//b/` is `['a', 'b']`); `/` or `''` is the root.
 * Every segment is validated.
 */
export function parsePath(path: unknown): string[] {
  if (typeof path !== 'string') throw new InvalidNameError(`invalid path ${String(path)}: a path must be a string`);
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment.length === 0) continue;
    out.push(validateName(segment, 'container', JSON.stringify(path)));
  }
  return out;
}

/** Joins segments into a canonical path: `'/'` for the root, else `/a/b`. */
export function joinPath(segments: readonly string[]): string {
  return segments.length === 0 ? '/' : `/${segments.join('/')}`;
}
