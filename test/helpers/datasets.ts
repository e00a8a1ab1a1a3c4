/**
 * Seeded, deterministic data sets for accuracy tests and benchmarks. Every generator takes a
 * seed, so a failure reproduces exactly.
 */

/** A seeded uniform generator in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal variate from a uniform generator (Box-Muller). */
export function normal(rnd: () => number): number {
  const u = 1 - rnd(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** A named data set. */
export interface Dataset {
  name: string;
  values: Float64Array;
}

/** Uniform in [lo, hi). */
export function uniform(n: number, seed: number, lo = 0, hi = 1): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** Lognormal with median `median` (e.g. 0.02 s) and log-sd `sigma`. */
export function lognormal(n: number, seed: number, median = 0.02, sigma = 0.8): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = median * Math.exp(sigma * normal(r));
  return out;
}

/** Bimodal latencies in seconds: 90% near 5 ms, 10% near 500 ms (each lognormal, sigma 0.2). */
export function bimodal(n: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() < 0.9 ? 0.005 : 0.5) * Math.exp(0.2 * normal(r));
  return out;
}

/** Pareto with scale `xm` and shape `alpha` (heavy tail). */
export function pareto(n: number, seed: number, xm = 0.001, alpha = 1.2): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = xm / (1 - r()) ** (1 / alpha);
  return out;
}

/** Mixed sign: 10% exact zeros, 35% negative, 55% positive, magnitudes lognormal around 1. */
export function mixedSign(n: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    const mag = Math.exp(1.5 * normal(r));
    out[i] = u < 0.1 ? 0 : u < 0.45 ? -mag : mag;
  }
  return out;
}

/** Tiny values: lognormal around 1e-9 (sub-nanosecond timings in seconds). */
export function tiny(n: number, seed: number): Float64Array {
  return lognormal(n, seed, 1e-9, 1);
}

/** Huge values: lognormal around 1e5 (multi-hour timings in seconds). */
export function huge(n: number, seed: number): Float64Array {
  return lognormal(n, seed, 1e5, 1);
}

/** Every value from 1e-9 to 1e5 (14 decades) log-uniformly: the widest realistic range. */
export function wideRange(n: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 10 ** (-9 + 14 * r());
  return out;
}

/** The standard data sets of the accuracy tests, `n` values each. */
export function standardDatasets(n: number, seed = 42): Dataset[] {
  return [
    { name: 'uniform', values: uniform(n, seed, 0, 1) },
    { name: 'lognormal', values: lognormal(n, seed + 1) },
    { name: 'bimodal', values: bimodal(n, seed + 2) },
    { name: 'pareto', values: pareto(n, seed + 3) },
    { name: 'mixed-sign-with-zeros', values: mixedSign(n, seed + 4) },
    { name: 'tiny-1e-9', values: tiny(n, seed + 5) },
    { name: 'huge-1e5', values: huge(n, seed + 6) },
    { name: 'wide-1e-9-to-1e5', values: wideRange(n, seed + 7) },
  ];
}

/** Relative error of `v` against the truth `x` (absolute when x is 0). */
export function relativeError(v: number, x: number): number {
  return x === 0 ? Math.abs(v) : Math.abs(v - x) / Math.abs(x);
}

/** The quantiles every percentile output reports. */
export const REPORTED_QUANTILES = [0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.999] as const;
