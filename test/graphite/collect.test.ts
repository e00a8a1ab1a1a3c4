import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import '../helpers/fast-check-seed.js';
import { runToEnd as runWalk, runSliced as runWalkAsync } from '../../src/core/slices.js';
import { walkSnapshot } from '../../src/graphite/collect.js';
import { snapshotOfTree } from '../../src/dump/read-dump.js';
import type { JsonObject } from '../../src/core/snapshot.js';
import type { SnapshotNode } from '../../src/registry/snapshot.js';
import { DeltaTracker } from '../../src/graphite/deltas.js';
import { GraphiteRules } from '../../src/graphite/rules.js';
import { declareSelfStats } from '../../src/graphite/self-stats.js';
import { Registry } from '../../src/registry/registry.js';
import { intDictStat } from '../../src/stats/int-dict-stat.js';
import { meterDictStat } from '../../src/stats/meter-dict-stat.js';

const all = () => new GraphiteRules().allow('*');
/** A plain JSON tree (a dump's, kinds inferred) walked as the typed model: there is one walk. */
const walkJson = (tree: JsonObject, rules: GraphiteRules, prefix: string) => walkSnapshot(snapshotOfTree(tree), rules, prefix);

describe("walking a plain JSON tree (through the dump reader's model)", () => {
  it('flattens nested objects with ".", keeps finite numbers only, sanitizes each segment', () => {
    const tree = {
      web: { 'a b': 1, 'x.y': 2, s: 'str', t: true, n: null, arr: [1, 2], nested: { deep: { v: -0.5 } } },
      inf: Number.POSITIVE_INFINITY,
      nan: Number.NaN,
      top: 3,
    };
    const out = runWalk(walkJson(tree as never, all(), 'p.'));
    assert.deepEqual(out.names, ['p.top', 'p.web.a-b', 'p.web.x-y', 'p.web.nested.deep.v']);
    assert.deepEqual(out.values, [3, 1, 2, -0.5]);
    assert.deepEqual(out.counters, [null, null, null, null], 'no counters in a tree without kinds');
  });

  it('leaves out the settings of a pmf-shaped object', () => {
    const tree = { lat: { count: 1, median: 0.5, '99percentile': 0.9, unit: 's', windowSeconds: 300 } };
    assert.deepEqual(runWalk(walkJson(tree, all(), '')).names, ['lat.count', 'lat.median', 'lat.99percentile']);
  });

  it('rules see the unsanitized path without its leading "/"; prune stops descent', () => {
    const seen: string[] = [];
    const rules = new GraphiteRules()
      .allow((p) => {
        seen.push(p);
        return true;
      })
      .prune('skip*');
    runWalk(walkJson({ 'a.b': { 'c d': 1 }, skip: { x: 1 }, skipped: 2 }, rules, ''));
    assert.deepEqual(seen, ['a.b/c d']);
  });

  it('every name it produces is a clean carbon name, whatever the keys', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.double())), (tree) => {
        const out = runWalk(walkJson(tree, all(), 'pre.'));
        for (const name of out.names) {
          assert.ok(name.startsWith('pre.'));
          assert.doesNotMatch(name, /\s|\.\.|\.$|[;{}~\u0000-\u001f]/u);
          assert.ok(name.length < 500);
        }
        for (const v of out.values) assert.ok(Number.isFinite(v));
      }),
    );
  });

  it('the async runner gives the same result as the sync one', async () => {
    const tree = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]));
    const a = runWalk(walkJson(tree, all(), 'p.'));
    const b = await runWalkAsync(walkJson(tree, all(), 'p.'), 0);
    assert.deepEqual(a, b);
  });
});

describe('walkSnapshot', () => {
  const node: SnapshotNode = {
    name: '',
    path: '/',
    stats: [],
    children: [
      {
        name: 'web',
        path: '/web',
        stats: [
          { name: 'hits', kind: 'meter', value: { count: 3, m1: 0.1, m5: 0, m15: 0, mean: 1, unit: 'per second' } },
          { name: 'bad', kind: 'value', value: null, error: 'Error: x' },
          { name: 'errors', kind: 'int', value: 2 },
        ],
        children: [{ name: 'hidden', path: '/web/hidden', stats: [{ name: 'x', kind: 'int', value: 1 }], children: [] }],
      },
    ],
  };
  it('marks counter leaves, skips errors; walks every container', () => {
    const out = runWalk(walkSnapshot(node, all(), 'p.'));
    assert.deepEqual(out.names, [
      'p.web.hits.count',
      'p.web.hits.m1',
      'p.web.hits.m5',
      'p.web.hits.m15',
      'p.web.hits.mean',
      'p.web.errors',
      'p.web.hidden.x',
    ]);
    assert.deepEqual(out.counters, ['monotonic', null, null, null, null, 'monotonic', 'monotonic']);
  });
  it('a subtree keeps its full path in the names', () => {
    const out = runWalk(walkSnapshot(node.children[0], all(), 'p.'));
    assert.ok(out.names.includes('p.web.errors'), out.names.join(' '));
  });
});

describe('labelled dicts', () => {
  it('a labelled dict gives one path per combination, nested in label order and sanitized per segment', () => {
    const registry = new Registry();
    const S = registry.collection(
      '/http',
      intDictStat('requests', { labels: ['method', 'route', 'status'] }),
      meterDictStat('hits', { labels: ['method', 'route'] }),
    );
    S.$.requests.inc({ method: 'GET', route: '/a', status: 200 });
    S.$.requests.labels('POST', '/a b', 500).inc(2);
    S.$.hits.mark({ method: 'GET', route: '/a' });
    const out = runWalk(walkSnapshot(registry.snapshot('/http')!, all(), 'p.'));
    const values = new Map(out.names.map((n, i) => [n, out.values[i]]));
    assert.equal(values.get('p.http.requests.GET._a.200'), 1);
    assert.equal(values.get('p.http.requests.POST._a-b.500'), 2);
    assert.equal(values.get('p.http.hits.GET._a.count'), 1);
    assert.ok(
      out.names.every((n) => !n.includes('key')),
      out.names.join(' '),
    );
  });
});

describe('delta modes from the samples of each kind', () => {
  it('knows which leaves count', () => {
    const pmf = (count: number) => ({
      count: 1,
      min: 1,
      max: 1,
      mean: 1,
      stddev: 0,
      median: 1,
      '75percentile': 1,
      '95percentile': 1,
      '98percentile': 1,
      '99percentile': 1,
      '999percentile': 1,
      unit: 's',
      windowSeconds: 300,
      schema: 6,
      relativeError: 0.0054,
      lifetime: { count, sum: 2, min: 1, max: 1, mean: 1, stddev: 0 },
    });
    const tree: SnapshotNode = {
      name: '',
      path: '/',
      stats: [
        { name: 'int', kind: 'int', value: 1 },
        { name: 'intGauge', kind: 'int', value: 1, description: { gauge: true } },
        { name: 'double', kind: 'double', value: 1.5 },
        { name: 'intDict', kind: 'intDict', value: { k: 1 } },
        { name: 'intDictGauge', kind: 'intDict', value: { k: 1 }, description: { gauge: true } },
        { name: 'meter', kind: 'meter', value: { count: 3, m1: 1, m5: 1, m15: 1, mean: 1, unit: 'per second' } },
        { name: 'meterDict', kind: 'meterDict', value: { k: { count: 3, m1: 1, m5: 1, m15: 1, mean: 1, unit: 'per second' } } },
        { name: 'pmf', kind: 'pmf', value: pmf(5) },
        { name: 'namedPmfDict', kind: 'namedPmfDict', value: { k: pmf(6) } },
        { name: 'stateTime', kind: 'stateTime', value: { busy: 2 } },
        { name: 'histogramAggregation', kind: 'histogramAggregation', value: { idle: 2 } },
        { name: 'sumAggregation', kind: 'sumAggregation', value: 4 },
      ],
      children: [],
    };
    const out = runWalk(walkSnapshot(tree, all(), ''));
    const modes = new Map(out.names.map((n, i) => [n, out.counters[i]]));
    // Counters read a decrease as a reset (a clear); a gauge's per-period change may be negative.
    assert.equal(modes.get('int'), 'monotonic');
    assert.equal(modes.get('intGauge'), 'diff');
    assert.equal(modes.get('double'), null);
    assert.equal(modes.get('intDict.k'), 'monotonic');
    assert.equal(modes.get('intDictGauge.k'), 'diff');
    assert.equal(modes.get('meter.count'), 'monotonic');
    assert.equal(modes.get('meter.m1'), null);
    assert.equal(modes.get('meterDict.k.count'), 'monotonic');
    assert.equal(modes.get('pmf.count'), null); // the window's count is not a running total
    assert.equal(modes.get('pmf.lifetime.count'), 'monotonic');
    assert.equal(modes.get('pmf.lifetime.sum'), 'diff');
    assert.equal(modes.get('namedPmfDict.k.lifetime.count'), 'monotonic');
    assert.equal(modes.get('stateTime.busy'), 'monotonic');
    assert.equal(modes.get('histogramAggregation.idle'), null);
    assert.equal(modes.get('sumAggregation'), 'diff');
    assert.ok(!modes.has('pmf.unit') && !modes.has('pmf.windowSeconds') && !modes.has('meter.unit'), out.names.join(' '));
  });
});

describe("the pusher's self-stats", () => {
  it('with deltas, its counters are sent per period, its levels (bufferedBytes, lastPushMs) as they are', () => {
    const registry = new Registry();
    declareSelfStats(registry, '/scales/graphite');
    const node = registry.snapshot('/scales/graphite')!;
    const out = runWalk(walkSnapshot({ ...node, path: '/' }, all(), ''));
    const modes = Object.fromEntries(node.stats.map((s) => [s.name, out.counters[out.names.indexOf(s.name)] ?? null]));
    assert.deepEqual(modes, {
      pushes: 'monotonic',
      datapoints: 'monotonic',
      sent: 'monotonic',
      dropped: 'monotonic',
      skipped: 'monotonic',
      overlaps: 'monotonic',
      reconnects: 'monotonic',
      errors: 'monotonic',
      bufferedBytes: null,
      lastPushMs: null,
      lastError: null,
    });
  });
});

describe('DeltaTracker', () => {
  it('measures from the end of the previous period; same-period pushes share the base; restarts read as from 0', () => {
    const d = new DeltaTracker();
    d.begin(10);
    assert.equal(d.delta('a', 5, 'diff'), 5);
    assert.equal(d.delta('m', 100, 'monotonic'), 100);
    d.begin(20);
    assert.equal(d.delta('a', 8, 'diff'), 3);
    assert.equal(d.delta('m', 130, 'monotonic'), 30);
    d.begin(20);
    assert.equal(d.delta('a', 9, 'diff'), 4);
    assert.equal(d.delta('m', 4, 'monotonic'), 4); // the counter restarted
    d.begin(30);
    assert.equal(d.delta('a', 7, 'diff'), -2); // a 'diff' counter may go down
    assert.equal(d.delta('new', 1, 'diff'), 1);
    d.begin(40);
    assert.equal(d.delta('m', 10, 'monotonic'), 10); // 'm' was not seen in period 30: from 0
  });
});
