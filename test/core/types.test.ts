// Compile-time checks of the public types: `tsc -p tsconfig.test.json` (part of `npm test`)
// fails if a `@ts-expect-error` line compiles, or if a correct use stops compiling. The runtime
// assertions check the same objects behave as typed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as scales from 'scales-metrics';

test('collection() infers a typed stats object from the declarations', () => {
  const r = new scales.Registry();
  const STATS = r.collection(
    '/web',
    scales.intStat('errors'),
    scales.pmfStat('latency'),
    scales.meterStat('hits'),
    scales.intDictStat('byPath'),
    scales.stat('currentTime', () => 42),
    scales.stat('mode', 'idle'),
    scales.sumAggregationStat('total'),
  );
  STATS.errors += 1;
  const e: number = STATS.errors;
  const t: number = STATS.currentTime;
  STATS.mode = 'busy'; // widened to string, not the literal 'idle'
  STATS.byPath['/a'] += 1;
  STATS.hits.mark(2);
  STATS.latency.record(0.5);
  const sum: number = STATS.total;
  STATS.$.byPath.inc('/b');
  STATS.$.errors.inc();
  // Compile-time only: never called (each line would throw or misbehave at run time).
  const compileOnly = () => {
    // @ts-expect-error a typo in a stat name is a compile error
    STATS.erors += 1;
    // @ts-expect-error an int stat holds numbers
    STATS.errors = 'x';
    // @ts-expect-error aggregations are read-only
    STATS.total = 5;
    // @ts-expect-error the pmf property itself cannot be replaced
    STATS.latency = 0.1;
    // @ts-expect-error handles are typed too
    STATS.$.byPath.increment('/a');
  };
  assert.equal(typeof compileOnly, 'function');
  assert.equal(e, 1);
  assert.equal(t, 42);
  assert.equal(sum, 0);
  assert.equal(STATS.errors, 2);
  assert.equal(STATS.byPath['/b'], 1);
  assert.equal(STATS.mode, 'busy');
});

test('writing to an aggregation view throws in strict code', () => {
  const r = new scales.Registry();
  const s = r.collection('/a', scales.histogramAggregationStat('state'));
  assert.throws(() => {
    (s.state as Record<string, number>).x = 1;
  }, TypeError);
  assert.equal(s.state.missing, 0);
});
