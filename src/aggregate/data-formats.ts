import type { JsonObject, JsonValue } from '../core/snapshot.js';
import { describe } from './aggregator.js';

/**
 * Says where the count and the value live in one leaf of a source's tree. An aggregator reads
 * every leaf through its format; a format throws (naming what it expected) when the leaf does
 * not have its shape, and the aggregation reports that as a warning and skips the leaf.
 */
export interface DataFormat {
  /** Name used in messages and in JSON specs ('default', 'direct', 'timer', ...). */
  readonly name: string;
  /** How many observations the leaf stands for (the weight of its value in an average). */
  getCount(data: JsonValue): number;
  /** The leaf's value (`null` means "no value", e.g. the mean of an empty window). */
  getValue(data: JsonValue): JsonValue;
}

function asObject(data: JsonValue, format: string, expected: string): JsonObject {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new TypeError(`${format} format expects ${expected}, got ${describe(data)}`);
  }
  return data;
}

function field(obj: JsonObject, key: string, format: string, expected: string): JsonValue {
  const value = obj[key];
  if (value === undefined) {
    throw new TypeError(`${format} format expects ${expected}, got ${describe(obj)}`);
  }
  return value;
}

function count(value: JsonValue, format: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${format} format: count must be a non-negative number, got ${describe(value)}`);
  }
  return value;
}

/**
 * The leaf as a Yammer/Dropwizard metric object of `type`. Yammer Metrics 2 JSON carries `type`;
 * Dropwizard 3+ JSON does not: accept both.
 */
function metricObject(data: JsonValue, type: string, format: string, expected: string): JsonObject {
  const obj = asObject(data, format, expected);
  if (obj.type !== undefined && obj.type !== type) {
    throw new TypeError(`${format} format expects a ${type}, got type ${JSON.stringify(obj.type)}`);
  }
  return obj;
}

const DEFAULT_EXPECTED = 'a scalar or {count, average} / {count, mean}';

/**
 * The default format. A scalar leaf (a number, a string, a boolean) counts once with itself as
 * the value (an IntStat, a gauge, a version string: `InverseMap` and `Sorted` work on it as
 * they are, `Sum` and `Average` warn that a string is not a number); an object leaf has `count`
 * and `average` — or `mean`, as in PmfStat and MeterStat snapshots.
 */
const DEFAULT: DataFormat = {
  name: 'default',
  getCount(data) {
    if (isScalar(data)) return 1;
    const obj = asObject(data, 'default', DEFAULT_EXPECTED);
    return count(field(obj, 'count', 'default', DEFAULT_EXPECTED), 'default');
  },
  getValue(data) {
    if (isScalar(data)) return data;
    const obj = asObject(data, 'default', DEFAULT_EXPECTED);
    if (obj.average !== undefined) return obj.average;
    return field(obj, 'mean', 'default', DEFAULT_EXPECTED);
  },
};

function isScalar(data: JsonValue): data is number | string | boolean {
  return typeof data === 'number' || typeof data === 'string' || typeof data === 'boolean';
}

/** The leaf itself is the value, counted once. */
const DIRECT: DataFormat = {
  name: 'direct',
  getCount: () => 1,
  getValue: (data) => data,
};

const TIMER_EXPECTED = 'a timer ({type: "timer", rate: {count}, duration: {...}} or {count, p50, mean})';

function timerCount(data: JsonValue, format: string): number {
  const obj = metricObject(data, 'timer', format, TIMER_EXPECTED);
  if (obj.rate !== undefined) {
    const rate = asObject(obj.rate, format, TIMER_EXPECTED);
    return count(field(rate, 'count', format, TIMER_EXPECTED), format);
  }
  return count(field(obj, 'count', format, TIMER_EXPECTED), format);
}

function timerValue(data: JsonValue, format: string, yammerKey: string, dropwizardKey: string): JsonValue {
  const obj = metricObject(data, 'timer', format, TIMER_EXPECTED);
  if (obj.duration !== undefined) {
    const duration = asObject(obj.duration, format, TIMER_EXPECTED);
    return field(duration, yammerKey, format, TIMER_EXPECTED);
  }
  return field(obj, dropwizardKey, format, TIMER_EXPECTED);
}

/** A Yammer/Dropwizard timer: count of calls, value = median duration. */
const TIMER: DataFormat = {
  name: 'timer',
  getCount: (data) => timerCount(data, 'timer'),
  getValue: (data) => timerValue(data, 'timer', 'median', 'p50'),
};

/** A Yammer/Dropwizard timer: count of calls, value = mean duration. */
const TIMER_MEAN: DataFormat = {
  name: 'timer_mean',
  getCount: (data) => timerCount(data, 'timer_mean'),
  getValue: (data) => timerValue(data, 'timer_mean', 'mean', 'mean'),
};

const COUNTER_EXPECTED = 'a counter ({type: "counter", count})';

/** A Yammer/Dropwizard counter: its count is both the weight and the value. */
const COUNTER: DataFormat = {
  name: 'counter',
  getCount(data) {
    const obj = metricObject(data, 'counter', 'counter', COUNTER_EXPECTED);
    return count(field(obj, 'count', 'counter', COUNTER_EXPECTED), 'counter');
  },
  getValue(data) {
    const obj = metricObject(data, 'counter', 'counter', COUNTER_EXPECTED);
    return field(obj, 'count', 'counter', COUNTER_EXPECTED);
  },
};

const METER_EXPECTED = 'a meter ({type: "meter", count, mean} or {count, mean_rate})';

/** A Yammer/Dropwizard meter: count of events, value = mean rate. */
const METER: DataFormat = {
  name: 'meter',
  getCount(data) {
    const obj = metricObject(data, 'meter', 'meter', METER_EXPECTED);
    return count(field(obj, 'count', 'meter', METER_EXPECTED), 'meter');
  },
  getValue(data) {
    const obj = metricObject(data, 'meter', 'meter', METER_EXPECTED);
    if (obj.mean !== undefined) return obj.mean;
    return field(obj, 'mean_rate', 'meter', METER_EXPECTED);
  },
};

const GAUGE_EXPECTED = 'a gauge ({type: "gauge", value})';

/** A Yammer/Dropwizard gauge: its `value`, counted once. */
const GAUGE: DataFormat = {
  name: 'gauge',
  getCount(data) {
    metricObject(data, 'gauge', 'gauge', GAUGE_EXPECTED); // throws unless the leaf is a gauge
    return 1;
  },
  getValue(data) {
    const obj = metricObject(data, 'gauge', 'gauge', GAUGE_EXPECTED);
    return field(obj, 'value', 'gauge', GAUGE_EXPECTED);
  },
};

/**
 * A format reading one field of an object leaf, weighted by the leaf's `count` when it has one.
 * @example
 * new Average({ dataFormat: DataFormats.field('99percentile') }) // mean of per-server p99s
 */
function fieldFormat(key: string): DataFormat {
  const expected = `an object with "${key}"`;
  const name = `field:${key}`;
  return {
    name,
    getCount(data) {
      const obj = asObject(data, name, expected);
      return obj.count === undefined ? 1 : count(obj.count, name);
    },
    getValue(data) {
      return field(asObject(data, name, expected), key, name, expected);
    },
  };
}

/**
 * The data formats: where count and value live in a leaf. DEFAULT and DIRECT read scales trees;
 * TIMER, TIMER_MEAN, COUNTER, METER and GAUGE read Yammer Metrics 2 JSON (with `type`) and
 * Dropwizard 3+ JSON (without); `field(key)` reads any one field.
 */
export const DataFormats = {
  DEFAULT,
  DIRECT,
  TIMER,
  TIMER_MEAN,
  COUNTER,
  METER,
  GAUGE,
  field: fieldFormat,
} as const;

/**
 * Looks a data format up by its JSON-spec name: 'default', 'direct', 'timer', 'timer_mean',
 * 'counter', 'meter', 'gauge' or 'field:<key>' (case-insensitive, except the key).
 */
export function dataFormatByName(name: string): DataFormat {
  if (name.startsWith('field:') && name.length > 6) return fieldFormat(name.slice(6));
  const found = (
    { default: DEFAULT, direct: DIRECT, timer: TIMER, timer_mean: TIMER_MEAN, counter: COUNTER, meter: METER, gauge: GAUGE } as Record<
      string,
      DataFormat
    >
  )[name.toLowerCase()];
  if (found === undefined) {
    throw new Error(`unknown data format "${name}": expected default, direct, timer, timer_mean, counter, meter, gauge or field:<key>`);
  }
  return found;
}
