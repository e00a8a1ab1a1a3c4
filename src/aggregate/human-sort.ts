/**
 * Compares strings the way people read them: runs of digits compare as numbers, so
 * 'server-2' comes before 'server-10'. Ties between equal numbers with different zero padding
 * ('a01' and 'a1') fall back to plain string order, so the order is total.
 * @example
 * ['server-10', 'server-2'].sort(humanCompare) // ['server-2', 'server-10']
 */
export function humanCompare(a: string, b: string): number {
  const as = a.split(/(\d+)/);
  const bs = b.split(/(\d+)/);
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const x = as[i]!;
    const y = bs[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      // Odd chunks of a split on a capturing group are the digit runs.
      const diff = compareDigits(x, y);
      if (diff !== 0) return diff;
    } else {
      return x < y ? -1 : 1;
    }
  }
  if (as.length !== bs.length) return as.length - bs.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDigits(x: string, y: string): number {
  // Compare as integers of any length without Number overflow: strip leading zeros, then length.
  const xs = x.replace(/^0+(?=\d)/, '');
  const ys = y.replace(/^0+(?=\d)/, '');
  if (xs.length !== ys.length) return xs.length - ys.length;
  return xs < ys ? -1 : xs > ys ? 1 : 0;
}
