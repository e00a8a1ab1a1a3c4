/**
 * What a declaration says about a stat besides its name and kind: help text, unit, label names,
 * a Prometheus family name. Given at declaration (`intStat('errors', { help: '...' })`), carried
 * by the snapshot (`stat.description`) and by dumps, read by every output.
 */

/** What a declaration says about a stat besides its name and kind (src/core/description.ts). */
export interface StatDescription {
  /** Help text: Prometheus HELP, the page's tooltip; absent: outputs fall back to the path. */
  readonly help?: string;
  /** The declared unit of the values: 's' | 'ms' | 'us' | 'ns' | 'bytes' | 'ratio', or any other
   *  string (shown as is, never converted). Outputs to Prometheus convert time units to seconds. */
  readonly unit?: string;
  /** Label names of a keyed stat, outermost first (['method', 'route', 'status']); ['key'] for
   *  an unnamed dict; absent for an unkeyed stat. */
  readonly labels?: readonly string[];
  /** A Prometheus family name used as is (no suffix added): migrations, runtime stats that
   *  match prom-client's default names. */
  readonly prometheusName?: string;
  /**
   * Declared `{ gauge: true }`: a kind that counts by default (intStat, intDictStat, the sum
   * aggregations) holds a value that may go down; its samples are gauges. Absent: the kind's
   * default (a counter for those, whose decreases are rejected).
   */
  readonly gauge?: true;
  /**
   * Declared `{ counter: true }` on a `stat` (a value read from elsewhere that only goes up until
   * a restart, such as CPU seconds or bytes a socket wrote): its number is a counter in every
   * output. Absent: a `stat` is a gauge.
   */
  readonly counter?: true;
}

/** The units outputs know (time units are converted to seconds for Prometheus); any other string is shown as is. */
export type KnownUnit = 's' | 'ms' | 'us' | 'ns' | 'bytes' | 'ratio';

/** The options every declaration function accepts (`intStat('errors', { help: 'Failed requests' })`). */
export interface DeclarationOptions {
  /** Help text: Prometheus HELP, the status page's tooltip. Default: the stat's path. */
  help?: string;
  /**
   * The unit of the values: 's', 'ms', 'us', 'ns', 'bytes', 'ratio', or any other text (shown as
   * is, never converted). Shown next to the value on the page and in the CLI tree.
   */
  unit?: KnownUnit | (string & {});
  /** A Prometheus family name used as is (no suffix added), e.g. to keep prom-client's names. */
  prometheusName?: string;
}

/**
 * The options of the kinds that count by default (intStat, intDictStat, sumAggregationStat,
 * intDictSumAggregationStat): a counter only goes up (until a reset); `gauge: true` lets it go
 * down, and makes it a gauge in every output.
 */
export interface CounterOptions extends DeclarationOptions {
  /** The value may go down (an in-flight count, a level): a gauge, not a counter. Default false. */
  gauge?: boolean;
}

/** The options of a `stat` (a value or a function read on demand). */
export interface ValueOptions extends DeclarationOptions {
  /**
   * The number only goes up until the process restarts (CPU seconds, bytes written, a total kept
   * elsewhere): a counter in every output (`name_total` in Prometheus, summed over every worker of
   * a cluster). Default false: a gauge.
   */
  counter?: boolean;
}

/** The label name of a dict declared without `labels`. */
export const KEY_LABEL = 'key';

/** The labels of a dict declared without `labels` (shared). */
export const KEY_LABELS: readonly string[] = Object.freeze([KEY_LABEL]);

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Label names the outputs add themselves (summary quantiles, histogram buckets, meter windows, info values, escaping marks). */
const RESERVED_LABELS: ReadonlySet<string> = new Set(['le', 'quantile', 'window', 'value', 'escaped']);
const PROMETHEUS_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Longest help text kept. */
const MAX_HELP_CHARS = 4096;
/** Most labels a keyed stat may have. */
export const MAX_LABELS = 16;

function optionalText(value: unknown, what: string, statName: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`stat "${statName}": ${what} must be a non-empty string, not ${typeof value === 'string' ? '""' : String(value)}`);
  }
  return value;
}

/**
 * The label names of a keyed stat, checked: an array of 1 to {@link MAX_LABELS} distinct names
 * (letters, digits, `_`, not starting with a digit; `__`-prefixed names are Prometheus'). Absent:
 * `['key']`. Throws a TypeError naming the stat.
 */
export function labelNamesOf(value: unknown, statName: string): readonly string[] {
  if (value === undefined) return KEY_LABELS;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LABELS) {
    throw new TypeError(`stat "${statName}": labels must be an array of 1 to ${MAX_LABELS} label names, e.g. ['method', 'route']`);
  }
  const seen = new Set<string>();
  for (const l of value) {
    if (typeof l !== 'string' || !LABEL_NAME.test(l) || l.startsWith('__')) {
      throw new TypeError(
        `stat "${statName}": label name ${typeof l === 'string' ? JSON.stringify(l) : String(l)} is not a label name (letters, digits and _, not starting with a digit or __)`,
      );
    }
    if (RESERVED_LABELS.has(l)) {
      throw new TypeError(`stat "${statName}": label "${l}" is reserved (the outputs add ${[...RESERVED_LABELS].join(', ')} themselves)`);
    }
    if (seen.has(l)) throw new TypeError(`stat "${statName}": label "${l}" is named twice`);
    seen.add(l);
  }
  return Object.freeze([...value] as string[]);
}

/**
 * The description a declaration gives its stat, from its options (checked: a wrong type is a
 * TypeError naming the stat), its label names (keyed kinds) and a unit the kind implies (a pmf's
 * `unit`). undefined when nothing is declared.
 */
export function describeStat(
  statName: string,
  options: DeclarationOptions | undefined,
  labels?: readonly string[],
  impliedUnit?: string,
): StatDescription | undefined {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`stat "${statName}": options must be an object, not ${String(options)}`);
  }
  const help = optionalText(options?.help, 'help', statName);
  const unit = optionalText(options?.unit, 'unit', statName) ?? impliedUnit;
  const prometheusName = optionalText(options?.prometheusName, 'prometheusName', statName);
  const gaugeOption = (options as CounterOptions | undefined)?.gauge;
  if (gaugeOption !== undefined && typeof gaugeOption !== 'boolean')
    throw new TypeError(`stat "${statName}": gauge must be true or false, not ${String(gaugeOption)}`);
  const gauge = gaugeOption === true ? true : undefined;
  const counterOption = (options as ValueOptions | undefined)?.counter;
  if (counterOption !== undefined && typeof counterOption !== 'boolean')
    throw new TypeError(`stat "${statName}": counter must be true or false, not ${String(counterOption)}`);
  const counter = counterOption === true ? true : undefined;
  if (help !== undefined && help.length > MAX_HELP_CHARS) throw new TypeError(`stat "${statName}": help is longer than ${MAX_HELP_CHARS} characters`);
  if (prometheusName !== undefined && !PROMETHEUS_NAME.test(prometheusName)) {
    throw new TypeError(
      `stat "${statName}": prometheusName ${JSON.stringify(prometheusName)} is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`,
    );
  }
  if (
    help === undefined &&
    unit === undefined &&
    labels === undefined &&
    prometheusName === undefined &&
    gauge === undefined &&
    counter === undefined
  )
    return undefined;
  const d: { help?: string; unit?: string; labels?: readonly string[]; prometheusName?: string; gauge?: true; counter?: true } = {};
  if (help !== undefined) d.help = help;
  if (unit !== undefined) d.unit = unit;
  if (labels !== undefined) d.labels = labels;
  if (prometheusName !== undefined) d.prometheusName = prometheusName;
  if (gauge !== undefined) d.gauge = gauge;
  if (counter !== undefined) d.counter = counter;
  return Object.freeze(d);
}

/**
 * A description read back from JSON (a dump's `descriptions`): only the well-typed fields kept,
 * undefined when none is. Never throws (a dump may come from anywhere).
 */
export function descriptionFromJson(v: unknown): StatDescription | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const d: { help?: string; unit?: string; labels?: readonly string[]; prometheusName?: string; gauge?: true; counter?: true } = {};
  if (typeof o.help === 'string') d.help = o.help;
  if (typeof o.unit === 'string') d.unit = o.unit;
  if (Array.isArray(o.labels) && o.labels.length > 0 && o.labels.every((l) => typeof l === 'string'))
    d.labels = Object.freeze([...(o.labels as string[])]);
  if (typeof o.prometheusName === 'string') d.prometheusName = o.prometheusName;
  if (o.gauge === true) d.gauge = true;
  if (o.counter === true) d.counter = true;
  return Object.keys(d).length === 0 ? undefined : Object.freeze(d);
}

/** Whether two stats have the same label names (a labelled dict feeds only a sum of the same labels). */
export function sameLabels(a: StatDescription | undefined, b: StatDescription | undefined): boolean {
  const la = a?.labels ?? KEY_LABELS;
  const lb = b?.labels ?? KEY_LABELS;
  return la.length === lb.length && la.every((l, i) => l === lb[i]);
}
