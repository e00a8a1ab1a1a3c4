/**
 * The catalogue of stat kinds: the only file that knows them all. Each kind lives in its own
 * file under src/stats/ (its live stat, its declaration function, its snapshot value and the
 * samples and display hints it gives every output); it is known here by one line of
 * {@link KINDS}. Adding a kind is its file plus that line.
 */
import type { KindOutputs } from '../core/samples.js';
import type { AnyDef, StatDef } from '../core/stat-def.js';
import { histogramAggregationOutputs } from '../stats/histogram-aggregation-stat.js';
import { intDictOutputs } from '../stats/int-dict-stat.js';
import { intDictSumAggregationOutputs } from '../stats/int-dict-sum-aggregation-stat.js';
import { maxOutputs } from '../stats/max-stat.js';
import { meterDictOutputs } from '../stats/meter-dict-stat.js';
import { meterOutputs } from '../stats/meter-stat.js';
import { namedPmfDictOutputs } from '../stats/named-pmf-dict-stat.js';
import { doubleOutputs, intOutputs } from '../stats/number-stat.js';
import { pmfOutputs } from '../stats/pmf-stat.js';
import { stateTimeOutputs } from '../stats/state-time-stat.js';
import { stringDictOutputs } from '../stats/string-dict-stat.js';
import { sumAggregationOutputs } from '../stats/sum-aggregation-stat.js';
import { valueOutputs } from '../stats/value-stat.js';

export type { AnyDef, StatDef, Widen } from '../core/stat-def.js';
export { histogramAggregationStat } from '../stats/histogram-aggregation-stat.js';
export { intDictStat } from '../stats/int-dict-stat.js';
export { intDictSumAggregationStat } from '../stats/int-dict-sum-aggregation-stat.js';
export { maxStat } from '../stats/max-stat.js';
export { meterDictStat } from '../stats/meter-dict-stat.js';
export { meterStat } from '../stats/meter-stat.js';
export { namedPmfDictStat } from '../stats/named-pmf-dict-stat.js';
export { doubleStat, intStat } from '../stats/number-stat.js';
export { pmfStat } from '../stats/pmf-stat.js';
export { stateTimeStat } from '../stats/state-time-stat.js';
export { stringDictStat } from '../stats/string-dict-stat.js';
export { sumAggregationStat } from '../stats/sum-aggregation-stat.js';
export { stat } from '../stats/value-stat.js';

/** Every kind of stat by name, with how it shows in every output. One line per kind. */
export const KINDS = {
  value: valueOutputs,
  int: intOutputs,
  double: doubleOutputs,
  intDict: intDictOutputs,
  stringDict: stringDictOutputs,
  pmf: pmfOutputs,
  namedPmfDict: namedPmfDictOutputs,
  meter: meterOutputs,
  meterDict: meterDictOutputs,
  stateTime: stateTimeOutputs,
  sumAggregation: sumAggregationOutputs,
  histogramAggregation: histogramAggregationOutputs,
  intDictSumAggregation: intDictSumAggregationOutputs,
  max: maxOutputs,
} satisfies Record<string, KindOutputs<never>>;

/** Every kind of stat, as a string literal. */
export type StatKind = keyof typeof KINDS;

/** The snapshot value of a kind (`number` for 'int', `PmfSnapshot` for 'pmf', ...). */
export type StatValue<K extends StatKind> = (typeof KINDS)[K] extends KindOutputs<infer V> ? V : never;

/** Whether `kind` names a kind of the catalogue. */
export function isStatKind(kind: string): kind is StatKind {
  return Object.hasOwn(KINDS, kind);
}

type AccessOf<D> = D extends StatDef<string, infer A, unknown, boolean> ? A : never;
type HandleOf<D> = D extends StatDef<string, unknown, infer H, boolean> ? H : never;
type LiteralName<D, W extends boolean> = D extends StatDef<infer N, unknown, unknown, W> ? (string extends N ? never : N) : never;

/**
 * The object that `collection`, `init` and `initChild` return: one property per stat, typed
 * from the declarations (a typo in a stat name is a compile error), plus `$`, the handles
 * (`STATS.$.byPath.inc(key)`, `STATS.$.errors.inc()`).
 */
export type Stats<D extends readonly AnyDef[]> = {
  -readonly [X in D[number] as LiteralName<X, true>]: AccessOf<X>;
} & {
  readonly [X in D[number] as LiteralName<X, false>]: AccessOf<X>;
} & (string extends D[number]['name'] ? { [name: string]: unknown } : unknown) & {
    /** The handles of the stats: explicit methods (`inc`, `get`, `set`, ...), and the fastest form. */
    readonly $: { readonly [X in D[number] as X['name']]: HandleOf<X> };
  };
