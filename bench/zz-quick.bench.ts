import { DDSketch } from '@datadog/sketches-js';
import { LogSketch } from '../src/sampling/sketch.js';
import { WindowedDistribution } from '../src/sampling/windowed-distribution.js';
import { lognormal } from '../test/helpers/datasets.js';
import { nsPerIteration } from './harness.js';
const N = 1 << 20;
const MASK = N - 1;
const ITER = 8_000_000;
const VALUES = lognormal(N, 1);
const d = new WindowedDistribution();
const a = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) d.record(VALUES[i & MASK]);
}, ITER);
const s = new LogSketch();
const b = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) s.add(VALUES[i & MASK]);
}, ITER);
const dd = new DDSketch({ relativeAccuracy: 0.01 });
const c = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) dd.accept(VALUES[i & MASK]);
}, ITER);
console.log(`window ${a.toFixed(2)}  logsketch ${b.toFixed(2)}  dd ${c.toFixed(2)}  ratio ${(a / c).toFixed(2)}x`);
