// The cases of the original Python scales test suite (scales_test.py), ported. One deliberate
// difference: declared stats appear from the start with their zero value (Python showed a stat
// only once written), so the expected trees below also list untouched stats (a `stat` without a
// value shows null and, as in Python, is not counted by a histogram aggregation).
// Python cases: testChildTypeStats, testChildStats, testMultilevelChild, testStatSum,
// testStatSumWithSubclassRoot, testStatHistogram, testIntDictStats, testIntDictStatsAggregation,
// testDynamic, testCollection; plus collapsed containers (setCollapsed) in JSON. Python's cases
// decrement `count`, `errors` and `activeUrls`: here those are declared `{ gauge: true }` (a
// plain intStat / intDictStat is a counter and rejects decreases).
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import * as scales from 'scales-metrics';

class Root1 {
  stats = scales.init(
    this,
    'path/to/A',
    scales.stat<string, 'state'>('state'),
    scales.intDictStat('errors', { gauge: true }),
    scales.intDictStat('activeUrls', { autoDelete: true, gauge: true }),
  );
  getChild<C>(make: (parent: object) => C): C {
    return make(this);
  }
}

class Root2 {
  stats = scales.init(this, 'B');
  getChild<C>(make: (parent: object) => C): C {
    return make(this);
  }
}

class AggregatingRoot {
  stats = scales.init(
    this,
    'Root',
    scales.sumAggregationStat('count', { gauge: true }),
    scales.histogramAggregationStat('state'),
    scales.intDictSumAggregationStat('errors', { gauge: true }),
  );
}

class AggregatingRootSubclass extends AggregatingRoot {}

class TypedChild {
  stats;
  constructor(parent: object) {
    this.stats = scales.initChildOfType(this, parent, 'C', scales.intStat('count'));
  }
}

class Child {
  stats;
  constructor(parent: object, name = 'C') {
    this.stats = scales.initChild(
      this,
      parent,
      name,
      scales.intStat('count', { gauge: true }),
      scales.stat<string, 'state'>('state'),
      scales.intDictStat('errors', { gauge: true }),
    );
  }
}

describe('ported from scales_test.py', () => {
  beforeEach(() => scales.reset());

  test('typed children are auto-numbered (initChildOfType)', () => {
    const a = new Root1();
    a.stats.state = 'abc';
    const c1 = a.getChild((p) => new TypedChild(p));
    c1.stats.count += 1;
    const b = new Root2();
    const c2 = b.getChild((p) => new TypedChild(p));
    c2.stats.count += 2;
    assert.deepEqual(scales.getStats(), {
      path: { to: { A: { state: 'abc', errors: {}, activeUrls: {}, C: { 1: { count: 1 } } } } },
      B: { C: { 2: { count: 2 } } },
    });
  });

  test('child stats go under the parent container', () => {
    const a = new Root1();
    a.stats.state = 'abc';
    const c = a.getChild((p) => new Child(p));
    c.stats.count += 1;
    const b = new Root2();
    const d = b.getChild((p) => new Child(p));
    d.stats.count += 2;
    assert.deepEqual(scales.getStats(), {
      path: { to: { A: { state: 'abc', errors: {}, activeUrls: {}, C: { count: 1, state: null, errors: {} } } } },
      B: { C: { count: 2, state: null, errors: {} } },
    });
  });

  test('a child name with / makes several levels (multilevel child)', () => {
    const a = new Root1();
    const c = a.getChild((p) => new Child(p, 'sub/path'));
    c.stats.count += 1;
    assert.deepEqual(scales.getStats(), {
      path: { to: { A: { state: null, errors: {}, activeUrls: {}, sub: { path: { count: 1, state: null, errors: {} } } } } },
    });
  });

  for (const [label, make] of [
    ['sum aggregation', () => new AggregatingRoot()],
    ['sum aggregation with a subclass as the root', () => new AggregatingRootSubclass()],
  ] as const) {
    test(label, () => {
      const a = make();
      const c = new Child(a);
      assert.deepEqual(scales.getStats(), { Root: { count: 0, state: {}, errors: {}, C: { count: 0, state: null, errors: {} } } });
      c.stats.count += 2;
      assert.deepEqual(scales.getStats(), { Root: { count: 2, state: {}, errors: {}, C: { count: 2, state: null, errors: {} } } });
      const d = new Child(a, 'D');
      assert.deepEqual(scales.getStats(), {
        Root: { count: 2, state: {}, errors: {}, C: { count: 2, state: null, errors: {} }, D: { count: 0, state: null, errors: {} } },
      });
      c.stats.count -= 1;
      d.stats.count += 5;
      const s = scales.getStats() as { Root: Record<string, unknown> };
      assert.equal(s.Root.count, 6);
      assert.deepEqual(s.Root.C, { count: 1, state: null, errors: {} });
      assert.deepEqual(s.Root.D, { count: 5, state: null, errors: {} });
    });
  }

  test('histogram aggregation counts children per state, idempotently', () => {
    const a = new AggregatingRoot();
    const c = new Child(a);
    const d = new Child(a, 'D');
    for (let i = 0; i < 2; i++) {
      c.stats.state = 'good';
      d.stats.state = 'bad';
      assert.deepEqual(scales.getStats(), {
        Root: {
          count: 0,
          state: { good: 1, bad: 1 },
          errors: {},
          C: { count: 0, state: 'good', errors: {} },
          D: { count: 0, state: 'bad', errors: {} },
        },
      });
    }
    c.stats.state = 'great';
    d.stats.state = 'great';
    assert.deepEqual(scales.getStats(), {
      Root: {
        count: 0,
        state: { good: 0, bad: 0, great: 2 },
        errors: {},
        C: { count: 0, state: 'great', errors: {} },
        D: { count: 0, state: 'great', errors: {} },
      },
    });
    assert.deepEqual({ ...a.stats.state }, { good: 0, bad: 0, great: 2 });
  });

  test('IntDict: missing keys read 0; autoDelete removes keys that fall to 0', () => {
    const a = new Root1();
    a.stats.errors['400'] += 1;
    a.stats.errors['400'] += 2;
    a.stats.errors['404'] += 100;
    a.stats.errors['400'] -= 3;
    a.stats.activeUrls['http://www.greplin.com'] += 1;
    a.stats.activeUrls['http://www.google.com'] += 2;
    a.stats.activeUrls['http://www.greplin.com'] -= 1;
    assert.deepEqual(scales.getStats(), {
      path: { to: { A: { state: null, errors: { 400: 0, 404: 100 }, activeUrls: { 'http://www.google.com': 2 } } } },
    });
  });

  test('IntDict sum aggregation', () => {
    const root = new AggregatingRoot();
    const holder = new Child(root);
    holder.stats.errors['400'] += 1;
    holder.stats.errors['400'] += 2;
    holder.stats.errors['404'] += 100;
    holder.stats.errors['400'] += 1;
    const s = scales.getStats() as { Root: { errors: unknown; C: { errors: unknown } } };
    assert.deepEqual(s.Root.errors, { 400: 4, 404: 100 });
    assert.deepEqual(s.Root.C.errors, { 400: 4, 404: 100 });
  });

  test('dynamic gauges are evaluated when read', () => {
    let value = 100;
    const owner = {};
    // As in Python, the stat is declared first and given its function afterwards.
    const stats = scales.init(owner, '/', scales.stat<number, 'dynamic'>('dynamic'));
    stats.$.dynamic.set(() => value);
    assert.equal(scales.getStats()?.dynamic, 100);
    value = 200;
    assert.equal(scales.getStats()?.dynamic, 200);
  });

  test('collection', () => {
    const c = scales.collection('/thePath', scales.intStat('count'), scales.intDictStat('histo'));
    c.count += 100;
    c.histo.cheese += 12300;
    c.histo.cheese += 45;
    assert.deepEqual(scales.getStats(), { thePath: { count: 100, histo: { cheese: 12345 } } });
  });

  test('collapsed containers are left out of JSON but readable at their own path', () => {
    const c = scales.collection('/outer/inner', scales.intStat('x'));
    scales.collection('/outer', scales.intStat('y'));
    c.x = 5;
    scales.setCollapsed('/outer/inner');
    assert.deepEqual(scales.getStats(), { outer: { y: 0 } });
    assert.deepEqual(scales.getStats('/outer/inner'), { x: 5 });
    // Collapsing is a display choice: the snapshot holds everything, renderings ask isCollapsed.
    assert.equal(scales.defaultRegistry.isCollapsed('/outer/inner'), true);
    assert.equal(scales.defaultRegistry.isCollapsed('/outer'), false);
    assert.equal(scales.snapshot('/')?.children[0]?.children[0]?.stats[0]?.value, 5);
  });
});
