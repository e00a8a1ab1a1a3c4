// The cases of the original Python scales test suite (scales_test.py), ported. One deliberate
// difference: declared stats appear from the start with their zero value (Python showed a stat
// only once written), so the expected trees below also list untouched stats.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import * as scales from 'scales-metrics';

class Root1 {
  stats = scales.init(this, 'path/to/A', scales.stat<string, 'state'>('state'), scales.intDictStat('errors'), scales.intDictStat('activeUrls', { autoDelete: true }));
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
  stats = scales.init(this, 'Root', scales.sumAggregationStat('count'), scales.histogramAggregationStat('state'), scales.intDictSumAggregationStat('errors'));
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
    this.stats = scales.initChild(this, parent, name, scales.intStat('count'), scales.stat('state', ''), scales.intDictStat('errors'));
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
      path: { to: { A: { state: 'abc', errors: {}, activeUrls: {}, C: { count: 1, state: '', errors: {} } } } },
      B: { C: { count: 2, state: '', errors: {} } },
    });
  });

  for (const [label, make] of [
    ['sum aggregation', () => new AggregatingRoot()],
    ['sum aggregation with a subclass as the root', () => new AggregatingRootSubclass()],
  ] as const) {
    test(label, () => {
      const a = make();
      const c = new Child(a);
      assert.deepEqual(scales.getStats(), { Root: { count: 0, state: { '': 1 }, errors: {}, C: { count: 0, state: '', errors: {} } } });
      c.stats.count += 2;
      assert.equal(a.stats.count, 2);
      const d = new Child(a, 'D');
      c.stats.count -= 1;
      d.stats.count += 5;
      const s = scales.getStats() as { Root: Record<string, unknown> };
      assert.equal(s.Root.count, 6);
      assert.deepEqual(s.Root.C, { count: 1, state: '', errors: {} });
      assert.deepEqual(s.Root.D, { count: 5, state: '', errors: {} });
    });
  }

  test('histogram aggregation counts children per state, idempotently', () => {
    const a = new AggregatingRoot();
    const c = new Child(a);
    const d = new Child(a, 'D');
    for (let i = 0; i < 2; i++) {
      c.stats.state = 'good';
      d.stats.state = 'bad';
      assert.deepEqual(scales.getStats('/Root')?.state, { '': 0, good: 1, bad: 1 });
    }
    c.stats.state = 'great';
    d.stats.state = 'great';
    assert.deepEqual(a.stats.state, { '': 0, good: 0, bad: 0, great: 2 });
    assert.deepEqual((scales.getStats('/Root/C') as { state: string }).state, 'great');
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
    scales.init(owner, '/', scales.stat('dynamic', () => value));
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
    const snap = scales.snapshot('/');
    const inner = snap?.children[0]?.children[0];
    assert.equal(inner?.collapsed, true);
    assert.deepEqual(inner?.stats, []);
  });
});
