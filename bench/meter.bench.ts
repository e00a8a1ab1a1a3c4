// Meter.mark() side by side in one process: scales' Meter (lazy Dropwizard EWMA on the shared
// coarse clock), the public MeterStat handle, measured-core's Meter (Dropwizard port with a
// timer per meter) and a plain counter; plus the rates() read time.
// Run: npm run bench   (or BENCH=meter npm run bench)
import { Meter as MeasuredMeter } from 'measured-core';
import * as scales from 'scales-metrics';
import { Meter } from '../src/sampling/meter.js';
import { consume, nsPerIteration, table } from './harness.js';

const ITER = 20_000_000;

const plain = { count: 0 };
const field = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) plain.count += 1;
}, ITER);
consume(plain.count);

const meter = new Meter();
const ours = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) meter.mark();
}, ITER);

const S = new scales.Registry().collection('/bench', scales.meterStat('hits'));
const stat = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) S.hits.mark();
}, ITER);

const measured = new MeasuredMeter();
const theirs = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) measured.mark();
}, ITER / 4);
measured.end(); // stops its per-meter interval timer

const read = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) consume(meter.rates().count);
}, 1_000_000);

table(
  'mark() ns/op (one event), best of 7 rounds',
  ['case', 'ns/op', 'vs scales Meter'],
  [
    ['plain counter field += 1', field, `${(field / ours).toFixed(2)}x`],
    ['scales Meter.mark', ours, '1.00x'],
    ['scales MeterStat STATS.hits.mark (public API)', stat, `${(stat / ours).toFixed(2)}x`],
    ['measured-core Meter.mark', theirs, `${(theirs / ours).toFixed(2)}x`],
    ['scales Meter.rates() (read)', read, `${(read / ours).toFixed(2)}x`],
  ],
);
