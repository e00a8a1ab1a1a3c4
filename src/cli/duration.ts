/**
 * Parses a duration like `90s`, `10m`, `2h`, `1d` or a plain number of seconds into seconds.
 * Throws an error naming the text when it is not one.
 */
export function parseDurationSeconds(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (m === null) throw new Error(`invalid duration "${text}": expected e.g. 30s, 10m, 2h, 1d or a number of seconds`);
  const n = Number(m[1]);
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? 's']!;
  const seconds = n * scale;
  if (!(seconds > 0)) throw new Error(`invalid duration "${text}": must be more than 0`);
  return seconds;
}
