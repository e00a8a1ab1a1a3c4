import { HistogramAggregationCell, type HistogramAggregationHandle, type HistogramAggregationOptions } from '../stats/histogram-aggregation-stat.js';
import { IntDictCell, type IntDictHandle, type IntDictOptions } from '../stats/int-dict-stat.js';
import {
  IntDictSumAggregationCell,
  type IntDictSumAggregationHandle,
  type IntDictSumAggregationOptions,
} from '../stats/int-dict-sum-aggregation-stat.js';
import { MeterDictCell, type MeterDictHandle, type MeterDictOptions } from '../stats/meter-dict-stat.js';
import { MeterCell, type MeterHandle } from '../stats/meter-stat.js';
import { NamedPmfDictCell, type NamedPmfDictHandle, type NamedPmfDictOptions } from '../stats/named-pmf-dict-stat.js';
import { NumberCell, type NumberHandle } from '../stats/number-stat.js';
import { PmfCell, type PmfHandle, type PmfOptions } from '../stats/pmf-stat.js';
import { StateTimeCell, type StateTimeHandle, type StateTimeOptions } from '../stats/state-time-stat.js';
import { StringDictCell, type StringDictHandle, type StringDictOptions } from '../stats/string-dict-stat.js';
import { SumAggregationCell, type SumAggregationHandle } from '../stats/sum-aggregation-stat.js';
import { ValueCell, type ValueHandle } from '../stats/value-stat.js';
import type { Container } from '../core/container.js';
import { validateName } from '../core/path.js';
import type { StatKind } from '../core/snapshot.js';
import type { StatCell, StatContext } from '../core/stat-cell.js';

/**
 * The declaration of a stat: its name and kind, and how to create it in a container. Made by
 * the stat functions (`intStat('errors')`, ...) and given to `collection`, `init`, `initChild`.
 * The type parameters carry the name `N`, the type `A` of its property on the stats object,
 * the type `H` of its handle under `$`, and whether the property is assignable (`W`).
 */
export interface StatDef<N extends string = string, A = unknown, H = unknown, W extends boolean = boolean> {
  readonly name: N;
  readonly kind: StatKind;
  /** @internal Creates the live stat. */
  readonly create: (container: Container, ctx: StatContext) => StatCell;
  /** Type-only markers; never set at run time. */
  readonly _access?: A;
  readonly _handle?: H;
  readonly _writable?: W;
}

// biome-ignore lint/suspicious/noExplicitAny: any is what lets every StatDef be one AnyDef
export type AnyDef = StatDef<string, any, any, boolean>;
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

/** Widens literal types (`'idle'` to `string`) so a stat's initial value does not fix its type. */
export type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

function def<N extends string, A, H, W extends boolean>(
  name: N,
  kind: StatKind,
  create: (container: Container, ctx: StatContext) => StatCell,
): StatDef<N, A, H, W> {
  validateName(name, 'stat');
  return Object.freeze({ name, kind, create });
}

/**
 * A stat holding any value, or a function called whenever the stat is read (a gauge).
 * Children's values feed a parent's `histogramAggregationStat` of the same name.
 * @example
 * scales.collection('/proc', scales.stat('currentTime', () => Date.now()), scales.stat('state', 'idle'));
 */
export function stat<T = unknown, N extends string = string>(name: N, gauge: () => T): StatDef<N, T, ValueHandle<T>, true>;
/** Without an initial value the stat reads `undefined` until written, and is typed so. */
export function stat<T = unknown, N extends string = string>(name: N): StatDef<N, Widen<T> | undefined, ValueHandle<Widen<T>>, true>;
export function stat<T = unknown, N extends string = string>(name: N, initial: T): StatDef<N, Widen<T>, ValueHandle<Widen<T>>, true>;
export function stat<T, N extends string>(name: N, initial?: T | (() => T)): AnyDef {
  return def(name, 'value', (c, ctx) => new ValueCell<T>(name, c, ctx, initial));
}

/**
 * An integer counter (0 until written): `STATS.errors += 1`, or `STATS.$.errors.inc()`.
 * Feeds a parent's `sumAggregationStat` / `histogramAggregationStat` of the same name.
 */
export function intStat<N extends string>(name: N): StatDef<N, number, NumberHandle, true> {
  return def(name, 'int', (c, ctx) => new NumberCell(name, c, ctx, 'int'));
}

/** A floating-point value (0 until written); like `intStat`. */
export function doubleStat<N extends string>(name: N): StatDef<N, number, NumberHandle, true> {
  return def(name, 'double', (c, ctx) => new NumberCell(name, c, ctx, 'double'));
}

/**
 * Counts per key: `STATS.byPath[path] += 1` (a missing key reads 0), or the faster
 * `STATS.$.byPath.inc(path)`. `autoDelete` removes keys that fall to 0; new keys beyond
 * `keyLimit` (default 1,000) are folded into `__overflow__`.
 */
export function intDictStat<N extends string>(name: N, options: IntDictOptions = {}): StatDef<N, Record<string, number>, IntDictHandle, false> {
  return def(name, 'intDict', (c, ctx) => new IntDictCell(name, c, ctx, options));
}

/** Strings per key: `STATS.owner[key] = 'alice'` (a missing key reads ''). */
export function stringDictStat<N extends string>(name: N, options: StringDictOptions = {}): StatDef<N, Record<string, string>, StringDictHandle, false> {
  return def(name, 'stringDict', (c, ctx) => new StringDictCell(name, c, ctx, options));
}

/**
 * A distribution (usually of timings): `STATS.latency.record(0.042)`,
 * `STATS.latency.time(() => work())`, `const t = STATS.latency.time(); ...; t.stop()`.
 * Reports count, min, max, mean, stddev and percentiles of the recent window.
 */
export function pmfStat<N extends string>(name: N, options: PmfOptions = {}): StatDef<N, PmfHandle, PmfHandle, false> {
  return def(name, 'pmf', (c, ctx) => new PmfCell(name, c, ctx, options));
}

/** A PmfStat per key: `STATS.byRoute[route].record(seconds)`. */
export function namedPmfDictStat<N extends string>(
  name: N,
  options: NamedPmfDictOptions = {},
): StatDef<N, Record<string, PmfHandle>, NamedPmfDictHandle, false> {
  return def(name, 'namedPmfDict', (c, ctx) => new NamedPmfDictCell(name, c, ctx, options));
}

/** 1/5/15-minute rates: `STATS.hits.mark()` or `STATS.hits.mark(5)`. */
export function meterStat<N extends string>(name: N): StatDef<N, MeterHandle, MeterHandle, false> {
  return def(name, 'meter', (c, ctx) => new MeterCell(name, c, ctx));
}

/** A meter per key: `STATS.hitsByRoute[route].mark()`. */
export function meterDictStat<N extends string>(name: N, options: MeterDictOptions = {}): StatDef<N, Record<string, MeterHandle>, MeterDictHandle, false> {
  return def(name, 'meterDict', (c, ctx) => new MeterDictCell(name, c, ctx, options));
}

/**
 * Time spent per state: `STATS.phase.state = 'reading'`; `STATS.inflight.acquire()` counts
 * concurrency (time spent at each level).
 */
export function stateTimeStat<N extends string>(name: N, options: StateTimeOptions = {}): StatDef<N, StateTimeHandle, StateTimeHandle, false> {
  return def(name, 'stateTime', (c, ctx) => new StateTimeCell(name, c, ctx, options));
}

/** The sum of the same-named number stats of the descendants (read-only). */
export function sumAggregationStat<N extends string>(name: N): StatDef<N, number, SumAggregationHandle, false> {
  return def(name, 'sumAggregation', (c, ctx) => new SumAggregationCell(name, c, ctx));
}

/** `{value: how many descendants hold it now}` over the same-named stats of the descendants. */
export function histogramAggregationStat<N extends string>(
  name: N,
  options: HistogramAggregationOptions = {},
): StatDef<N, Readonly<Record<string, number>>, HistogramAggregationHandle, false> {
  return def(name, 'histogramAggregation', (c, ctx) => new HistogramAggregationCell(name, c, ctx, options));
}

/** `{key: sum over the descendants' same-named intDicts of [key]}` (read-only). */
export function intDictSumAggregationStat<N extends string>(
  name: N,
  options: IntDictSumAggregationOptions = {},
): StatDef<N, Readonly<Record<string, number>>, IntDictSumAggregationHandle, false> {
  return def(name, 'intDictSumAggregation', (c, ctx) => new IntDictSumAggregationCell(name, c, ctx, options));
}

/** Whether a stat kind is an aggregation. */
export function isAggregationKind(kind: StatKind): boolean {
  return kind === 'sumAggregation' || kind === 'histogramAggregation' || kind === 'intDictSumAggregation';
}
