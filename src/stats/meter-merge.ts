/**
 * How a meter (and a dict of them) merges over workers: counts added over every worker, rates
 * added over the workers not dead.
 */
import { isObject } from '../core/json.js';
import { type MergeRule, mapKeyed, mergeKeyed, num, type Part } from '../core/merge.js';
import type { JsonValue, MeterSnapshot } from '../core/snapshot.js';

function isMeter(v: JsonValue): boolean {
  return isObject(v) && typeof v.count === 'number' && 'm1' in v && 'm15' in v;
}

/** Counts added over every part; rates added over the parts not known dead. */
function mergeMeters(parts: readonly Part<MeterSnapshot>[]): MeterSnapshot {
  const out: MeterSnapshot = { ...parts[0]!.value, count: 0, m1: 0, m5: 0, m15: 0, mean: 0 };
  for (const p of parts) out.count += num(p.value.count) ?? 0;
  for (const p of parts) {
    if (!p.live) continue;
    out.m1 += num(p.value.m1) ?? 0;
    out.m5 += num(p.value.m5) ?? 0;
    out.m15 += num(p.value.m15) ?? 0;
    out.mean += num(p.value.mean) ?? 0;
  }
  return out;
}

const retiredMeter = (v: MeterSnapshot): MeterSnapshot => ({ ...v, m1: 0, m5: 0, m15: 0, mean: 0 });

/** The merge rule of a meter. */
export const METER_MERGE: MergeRule<MeterSnapshot> = { merge: (parts) => ({ value: mergeMeters(parts) }), retire: retiredMeter };

/** The merge rule of a dict of meters (labelled: nested), merged per key. */
export function meterDictMerge<D extends JsonValue>(): MergeRule<D> {
  return {
    merge: (parts) => ({ value: mergeKeyed<MeterSnapshot>(parts, isMeter, mergeMeters) as D }),
    retire: (v) => mapKeyed(v, isMeter, (l) => retiredMeter(l as MeterSnapshot) as unknown as JsonValue) as D,
  };
}
