// Property: whatever sequence of child writes, late aggregation declarations and removals,
// every aggregate equals the value recomputed from the children.
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
  | { op: 'remove'; leaf: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('setN' as const), leaf: fc.nat(POOLS * LEAVES - 1), v: fc.integer({ min: -1000, max: 1000 }) }),
  fc.record({ op: fc.constant('incN' as const), leaf: fc.nat(POOLS * LEAVES - 1), v: fc.integer({ min: -50, max: 50 }) }),
  fc.record({ op: fc.constant('state' as const), leaf: fc.nat(POOLS * LEAVES - 1), s: fc.nat(STATES.length - 1) }),
  fc.record({ op: fc.constant('dict' as const), leaf: fc.nat(POOLS * LEAVES - 1), k: fc.nat(KEYS.length - 1), v: fc.integer({ min: -20, max: 20 }) }),
  fc.record({ op: fc.constant('poolAgg' as const), pool: fc.nat(POOLS - 1) }),
  fc.record({ op: fc.constant('remove' as const), leaf: fc.nat(POOLS * LEAVES - 1) }),
);

test('aggregates always equal the values recomputed from the children', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 120 }), fc.boolean(), (ops, rootFirst) => {
      const r = new scales.Registry();
      const rootOwner = {};
      const declareRoot = () =>
        r.init(rootOwner, '/root', scales.sumAggregationStat('n'), scales.histogramAggregationStat('s'), scales.intDictSumAggregationStat('d'));
      let root = rootFirst ? declareRoot() : undefined;
      if (!rootFirst) r.init(rootOwner, '/root');
      const pools = Array.from({ length: POOLS }, (_, i) => {
        const owner = {};
        r.initChild(owner, rootOwner, `pool-${i}`);
        return { owner, agg: undefined as undefined | ReturnType<typeof declarePoolAgg>, aggAt: -1 };
      });
      const declarePoolAgg = (owner: object) =>
        r.addStats(owner, scales.sumAggregationStat('n'), scales.histogramAggregationStat('s'), scales.intDictSumAggregationStat('d'));
      const leaves = Array.from({ length: POOLS * LEAVES }, (_, i) => {
        const owner = {};
        const stats = r.initChild(owner, pools[Math.floor(i / LEAVES)]!.owner, `leaf-${i % LEAVES}`, scales.intStat('n'), scales.stat('s', 'idle'), scales.intDictStat('d'));
        return { owner, stats, removed: false, removedAt: -1, atRemoval: { n: 0, d: {} as Record<string, number> }, pool: Math.floor(i / LEAVES) };
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
            }
            break;
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
        if (p.agg !== undefined) check(p.agg, leaves.filter((l) => l.pool === i && (!l.removed || l.removedAt > p.aggAt)));
      });
    }),
    { numRuns: 300, seed: 42 },
  );
});
