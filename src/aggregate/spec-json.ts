import type { JsonObject, JsonValue } from '../core/snapshot.js';
import type { Aggregator } from './aggregator.js';
import type { AggregationSpec } from './aggregation.js';
import { Average } from './average.js';
import { type DataFormat, dataFormatByName } from './data-formats.js';
import { Highlight } from './highlight.js';
import { InverseMap } from './inverse-map.js';
import { Percentiles } from './percentiles.js';
import { parseSpecKey } from './spec-keys.js';
import { Sorted } from './sorted.js';
import { Sum } from './sum.js';
import { isObject } from '../core/json.js';

/** Aggregator types of a JSON spec. */
export const JSON_AGGREGATOR_TYPES = ['sum', 'average', 'inverse', 'sorted', 'max', 'min', 'percentiles'] as const;

/**
 * Builds an {@link AggregationSpec} from its JSON form (the form `scales aggregate --spec` reads).
 * Objects are branches with the same keys as in code (`"*"`, `"re:name:pattern"`, `"=key"`);
 * arrays are leaves whose items are an aggregator type — `"sum"`, `"average"`, `"inverse"`,
 * `"sorted"`, `"max"`, `"min"`, `"percentiles"` — or an object
 * `{ "type": "sorted", "name"?: "...", "format"?: "direct" | "field:99percentile" | ...,
 *    "reverse"?: true, "limit"?: 5, "quantiles"?: [0.5, 0.99] }`.
 * Throws an error naming the offending path when the JSON is not a valid spec.
 * @example
 * specFromJson({ web: { errors: ['sum'], latency: ['average', 'percentiles'] },
 *   http: { 're:error:[45]\\d\\d': [{ type: 'sum', format: 'direct' }] } })
 */
export function specFromJson(json: JsonValue): AggregationSpec {
  return branch(json, '');
}

function branch(json: JsonValue, path: string): AggregationSpec {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`spec ${path || '/'}: expected an object of keys, got ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}`);
  }
  // No prototype: a key "__proto__" (JSON.parse makes it an own key) stays a key of the spec.
  const out: Record<string, AggregationSpec | Aggregator[]> = Object.create(null);
  for (const [key, value] of Object.entries(json)) {
    const here = `${path}/${key}`;
    try {
      parseSpecKey(key);
    } catch (err) {
      throw new Error(`spec ${here}: ${(err as Error).message}`);
    }
    out[key] = Array.isArray(value) ? value.map((item, i) => aggregator(item, `${here}[${i}]`)) : branch(value, here);
  }
  return out;
}

function aggregator(item: JsonValue, where: string): Aggregator {
  const obj: JsonObject = typeof item === 'string' ? { type: item } : isObject(item) ? item : {};
  const type = obj.type;
  if (typeof type !== 'string') {
    throw new Error(`spec ${where}: expected an aggregator type (${JSON_AGGREGATOR_TYPES.join(', ')}) or {type, ...}, got ${JSON.stringify(item)}`);
  }
  for (const key of Object.keys(obj)) {
    if (!['type', 'name', 'format', 'reverse', 'limit', 'quantiles'].includes(key)) {
      throw new Error(`spec ${where}: unknown option "${key}"`);
    }
  }
  const name = optionalString(obj.name, where, 'name');
  let dataFormat: DataFormat | undefined;
  const format = optionalString(obj.format, where, 'format');
  if (format !== undefined) {
    try {
      dataFormat = dataFormatByName(format);
    } catch (err) {
      throw new Error(`spec ${where}: ${(err as Error).message}`);
    }
  }
  const common = { ...(name !== undefined && { name }), ...(dataFormat !== undefined && { dataFormat }) };
  try {
    switch (type) {
      case 'sum':
        return new Sum(common);
      case 'average':
        return new Average(common);
      case 'inverse':
        return new InverseMap(common);
      case 'sorted': {
        const limit = obj.limit;
        if (limit !== undefined && typeof limit !== 'number') throw new Error('limit must be a number');
        return new Sorted({ ...common, reverse: obj.reverse === true, ...(limit !== undefined && { limit }) });
      }
      case 'max':
        return Highlight.max(name ?? 'max', dataFormat ? { dataFormat } : {});
      case 'min':
        return Highlight.min(name ?? 'min', dataFormat ? { dataFormat } : {});
      case 'percentiles': {
        const q = obj.quantiles;
        if (q !== undefined && !(Array.isArray(q) && q.every((x) => typeof x === 'number'))) {
          throw new Error('quantiles must be an array of numbers');
        }
        return new Percentiles({ ...(name !== undefined && { name }), ...(q !== undefined && { quantiles: q as number[] }) });
      }
      default:
        throw new Error(`unknown aggregator type "${type}": expected one of ${JSON_AGGREGATOR_TYPES.join(', ')}`);
    }
  } catch (err) {
    throw new Error(`spec ${where}: ${(err as Error).message}`);
  }
}

function optionalString(v: JsonValue | undefined, where: string, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`spec ${where}: ${what} must be a string`);
  return v;
}
