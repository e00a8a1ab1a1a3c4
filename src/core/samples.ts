/**
 * The samples a stat yields to every output, and the display hints of its kind. Each stat kind
 * (src/stats/) describes itself with a {@link KindOutputs}; Prometheus, Graphite, the HTML page,
 * the live view and the CLI tree iterate these samples and never look at the kind's name. The
 * unions are closed: an output handles every `type` (an exhaustive `switch` ending in
 * {@link unhandled}), so a new sample type, or a kind yielding one, that some output does not
 * handle fails to compile.
 */
import type { StatDescription } from './description.js';
import type { KindMerge } from './merge.js';
import type { HistogramBuckets, JsonValue } from './snapshot.js';

/** Labels of a sample in a labelled metric family: `[['key', '/a'], ['window', 'm1']]`. */
export type Labels = readonly (readonly [name: string, value: string])[];

/**
 * How an output that sends per-period deltas (Graphite) turns a cumulative sample into one:
 * 'diff' sends the change since the previous period (may be negative); 'monotonic' does the
 * same but reads a decrease as a restart from 0 and sends the new value.
 */
export type DeltaMode = 'diff' | 'monotonic';

/** What every sample has. */
interface SampleBase {
  /**
   * Where the sample sits in the stat's JSON value: the keys from the value down to the leaf
   * (`[]` for a scalar stat, `['lifetime', 'count']`). null for a sample that is not a leaf of
   * the JSON (a boolean shown as 0/1): outputs that send JSON leaves (Graphite) skip it.
   */
  readonly field: readonly string[] | null;
  /**
   * Its labels in the stat's metric family (`[]`: none). null for a leaf that no metric family
   * of the kind can express (a number deep inside a gauge's object): Prometheus skips it.
   */
  readonly labels: Labels | null;
}

/** A number that can go up and down (a count that may be decremented is a gauge too). */
export interface GaugeSample extends SampleBase {
  readonly type: 'gauge';
  readonly value: number;
  /** Set when the number accumulates (an intStat): how a per-period delta is taken. */
  readonly delta?: DeltaMode;
  /** What it counts or measures, e.g. 'events per second'. */
  readonly unit?: string;
}

/** A running total that only goes up (until a reset). */
export interface CounterSample extends SampleBase {
  readonly type: 'counter';
  readonly value: number;
  readonly delta: DeltaMode;
  /** What it counts, e.g. 'events'. */
  readonly unit?: string;
}

/** One quantile of a distribution's recent window; null when the window is empty. */
export interface QuantileSample extends SampleBase {
  readonly type: 'quantile';
  /** In [0, 1]. */
  readonly quantile: number;
  readonly value: number | null;
}

/** One summary figure of a distribution: over the recent window or its lifetime. */
export interface DistributionSample extends SampleBase {
  readonly type: 'distribution';
  readonly scope: 'window' | 'lifetime';
  readonly figure: 'count' | 'sum' | 'min' | 'max' | 'mean' | 'stddev';
  readonly value: number | null;
  /** Set for the cumulative figures (lifetime count and sum). */
  readonly delta?: DeltaMode;
  /** On the lifetime count of a snapshot taken with `{ histograms: true }`: the lifetime's buckets. */
  readonly histogram?: HistogramBuckets;
}

/** Seconds spent in one state (it only grows while the stat lives). */
export interface StateSample extends SampleBase {
  readonly type: 'state';
  readonly value: number;
}

/** A text value, carried in labels (`name_info{value="1.2.3"} 1`). */
export interface InfoSample extends SampleBase {
  readonly type: 'info';
  readonly value: string;
}

/** Every sample type. */
export type Sample = GaugeSample | CounterSample | QuantileSample | DistributionSample | StateSample | InfoSample;

/**
 * The metric family a stat's samples form in typed exposition formats: 'gauge' (gauge and
 * state samples), 'info', 'summary' (quantile and distribution samples), 'counter' (a counter
 * with gauges of its rates). null: the stat has no family (a gauge holding an object).
 */
export type FamilyType = 'gauge' | 'info' | 'summary' | 'counter';

/** How a number is shown to people: plain, a duration in s or ms, a rate per second. */
export type NumberFormat = 'n' | 's' | 'ms' | 'r';

/** How the HTML page lays out an object inside a stat's value. */
export interface TableHint {
  /** CSS class of the table (`obj pmf`). */
  readonly className: string;
  /** From which depth of the value on tables get this hint (0: the value itself; 1: the values of a dict). */
  readonly fromDepth: number;
  /** Keys in this order first, the rest by name. */
  readonly order: readonly string[];
  /** The key whose string value is the unit of the durations inside (`unit`), if any. */
  readonly unitKey?: string;
}

/** How people see a kind: on the status page, in the live view and in the CLI tree. */
export interface DisplayHints {
  /** How a numeric leaf is formatted, given its key (undefined for a scalar stat) and the unit in scope. */
  format(field: string | undefined, unit: string | undefined): NumberFormat;
  /** Layout of the objects of the value (none: keys sorted by name). */
  readonly table?: TableHint;
  /**
   * One-row form in the CLI tree: 'distribution' (`n 100  min 1 ms  p50 ...`) or 'rates'
   * (`count 5  m1 0.2/s ...`), for the value itself (depth 0) or each value of a dict (depth 1).
   */
  readonly row?: { readonly form: 'distribution' | 'rates'; readonly depth: number };
}

/** What a snapshot says about a stat besides its value. */
export interface StatMeta {
  /**
   * True when the value is a number JSON cannot hold (NaN, ±Infinity), held as the text 'NaN',
   * 'Infinity' or '-Infinity': the value is that number, not that text.
   */
  readonly nonFinite?: true;
  /** What the declaration said (help, unit, label names): keyed kinds name their labels from it. */
  readonly description?: StatDescription;
}

/**
 * How a stat kind describes its snapshot value to the outputs. `V` is the type of the value.
 * Written once per kind, in the kind's own file.
 */
export interface KindOutputs<V extends JsonValue> {
  /**
   * Every sample of a value, in the order of the value's JSON keys; the samples of one labelled
   * entry (a pmf, a dict key's meter) come together and share one `labels` array.
   */
  samples(value: V, meta: StatMeta): readonly Sample[];
  /** The metric family of those samples (see {@link FamilyType}). */
  family(value: V, meta: StatMeta): FamilyType | null;
  /** Display hints. */
  readonly display: DisplayHints;
  /**
   * Whether a JSON value received from elsewhere (a cluster worker's report) has this kind's
   * value shape, which the merge and every output rely on: checked on each stat before it is kept.
   */
  shape(value: JsonValue): boolean;
  /**
   * Whether a JSON value of a dump written without kinds looks like this kind's value (used once,
   * by the dump reader, to infer kinds); absent: never inferred.
   */
  recognize?(value: JsonValue): boolean;
  /** How values of the kind from many workers merge into one (src/core/merge.ts; docs/cluster.md). */
  readonly merge: KindMerge<V>;
}

/** No labels (shared: samples are read-only). */
export const NO_LABELS: Labels = Object.freeze([]);
/** The field of a scalar stat's sample: the value itself (shared). */
export const AT_VALUE: readonly string[] = Object.freeze([]);

/** `[...at, key]`, without copying when `at` is empty and `key` one of `known` (fields shared across samples). */
export function fieldAt(at: readonly string[], key: string, known?: ReadonlyMap<string, readonly string[]>): readonly string[] {
  if (at.length === 0) return known?.get(key) ?? [key];
  const out = at.slice();
  out.push(key);
  return out;
}

/** For the `default:` of an exhaustive switch: a case left out is a compile error. */
export function unhandled(x: never): never {
  throw new TypeError(`unhandled case ${JSON.stringify(x)}`);
}
