// Seeded latency datasets of the fleet test (test/http/prometheus-fleet.test.ts): each app
// process and the test itself build the same values from (kind, seed, n), so the test knows
// every value recorded without being told.

/** The shape of an app's latencies, all in milliseconds. */
export type LatencyKind = 'lognormal' | 'uniform' | 'exponential';

/** A deterministic generator of numbers in (0, 1). */
function uniform01(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
}

/** `n` latencies in ms: log-normal around 20 ms, uniform 50..200 ms, or exponential with mean 300 ms. */
export function latenciesMs(kind: LatencyKind, seed: number, n: number): number[] {
  const u = uniform01(seed);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 'lognormal': {
        // Box-Muller
        const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
        out[i] = 20 * Math.exp(0.6 * z);
        break;
      }
      case 'uniform':
        out[i] = 50 + 150 * u();
        break;
      case 'exponential':
        out[i] = -300 * Math.log(u());
        break;
    }
  }
  return out;
}

/** The statuses an app answered: one per request, 200 mostly, some 404 and 500. */
export function statuses(seed: number, n: number): number[] {
  const u = uniform01(seed * 7 + 3);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = u();
    out[i] = x < 0.8 ? 200 : x < 0.95 ? 404 : 500;
  }
  return out;
}

/** The exact nearest-rank quantile of `values`: the value at rank ceil(q * n) - 1 of the sorted data. */
export function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}
