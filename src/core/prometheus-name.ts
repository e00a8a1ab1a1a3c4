/**
 * The Prometheus family name of a stat, computed once at declaration from its path and what the
 * declaration said: the path's segments joined by `_` (camelCase as snake_case, every other
 * character outside `[a-z0-9_]` as `_`, a `_` before a leading digit), then the base unit's suffix (`_seconds` for the time
 * units, `_bytes`, `_ratio`) unless the name already ends with it; a declared `prometheusName`
 * is used as is. Counters add `_total` to their series (not when the name already ends with it).
 *
 * Names are stable: they never depend on what else is in the tree. Two stats that would share a
 * series name are refused at declaration by the registry ({@link PrometheusNameTable}), never
 * renamed by order.
 */
import type { StatDescription } from './description.js';

const NAME_CHAR_BAD = /[^a-zA-Z0-9_]/;
const NAME_CHARS_BAD = /[^a-zA-Z0-9_]/g;

/** Every character outside `[a-zA-Z0-9_]` as `_`. */
export function nameChars(text: string): string {
  return NAME_CHAR_BAD.test(text) ? text.replace(NAME_CHARS_BAD, '_') : text;
}

/** A valid name from sanitized characters: `_` when empty, a `_` before a leading digit. */
export function finishName(out: string): string {
  if (out === '') return '_';
  const c = out.charCodeAt(0);
  return c >= 48 && c <= 57 ? '_' + out : out;
}

const CAMEL = /([a-z0-9])([A-Z])/g;
const UPPER = /[A-Z]/;

/** camelCase as snake_case (`byStatus` → `by_status`, `HTTPServer` → `httpserver`): Prometheus names are snake_case. */
export function snakeCase(text: string): string {
  return UPPER.test(text) ? text.replace(CAMEL, '$1_$2').toLowerCase() : text;
}

/**
 * The metric name of a stat path, without unit suffix: the segments joined by `_`, camelCase as
 * snake_case, every other character outside `[a-z0-9_]` as `_`, a `_` before a leading digit.
 *
 * @example metricName('/web/byStatus') === 'web_by_status'; metricName('/api/v1.2/p99') === 'api_v1_2_p99'
 */
export function metricName(path: string): string {
  return finishName(
    nameChars(
      snakeCase(
        path
          .split('/')
          .filter((s) => s !== '')
          .join('_'),
      ),
    ),
  );
}

/** Seconds per unit of the time units (their values are exported in seconds). */
export const SECONDS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['s', 1],
  ['ms', 1e-3],
  ['us', 1e-6],
  ['ns', 1e-9],
]);

/** The suffix of a unit's base unit: `_seconds`, `_bytes`, `_ratio`; '' for any other unit. */
export function unitSuffix(unit: string | undefined): string {
  if (unit === undefined) return '';
  if (SECONDS_PER_UNIT.has(unit)) return '_seconds';
  if (unit === 'bytes') return '_bytes';
  if (unit === 'ratio') return '_ratio';
  return '';
}

/** What a stat's values are multiplied by on export: seconds per unit of a time unit, else 1. */
export function exportScale(description: StatDescription | undefined): number {
  const unit = description?.unit;
  return unit === undefined ? 1 : (SECONDS_PER_UNIT.get(unit) ?? 1);
}

/**
 * A stat's family name: `prometheusName` as is, else {@link metricName} of its path with its
 * unit's suffix (`/http/latency` in 'ms' → `http_latency_seconds`).
 */
export function prometheusFamilyName(path: string, description: StatDescription | undefined): string {
  if (description?.prometheusName !== undefined) return description.prometheusName;
  return withSuffix(metricName(path), unitSuffix(description?.unit));
}

/** `name` + `suffix`, unless the name already ends with it. */
export function withSuffix(name: string, suffix: string): string {
  return suffix === '' || name.endsWith(suffix) ? name : name + suffix;
}

/**
 * Every series name a family may write (`name`, `name_total`, `name_bucket`, ...): what a
 * family name reserves, since the kinds' families (gauge, counter with rates, info, summary,
 * histogram) use these.
 */
export const SERIES_SUFFIXES: readonly string[] = Object.freeze(['', '_total', '_created', '_rate', '_info', '_sum', '_count', '_bucket']);

/** The series names a family name reserves. A counter named `x_total` writes `x_total`, not `x_total_total`. */
export function seriesNames(family: string): string[] {
  const base = family.endsWith('_total') ? family.slice(0, -'_total'.length) : family;
  const out = SERIES_SUFFIXES.map((s) => family + s);
  if (base !== family) out.push(base + '_rate');
  return out;
}

/**
 * The series names held by the stats of one registry, by owner (a stat path): claimed at
 * declaration, released when the stat leaves the tree.
 */
export class PrometheusNameTable {
  private readonly owners = new Map<string, string>();
  private readonly byPath = new Map<string, string[]>();

  /**
   * Claims the family name of the stat at `path`: its name, or an Error naming the stat and the
   * one already holding a series name it needs (nothing is claimed then).
   */
  claim(path: string, description: StatDescription | undefined): string | Error {
    const family = prometheusFamilyName(path, description);
    // A counting kind declared { gauge: true } writes one gauge family: its own name only (so
    // prom-client's pair nodejs_active_handles{type} and nodejs_active_handles_total can coexist).
    const names = description?.gauge === true ? [family] : seriesNames(family);
    for (const n of names) {
      const other = this.owners.get(n);
      if (other !== undefined && other !== path) {
        return new TypeError(
          `scales-metrics: stat ${path} maps to the Prometheus name "${family}", whose series "${n}" is already ${other}'s: ` +
            'declare one of them with another name or a prometheusName',
        );
      }
    }
    for (const n of names) this.owners.set(n, path);
    this.byPath.set(path, names);
    return family;
  }

  /** Releases the names of the stat at `path`. */
  release(path: string): void {
    const names = this.byPath.get(path);
    if (names === undefined) return;
    for (const n of names) if (this.owners.get(n) === path) this.owners.delete(n);
    this.byPath.delete(path);
  }

  /** Forgets every name. */
  clear(): void {
    this.owners.clear();
    this.byPath.clear();
  }
}
