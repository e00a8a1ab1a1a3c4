/**
 * LogSketch: a mergeable quantile sketch with a relative-error guarantee (first version:
 * logarithmic mapping, sparse bins; the fast dense version replaces it).
 */

/** Options of a {@link LogSketch}. */
export interface LogSketchOptions {
  /** Relative accuracy of every quantile, in (0, 1). Default {@link DEFAULT_RELATIVE_ACCURACY}. */
  relativeAccuracy?: number;
}

/** Default relative accuracy: 1%. */
export const DEFAULT_RELATIVE_ACCURACY = 0.01;

/** A mergeable quantile sketch whose quantiles are within `relativeAccuracy` of the truth. */
export class LogSketch {
  readonly relativeAccuracy: number;
  private readonly gamma: number;
  private readonly lnGamma: number;
  private pos = new Map<number, number>();
  private neg = new Map<number, number>();
  private zero = 0;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(options: LogSketchOptions = {}) {
    const a = options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
    if (!(a > 0 && a < 1)) throw new RangeError(`LogSketch: relativeAccuracy ${a} is not in (0, 1)`);
    this.relativeAccuracy = a;
    this.gamma = (1 + a) / (1 - a);
    this.lnGamma = Math.log(this.gamma);
  }

  /** Adds one finite value. */
  add(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`LogSketch.add: ${value} is not a finite number`);
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value > 1e-300) {
      const i = Math.ceil(Math.log(value) / this.lnGamma);
      this.pos.set(i, (this.pos.get(i) ?? 0) + 1);
    } else if (value < -1e-300) {
      const i = Math.ceil(Math.log(-value) / this.lnGamma);
      this.neg.set(i, (this.neg.get(i) ?? 0) + 1);
    } else this.zero++;
  }

  /** Adds every value of `other` (same relative accuracy required). */
  merge(other: LogSketch): void {
    for (const [k, c] of other.pos) this.pos.set(k, (this.pos.get(k) ?? 0) + c);
    for (const [k, c] of other.neg) this.neg.set(k, (this.neg.get(k) ?? 0) + c);
    this.zero += other.zero;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** The value at quantile `q` in [0, 1], or null when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.floor(q * (this.count - 1));
    let cum = 0;
    const negKeys = [...this.neg.keys()].sort((a, b) => b - a);
    for (const k of negKeys) {
      cum += this.neg.get(k)!;
      if (cum > rank) return -this.value(k);
    }
    cum += this.zero;
    if (cum > rank) return 0;
    const posKeys = [...this.pos.keys()].sort((a, b) => a - b);
    for (const k of posKeys) {
      cum += this.pos.get(k)!;
      if (cum > rank) return this.value(k);
    }
    return this.max;
  }

  private value(i: number): number {
    return (2 * this.gamma ** i) / (1 + this.gamma);
  }

  /** Empties the sketch. */
  clear(): void {
    this.pos.clear();
    this.neg.clear();
    this.zero = 0;
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }

  /** Compact text form (see {@link LogSketch.deserialize}). */
  serialize(): string {
    return Buffer.from(
      JSON.stringify([1, this.relativeAccuracy, this.zero, this.sum, this.min, this.max, [...this.pos], [...this.neg]]),
    ).toString('base64url');
  }

  /** Rebuilds a sketch from {@link LogSketch.serialize} output. */
  static deserialize(text: string): LogSketch {
    let d: unknown;
    try {
      d = JSON.parse(Buffer.from(text, 'base64url').toString());
    } catch {
      throw new TypeError('LogSketch.deserialize: input is not a serialized LogSketch');
    }
    if (!Array.isArray(d) || d[0] !== 1) throw new TypeError('LogSketch.deserialize: unknown format');
    const s = new LogSketch({ relativeAccuracy: d[1] });
    s.zero = d[2];
    s.sum = d[3];
    s.min = d[4] ?? Number.POSITIVE_INFINITY;
    s.max = d[5] ?? Number.NEGATIVE_INFINITY;
    s.pos = new Map(d[6]);
    s.neg = new Map(d[7]);
    s.count = s.zero;
    for (const c of s.pos.values()) s.count += c;
    for (const c of s.neg.values()) s.count += c;
    return s;
  }
}
