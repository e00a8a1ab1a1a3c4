/**
 * A tiny benchmark harness: runs a loop body many times in rounds and reports the best
 * round's ns/op (the least disturbed by GC and the other core), so ratios between cases that
 * run side by side in one process are stable.
 */

/** Consumed results, so that the JIT cannot drop the measured work. */
export let sink = 0;
export function consume(v: number): void {
  sink = (sink + v) | 0;
}

/**
 * ns per iteration of `loop(n)`, a function that runs its own loop of `n` iterations (so the
 * measured operation is compiled inline, as in a hot request handler), best of `rounds`.
 * Give every case its own loop function so that the JIT's type feedback is not shared.
 */
export function nsPerIteration(loop: (n: number) => void, iterations: number, rounds = 7): number {
  loop(Math.min(iterations, 200_000)); // warm up
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    loop(iterations);
    const ns = Number(process.hrtime.bigint() - t0) / iterations;
    if (ns < best) best = ns;
  }
  return best;
}

/** ns per call of `body(i)` over `iterations` calls, best of `rounds`. */
export function nsPerOp(body: (i: number) => void, iterations: number, rounds = 7): number {
  for (let i = 0; i < Math.min(iterations, 100_000); i++) body(i); // warm up
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) body(i);
    const ns = Number(process.hrtime.bigint() - t0) / iterations;
    if (ns < best) best = ns;
  }
  return best;
}

/** ms per call of `fn`, best of `rounds` (for whole-tree operations). */
export function msPerCall(fn: () => unknown, rounds = 15): number {
  fn();
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < best) best = ms;
  }
  return best;
}

/** ms per call of an async `fn`, best of `rounds`. */
export async function msPerCallAsync(fn: () => Promise<unknown>, rounds = 15): Promise<number> {
  await fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < best) best = ms;
  }
  return best;
}

/** Prints rows as an aligned table. */
export function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  console.log(`\n${title}`);
  for (const [n, r] of cells.entries()) {
    console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/** A number printed with 3 significant digits (at least 2 decimals below 10). */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
