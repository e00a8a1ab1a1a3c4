import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as scales from 'scales-metrics';
import { renderPrometheus } from 'scales-metrics/formats';

const fresh = (options: scales.RegistryOptions = {}) => new scales.Registry({ clock: new scales.ManualClock(1000), ...options });

/** The description of the stat `name` directly under `path` in a snapshot. */
function descriptionOf(r: scales.Registry, path: string, name: string): scales.StatDescription | undefined {
  const node = r.snapshot(path);
  assert.ok(node, `no container at ${path}`);
  const stat = node.stats.find((s) => s.name === name);
  assert.ok(stat, `no stat ${name} in ${path}`);
  return stat.description;
}

describe('declarations: help, unit, prometheusName', () => {
  test('every declaration function takes them, and the snapshot carries them', () => {
    const r = fresh();
    const opts = (help: string) => ({ help, unit: 'bytes', prometheusName: `x_${help}` });
    r.collection(
      '/d',
      scales.intStat('i', opts('i')),
      scales.doubleStat('d', opts('d')),
      scales.stat('v', 1, opts('v')),
      scales.stat('g', () => 2, opts('g')),
      scales.maxStat('m', opts('m')),
      scales.meterStat('me', opts('me')),
      scales.sumAggregationStat('sa', opts('sa')),
      scales.intDictStat('id', opts('id')),
      scales.stringDictStat('sd', opts('sd')),
      scales.meterDictStat('md', opts('md')),
      scales.intDictSumAggregationStat('ida', opts('ida')),
      scales.histogramAggregationStat('ha', opts('ha')),
      scales.stateTimeStat('st', opts('st')),
    );
    for (const name of ['i', 'd', 'v', 'g', 'm', 'me', 'sa']) {
      assert.deepEqual(descriptionOf(r, '/d', name), { help: name, unit: 'bytes', prometheusName: `x_${name}` });
    }
    for (const name of ['id', 'sd', 'md', 'ida', 'ha']) {
      assert.deepEqual(descriptionOf(r, '/d', name), { help: name, unit: 'bytes', labels: ['key'], prometheusName: `x_${name}` });
    }
    assert.deepEqual(descriptionOf(r, '/d', 'st'), { help: 'st', unit: 'bytes', labels: ['state'], prometheusName: 'x_st' });
  });

  test('nothing declared: no description on an unkeyed stat; a pmf always has its unit', () => {
    const r = fresh();
    r.collection('/d', scales.intStat('i'), scales.pmfStat('p'), scales.pmfStat('q', { unit: 'ms', help: 'Query time' }));
    assert.equal(descriptionOf(r, '/d', 'i'), undefined);
    assert.equal('description' in (r.snapshot('/d')?.stats[0] ?? {}), false);
    assert.deepEqual(descriptionOf(r, '/d', 'p'), { unit: 's' });
    assert.deepEqual(descriptionOf(r, '/d', 'q'), { help: 'Query time', unit: 'ms' });
  });

  test('a wrong option is a TypeError naming the stat, at declaration', () => {
    assert.throws(() => scales.intStat('errors', { help: 42 as unknown as string }), /stat "errors": help must be a non-empty string/);
    assert.throws(() => scales.intStat('errors', { unit: '' }), /stat "errors": unit must be a non-empty string/);
    assert.throws(
      () => scales.intStat('errors', { prometheusName: 'my-errors' }),
      /stat "errors": prometheusName "my-errors" is not a Prometheus metric name/,
    );
  });
});

describe('counters and gauges', () => {
  test('a counter rejects every form of decrease, keeps its value and counts the write; a reset is allowed', () => {
    const errors: Error[] = [];
    const r = fresh({ onError: (e) => errors.push(e) });
    const S = r.collection(
      '/c',
      scales.intStat('n'),
      scales.intDictStat('d'),
      scales.intDictStat('l', { labels: ['a', 'b'] }),
      scales.meterStat('m'),
    );
    S.n += 5;
    S.n -= 1;
    S.n = 2;
    S.$.n.dec();
    S.$.n.inc(-1);
    S.$.n.set(4);
    S.d.k = 3;
    S.d.k -= 1;
    S.$.d.dec('k');
    S.$.d.inc('k', -2);
    S.$.d.set('k', 1);
    S.$.d.inc('new', -1); // a decrease from 0
    S.$.l.inc({ a: 'x', b: 'y' }, 3);
    S.$.l.dec({ a: 'x', b: 'y' });
    S.$.l.set({ a: 'x', b: 'y' }, 2);
    S.$.l.labels('x', 'y').dec();
    S.$.l.labels('x', 'y').inc(-1);
    S.m.mark(-1);
    assert.deepEqual(r.getStats('/c'), { n: 5, d: { k: 3 }, l: { x: { y: 3 } }, m: S.m.snapshot() });
    assert.equal(S.m.snapshot().count, 0);
    assert.deepEqual(r.getStats('/scales')?.rejected, { '/c/n': 5, '/c/d': 5, '/c/l': 4, '/c/m': 1 });
    assert.match(
      errors[0]!.message,
      /^scales-metrics: rejected a write to \/c\/n: 4 is a decrease of a counter \(now 5\): declare it with \{ gauge: true \} if it may go down$/,
    );
    assert.ok(errors.every((e) => e instanceof RangeError));
    // Growing writes go through; clear() is a reset.
    S.n = 6;
    S.$.d.set('k', 10);
    S.$.l.labels('x', 'y').inc();
    assert.deepEqual(r.getStats('/c')?.l, { x: { y: 4 } });
    r.clear('/c');
    assert.equal(S.n, 0);
    assert.deepEqual(r.getStats('/c')?.d, {});
  });

  test('strict mode throws the RangeError into the caller', () => {
    const r = fresh({ strict: true });
    const S = r.collection('/c', scales.intStat('n'), scales.intDictStat('l', { labels: ['a', 'b'] }));
    S.n = 3;
    assert.throws(
      () => {
        S.n -= 1;
      },
      (e: unknown) => e instanceof RangeError && /\/c\/n: 2 is a decrease of a counter .*declare it with \{ gauge: true \}/.test(e.message),
    );
    assert.throws(() => S.$.l.labels('x', 'y').dec(), /\/c\/l: -1 is a decrease of a counter \(now 0, labels \["x","y"\]\)/);
    assert.equal(S.n, 3);
  });

  test('{ gauge: true } lets a value go down, and makes it a gauge in the outputs', () => {
    const r = fresh({ strict: true });
    const S = r.collection(
      '/g',
      scales.intStat('inFlight', { gauge: true }),
      scales.intDictStat('queued', { gauge: true }),
      scales.intDictStat('byShard', { labels: ['shard', 'state'], gauge: true }),
      scales.intStat('served'),
    );
    S.inFlight += 2;
    S.inFlight -= 1;
    S.$.queued.dec('a');
    S.$.byShard.labels(1, 'busy').dec(3);
    S.served += 1;
    assert.deepEqual(r.getStats('/g'), { inFlight: 1, queued: { a: -1 }, byShard: { '1': { busy: -3 } }, served: 1 });
    assert.deepEqual(descriptionOf(r, '/g', 'inFlight'), { gauge: true });
    const text = renderPrometheus(r.snapshot('/')!);
    assert.match(text, /^# TYPE g_in_flight gauge$/m);
    assert.match(text, /^# TYPE g_queued gauge$/m);
    assert.match(text, /^g_by_shard\{shard="1",state="busy"\} -3$/m);
    assert.match(text, /^# TYPE g_served(_total)? counter$/m);
  });

  test('a sum aggregation is a counter unless declared a gauge: a gauge child of a counter sum is a declaration error', () => {
    const r = fresh();
    const parent = {};
    r.init(parent, '/p', scales.sumAggregationStat('n'), scales.intDictSumAggregationStat('d'));
    assert.throws(
      () => r.initChild({}, parent, 'a', scales.intStat('n', { gauge: true })),
      /stat "n" in \/p\/a may go down \(a gauge\) but the sum aggregation \/p\/n is a counter: declare the aggregation with \{ gauge: true \}/,
    );
    assert.throws(() => r.initChild({}, parent, 'b', scales.doubleStat('n')), /the sum aggregation \/p\/n is a counter/);
    assert.throws(() => r.initChild({}, parent, 'c', scales.intDictStat('d', { gauge: true })), /the sum aggregation \/p\/d is a counter/);
    const other = {};
    const sums = r.init(other, '/q', scales.sumAggregationStat('n', { gauge: true }));
    const child = r.initChild({}, other, 'a', scales.doubleStat('n'));
    child.n = 2.5;
    child.n = 1;
    assert.equal(sums.n, 1);
    assert.match(renderPrometheus(r.snapshot('/q')!), /^# TYPE q_n gauge$/m);
    assert.match(renderPrometheus(r.snapshot('/p')!), /^# TYPE p_n(_total)? counter$/m);
  });

  test('gauge must be a boolean', () => {
    assert.throws(() => scales.intStat('n', { gauge: 'yes' as unknown as boolean }), /stat "n": gauge must be true or false/);
  });
});

describe('units', () => {
  test('a pmf records and times in s, ms, us or ns, and keeps its unit in the snapshot and the description', () => {
    const clock = new scales.ManualClock(1000);
    const r = new scales.Registry({ clock });
    const S = r.collection(
      '/t',
      scales.pmfStat('s'),
      scales.pmfStat('ms', { unit: 'ms' }),
      scales.pmfStat('us', { unit: 'us' }),
      scales.pmfStat('ns', { unit: 'ns' }),
    );
    const timers = [S.s.time(), S.ms.time(), S.us.time(), S.ns.time()];
    clock.advance(2.5);
    assert.deepEqual(
      timers.map((t) => t.stop()),
      [0.0025, 2.5, 2500, 2_500_000],
    );
    for (const [name, unit] of [
      ['s', 's'],
      ['ms', 'ms'],
      ['us', 'us'],
      ['ns', 'ns'],
    ] as const) {
      assert.equal(S[name].unit, unit);
      assert.equal(S[name].snapshot().unit, unit);
      assert.equal(descriptionOf(r, '/t', name)?.unit, unit);
    }
    assert.throws(
      () => r.collection('/bad', scales.pmfStat('p', { unit: 'minutes' as never })),
      /pmfStat "p": unit must be 's', 'ms', 'us' or 'ns', not "minutes"/,
    );
  });

  test('other kinds carry any unit as given (never converted)', () => {
    const r = fresh();
    const S = r.collection(
      '/u',
      scales.intStat('sent', { unit: 'bytes' }),
      scales.doubleStat('load', { unit: 'ratio' }),
      scales.stat('temp', 21.5, { unit: '°C' }),
    );
    S.sent += 1024;
    assert.deepEqual(r.getStats('/u'), { sent: 1024, load: 0, temp: 21.5 });
    assert.deepEqual(
      r.snapshot('/u')?.stats.map((s) => s.description?.unit),
      ['bytes', 'ratio', '°C'],
    );
  });
});

describe('declaring again', () => {
  test('the same stat declared again must say the same: counter or gauge', () => {
    const r = fresh();
    r.collection('/a', scales.intStat('n'));
    r.collection('/a', scales.intStat('n')); // the same declaration again: the same stat
    assert.throws(
      () => r.collection('/a', scales.intStat('n', { gauge: true })),
      /stat "n" in \/a is already declared as a counter; declare it the same way again/,
    );
  });

  test('a namedPmfDictStat refuses a bad unit or window at declaration, not at its first write', () => {
    assert.throws(() => scales.namedPmfDictStat('lat', { unit: 'minutes' as never }), /pmfStat "lat": unit must be 's', 'ms', 'us' or 'ns'/);
    assert.throws(() => scales.namedPmfDictStat('lat', { windowMs: 0 }), /pmfStat "lat": windowMs 0 is not a positive number/);
  });
});

describe('a stat read from elsewhere that only goes up: stat(name, fn, { counter: true })', () => {
  test('is a counter in Prometheus (name_total), a number in JSON, and kept by a dump', async () => {
    const r = fresh();
    let cpu = 1.5;
    r.collection(
      '/proc',
      scales.stat('cpuSeconds', () => cpu, { counter: true, unit: 's', help: 'CPU time' }),
      scales.stat('level', () => 3),
    );
    assert.deepEqual(r.getStats('/proc'), { cpuSeconds: 1.5, level: 3 });
    assert.equal(descriptionOf(r, '/proc', 'cpuSeconds')?.counter, true);
    cpu = 2.25;
    const text = renderPrometheus(r.snapshot('/')!);
    assert.match(text, /^# TYPE proc_cpu_seconds_total counter$/m);
    assert.match(text, /^proc_cpu_seconds_total 2\.25$/m);
    assert.match(text, /^# TYPE proc_level gauge$/m, 'without the option a stat stays a gauge');
  });

  test('a counter option that is not a boolean is a TypeError naming the stat', () => {
    assert.throws(() => scales.stat('x', () => 1, { counter: 'yes' as unknown as boolean }), /stat "x": counter must be true or false/);
  });
});
