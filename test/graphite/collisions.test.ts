/**
 * Names that meet after sanitizing (`a/b` and `a_b` both give `a_b`): each leaf keeps its own
 * series (`_2`, `_3`... in an order that does not depend on insertion), and per-period deltas
 * are per leaf. Sent by a real pusher to a TCP sink on 127.0.0.1; the exact lines are checked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { GraphitePusher } from 'scales-metrics/graphite';
import { assertNothingEscapes, Sink, until } from './tcp-sink.js';

assertNothingEscapes('nothing may escape from a pusher');

const T0 = 1_800_000_000_000; // epoch ms, on a second

async function pushLines(
  registry: scales.Registry,
  options: { deltas?: boolean; periods?: number; between?: () => void } = {},
): Promise<{ lines: string[]; skipped: number[] }> {
  const sink = new Sink();
  const port = await sink.listen();
  let now = T0;
  const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry, now: () => now, selfStatsPath: null, deltas: options.deltas });
  pusher.allow('*');
  const skipped: number[] = [];
  let sent = 0;
  try {
    for (let i = 0; i < (options.periods ?? 1); i++) {
      if (i > 0) options.between?.();
      const r = await pusher.push();
      assert.equal(r.error, undefined);
      skipped.push(r.skipped);
      sent += r.datapoints;
      now += 1000;
    }
    await pusher.close();
    await until(`${sent} lines`, () => sink.lines().length >= sent);
    return { lines: sink.lines(), skipped };
  } finally {
    await sink.close();
  }
}

/** Lines of one timestamp, sorted. */
function at(lines: string[], ts: number): string[] {
  return lines.filter((l) => l.endsWith(` ${ts}`)).sort();
}

const TS0 = T0 / 1000;

function dictTree(keys: [string, number][]) {
  const registry = new scales.Registry();
  const A = registry.collection('/a', scales.intDictStat('d'));
  for (const [k, v] of keys) A.$.d.inc(k, v);
  return { registry, A };
}

describe('graphite: names that meet after sanitizing', () => {
  it('dict keys that sanitize alike each get their own name, whatever the insertion order', async () => {
    const keys: [string, number][] = [
      ['a/b', 10],
      [' a_b', 20],
      ['a_b', 1000],
      ['a_b_2', 5], // a name a suffix would take: passed over
    ];
    const expected = [`p.a.d.a_b 1000 ${TS0}`, `p.a.d.a_b_2 5 ${TS0}`, `p.a.d.a_b_3 20 ${TS0}`, `p.a.d.a_b_4 10 ${TS0}`];
    // The key needing no sanitizing keeps its name; then by key (' a_b' < 'a/b').
    assert.deepEqual(at((await pushLines(dictTree(keys).registry)).lines, TS0), expected);
    assert.deepEqual(at((await pushLines(dictTree([...keys].reverse()).registry)).lines, TS0), expected);
  });

  it('a stat and a container that meet: the name that needed no sanitizing keeps it', async () => {
    const registry = new scales.Registry();
    const X = registry.collection('/x', scales.intDictStat('a.b'), scales.intStat('a b'), scales.intStat('a-b_2'));
    X.$['a.b'].inc('c', 1);
    X['a b'] = 3;
    X['a-b_2'] = 4;
    registry.collection('/x/a-b', scales.intStat('c')).c = 2;
    const { lines } = await pushLines(registry);
    assert.deepEqual(at(lines, TS0), [
      `p.scales.rejected._x_a-b 1 ${TS0}`, // '/x/a b' maps to the Prometheus name of '/x/a.b' (x_a_b): refused there, counted
      `p.x.a-b 3 ${TS0}`, // 'a b' alone gives 'a-b' as a leaf ('a-b' the container has no value of its own)
      `p.x.a-b.c 2 ${TS0}`, // the container /x/a-b, stat c: no segment changed
      `p.x.a-b.c_2 1 ${TS0}`, // the dict 'a.b', key c
      `p.x.a-b_2 4 ${TS0}`,
    ]);
  });

  it('deltas: each colliding counter gets its own right delta every period', async () => {
    const { registry, A } = dictTree([
      ['a/b', 10],
      ['a_b', 1000],
    ]);
    const { lines } = await pushLines(registry, {
      deltas: true,
      periods: 3,
      between: () => {
        A.$.d.inc('a/b', 1);
        A.$.d.inc('a_b', 2);
      },
    });
    assert.deepEqual(at(lines, TS0), [`p.a.d.a_b 1000 ${TS0}`, `p.a.d.a_b_2 10 ${TS0}`]);
    for (const ts of [TS0 + 1, TS0 + 2]) assert.deepEqual(at(lines, ts), [`p.a.d.a_b 2 ${ts}`, `p.a.d.a_b_2 1 ${ts}`]);
    assert.equal(lines.length, 6);
  });

  it('deltas off: running totals, each under its own name, every period', async () => {
    const { registry, A } = dictTree([
      ['a/b', 10],
      ['a_b', 1000],
    ]);
    const { lines } = await pushLines(registry, { periods: 2, between: () => A.$.d.inc('a/b', 1) });
    assert.deepEqual(at(lines, TS0), [`p.a.d.a_b 1000 ${TS0}`, `p.a.d.a_b_2 10 ${TS0}`]);
    assert.deepEqual(at(lines, TS0 + 1), [`p.a.d.a_b 1000 ${TS0 + 1}`, `p.a.d.a_b_2 11 ${TS0 + 1}`]);
  });

  it('a suffixed name that would not fit carbon is left out and counted in skipped', async () => {
    const long = 'x'.repeat(254);
    const { lines, skipped } = await pushLines(
      dictTree([
        [`${long}_`, 1],
        [`${long}/`, 2],
      ]).registry,
    );
    assert.deepEqual(lines, [`p.a.d.${long}_ 1 ${TS0}`]);
    assert.deepEqual(skipped, [1]);
  });
});

describe('graphite: a wrong host', () => {
  it('an options object passed as host: its type and keys, a hint, never its serialization', () => {
    assert.throws(
      () => new GraphitePusher({ host: '127.0.0.1', port: 2003 } as never),
      (e: Error) =>
        e instanceof TypeError &&
        e.message ===
          'invalid graphite host: got an object with keys host, port; a host name or address (a non-empty string) is required. Did you mean new GraphitePusher(host, port, prefix, options)?',
    );
  });

  it('a circular, a huge or a hostile object: a short message, never a throw of its own', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const huge = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`key${i}`.repeat(20), 'v'.repeat(1000)]));
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    for (const [host, preview] of [
      [circular, 'an object with keys a, self;'],
      [huge, 'an object with keys key0key0'],
      [hostile, 'an object;'],
      [[1, 2], 'an array of length 2;'],
    ] as const) {
      assert.throws(
        () => new GraphitePusher(host as never, 2003),
        (e: Error) => e instanceof TypeError && e.message.includes(`got ${preview}`) && e.message.length < 250,
      );
    }
  });

  it('a non-string scalar or an empty string: named with its type', () => {
    assert.throws(() => new GraphitePusher(2003 as never), /^TypeError: invalid graphite host number 2003: a host name or address/);
    assert.throws(() => new GraphitePusher(undefined as never), /^TypeError: invalid graphite host undefined: /);
    assert.throws(() => new GraphitePusher(''), /^TypeError: invalid graphite host "": /);
  });
});
