/**
 * The typed snapshot: the one model that feeds every output (JSON, HTML, Prometheus, Graphite,
 * dumps). A stat is a union discriminated by `kind`, each kind with its own value type, so
 * `if (s.kind === 'pmf') s.value.median` needs no cast. Built from the catalogue of kinds.
 */
import type { StatDescription } from '../core/description.js';
import { setOwn } from '../core/json.js';
import { KINDS, type StatKind, type StatValue } from './catalogue.js';
import type { FamilyType, KindOutputs, Labels, Sample } from '../core/samples.js';
import { errorMarker, type JsonObject, type JsonValue, type SnapshotOptions } from '../core/snapshot.js';

export type { SnapshotOptions };
export type { StatKind, StatValue };

/** One stat of kind `K` in a snapshot: its value, or (value null) the error reading it raised. */
export type SnapshotStatOf<K extends StatKind> =
  | {
      readonly name: string;
      readonly kind: K;
      readonly value: StatValue<K>;
      readonly error?: undefined;
      /**
       * True on a `value` stat whose value is a number JSON cannot hold (NaN, ±Infinity): `value`
       * then holds it as the text 'NaN', 'Infinity' or '-Infinity'. A string stat holding that
       * text has no flag, so outputs type a value by this, never by parsing the text.
       */
      readonly nonFinite?: true;
      /** What the declaration said besides name and kind (help, unit, labels); absent: nothing. */
      readonly description?: StatDescription;
      /** Set when the registry refused the stat's Prometheus name (another stat holds it): Prometheus leaves it out. */
      readonly prometheusRefused?: true;
      /**
       * Set by a source that holds one stat many times (a cluster's workers, read for Prometheus
       * with per-worker series): the series of each, labelled (`[['worker', '1']]`). Prometheus
       * writes these, their labels first, in the stat's one family instead of `value`.
       */
      readonly series?: readonly StatSeries<K>[];
    }
  | {
      readonly name: string;
      readonly kind: K;
      readonly value: null;
      /** Set when reading the stat failed (a gauge function threw): the error's message. */
      readonly error: string;
      /** What the declaration said besides name and kind (help, unit, labels); absent: nothing. */
      readonly description?: StatDescription;
      /** Set when the registry refused the stat's Prometheus name (another stat holds it): Prometheus leaves it out. */
      readonly prometheusRefused?: true;
    };

/** One of the {@link SnapshotStatOf.series} of a stat: a value of its kind and the labels that tell it apart. */
export interface StatSeries<K extends StatKind> {
  readonly labels: Labels;
  readonly value: StatValue<K>;
  readonly nonFinite?: true;
}

/**
 * One stat of a snapshot node, discriminated by `kind`: a number for int/double/sum stats, any
 * JSON value for `value` stats (gauges evaluated), `{key: number}` for intDict, stateTime and the
 * dict aggregations, `{key: string}` for stringDict, `PmfSnapshot` for pmf, `{key: PmfSnapshot}`
 * for namedPmfDict, `MeterSnapshot` for meter, `{key: MeterSnapshot}` for meterDict. `value` is
 * null when `error` is set.
 */
export type SnapshotStat = { [K in StatKind]: SnapshotStatOf<K> }[StatKind];

/** One container of the tree, with its stats and child containers. */
export type SnapshotNode = {
  /** The container's own name ('' for the root). */
  readonly name: string;
  /** The container's path, '/' for the root, else '/a/b' (no trailing slash). */
  readonly path: string;
  /** Stats in declaration order. */
  readonly stats: SnapshotStat[];
  /** Child containers in creation order. */
  readonly children: SnapshotNode[];
};

/**
 * Which containers a rendering shows collapsed (left out of JSON, a link in HTML), by path; never
 * the container the rendering starts at. Collapsing is a display choice, not part of the snapshot.
 */
export type CollapsedTest = (path: string) => boolean;

/** The JSON value of one stat: its value, or `{error: message}` when reading it failed. */
export function statJsonValue(stat: SnapshotStat): JsonValue {
  return stat.error !== undefined ? errorMarker(stat.error) : stat.value;
}

/**
 * The snapshot as the plain JSON tree users know (`getStats()`, `?format=json`, a dump's
 * `stats`): stats in declaration order, then child containers, those `collapsed` says left out.
 *
 * @example snapshotJson(node) // { errors: 3, latency: { count: 10, ... }, api: { ... } }
 */
export function snapshotJson(node: SnapshotNode, collapsed?: CollapsedTest): JsonObject {
  const out: JsonObject = {};
  for (const s of node.stats) setOwn(out, s.name, statJsonValue(s));
  for (const c of node.children) if (collapsed === undefined || !collapsed(c.path)) setOwn(out, c.name, snapshotJson(c, collapsed));
  return out;
}

const OUTPUTS = KINDS as unknown as Readonly<Record<StatKind, KindOutputs<JsonValue>>>;

/**
 * How a snapshot stat's kind shows in the outputs. Every stat of a snapshot pairs a kind with
 * that kind's value (the registry and the dump reader build them so), so the kind's functions
 * take the stat's value as it is.
 *
 * @example for (const sample of kindOf(stat).samples(stat.value)) ...
 */
export function kindOf(stat: SnapshotStat): KindOutputs<JsonValue> {
  return OUTPUTS[stat.kind];
}

/**
 * The metric family and samples of a stat with {@link SnapshotStatOf.series}, as Prometheus writes
 * them: every series' samples, its labels before the samples' own, in the family of the first (a
 * series of another family is left out). null: no family.
 */
export function seriesFamily(stat: SnapshotStat & { readonly series: readonly StatSeries<StatKind>[] }): {
  family: FamilyType;
  samples: readonly Sample[];
} | null {
  const kind = kindOf(stat);
  let family: FamilyType | null = null;
  const samples: Sample[] = [];
  for (const one of stat.series) {
    const meta = { description: stat.description, nonFinite: one.nonFinite };
    const f = kind.family(one.value, meta);
    if (f === null || (family !== null && f !== family)) continue;
    family = f;
    // The samples of one entry share one labels array (the writers group entries by it): so do theirs.
    const prefixed = new Map<Labels, Labels>();
    for (const s of kind.samples(one.value, meta)) {
      if (s.labels === null) continue;
      let labels = prefixed.get(s.labels);
      if (labels === undefined) prefixed.set(s.labels, (labels = [...one.labels, ...s.labels]));
      samples.push({ ...s, labels });
    }
  }
  return family === null ? null : { family, samples };
}
