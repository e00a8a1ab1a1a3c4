// Property: whatever sequence of child writes, late aggregation declarations, removals and
// clears, every aggregate equals the value recomputed from the children.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as scales from 'scales-metrics';

const POOLS = 3;
const LEAVES = 4;
const STATES = ['idle', 'busy', 'blocked'] as const;
const KEYS = ['200', '404', '__proto__', 'x'] as const;

type Op =
  | { op: 'setN'; leaf: number; v: number }
  | { op: 'incN'; leaf: number; v: number }
  | { op: 'state'; leaf: number; s: number }
  | { op: 'dict'; leaf: number; k: number; v: number }
  | { op: 'poolAgg'; pool: number }
  | { op: 'remove'; leaf: number }
  | { op: 'clear'; level: 'root' | 'pool' | 'leaf'; i: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('setN' as const), leaf: fc.nat(POOLS * LEAVES - 1), v: fc.integer({ min: -1000, max: 1000 }) }),
  fc.record({ op: fc.constant('incN' as const), leaf: fc.nat(POOLS * LEAVES - 1), v: fc.integer({ min: -50, max: 50 }) }),
  fc.record({ op: fc.constant('state' as const), leaf: fc.nat(POOLS * LEAVES - 1), s: fc.nat(STATES.length - 1) }),
  fc.record({ op: fc.constant('dict' as const), leaf: fc.nat(POOLS * LEAVES - 1), k: fc.nat(KEYS.length - 1), v: fc.integer({ min: -20, max: 20 }) }),
  fc.record({ op: fc.constant('poolAgg' as const), pool: fc.nat(POOLS - 1) }),
  fc.record({ op: fc.constant('remove' as const), leaf: fc.nat(POOLS * LEAVES - 1) }),
  fc.record({
    op: fc.constant('clear' as const),
    level: fc.constantFrom('root' as const, 'pool' as const, 'leaf' as const),
    i: fc.nat(POOLS * LEAVES - 1),
  }),
);

/** Values that go up and down (the writes below are random): gauges, and sums of gauges. */
const GAUGE = { gauge: true } as const;

test('aggregates always equal the values recomputed from the children', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 120 }), fc.boolean(), (ops, rootFirst) => {
      const r = new scales.Registry();
      const rootOwner = {};
      const declareRoot = () =>
        r.init(
          rootOwner,
          '/root',
          scales.sumAggregationStat('n', GAUGE),
          scales.histogramAggregationStat('s'),
          scales.intDictSumAggregationStat('d', GAUGE),
        );
      let root = rootFirst ? declareRoot() : undefined;
      if (!rootFirst) r.init(rootOwner, '/root');
      const pools = Array.from({ length: POOLS }, (_, i) => {
        const owner = {};
        r.initChild(owner, rootOwner, `pool-${i}`);
        return { owner, agg: undefined as undefined | ReturnType<typeof declarePoolAgg>, aggAt: -1 };
      });
      const declarePoolAgg = (owner: object) =>
        r.addStats(owner, scales.sumAggregationStat('n', GAUGE), scales.histogramAggregationStat('s'), scales.intDictSumAggregationStat('d', GAUGE));
      const leaves = Array.from({ length: POOLS * LEAVES }, (_, i) => {
        const owner = {};
        const stats = r.initChild(
          owner,
          pools[Math.floor(i / LEAVES)]!.owner,
          `leaf-${i % LEAVES}`,
          scales.intStat('n', GAUGE),
          scales.stat('s', 'idle'),
          scales.intDictStat('d', GAUGE),
        );
        return {
          owner,
          stats,
          removed: false,
          removedAt: -1,
          atRemoval: { n: 0, d: {} as Record<string, number> },
          // Where a removed leaf's contribution stays: its pool's aggregation if it had one then.
          heldByPool: false,
          pool: Math.floor(i / LEAVES),
        };
      });
      if (!rootFirst) root = declareRoot();

      ops.forEach((o, at) => {
        const leaf = 'leaf' in o ? leaves[o.leaf]! : undefined;
        switch (o.op) {
          case 'setN':
            leaf!.stats.n = o.v;
            break;
          case 'incN':
            leaf!.stats.n += o.v;
            break;
          case 'state':
            leaf!.stats.s = STATES[o.s]!;
            break;
          case 'dict':
            leaf!.stats.d[KEYS[o.k]!] += o.v;
            break;
          case 'poolAgg':
            if (pools[o.pool]!.agg === undefined) {
              pools[o.pool]!.agg = declarePoolAgg(pools[o.pool]!.owner);
              pools[o.pool]!.aggAt = at;
            }
            break;
          case 'remove':
            if (!leaf!.removed) {
              r.remove(leaf!.owner);
              leaf!.removed = true;
              leaf!.removedAt = at;
              leaf!.atRemoval = { n: leaf!.stats.n, d: Object.fromEntries(Object.keys(leaf!.stats.d).map((k) => [k, leaf!.stats.d[k]!])) };
              leaf!.heldByPool = pools[leaf!.pool]!.agg !== undefined;
            }
            break;
          case 'clear': {
            // Clearing a subtree zeroes its leaves and what removed leaves left in the
            // aggregations inside it (not in those above it).
            const pool = o.i % POOLS;
            const path =
              o.level === 'root'
                ? '/root'
                : o.level === 'pool'
                  ? `/root/pool-${pool}`
                  : `/root/pool-${Math.floor(o.i / LEAVES)}/leaf-${o.i % LEAVES}`;
            const cleared = r.clear(path);
            assert.equal(cleared, o.level !== 'leaf' || !leaves[o.i]!.removed, path);
            for (const l of leaves) {
              if (l.removed && (o.level === 'root' || (o.level === 'pool' && l.pool === pool && l.heldByPool))) l.atRemoval = { n: 0, d: {} };
            }
            break;
          }
        }
      });

      // Sums keep what removed children contributed up to their removal (later writes to a
      // removed child are not seen), so removed leaves count with their values at removal.
      const check = (agg: { n: number; s: Readonly<Record<string, number>>; d: Readonly<Record<string, number>> }, members: typeof leaves) => {
        let n = 0;
        const d = new Map<string, number>();
        const s = new Map<string, number>();
        for (const l of members) {
          const seen = l.removed ? l.atRemoval : { n: l.stats.n, d: Object.fromEntries(Object.keys(l.stats.d).map((k) => [k, l.stats.d[k]!])) };
          n += seen.n;
          for (const k of Object.keys(seen.d)) d.set(k, (d.get(k) ?? 0) + seen.d[k]!);
          if (!l.removed) s.set(l.stats.s as string, (s.get(l.stats.s as string) ?? 0) + 1);
        }
        assert.equal(agg.n, n);
        for (const [k, v] of d) assert.equal(agg.d[k] ?? 0, v, `d[${k}]`);
        for (const k of Object.keys(agg.d)) assert.equal(agg.d[k], d.get(k) ?? 0, `d[${k}]`);
        for (const k of STATES) assert.equal(agg.s[k] ?? 0, s.get(k) ?? 0, `s[${k}]`);
      };
      check(root!, leaves);
      pools.forEach((p, i) => {
        if (p.agg !== undefined)
          check(
            p.agg,
            leaves.filter((l) => l.pool === i && (!l.removed || l.removedAt > p.aggAt)),
          );
      });
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('sums of floating-point children are compensated: children back at 0 leave exactly 0', () => {
  // Decimal values (such as cents) are where a plain running sum of deltas leaves residues like
  // 2.8e-17 behind; in 3,000 random runs the uncompensated sum did so in more than half.
  const cents = fc.integer({ min: -100_000, max: 100_000 }).map((c) => c / 100);
  fc.assert(
    fc.property(fc.array(fc.record({ leaf: fc.nat(5), v: cents }), { maxLength: 200 }), (writes) => {
      const r = new scales.Registry();
      const owner = {};
      const root = r.init(owner, '/root', scales.sumAggregationStat('x', GAUGE));
      const mid = r.initChild({}, owner, 'mid', scales.sumAggregationStat('x', GAUGE));
      const leaves = Array.from({ length: 6 }, (_, i) => r.initChild({}, i < 3 ? owner : mid, `leaf-${i}`, scales.doubleStat('x')));
      for (const w of writes) leaves[w.leaf]!.x = w.v;
      const expected = leaves.reduce((a, l) => a + l.x, 0);
      assert.ok(Math.abs(root.x - expected) <= 1e-9, `${root.x} vs ${expected}`);
      for (const l of leaves) l.x = 0;
      assert.equal(mid.x, 0);
      assert.equal(root.x, 0);
    }),
    { numRuns: 300, seed: 7 },
  );
  const r = new scales.Registry();
  const owner = {};
  const root = r.init(owner, '/r', scales.sumAggregationStat('d', GAUGE));
  const [a, b] = ['a', 'b'].map((n) => r.initChild({}, owner, n, scales.doubleStat('d')));
  a!.d = 0.1;
  b!.d = 0.2;
  assert.equal(root.d, 0.30000000000000004);
  a!.d = 0;
  b!.d = 0;
  assert.equal(root.d, 0);
});

test('example: a nested sum aggregation feeds its parent, declared before or after its children', () => {
  // The property above caught a nested aggregation that stopped passing changes up only when a
  // random run happened to declare a pool aggregation; this example pins it on every run.
  for (const nestedFirst of [true, false]) {
    const r = new scales.Registry();
    const root = {};
    const totals = r.init(root, '/root', scales.sumAggregationStat('n'), scales.intDictSumAggregationStat('d'), scales.histogramAggregationStat('s'));
    const pool = {};
    r.initChild(pool, root, 'pool');
    const declareNested = () =>
      r.addStats(pool, scales.sumAggregationStat('n'), scales.intDictSumAggregationStat('d'), scales.histogramAggregationStat('s'));
    let nested = nestedFirst ? declareNested() : undefined;
    const a = r.initChild({}, pool, 'a', scales.intStat('n'), scales.intDictStat('d'), scales.stat('s', 'idle'));
    const b = r.initChild({}, pool, 'b', scales.intStat('n'), scales.intDictStat('d'), scales.stat('s', 'idle'));
    const direct = r.initChild({}, root, 'direct', scales.intStat('n'), scales.intDictStat('d'));
    a.n = 5;
    b.n += 7;
    direct.n = 100;
    a.d.x += 2;
    b.d.x += 3;
    direct.d.x = 10;
    b.s = 'busy';
    nested ??= declareNested();
    assert.equal(nested.n, 12, `nested sum (nestedFirst=${nestedFirst})`);
    assert.equal(totals.n, 112, `root sum through the nested one (nestedFirst=${nestedFirst})`);
    assert.equal(nested.d.x, 5);
    assert.equal(totals.d.x, 15);
    assert.deepEqual({ ...totals.s }, { idle: 1, busy: 1 });
    // Later writes below the nested aggregation still reach the root.
    a.n += 5;
    b.d.x += 1;
    a.s = 'busy';
    assert.equal(nested.n, 17);
    assert.equal(totals.n, 117);
    assert.equal(totals.d.x, 16);
    assert.equal(totals.s.busy, 2);
    assert.equal(totals.s.idle, 0);
    // Clearing the pool subtree takes its children's values out of both levels.
    r.clear('/root/pool');
    assert.equal(nested.n, 0);
    assert.equal(totals.n, 100);
    assert.equal(totals.d.x, 10);
  }
});
