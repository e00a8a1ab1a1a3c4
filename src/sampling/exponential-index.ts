/**
 * Bucket indices of Prometheus native histograms (= OpenTelemetry exponential histograms).
 *
 * At schema s (OpenTelemetry's "scale") the base is 2^(2^-s); bucket `i` covers
 * (base^(i-1), base^i] — upper-inclusive, as Prometheus defines it — for positive values, and
 * [-base^i, -base^(i-1)) for negative ones (same index as |x|). Schema 6 (base 2^(1/64)
 * ~ 1.0109) is the finest Prometheus accepts; each step down merges neighbouring pairs, so
 * bucket i at schema s lies inside bucket ceil(i / 2) at schema s - 1 and indices convert
 * exactly: {@link downscaleIndex}. Magnitudes at or below {@link ZERO_THRESHOLD} (2^-128,
 * Prometheus' default zero threshold, itself a bucket boundary at every schema) go to the zero
 * bucket.
 *
 * The index is exact at every boundary: it is read from the float's exponent bits and a table
 * of the 64 schema-6 boundaries of one octave (each 2^(j/64) correctly rounded to a double, as
 * Prometheus' own table), not computed with Math.log (which lands on the wrong side of a
 * boundary for some doubles). The top 8 mantissa bits pick a slot of 1/256 octave; a slot holds
 * at most one boundary, so one comparison finishes the job.
 */

/** Finest schema (Prometheus' maximum, OpenTelemetry scale 6): base 2^(1/64). */
export const MAX_SCHEMA = 6;
/** Coarsest schema (Prometheus' minimum): base 2^16. */
export const MIN_SCHEMA = -4;
/** Magnitudes at or below this (2^-128 ~ 2.9e-39) are counted in the zero bucket. */
export const ZERO_THRESHOLD = 2 ** -128;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

/** The double nearest to 2^(j/64) (ties cannot occur: 2^(j/64) is irrational for 0 < j < 64). */
function boundary(j: number): number {
  if (j % 64 === 0) return 2 ** (j / 64);
  // Candidate mantissas M (value M * 2^-52) around Math.pow's answer; the right one has
  // (2M - 1)^64 < 2^(j + 64 * 53) < (2M + 1)^64, decided exactly with BigInt.
  const target = 1n << BigInt(j + 64 * 53);
  let m = BigInt(Math.round(2 ** (j / 64) * 2 ** 52));
  for (let step = 0; step < 4; step++) {
    if ((2n * m - 1n) ** 64n > target) m -= 1n;
    else if ((2n * m + 1n) ** 64n < target) m += 1n;
    else break;
  }
  return Number(m) * 2 ** -52;
}

/** BOUNDS[j] = 2^(j/64) as the nearest double, j = 0..64; BOUNDS[65] = +Infinity (a guard). */
export const BOUNDS = new Float64Array(66);
for (let j = 0; j <= 64; j++) BOUNDS[j] = boundary(j);
BOUNDS[65] = Number.POSITIVE_INFINITY;

/** FIRST[s]: the smallest j with BOUNDS[j] >= 1 + s/256 (the first boundary in slot s or above). */
const FIRST = new Uint8Array(256);
for (let s = 0, j = 0; s < 256; s++) {
  while (BOUNDS[j] < 1 + s / 256) j++;
  FIRST[s] = j;
}

/**
 * Schema-6 bucket index of a finite x > {@link ZERO_THRESHOLD}: the smallest i with
 * x <= 2^(i/64) (each 2^(i/64) taken as Prometheus' table does: the octave's boundary
 * rounded to a double, times the exact power of two). From -8191 to 65536.
 */
export function index6(x: number): number {
  f64[0] = x;
  const hi = u32[HI];
  const e = (hi >>> 20) - 1023;
  let j = FIRST[(hi >>> 12) & 0xff];
  u32[HI] = (hi & 0xfffff) | 0x3ff00000; // the mantissa as a double in [1, 2)
  if (f64[0] > BOUNDS[j]) j++;
  return e * 64 + j;
}

/** Index at schema `s - d` of the bucket with index `i` at schema `s` (d >= 0): ceil(i / 2^d). */
export function downscaleIndex(i: number, d: number): number {
  return ((i - 1) >> d) + 1;
}

/** Index of x (> ZERO_THRESHOLD, finite) at `schema`. */
export function indexAt(x: number, schema: number): number {
  return downscaleIndex(index6(x), MAX_SCHEMA - schema);
}

/** Upper bound base^i of bucket `i` at `schema` (its lower bound is that of i - 1). */
export function upperBound(i: number, schema: number): number {
  if (schema < 0) return 2 ** (i * 2 ** -schema);
  // At schema s >= 0 the boundaries are every 2^(6-s)-th schema-6 boundary: same table.
  const i6 = i * 2 ** (MAX_SCHEMA - schema);
  const j = i6 & 63;
  return BOUNDS[j] * 2 ** ((i6 - j) / 64);
}

/**
 * The value reported for bucket `i` at `schema`: its log-midpoint base^(i - 1/2), within
 * {@link relativeErrorAt}(schema) of every value in the bucket.
 */
export function bucketValue(i: number, schema: number): number {
  return 2 ** ((i - 0.5) * 2 ** -schema);
}

/**
 * Largest relative error of {@link bucketValue} against any value of its bucket:
 * base^(1/2) - 1, e.g. 0.54% at schema 6, 1.09% at schema 5, 2.19% at schema 4.
 */
export function relativeErrorAt(schema: number): number {
  return 2 ** (2 ** (-schema - 1)) - 1;
}
