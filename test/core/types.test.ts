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

test('writing to an aggregation view is dropped and counted, not thrown', () => {
  const r = new scales.Registry({ onError: () => {} });
  const s = r.collection('/a', scales.histogramAggregationStat('state'));
  (s.state as Record<string, number>).x = 1;
  delete (s.state as Record<string, number>).y;
  assert.equal(s.state.x, 0);
  assert.equal(s.state.missing, 0);
  assert.deepEqual(r.getStats('/scales')?.rejected, { '/a/state': 2 });
});

test('class-based stats, stat types, dynamic names and read-only views are typed', () => {
  const r = new scales.Registry();
  class Processor {
    stats = r.init(this, '/processor', scales.histogramAggregationStat('state'), scales.sumAggregationStat('finished'));
  }
  class Worker {
    stats;
    constructor(parent: Processor) {
      this.stats = r.initChild(this, parent, 'w-0', scales.stat<string, 'state'>('state'), scales.intStat('finished'), scales.meterStat('hits'));
    }
  }
  const p = new Processor();
  const w = new Worker(p);
  w.stats.state = 'busy';
  w.stats.finished += 2;
  // A stat declared without a value reads undefined until written, and is typed so.
  const st: string | undefined = w.stats.state;
  const waiting: number = p.stats.state.busy ?? 0;
  const finished: number = p.stats.finished;
  // Names only known at run time: the object is indexable, its properties unknown.
  const name: string = ['dyn'][0]!;
  const dyn = r.collection('/dyn', scales.intStat(name));
  const d: unknown = dyn[name];
  const compileOnly = () => {
    // @ts-expect-error the value may be undefined: it must be checked before use
    w.stats.state.length;
    // @ts-expect-error a string stat holds strings
    w.stats.state = 5;
    // @ts-expect-error a typo in a class's stats is a compile error too
    w.stats.finishd += 1;
    // @ts-expect-error a histogram aggregation is a read-only view
    p.stats.state.busy = 3;
    // @ts-expect-error a meter property cannot be replaced
    w.stats.hits = 1;
    // @ts-expect-error the handles object is read-only
    w.stats.$ = {};
  };
  assert.equal(typeof compileOnly, 'function');
  assert.equal(st, 'busy');
  assert.equal(waiting, 1);
  assert.equal(finished, 2);
  assert.equal(d, 0);
});
