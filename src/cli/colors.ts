/** The few styles of the terminal output. */
export interface Palette {
  key(s: string): string;
  branch(s: string): string;
  number(s: string): string;
  string(s: string): string;
  dim(s: string): string;
  error(s: string): string;
  label(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

/** ANSI colours. */
export const ANSI_PALETTE: Palette = {
  key: (s) => s,
  branch: wrap(1, 22),
  number: wrap(36, 39),
  string: wrap(32, 39),
  dim: wrap(2, 22),
  error: wrap(31, 39),
  label: wrap(33, 39),
};

const same = (s: string) => s;

/** No colours. */
export const PLAIN_PALETTE: Palette = {
  key: same,
  branch: same,
  number: same,
  string: same,
  dim: same,
  error: same,
  label: same,
};

/**
 * Whether to colour: never when `NO_COLOR` is set (non-empty), always when `FORCE_COLOR` is set
 * (and not '0' or 'false'), else only when the output stream is a terminal (not `TERM=dumb`).
 */
export function useColor(stream: NodeJS.WritableStream, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return (stream as { isTTY?: boolean }).isTTY === true && env.TERM !== 'dumb';
}

/** Length of a string once its ANSI escapes are removed. */
export function visibleLength(s: string): number {
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
