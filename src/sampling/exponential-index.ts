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
 * The index is exact at every boundary: it is read from the float's exponent bits and
 * Prometheus' own table of the 64 schema-6 boundaries of one octave, so it is the index
 * Prometheus computes (frexp, then a binary search in that table) for every double; not
 * Math.log, which lands on the wrong side of a boundary for some doubles. The top 8 mantissa
 * bits pick a slot of 1/256 octave; a slot holds at most one boundary, so one comparison
 * finishes the job.
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
const LO = LITTLE_ENDIAN ? 0 : 1;

/**
 * Prometheus' schema-6 bounds (`nativeHistogramBounds[6]` in client_golang, the same in the
 * server's model/histogram): 2^(j/64) / 2 for j = 0..63, as Prometheus spells them. Several are
 * an ulp or two below the correctly rounded 2^(j/64) / 2; using Prometheus' own doubles is what
 * makes our index agree with Prometheus' for every double, boundaries included.
 */
const PROMETHEUS_SCHEMA_6 = [
  0.5, 0.5054446430258502, 0.5109485743270583, 0.5165124395106142, 0.5221368912137069, 0.5278225891802786, 0.5335702003384117, 0.5393803988785598,
  0.5452538663326288, 0.5511912916539204, 0.5571933712979462, 0.5632608093041209, 0.5693943173783458, 0.5755946149764913, 0.5818624293887887,
  0.5881984958251406, 0.5946035575013605, 0.6010783657263515, 0.6076236799902344, 0.6142402680534349, 0.620928906036742, 0.6276903785123455,
  0.6345254785958666, 0.6414350080393891, 0.6484197773255048, 0.6554806057623822, 0.6626183215798706, 0.6698337620266515, 0.6771277734684463,
  0.6845012114872953, 0.6919549409819159, 0.6994898362691555, 0.7071067811865475, 0.7148066691959849, 0.7225904034885232, 0.7304588970903234,
  0.7384130729697496, 0.7464538641456323, 0.7545822137967112, 0.762799075372269, 0.7711054127039704, 0.7795022001189185, 0.7879904225539431,
  0.7965710756711334, 0.805245165974627, 0.8140137109286738, 0.8228777390769823, 0.8318382901633681, 0.8408964152537144, 0.8500531768592616,
  0.8593096490612387, 0.8686669176368529, 0.8781260801866495, 0.8876882462632604, 0.8973545375015533, 0.9071260877501991, 0.9170040432046711,
  0.9269895625416926, 0.9370838170551498, 0.9472879907934827, 0.9576032806985735, 0.9680308967461471, 0.9785720620876999, 0.9892280131939752,
];

/** BOUNDS[j] = 2 x Prometheus' bound j (the octave [1, 2)), j = 0..63; BOUNDS[64] = 2; BOUNDS[65] = +Infinity (a guard). */
export const BOUNDS = new Float64Array(66);
for (let j = 0; j < 64; j++) BOUNDS[j] = 2 * PROMETHEUS_SCHEMA_6[j];
BOUNDS[64] = 2;
BOUNDS[65] = Number.POSITIVE_INFINITY;

/**
 * The mantissa bits of BOUNDS[j] (j < 64): high 20 bits and low 32 bits, so that the index is
 * found by comparing integers (no write into the float's bits and read back as a double, which
 * stalls the CPU's store forwarding). For j >= 64 the high part is above any mantissa.
 */
const BOUND_HI = new Uint32Array(66);
const BOUND_LO = new Uint32Array(66);
for (let j = 0; j < 66; j++) {
  if (j >= 64) {
    BOUND_HI[j] = 0x100000;
    continue;
  }
  f64[0] = BOUNDS[j];
  BOUND_HI[j] = u32[HI] & 0xfffff;
  BOUND_LO[j] = u32[LO];
}

/**
 * FIRST[s]: the smallest j with BOUNDS[j] >= 1 + s/256 (the first boundary in slot s or above);
 * SLOT_HI[s], SLOT_LO[s]: that boundary's mantissa bits, indexed by the slot too, so that the
 * two lookups do not wait for each other.
 */
const FIRST = new Uint8Array(256);
const SLOT_HI = new Uint32Array(256);
const SLOT_LO = new Uint32Array(256);
for (let s = 0, j = 0; s < 256; s++) {
  while (BOUNDS[j] < 1 + s / 256) j++;
  FIRST[s] = j;
  SLOT_HI[s] = BOUND_HI[j];
  SLOT_LO[s] = BOUND_LO[j];
}

/**
 * Schema-6 bucket index of a finite x > {@link ZERO_THRESHOLD}: the smallest i with
 * x <= 2^(i/64), each 2^(i/64) taken as Prometheus' table has it (the octave's boundary times
 * an exact power of two). From -8191 to 65536.
 */
export function index6(x: number): number {
  f64[0] = x;
  const hi = u32[HI];
  const m = hi & 0xfffff;
  const s = m >>> 12;
  const b = SLOT_HI[s];
  // mantissa > BOUNDS[FIRST[s]]: compare the high 20 bits, and the low 32 only when those are equal
  const above = m > b || (m === b && u32[LO] > SLOT_LO[s]) ? 1 : 0;
  return ((hi >>> 20) - 1023) * 64 + FIRST[s] + above;
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
