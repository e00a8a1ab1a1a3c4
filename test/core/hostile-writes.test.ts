// Writes never throw into the caller and never poison a value or a sum (issue 10): every write
// form, with every hostile value and key, through the package as a user imports it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as scales from 'scales-metrics';
import { Meter, WindowedDistribution } from 'scales-metrics/sampling';

/** What plain JavaScript sees: any property, any argument. */
type Handle = Record<string, (...args: unknown[]) => unknown>;
interface Js {
  $: Record<string, Handle>;
  [name: string]: unknown;
}
const dict = (s: Js, name: string) => s[name] as Record<PropertyKey, unknown>;
const entry = (s: Js, name: string, key: string) => dict(s, name)[key] as Handle;

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}
function throwingObject(): object {
  return {
    valueOf() {
      throw new Error('valueOf was called');
    },
    toString() {
      throw new Error('toString was called');
    },
  };
}

const HOSTILE_VALUES: [string, () => unknown][] = [
  ['a BigInt', () => 10n],
  ['a Symbol', () => Symbol('v')],
  ['an object whose valueOf and toString throw', throwingObject],
  ['a revoked Proxy', revokedProxy],
];

const HOSTILE_KEYS: [string, () => unknown][] = [
  ['a Symbol', () => Symbol('k')],
  ['an object whose toString throws', throwingObject],
  ['a revoked Proxy', revokedProxy],
  ['undefined', () => undefined],
];

/** A registry with one stat of every writable kind under /agg/w, and aggregations at /agg. */
function setup(options: scales.RegistryOptions = {}) {
  const errors: Error[] = [];
  const r = new scales.Registry({ clock: new scales.ManualClock(1000), onError: (e) => errors.push(e), ...options });
  const parent = {};
  const agg = r.init(
    parent,
    '/agg',
    scales.sumAggregationStat('n', { gauge: true }),
    scales.intDictSumAggregationStat('d', { gauge: true }),
    scales.histogramAggregationStat('v'),
  ) as unknown as Js;
  const s = r.initChild(
    {},
    parent,
    'w',
    scales.intStat('n', { gauge: true }),
    scales.doubleStat('x'),
    scales.intDictStat('d', { gauge: true }),
    scales.meterStat('m'),
    scales.meterDictStat('md'),
    scales.pmfStat('p'),
    scales.namedPmfDictStat('np'),
    scales.stateTimeStat('st'),
    scales.stringDictStat('sd'),
  ) as unknown as Js;
  // Every key the write forms use exists already, so a dropped write leaves the tree unchanged.
  s.n = 3;
  s.x = 0.5;
  dict(s, 'd').k = 2;
  s.$.m.mark(1);
  s.$.md.mark('k', 1);
  s.$.p.record(0.25);
  s.$.np.record('k', 0.25);
  s.$.st.set('idle');
  dict(s, 'sd').k = 'a';
  const rejected = () => ({ ...((r.getStats('/scales')?.rejected ?? {}) as Record<string, number>) });
  return { r, s, agg, errors, rejected, tree: () => r.getStats('/agg') };
}

/** Value write forms: [form, path of the stat that counts the rejection, write]. */
const VALUE_WRITES: [string, string, (s: Js, agg: Js, v: unknown) => void][] = [
  ['STATS.$.n.inc(v)', '/agg/w/n', (s, _a, v) => s.$.n.inc(v)],
  ['STATS.$.n.dec(v)', '/agg/w/n', (s, _a, v) => s.$.n.dec(v)],
  ['STATS.$.n.set(v)', '/agg/w/n', (s, _a, v) => s.$.n.set(v)],
  ['STATS.n = v', '/agg/w/n', (s, _a, v) => (s.n = v)],
  ['STATS.$.x.inc(v) (doubleStat)', '/agg/w/x', (s, _a, v) => s.$.x.inc(v)],
  ['STATS.x = v (doubleStat)', '/agg/w/x', (s, _a, v) => (s.x = v)],
  ['STATS.$.d.inc("k", v)', '/agg/w/d', (s, _a, v) => s.$.d.inc('k', v)],
  ['STATS.$.d.dec("k", v)', '/agg/w/d', (s, _a, v) => s.$.d.dec('k', v)],
  ['STATS.$.d.set("k", v)', '/agg/w/d', (s, _a, v) => s.$.d.set('k', v)],
  ['STATS.d.k = v', '/agg/w/d', (s, _a, v) => (dict(s, 'd').k = v)],
  ['STATS.d.other = v (a new key)', '/agg/w/d', (s, _a, v) => (dict(s, 'd').other = v)],
  ['STATS.$.m.mark(v)', '/agg/w/m', (s, _a, v) => s.$.m.mark(v)],
  ['STATS.m = v (meter)', '/agg/w/m', (s, _a, v) => (s.m = v)],
  ['STATS.$.md.mark("k", v)', '/agg/w/md', (s, _a, v) => s.$.md.mark('k', v)],
  ['STATS.$.md.get("k").mark(v)', '/agg/w/md', (s, _a, v) => (s.$.md.get('k') as Handle).mark(v)],
  ['STATS.md.k = v', '/agg/w/md', (s, _a, v) => (dict(s, 'md').k = v)],
  ['STATS.md.other = v (a new key)', '/agg/w/md', (s, _a, v) => (dict(s, 'md').other = v)],
  ['STATS.$.md.mark("other", v) (a new key)', '/agg/w/md', (s, _a, v) => s.$.md.mark('other', v)],
  ['STATS.md.k.mark(v)', '/agg/w/md', (s, _a, v) => entry(s, 'md', 'k').mark(v)],
  ['STATS.$.p.record(v)', '/agg/w/p', (s, _a, v) => s.$.p.record(v)],
  ['STATS.p = v (pmf)', '/agg/w/p', (s, _a, v) => (s.p = v)],
  ['STATS.$.np.record("k", v)', '/agg/w/np', (s, _a, v) => s.$.np.record('k', v)],
  ['STATS.$.np.get("k").record(v)', '/agg/w/np', (s, _a, v) => (s.$.np.get('k') as Handle).record(v)],
  ['STATS.np.k = v', '/agg/w/np', (s, _a, v) => (dict(s, 'np').k = v)],
  ['STATS.np.other = v (a new key)', '/agg/w/np', (s, _a, v) => (dict(s, 'np').other = v)],
  ['STATS.$.np.record("other", v) (a new key)', '/agg/w/np', (s, _a, v) => s.$.np.record('other', v)],
  ['STATS.np.k.record(v)', '/agg/w/np', (s, _a, v) => entry(s, 'np', 'k').record(v)],
  ['STATS.$.st.set(v)', '/agg/w/st', (s, _a, v) => s.$.st.set(v)],
  ['STATS.$.st.state = v', '/agg/w/st', (s, _a, v) => ((s.$.st as unknown as { state: unknown }).state = v)],
  ['STATS.st = v (stateTime)', '/agg/w/st', (s, _a, v) => (s.st = v)],
  ['STATS.$.sd.set("k", v)', '/agg/w/sd', (s, _a, v) => s.$.sd.set('k', v)],
  ['STATS.sd.k = v', '/agg/w/sd', (s, _a, v) => (dict(s, 'sd').k = v)],
  ['STATS.sd.other = v (a new key)', '/agg/w/sd', (s, _a, v) => (dict(s, 'sd').other = v)],
  ['AGG.n = v (sum aggregation)', '/agg/n', (_s, a, v) => (a.n = v)],
  ['AGG.d.k = v (intDict sum aggregation)', '/agg/d', (_s, a, v) => (dict(a, 'd').k = v)],
  ['AGG.v.k = v (histogram aggregation)', '/agg/v', (_s, a, v) => (dict(a, 'v').k = v)],
];

/** Key write forms: [form, path, write]. Index syntax converts keys itself: see the next list. */
const KEY_WRITES: [string, string, (s: Js, agg: Js, k: unknown) => void][] = [
  ['STATS.$.d.inc(k)', '/agg/w/d', (s, _a, k) => s.$.d.inc(k)],
  ['STATS.$.d.dec(k, 2)', '/agg/w/d', (s, _a, k) => s.$.d.dec(k, 2)],
  ['STATS.$.d.set(k, 1)', '/agg/w/d', (s, _a, k) => s.$.d.set(k, 1)],
  ['STATS.$.md.mark(k)', '/agg/w/md', (s, _a, k) => s.$.md.mark(k)],
  ['STATS.$.md.get(k).mark()', '/agg/w/md', (s, _a, k) => (s.$.md.get(k) as Handle).mark()],
  ['STATS.$.np.record(k, 1)', '/agg/w/np', (s, _a, k) => s.$.np.record(k, 1)],
  ['STATS.$.np.get(k).record(1)', '/agg/w/np', (s, _a, k) => (s.$.np.get(k) as Handle).record(1)],
  ['STATS.$.sd.set(k, "x")', '/agg/w/sd', (s, _a, k) => s.$.sd.set(k, 'x')],
];

/** Index syntax with a Symbol key (the only non-string key JavaScript passes to a Proxy). */
const SYMBOL_INDEX_WRITES: [string, string, (s: Js, agg: Js, k: symbol) => void][] = [
  ['STATS.d[k] = 1', '/agg/w/d', (s, _a, k) => (dict(s, 'd')[k] = 1)],
  ['STATS.d[k] += 1', '/agg/w/d', (s, _a, k) => (dict(s, 'd')[k] = (dict(s, 'd')[k] as number) + 1)],
  ['STATS.sd[k] = "x"', '/agg/w/sd', (s, _a, k) => (dict(s, 'sd')[k] = 'x')],
  ['STATS.md[k] = 1', '/agg/w/md', (s, _a, k) => (dict(s, 'md')[k] = 1)],
  ['STATS.np[k] = 1', '/agg/w/np', (s, _a, k) => (dict(s, 'np')[k] = 1)],
  ['STATS.np[k].record(1)', '/agg/w/np', (s, _a, k) => (dict(s, 'np')[k] as Handle).record(1)],
  ['STATS.md[k].mark()', '/agg/w/md', (s, _a, k) => (dict(s, 'md')[k] as Handle).mark()],
  ['AGG.d[k] = 1', '/agg/d', (_s, a, k) => (dict(a, 'd')[k] = 1)],
];

/** Runs one write and checks: no throw, one rejection counted under `path`, tree unchanged. */
function assertRejected(form: string, path: string, write: (s: Js, agg: Js) => void): void {
  const { s, agg, errors, rejected, tree } = setup();
  const before = tree();
  const counted = rejected()[path] ?? 0;
  assert.doesNotThrow(() => write(s, agg), form);
  assert.equal((rejected()[path] ?? 0) - counted, 1, `${form}: one rejection counted under /scales/rejected${path}`);
  assert.equal(errors.length, 1, `${form}: onError called once`);
  assert.ok(errors[0]!.message.includes(`rejected a write to ${path}: `), `${form}: ${errors[0]!.message}`);
  assert.deepEqual(tree(), before, `${form}: nothing stored`);
}

describe('hostile values and keys: every write form drops and counts, never throws', () => {
  for (const [what, make] of HOSTILE_VALUES) {
    test(`value: ${what}`, () => {
      for (const [form, path, write] of VALUE_WRITES) assertRejected(`${form} with ${what}`, path, (s, a) => write(s, a, make()));
    });
  }

  for (const [what, make] of HOSTILE_KEYS) {
    test(`key: ${what}`, () => {
      for (const [form, path, write] of KEY_WRITES) assertRejected(`${form} with ${what}`, path, (s, a) => write(s, a, make()));
    });
  }

  test('key: a Symbol in index syntax', () => {
    for (const [form, path, write] of SYMBOL_INDEX_WRITES) assertRejected(form, path, (s, a) => write(s, a, Symbol('k')));
  });

  test('the runtime probing well-known or registered symbols of a dict counts nothing', () => {
    const { s, errors, rejected } = setup();
    for (const name of ['d', 'sd', 'md', 'np']) {
      const d = dict(s, name);
      assert.equal(d[Symbol.iterator], undefined, name);
      assert.equal(d[Symbol.toPrimitive], undefined, name);
      assert.equal(d[Symbol.toStringTag], undefined, name);
      assert.equal(d[Symbol.for('nodejs.util.inspect.custom')], undefined, name);
      assert.equal(Object.prototype.toString.call(d), '[object Object]', name);
    }
    assert.deepEqual(rejected(), {});
    assert.equal(errors.length, 0);
  });

  test('reads with hostile keys answer "missing" and count nothing', () => {
    const { s, agg, errors, rejected } = setup();
    for (const [, make] of HOSTILE_KEYS) {
      assert.equal(s.$.d.get(make()), 0);
      assert.equal(s.$.d.has(make()), false);
      assert.equal(s.$.d.delete(make()), false);
      assert.equal(s.$.sd.get(make()), '');
      assert.equal(s.$.sd.has(make()), false);
      assert.equal(s.$.sd.delete(make()), false);
      assert.equal(agg.$.d.get(make()), 0);
      assert.equal(agg.$.v.get(make()), 0);
    }
    assert.deepEqual(rejected(), {});
    assert.equal(errors.length, 0);
  });

  test('numbers, bigints and booleans stay keys: d.inc(200) is d["200"]', () => {
    const { s, errors } = setup();
    s.$.d.inc(200);
    s.$.d.inc(200n);
    s.$.d.inc(true);
    assert.deepEqual({ ...dict(s, 'd') }, { k: 2, '200': 2, true: 1 });
    assert.equal(errors.length, 0);
  });

  test('a strict registry throws a RangeError naming the stat for every form', () => {
    const forms: [string, string, (s: Js, a: Js) => void][] = [
      ...VALUE_WRITES.flatMap(([form, path, write]) =>
        HOSTILE_VALUES.map(([what, make]): [string, string, (s: Js, a: Js) => void] => [`${form} with ${what}`, path, (s, a) => write(s, a, make())]),
      ),
      ...KEY_WRITES.flatMap(([form, path, write]) =>
        HOSTILE_KEYS.map(([what, make]): [string, string, (s: Js, a: Js) => void] => [`${form} with ${what}`, path, (s, a) => write(s, a, make())]),
      ),
      ...SYMBOL_INDEX_WRITES.map(([form, path, write]): [string, string, (s: Js, a: Js) => void] => [form, path, (s, a) => write(s, a, Symbol('k'))]),
    ];
    for (const [form, path, write] of forms) {
      const { s, agg } = setup({ strict: true });
      assert.throws(
        () => write(s, agg),
        (e: Error) =>
          e instanceof RangeError && e.message.startsWith(`scales-metrics: rejected a write to ${path}: `) && /is (not|a finite)/.test(e.message),
        form,
      );
    }
  });

  test('what JavaScript itself throws before calling the library is the same as on a plain object', () => {
    // `STATS.n += 1n` evaluates `3 + 1n` in the caller's own expression: the TypeError comes
    // from the language before the setter runs, as it does for `plain.n += 1n`. Likewise an
    // object used as a property key is converted by the caller (`d[obj]` calls obj.toString).
    const { s, rejected } = setup();
    const plain: Record<string, unknown> = { n: 3 };
    const plainDict: Record<string, unknown> = {};
    const sameThrow = (ours: () => void, theirs: () => void) => {
      let expected: unknown;
      try {
        theirs();
      } catch (e) {
        expected = e;
      }
      assert.ok(expected !== undefined, 'the plain-object form throws');
      assert.throws(ours, (e: unknown) => (e as object).constructor === (expected as object).constructor);
    };
    for (const [, make] of HOSTILE_VALUES) {
      sameThrow(
        () => (s.n = (s.n as number) + (make() as number)),
        () => (plain.n = (plain.n as number) + (make() as number)),
      );
    }
    for (const make of [throwingObject, revokedProxy]) {
      sameThrow(
        () => (dict(s, 'd')[make() as unknown as string] = 1),
        () => (plainDict[make() as unknown as string] = 1),
      );
    }
    assert.equal(s.n, 3);
    assert.deepEqual(rejected(), {});
  });
});

describe('finite writes whose result would overflow are rejected; no value or sum becomes Infinity', () => {
  const cases: [string, string, (s: Js) => void, (s: Js, agg: Js) => void][] = [
    ['STATS.$.n.inc(1e308) twice', '/agg/w/n', (s) => s.$.n.inc(1e308), (s, a) => assert.deepEqual([s.n, a.n], [1e308 + 3, 1e308 + 3])],
    ['STATS.n += 1e308 twice', '/agg/w/n', (s) => (s.n = (s.n as number) + 1e308), (s, a) => assert.deepEqual([s.n, a.n], [1e308, 1e308])],
    ['STATS.$.n.dec(1e308) twice', '/agg/w/n', (s) => s.$.n.dec(1e308), (s) => assert.equal(s.n, -1e308)],
    ['STATS.$.x.inc(1.7e308) twice', '/agg/w/x', (s) => s.$.x.inc(1.7e308), (s) => assert.equal(s.x, 0.5 + 1.7e308)],
    [
      'STATS.$.d.inc("k", 1e308) twice',
      '/agg/w/d',
      (s) => s.$.d.inc('k', 1e308),
      (s, a) => assert.deepEqual([dict(s, 'd').k, dict(a, 'd').k], [1e308, 1e308]),
    ],
    [
      'STATS.d.k += 1e308 twice',
      '/agg/w/d',
      (s) => (dict(s, 'd').k = (dict(s, 'd').k as number) + 1e308),
      (s) => assert.equal(dict(s, 'd').k, 1e308),
    ],
    ['STATS.$.m.mark(1e308) twice', '/agg/w/m', (s) => s.$.m.mark(1e308), (s) => assert.equal((s.$.m.snapshot() as { count: number }).count, 1e308)],
    ['STATS.m = 1e308 twice', '/agg/w/m', (s) => (s.m = 1e308), (s) => assert.equal((s.$.m.snapshot() as { count: number }).count, 1e308)],
    [
      'STATS.$.md.mark("k", 1e308) twice',
      '/agg/w/md',
      (s) => s.$.md.mark('k', 1e308),
      (s) => assert.equal((entry(s, 'md', 'k').snapshot() as { count: number }).count, 1e308),
    ],
  ];
  for (const [form, path, write, check] of cases) {
    test(form, () => {
      const { s, agg, errors, rejected } = setup();
      write(s);
      assert.deepEqual(rejected(), {}, `${form}: the first write is stored`);
      write(s);
      assert.equal(rejected()[path], 1, `${form}: the second is counted`);
      assert.match(errors[0]!.message, /beyond the double range|not a finite number/);
      check(s, agg);
    });
  }

  test('a sum aggregation (and the one above it) never overflows: the child write that would is rejected', () => {
    const { r, errors, rejected } = setup();
    const root = {};
    const top = r.init(root, '/top', scales.sumAggregationStat('n', { gauge: true }), scales.intDictSumAggregationStat('d', { gauge: true }));
    const mid = {};
    const middle = r.initChild(mid, root, 'mid', scales.sumAggregationStat('n', { gauge: true }));
    const a = r.initChild({}, mid, 'a', scales.intStat('n', { gauge: true }), scales.intDictStat('d', { gauge: true }));
    const b = r.initChild({}, mid, 'b', scales.intStat('n', { gauge: true }), scales.intDictStat('d', { gauge: true }));
    const c = r.initChild({}, root, 'c', scales.doubleStat('n'));
    a.n = 1e308;
    b.n = 1e308; // the middle sum would be 2e308
    assert.deepEqual([a.n, b.n, middle.n, top.n], [1e308, 0, 1e308, 1e308]);
    b.n = -1e308;
    c.n = 1e308;
    assert.deepEqual([middle.n, top.n], [0, 1e308]);
    b.n = 0; // fine for the middle sum (1e308), not for the top (2e308)
    assert.deepEqual([b.n, middle.n, top.n], [-1e308, 0, 1e308]);
    b.$.n.inc(1e300); // moves that stay in range still go through
    assert.deepEqual([b.n, middle.n, top.n], [-1e308 + 1e300, 1e308 + (-1e308 + 1e300), 1e308 + (1e308 + (-1e308 + 1e300))]);
    a.d.k = 1e308;
    b.$.d.inc('k', 1e308);
    b.d.k = 1.5e308;
    assert.deepEqual([a.d.k, b.d.k, top.d.k], [1e308, 0, 1e308]);
    assert.deepEqual(rejected(), { '/top/mid/b/n': 2, '/top/mid/b/d': 2 });
    assert.match(
      errors[0]!.message,
      /rejected a write to \/top\/mid\/b\/n: 1e\+308 is a finite number that would take the sum aggregation \/top\/mid\/n beyond the double range/,
    );
    assert.ok(Number.isFinite(top.n) && Number.isFinite(middle.n));
  });

  test('without an aggregation too (the dict fast path): d.inc("k", 1e308) twice keeps 1e308', () => {
    const { r, rejected } = setup();
    const s = r.collection(
      '/solo',
      scales.intStat('n', { gauge: true }),
      scales.intDictStat('d', { gauge: true }),
      scales.intDictStat('auto', { autoDelete: true }),
    );
    s.$.d.inc('k', 1e308);
    s.$.d.inc('k', 1e308);
    s.d.j = 1e308;
    s.d.j += 1e308;
    s.$.d.dec('m', 1e308);
    s.$.d.dec('m', 1e308);
    s.$.auto.inc('k', 1e308);
    s.$.auto.inc('k', 1e308);
    s.$.n.inc(1e308);
    s.$.n.inc(1e308);
    assert.deepEqual({ ...s.d }, { k: 1e308, j: 1e308, m: -1e308 });
    assert.deepEqual({ ...s.auto }, { k: 1e308 });
    assert.equal(s.n, 1e308);
    assert.deepEqual(rejected(), { '/solo/d': 3, '/solo/auto': 1, '/solo/n': 1 });
  });

  test('a dict at its key limit folds into __overflow__ without overflowing it', () => {
    const { r, rejected } = setup();
    const s = r.collection('/lim', scales.intDictStat('d', { keyLimit: 1 }));
    s.d.a = 1;
    s.d.b = 1e308;
    s.d.c = 1e308;
    s.$.d.inc('e', 1e308);
    assert.deepEqual({ ...s.d }, { a: 1, [scales.OVERFLOW_KEY]: 1e308 });
    assert.equal(rejected()['/lim/d'], 2);
  });
});

describe('pmf moments near the top of the double range: correct, or null and flagged (never a silent 0)', () => {
  /** Exact-as-doubles-allow mean and sample stddev: two passes over values scaled by 2^-600. */
  function reference(values: readonly number[]) {
    const k = 2 ** -600;
    const n = values.length;
    let sum = 0;
    for (const v of values) sum += v * k;
    const mean = sum / n;
    let m2 = 0;
    for (const v of values) m2 += (v * k - mean) ** 2;
    return { sum: sum / k, mean: mean / k, stddev: Math.sqrt(m2 / (n - 1)) / k };
  }
  const close = (got: number | null, want: number, what: string) => {
    assert.ok(got !== null && Math.abs(got - want) <= 1e-9 * Math.abs(want), `${what}: ${got} vs ${want}`);
  };
  const pmf = (clock = new scales.ManualClock(1000)) => {
    const r = new scales.Registry({ clock, onError: () => {} });
    return r.collection('/t', scales.pmfStat('p')).$.p;
  };

  test('one 1e308 among 10,000 values: window and lifetime stddev are right', () => {
    const values = Array.from({ length: 9999 }, (_, i) => (i + 1) / 1000);
    values.splice(5000, 0, 1e308);
    for (const rotateAt of [-1, 2500, 7000]) {
      // Also across sub-windows (-1: all in one), whose moments are merged on read.
      const clock = new scales.ManualClock(1000);
      const p = pmf(clock);
      values.forEach((v, i) => {
        if (i === rotateAt) clock.advance(60_000);
        p.record(v);
      });
      const snap = p.snapshot();
      const want = reference(values);
      close(snap.stddev, want.stddev, `window stddev (rotate at ${rotateAt})`);
      close(snap.lifetime.stddev, want.stddev, 'lifetime stddev');
      close(snap.mean, want.mean, 'window mean');
      close(snap.lifetime.mean, want.mean, 'lifetime mean');
      close(snap.lifetime.sum, want.sum, 'lifetime sum');
      assert.equal(snap.outOfRange, undefined);
    }
  });

  test('0.5, 1e308, 1e308, -1e308: lifetime sum 1e308, mean 2.5e307, stddev ~9.57e307', () => {
    const values = [0.5, 1e308, 1e308, -1e308];
    const p = pmf();
    for (const v of values) p.record(v);
    const snap = p.snapshot();
    const want = reference(values);
    close(snap.lifetime.sum, 1e308, 'lifetime sum');
    close(snap.lifetime.mean, 2.5e307, 'lifetime mean');
    close(snap.lifetime.stddev, want.stddev, 'lifetime stddev');
    close(snap.stddev, want.stddev, 'window stddev');
    assert.equal(snap.outOfRange, undefined);
  });

  test('figures that truly exceed the double range are null and listed in outOfRange', () => {
    const p = pmf();
    p.record(1e308);
    p.record(1e308);
    let snap = p.snapshot();
    assert.equal(snap.lifetime.sum, null);
    assert.deepEqual(snap.outOfRange, ['lifetime.sum']);
    assert.equal(snap.mean, 1e308);
    assert.equal(snap.stddev, 0);
    const q = pmf();
    q.record(-1.7e308);
    q.record(1.7e308); // stddev 2.4e308
    snap = q.snapshot();
    assert.deepEqual([snap.stddev, snap.lifetime.stddev, snap.mean, snap.lifetime.sum], [null, null, 0, 0]);
    assert.deepEqual(snap.outOfRange, ['stddev', 'lifetime.stddev']);
    // Values so close together that their squared deviations underflow: not a silent 0 either.
    const t = pmf();
    t.record(1e-170);
    t.record(2e-170);
    snap = t.snapshot();
    assert.deepEqual([snap.stddev, snap.lifetime.stddev], [null, null]);
    close(snap.mean, 1.5e-170, 'mean of tiny values');
    assert.deepEqual(snap.outOfRange, ['stddev', 'lifetime.stddev']);
    // Ordinary data shows no flag.
    const o = pmf();
    o.record(0.1);
    assert.equal(o.snapshot().outOfRange, undefined);
  });
});

describe('the standalone classes keep their contract: a RangeError naming the problem', () => {
  test('Meter.mark and WindowedDistribution.record with hostile values or an overflowing count', () => {
    const clock = new scales.ManualClock(0);
    const m = new Meter(clock);
    const d = new WindowedDistribution({ clock });
    for (const [what, make] of HOSTILE_VALUES) {
      assert.throws(
        () => m.mark(make() as number),
        (e: Error) => e instanceof RangeError && /^Meter\.mark: a (bigint|symbol|object) is not a finite number/.test(e.message),
        what,
      );
      assert.throws(
        () => d.record(make() as number),
        (e: Error) => e instanceof RangeError && /^WindowedDistribution\.record: a (bigint|symbol|object) is not a finite number/.test(e.message),
        what,
      );
    }
    m.mark(1e308);
    assert.throws(() => m.mark(1e308), /1e\+308 more events would take the count \(1e\+308\) beyond the double range/);
    assert.equal(m.rates().count, 1e308);
    assert.equal(d.lifetime().count, 0);
  });
});
