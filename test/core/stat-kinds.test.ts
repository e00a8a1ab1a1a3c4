import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as scales from 'scales-metrics';

const fresh = (options: scales.RegistryOptions = {}) => new scales.Registry({ clock: new scales.ManualClock(1000), ...options });

describe('stat kinds', () => {
  test('intStat and doubleStat: assignment, += and the handle', () => {
    const r = fresh();
    const s = r.collection('/n', scales.intStat('i', { gauge: true }), scales.doubleStat('d'));
    s.i += 2;
    s.i -= 1;
    s.$.i.inc();
    s.$.i.inc(10);
    s.$.i.dec(2);
    s.d = 0.25;
    s.$.d.set(s.d * 2);
    assert.equal(s.i, 10);
    assert.equal(s.$.i.value, 10);
    assert.deepEqual(r.getStats(), { n: { i: 10, d: 0.5 } });
  });

  test('non-finite numbers are rejected, counted under /scales/rejected, and never poison sums', () => {
    const errors: Error[] = [];
    const r = fresh({ onError: (e) => errors.push(e) });
    const parent = {};
    r.init(parent, '/p', scales.sumAggregationStat('n'));
    const child = r.initChild({}, parent, 'c', scales.intStat('n'), scales.pmfStat('lat'), scales.intDictStat('d'), scales.meterStat('m'));
    child.n = 5;
    child.n = Number.NaN;
    child.n += Number.POSITIVE_INFINITY;
    child.lat.record(Number.NaN);
    child.d.k = Number.NEGATIVE_INFINITY;
    child.m.mark(Number.NaN);
    (child as unknown as { n: unknown }).n = '7';
    assert.equal(child.n, 5);
    assert.equal((r.getStats('/p') as { n: number }).n, 5);
    assert.equal(child.lat.snapshot().lifetime.count, 0);
    assert.deepEqual(r.getStats('/scales')?.rejected, { '/p/c/n': 3, '/p/c/lat': 1, '/p/c/d': 1, '/p/c/m': 1 });
    assert.equal(errors.length, 6);
    assert.match(errors[0]!.message, /rejected a write to \/p\/c\/n: NaN is not a finite number/);
  });

  test('strict registries throw on a rejected write', () => {
    const r = fresh({ strict: true });
    const s = r.collection('/x', scales.intStat('n'));
    assert.throws(() => {
      s.n = Number.NaN;
    }, /rejected a write to \/x\/n: NaN/);
  });

  test('bad names are rejected with an error naming them', () => {
    const r = fresh();
    for (const bad of ['', 'a\nb', 'tab\there', '__proto__', 'constructor', 'prototype', '$', 'a/b']) {
      assert.throws(
        () => r.collection('/ok', scales.intStat(bad)),
        (e: Error) => e instanceof scales.InvalidNameError && e.message.includes('invalid stat name'),
        bad,
      );
    }
    for (const bad of ['/a/__proto__', '/constructor', '/x/\u0007bell', '/prototype/y']) {
      assert.throws(
        () => r.collection(bad, scales.intStat('n')),
        (e: Error) => e instanceof scales.InvalidNameError && e.message.includes('invalid container name'),
        bad,
      );
    }
    assert.throws(() => r.collection('/x', scales.intStat('n'), scales.intStat('n')), /declared twice/);
    r.collection('/y', scales.intStat('n'));
    assert.throws(() => r.collection('/y', scales.doubleStat('n')), /already declared as int, not double/);
    assert.throws(() => r.collection('/y/n', scales.intStat('m')), /a stat of that name exists/);
  });

  test('containers nest at most MAX_PATH_DEPTH levels: deeper is refused when declared, so no read overflows the stack', async () => {
    const r = fresh();
    const deepest = Array.from({ length: scales.MAX_PATH_DEPTH }, (_, i) => `l${i}`).join('/');
    const s = r.collection(deepest, scales.intStat('n'));
    s.n = 7;
    let node: unknown = r.getStats();
    for (let i = 0; i < scales.MAX_PATH_DEPTH; i++) node = (node as Record<string, unknown>)[`l${i}`];
    assert.deepEqual(node, { n: 7 });
    assert.equal(r.snapshot()?.children.length, 1);
    assert.equal((await r.snapshotAsync())?.children.length, 1);
    assert.throws(
      () => r.collection(`${deepest}/one-more`, scales.intStat('n')),
      (e: Error) => e instanceof scales.InvalidNameError && /"one-more".*at most 100 levels/.test(e.message),
    );
    const owner = {};
    r.init(owner, Array.from({ length: scales.MAX_PATH_DEPTH - 1 }, (_, i) => `m${i}`).join('/'));
    assert.throws(() => r.initChild({}, owner, 'a/b', scales.intStat('n')), scales.InvalidNameError);
    // A path 10,000 levels deep (which would overflow the stack of every read) is refused too.
    assert.throws(() => r.collection('x/'.repeat(10_000), scales.intStat('n')), scales.InvalidNameError);
    assert.equal(r.clear(), true);
    assert.equal(s.n, 0);
    assert.equal(r.remove('/l0'), true);
  });

  test('the same stat declared twice in one container is shared', () => {
    const r = fresh();
    const a = r.collection('/shared', scales.intStat('n'));
    const b = r.collection('/shared', scales.intStat('n'));
    a.n += 1;
    b.n += 1;
    assert.equal(a.n, 2);
  });

  test('intDict keys may be any string, __proto__ included, with no prototype pollution', () => {
    const r = fresh();
    const s = r.collection('/d', scales.intDictStat('keys'));
    for (const k of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'then', '']) s.keys[k] += 1;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
    const json = r.getStats('/d')?.keys as Record<string, number>;
    assert.deepEqual(Object.keys(json).sort(), ['', '__proto__', 'constructor', 'hasOwnProperty', 'then', 'toString']);
    assert.equal(Object.getPrototypeOf(json), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(JSON.parse(JSON.stringify(json)), '__proto__')?.value, 1);
    assert.ok('toString' in s.keys);
    assert.ok(!('missing' in s.keys));
    assert.deepEqual(Object.keys(s.keys).length, 6);
    delete s.keys.then;
    assert.equal(s.$.keys.has('then'), false);
  });

  test('dict stats fold new keys beyond the key limit into __overflow__ and count them', () => {
    const r = fresh({ keyLimit: 3 });
    const s = r.collection(
      '/d',
      scales.intDictStat('hits'),
      scales.stringDictStat('owner'),
      scales.meterDictStat('rates'),
      scales.namedPmfDictStat('lat', { keyLimit: 2 }),
    );
    for (let i = 0; i < 10; i++) {
      s.hits[`/user/${i}`] += 1;
      s.owner[`k${i}`] = 'x';
      s.rates[`r${i}`].mark();
      s.lat[`l${i}`].record(i);
    }
    assert.equal(s.$.hits.size, 4);
    assert.equal(s.hits[scales.OVERFLOW_KEY], 7);
    assert.equal(s.$.owner.size, 4);
    assert.deepEqual([...s.$.rates.keys()].length, 4);
    const lat = r.getStats('/d')?.lat as Record<string, unknown>;
    assert.equal(lat[scales.OVERFLOW_KEY] !== undefined, true);
    assert.deepEqual(r.getStats('/scales')?.overflow, { '/d/hits': 7, '/d/owner': 7, '/d/rates': 7, '/d/lat': 8 });
  });

  test('a bad keyLimit (NaN, 0, a string from a config file) is refused at declaration, naming the stat', () => {
    const r = fresh();
    const kinds = [
      (o: object) => scales.intDictStat('a', o),
      (o: object) => scales.stringDictStat('b', o),
      (o: object) => scales.meterDictStat('c', o),
      (o: object) => scales.namedPmfDictStat('d', o),
      (o: object) => scales.stateTimeStat('e', o),
      (o: object) => scales.histogramAggregationStat('f', o),
      (o: object) => scales.intDictSumAggregationStat('g', o),
    ];
    for (const [i, make] of kinds.entries()) {
      for (const bad of [Number.NaN, 0, -1, 1.5, Number.POSITIVE_INFINITY, '1000']) {
        assert.throws(
          () => r.collection(`/k${i}`, make({ keyLimit: bad })),
          (e: Error) => e instanceof RangeError && /stat "[a-g]": keyLimit must be a positive integer/.test(e.message),
          `${i} ${String(bad)}`,
        );
      }
      r.collection(`/ok${i}`, make({ keyLimit: 2 }));
    }
  });

  test('intDict fast handle methods', () => {
    const r = fresh();
    const s = r.collection('/d', scales.intDictStat('h', { autoDelete: true, gauge: true }));
    s.$.h.inc('a');
    s.$.h.inc('a', 4);
    s.$.h.dec('a', 5);
    assert.equal(s.$.h.has('a'), false);
    s.$.h.set('b', 3);
    assert.equal(s.$.h.get('b'), 3);
    assert.equal(s.$.h.get('zzz'), 0);
  });

  test('handles called from JavaScript with a number key use the same key as the index syntax', () => {
    const r = fresh();
    const owner = {};
    const agg = r.init(owner, '/p', scales.intDictSumAggregationStat('byStatus'), scales.histogramAggregationStat('code'));
    const s = r.initChild(
      {},
      owner,
      'c',
      scales.intDictStat('byStatus'),
      scales.stringDictStat('who'),
      scales.meterDictStat('m'),
      scales.namedPmfDictStat('lat'),
      scales.stat('code', 200),
    );
    // What plain JavaScript can pass (TypeScript would refuse a number here).
    const js = <T>(h: T) => h as unknown as Record<string, (k: unknown, v?: unknown) => unknown>;
    s.byStatus['200'] += 1;
    js(s.$.byStatus).inc!(200);
    js(s.$.byStatus).inc!(404, 2);
    js(s.$.who).set!(7, 'x');
    js(s.$.m).mark!(200);
    s.m['200'].mark();
    js(s.$.lat).record!(200, 0.5);
    assert.deepEqual(r.getStats('/p/c')?.byStatus, { 200: 2, 404: 2 });
    assert.equal(js(s.$.byStatus).get!(200), 2);
    assert.equal(js(s.$.byStatus).has!(404), true);
    assert.equal(s.who['7'], 'x');
    assert.deepEqual([...s.$.m.keys()], ['200']);
    assert.equal((r.getStats('/p/c')!.m as Record<string, { count: number }>)['200']?.count, 2);
    assert.deepEqual([...s.$.lat.keys()], ['200']);
    assert.equal(js(agg.$.byStatus).get!(200), 2);
    assert.equal(js(agg.$.code).get!(200), 1);
  });

  test('stringDict: missing keys read empty; non-strings are rejected', () => {
    const errors: Error[] = [];
    const r = fresh({ onError: (e) => errors.push(e) });
    const s = r.collection('/d', scales.stringDictStat('owner'));
    assert.equal(s.owner.x, '');
    s.owner.x = 'alice';
    (s.owner as Record<string, unknown>).y = 5;
    assert.deepEqual(r.getStats('/d'), { owner: { x: 'alice' } });
    assert.deepEqual(
      errors.map((e) => e.message),
      ['scales-metrics: rejected a write to /d/owner: 5 is not a string (key "y")'],
    );
  });

  test('pmf: record, sync and async time, manual timer and discard, in seconds by default', async () => {
    const clock = new scales.ManualClock(0);
    const r = new scales.Registry({ clock });
    const s = r.collection('/t', scales.pmfStat('lat'), scales.pmfStat('ms', { unit: 'ms' }));
    s.lat.record(0.5);
    const v = s.lat.time(() => {
      clock.advance(250);
      return 'result';
    });
    assert.equal(v, 'result');
    const p = s.lat.time(async () => {
      clock.advance(100);
      return 7;
    });
    assert.equal(await p, 7);
    await assert.rejects(
      s.lat.time(async () => {
        clock.advance(50);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.throws(
      () =>
        s.lat.time(() => {
          throw new Error('sync boom');
        }),
      /sync boom/,
    );
    const t = s.ms.time();
    clock.advance(42);
    assert.equal(t.stop(), 42);
    assert.equal(t.stop(), 0);
    const d = s.ms.time();
    d.discard();
    const snap = s.lat.snapshot();
    assert.equal(snap.count, 5);
    assert.equal(snap.unit, 's');
    assert.equal(snap.max, 0.5);
    assert.equal(snap.min, 0);
    assert.equal(s.ms.snapshot().count, 1);
    assert.equal(s.ms.snapshot().unit, 'ms');
    const json = r.getStats('/t')?.lat as Record<string, unknown>;
    for (const k of [
      'count',
      'min',
      'max',
      'mean',
      'stddev',
      'median',
      '75percentile',
      '95percentile',
      '98percentile',
      '99percentile',
      '999percentile',
    ]) {
      assert.ok(k in json, k);
    }
  });

  test('pmf: warn99 fires for values at or above the current p99', () => {
    const clock = new scales.ManualClock(0);
    const r = new scales.Registry({ clock });
    const s = r.collection('/w', scales.pmfStat('lat'));
    const slow: number[] = [];
    s.lat.warn99((v) => slow.push(v));
    for (let i = 1; i <= 1000; i++) s.lat.record(i / 1000);
    clock.advance(1500);
    s.lat.record(0.001);
    s.lat.record(5);
    assert.deepEqual(slow.slice(-1), [5]);
    assert.ok(!slow.includes(0.001));
    s.lat.warn99(null);
    s.lat.record(50);
    assert.equal(slow.at(-1), 5);
  });

  test('meter: count and rates with an injected clock', () => {
    const clock = new scales.ManualClock(0);
    const r = new scales.Registry({ clock });
    const s = r.collection('/m', scales.meterStat('hits'));
    for (let i = 0; i < 120; i++) {
      s.hits.mark(10);
      clock.advance(1000);
    }
    const m = s.hits.snapshot();
    assert.equal(m.count, 1200);
    assert.equal(m.unit, 'per second');
    assert.ok(Math.abs(m.m1 - 10) < 1.5, `m1 ${m.m1}`);
    assert.ok(Math.abs(m.mean - 10) < 0.5, `mean ${m.mean}`);
  });

  test('stateTime: seconds per state, live; acquire counts concurrency', async () => {
    const clock = new scales.ManualClock(0);
    const r = new scales.Registry({ clock });
    const s = r.collection('/s', scales.stateTimeStat('phase'), scales.stateTimeStat('busy'));
    s.phase.state = 'read';
    clock.advance(1500);
    s.phase.set('write');
    clock.advance(500);
    assert.deepEqual(r.getStats('/s')?.phase, { read: 1.5, write: 0.5 });
    const release = s.busy.acquire();
    clock.advance(1000);
    const inner = s.busy.acquire(() => {
      clock.advance(2000);
      return 'x';
    });
    assert.equal(inner, 'x');
    await s.busy.acquire(async () => {
      clock.advance(1000);
    });
    release();
    release();
    clock.advance(3000);
    assert.deepEqual(s.busy.times(), { 0: 3, 1: 1, 2: 3 });
  });

  test('a gauge that throws shows an error marker, the rest of the snapshot is intact', () => {
    const r = fresh();
    r.collection(
      '/g',
      scales.stat('bad', (): number => {
        throw new Error('sensor offline');
      }),
      scales.intStat('ok'),
    );
    assert.deepEqual(r.getStats('/g'), { bad: { error: 'Error: sensor offline' }, ok: 0 });
    const snap = r.snapshot('/g');
    assert.equal(snap?.stats[0]?.error, 'Error: sensor offline');
    assert.equal(snap?.stats[0]?.kind, 'value');
  });

  test('gauge values are made JSON-safe', () => {
    const r = fresh();
    r.collection(
      '/g',
      scales.stat('inf', () => Number.POSITIVE_INFINITY),
      scales.stat('big', () => 10n),
      scales.stat('obj', () => ({ when: new Date(0), m: new Map([['a', 1]]) })),
    );
    assert.deepEqual(r.getStats('/g'), { inf: 'Infinity', big: '10', obj: { when: '1970-01-01T00:00:00.000Z', m: { a: 1 } } });
  });

  test('initChild with a multi-level name, and initChild of a stats object', () => {
    const r = fresh();
    const root = r.collection('/svc', scales.sumAggregationStat('n'));
    const child = r.initChild({}, root, 'pool/a', scales.intStat('n'));
    child.n = 3;
    assert.equal(root.n, 3);
    assert.deepEqual(r.getStats(), { svc: { n: 3, pool: { a: { n: 3 } } } });
    assert.equal(r.pathOf(child), '/svc/pool/a');
    assert.throws(() => r.initChild({}, {}, 'x'), /has no stats container/);
    assert.throws(
      () => r.initChild({}, root, ''),
      (e: Error) => e instanceof scales.InvalidNameError && /child name "" is empty/.test(e.message),
    );
    assert.throws(() => r.initChild({}, root, '//'), scales.InvalidNameError);
  });

  test('remove(): histograms forget the removed child, sums keep its total', () => {
    const r = fresh();
    const parent = {};
    const p = r.init(parent, '/p', scales.histogramAggregationStat('state', { autoDelete: true }), scales.sumAggregationStat('done'));
    const a = {};
    const sa = r.initChild(a, parent, 'a', scales.stat('state', 'idle'), scales.intStat('done'));
    sa.done = 4;
    assert.deepEqual(p.state, { idle: 1 });
    assert.equal(r.remove(a), true);
    assert.deepEqual(p.state, {});
    assert.equal(p.done, 4);
    assert.equal(r.getStats('/p/a'), undefined);
    sa.done = 10;
    assert.equal(p.done, 4);
    assert.equal(r.remove(a), false);
  });

  test('stats declared late on a removed owner feed no aggregation of the live tree', () => {
    const r = fresh();
    const pool = {};
    const p = r.init(pool, '/pool', scales.histogramAggregationStat('state'), scales.sumAggregationStat('n'));
    const conn = {};
    r.initChild(conn, pool, 'conn-1', scales.stat('state', 'open'));
    assert.equal(r.remove(conn), true);
    // A late callback of the removed connection declares more stats under it.
    const late = r.initChild({}, conn, 'req-1', scales.stat('state', 'open'), scales.intStat('n'));
    late.n = 5;
    late.state = 'closed';
    r.addStats(conn, scales.intStat('n')).n = 3;
    assert.deepEqual({ ...p.state }, { open: 0 });
    assert.equal(p.n, 0);
    assert.deepEqual(r.getStats(), { pool: { state: { open: 0 }, n: 0 } });
    assert.equal(late.n, 5);
  });

  test('reset clears the tree; old stats objects keep working detached', () => {
    const r = fresh();
    const s = r.collection('/x', scales.intStat('n'));
    r.reset();
    s.n += 1;
    assert.deepEqual(r.getStats(), {});
  });

  test('registries are isolated from each other and from the default registry', () => {
    const a = fresh();
    const b = fresh();
    a.collection('/only-a', scales.intStat('n'));
    assert.deepEqual(b.getStats(), {});
    assert.equal(scales.getStats('/only-a'), undefined);
  });

  test('snapshotAsync yields to the event loop on a big tree and equals snapshot()', async () => {
    const r = fresh();
    for (let i = 0; i < 200; i++) {
      const s = r.collection(`/big/c${i}`, scales.intStat('a'), scales.intStat('b'), scales.pmfStat('p'));
      s.a = i;
      s.p.record(i);
    }
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const slow = r.collection(
      '/slow',
      scales.stat('g', () => {
        const end = performance.now() + 1;
        while (performance.now() < end);
        return 1;
      }),
    );
    void slow;
    for (let i = 0; i < 30; i++)
      r.collection(
        `/slow/s${i}`,
        scales.stat('g', () => {
          const end = performance.now() + 1;
          while (performance.now() < end);
          return 1;
        }),
      );
    const a = await r.snapshotAsync('/');
    clearInterval(timer);
    assert.ok(ticks > 0, 'the event loop ran while the snapshot was taken');
    assert.deepEqual(a, r.snapshot('/'));
  });
});

describe('robustness of reads and self-stats', () => {
  test('a gauge returning a cyclic or very deep object is shown, not hung on', () => {
    const r = fresh();
    const cyclic: Record<string, unknown> = { name: 'a' };
    for (let i = 0; i < 10; i++) cyclic[`k${i}`] = cyclic;
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 100; i++) deep = deep.next = {};
    const shared = { x: 1 };
    r.collection(
      '/g',
      scales.stat('cyclic', () => cyclic),
      scales.stat('deep', () => top),
      scales.stat('shared', () => [shared, shared]),
    );
    const g = r.getStats('/g') as Record<string, Record<string, unknown>>;
    assert.equal(g.cyclic!.k0, '[circular]');
    assert.equal(g.cyclic!.name, 'a');
    assert.match(JSON.stringify(g.deep), /\[too deep\]/);
    assert.deepEqual(g.shared, [{ x: 1 }, { x: 1 }]);
  });

  test('an application stat in the way at /scales does not turn a rejected write into a crash', () => {
    const r = fresh();
    r.collection('/scales', scales.stat('rejected', 'mine'), scales.stat('overflow', 'mine too'));
    const s = r.collection('/x', scales.intStat('n'), scales.intDictStat('d', { keyLimit: 1 }));
    s.n = Number.NaN;
    s.d.a += 1;
    s.d.b += 1;
    assert.equal(s.n, 0);
    assert.deepEqual(r.getStats('/x')?.d, { a: 1, [scales.OVERFLOW_KEY]: 1 });
    assert.deepEqual(r.getStats('/scales'), { rejected: 'mine', overflow: 'mine too' });
  });
});

describe('clear(path): values per interval', () => {
  test('every stat below the path starts again; declarations, handles and aggregations follow', () => {
    const clock = new scales.ManualClock(0);
    const r = new scales.Registry({ clock });
    const parent = {};
    const p = r.init(
      parent,
      '/svc',
      scales.sumAggregationStat('done'),
      scales.histogramAggregationStat('state'),
      scales.intDictSumAggregationStat('codes'),
    );
    const kids = [0, 1, 2].map((i) => {
      const owner = {};
      return { owner, s: r.initChild(owner, parent, `w${i}`, scales.intStat('done'), scales.stat('state', 'idle'), scales.intDictStat('codes')) };
    });
    const other = r.collection('/other', scales.intStat('n'));
    const s = r.collection(
      '/svc/misc',
      scales.pmfStat('lat'),
      scales.meterStat('hits'),
      scales.stateTimeStat('phase'),
      scales.namedPmfDictStat('byRoute'),
      scales.stringDictStat('names'),
    );
    for (const [i, k] of kids.entries()) {
      k.s.done += i + 1;
      k.s.state = 'busy';
      k.s.codes['200'] += 2;
    }
    r.remove(kids[2]!.owner); // the sum keeps its 3, the histogram forgets it
    other.n = 7;
    s.lat.record(1);
    s.hits.mark(3);
    s.phase.state = 'reading';
    clock.advance(2000);
    const route = s.byRoute['/a'];
    route.record(5);
    s.names.x = 'y';
    assert.equal(p.done, 6);

    assert.equal(r.clear('/svc'), true);
    assert.equal(r.clear('/nope'), false);
    assert.equal(p.done, 0);
    assert.deepEqual({ ...p.state }, { idle: 2, busy: 0 });
    assert.deepEqual({ ...p.codes }, {});
    assert.equal(kids[0]!.s.done, 0);
    assert.equal(kids[0]!.s.state, 'idle');
    assert.equal(s.lat.snapshot().count, 0);
    assert.equal(s.hits.snapshot().count, 0);
    assert.deepEqual(s.phase.times(), { reading: 0 });
    assert.equal(route.snapshot().count, 0);
    assert.deepEqual({ ...s.names }, {});
    assert.equal(other.n, 7);

    // Still live after the clear.
    kids[1]!.s.done += 4;
    route.record(1);
    clock.advance(1000);
    assert.equal(p.done, 4);
    assert.equal(route.snapshot().count, 1);
    assert.deepEqual(s.phase.times(), { reading: 1 });
  });
});

test('pmf snapshots stay JSON-safe for values whose squares overflow', () => {
  const r = fresh();
  const s = r.collection('/huge', scales.pmfStat('x'));
  s.x.record(1e300);
  s.x.record(-1e300);
  s.x.record(1e300);
  const snap = s.x.snapshot();
  for (const [k, v] of Object.entries({ ...snap, ...snap.lifetime })) {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${k} = ${v}`);
  }
  assert.equal(snap.max, 1e300);
  assert.equal(snap.count, 3);
  const json = JSON.stringify(r.getStats('/huge'));
  assert.doesNotMatch(json, /null/, 'no non-finite number (JSON writes NaN and Infinity as null)');
  assert.deepEqual(JSON.parse(json), r.getStats('/huge'), 'the JSON round-trips');
});

test("plain-JS assignment works Python's way or is dropped and counted, never thrown", () => {
  const r = fresh({ onError: () => {} });
  const s = r.collection(
    '/py',
    scales.pmfStat('latency'),
    scales.meterStat('hits'),
    scales.stateTimeStat('phase'),
    scales.intDictStat('byPath'),
    scales.sumAggregationStat('total'),
    scales.intDictSumAggregationStat('codes'),
  ) as unknown as Record<string, unknown>;
  s.latency = 0.042; // Python: STATS.latency = value records a sample
  s.hits = 5; // Python: STATS.hits = n marks n events
  s.phase = 'reading'; // Python: STATS.state = 'x' switches state
  s.byPath = {};
  s.total = 5;
  s.codes = {};
  s.latency = 'slow';
  const stats = s as unknown as { latency: scales.PmfHandle; hits: scales.MeterHandle; phase: scales.StateTimeHandle; total: number };
  assert.equal(stats.latency.snapshot().count, 1);
  assert.equal(stats.latency.snapshot().max, 0.042);
  assert.equal(stats.hits.snapshot().count, 5);
  assert.equal(stats.phase.state, 'reading');
  assert.equal(stats.total, 0);
  assert.deepEqual(r.getStats('/scales')?.rejected, { '/py/byPath': 1, '/py/total': 1, '/py/codes': 1, '/py/latency': 1 });
  const strict = new scales.Registry({ strict: true });
  const t = strict.collection('/x', scales.intDictStat('d')) as unknown as Record<string, unknown>;
  assert.throws(() => {
    t.d = {};
  }, /not assignable: \/x\/d is a stat of kind intDict/);
});
