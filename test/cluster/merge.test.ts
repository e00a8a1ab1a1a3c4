// The merge rules of every kind, on real stats of separate registries (one per "worker"), and
// the primary's bookkeeping over real MessagePorts with an injected clock: late and dead
// workers, restarts, forgetting, hostile reports, and what a report and a worker cost.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { mergeTrees, retireTree, type TreePart } from '../../src/cluster/merge.js';
import type { HistogramBuckets } from '../../src/core/snapshot.js';
import { renderPrometheusProtobuf } from '../../src/formats/prometheus-protobuf.js';
import { renderPrometheus } from '../../src/formats/prometheus.js';
import { indexAt } from '../../src/sampling/exponential-index.js';
import { mergeHistograms } from '../../src/stats/pmf-merge.js';
import { ClusterStats } from '../../src/cluster/primary.js';
import { PROTOCOL, packSide, parseTree, stringifyTree, unpackSide } from '../../src/cluster/protocol.js';
import { reportStats } from '../../src/cluster/worker.js';
import {
  doubleStat,
  histogramAggregationStat,
  intDictStat,
  intDictSumAggregationStat,
  intStat,
  maxStat,
  meterDictStat,
  meterStat,
  namedPmfDictStat,
  pmfStat,
  stat,
  stateTimeStat,
  stringDictStat,
  sumAggregationStat,
} from '../../src/registry/catalogue.js';
import { Registry } from '../../src/registry/registry.js';
import type { SnapshotNode, SnapshotStat } from '../../src/registry/snapshot.js';
import { collectRuntimeStats } from '../../src/runtime/collect-runtime-stats.js';
import { ManualClock } from '../../src/sampling/clock.js';
import { lognormal } from '../helpers/datasets.js';
import { settledBytes } from '../helpers/heap.js';
import { ManualScheduler } from '../helpers/manual-scheduler.js';
import { asDouble, asString, decodeMessage, nativeSide, splitDelimited, type WireMessage, zigzag } from '../helpers/protobuf-decode.js';

/** A worker's registry with one stat of every kind, values depending on `i`. */
function workerRegistry(i: number, clock = new ManualClock(0)): { registry: Registry; values: Float64Array } {
  const registry = new Registry({ clock });
  const parent = {};
  registry.init(parent, '/agg', sumAggregationStat('done'), histogramAggregationStat('state'), intDictSumAggregationStat('codes'));
  const kid = registry.initChild({}, parent, 'child', intStat('done'), stat('state', i === 0 ? 'idle' : 'busy'), intDictStat('codes'));
  kid.done += i + 1;
  kid.codes['200'] += 2;
  const s = registry.collection(
    '/k',
    stat('version', '1.0'),
    stat('load', i + 1),
    stat('host', `h${i}`),
    intStat('count'),
    intStat('inFlight', { gauge: true }),
    doubleStat('temp'),
    intDictStat('byStatus'),
    stringDictStat('owner'),
    pmfStat('lat'),
    namedPmfDictStat('byRoute'),
    meterStat('hits'),
    meterDictStat('hitsBy'),
    stateTimeStat('phase'),
    maxStat('peak'),
  );
  s.count += 10 * (i + 1);
  s.inFlight = 3 + i;
  s.temp = 20 + i;
  s.byStatus['200'] += i + 1;
  s.byStatus[`5${i}0`] += 1;
  s.owner.job = `w${i}`;
  const values = lognormal(5000, 7 + i, 0.01 * (i + 1) ** 3, 0.4);
  for (const v of values) s.lat.record(v);
  s.byRoute['/a'].record(i + 1);
  s.hits.mark(i + 1);
  s.hitsBy.x.mark(2);
  s.phase.state = 'read';
  clock.advance(1000 * (i + 1));
  s.phase.state = 'write';
  s.peak = 5 * (i + 1);
  return { registry, values };
}

const find = (node: SnapshotNode | undefined, path: string): SnapshotNode | undefined => {
  let n = node;
  for (const name of path.split('/').filter(Boolean)) n = n?.children.find((c) => c.name === name);
  return n;
};
const valueAt = (node: SnapshotNode | undefined, name: string) => node?.stats.find((s) => s.name === name)?.value;
const statOf = (node: SnapshotNode | undefined, name: string): SnapshotStat | undefined => node?.stats.find((s) => s.name === name);

function parts(live: boolean[]): { parts: TreePart[]; values: Float64Array[] } {
  const ws = live.map((_, i) => workerRegistry(i));
  return {
    parts: ws.map((w, i) => ({ node: w.registry.snapshot('/', { sketches: true })!, worker: String(i + 1), live: live[i]! })),
    values: ws.map((w) => w.values),
  };
}

describe('merge rules, one per kind', () => {
  test('counts summed, gauges summed with min and max, text agreed or per worker, pmfs from merged sketches', () => {
    const { parts: ps, values } = parts([true, true]);
    const merged = mergeTrees(ps, { sketches: false });
    const k = find(merged, '/k');
    assert.equal(valueAt(k, 'version'), '1.0');
    assert.deepEqual(valueAt(k, 'host'), { '1': 'h0', '2': 'h1' });
    assert.equal(valueAt(k, 'load'), 3);
    assert.equal(valueAt(k, 'loadMin'), 1);
    assert.equal(valueAt(k, 'loadMax'), 2);
    assert.equal(valueAt(k, 'count'), 30);
    assert.equal(valueAt(k, 'countMin'), undefined, 'a counter has no extremes');
    assert.equal(valueAt(k, 'inFlight'), 7, 'an int declared { gauge: true } is a gauge');
    assert.equal(valueAt(k, 'inFlightMin'), 3);
    assert.equal(valueAt(k, 'inFlightMax'), 4);
    assert.equal(valueAt(k, 'temp'), 41);
    assert.equal(valueAt(k, 'tempMin'), 20);
    assert.equal(valueAt(k, 'tempMax'), 21);
    assert.deepEqual(valueAt(k, 'byStatus'), { '200': 3, '500': 1, '510': 1 });
    assert.deepEqual(valueAt(k, 'owner'), { job: 'w1' }, 'text of a stringDict: the last worker');
    assert.deepEqual(valueAt(k, 'phase'), { read: 3, write: 0 });
    assert.equal(valueAt(k, 'peak'), 10);
    const hits = statOf(k, 'hits');
    assert.ok(hits?.kind === 'meter' && hits.value !== null);
    assert.equal(hits.value.count, 3);
    const hitsBy = statOf(k, 'hitsBy');
    assert.ok(hitsBy?.kind === 'meterDict' && hitsBy.value !== null);
    assert.equal(hitsBy.value.x?.count, 4);
    const byRoute = statOf(k, 'byRoute');
    assert.ok(byRoute?.kind === 'namedPmfDict' && byRoute.value !== null);
    assert.equal(byRoute.value['/a']?.count, 2);
    assert.equal(byRoute.value['/a']?.max, 2);
    // The pmf: every value of both workers, as if one had recorded them all.
    const lat = statOf(k, 'lat');
    assert.ok(lat?.kind === 'pmf' && lat.value !== null);
    const all = Float64Array.from([...values[0]!, ...values[1]!]).sort();
    const exact = (q: number) => all[Math.ceil(q * all.length) - 1]!;
    assert.equal(lat.value.count, all.length);
    assert.equal(lat.value.lifetime.count, all.length);
    assert.equal(lat.value.min, all[0]);
    assert.equal(lat.value.max, all.at(-1));
    for (const [q, key] of [
      [0.5, 'median'],
      [0.75, '75percentile'],
      [0.99, '99percentile'],
    ] as const) {
      const got = lat.value[key]!;
      assert.ok(Math.abs(got - exact(q)) / exact(q) <= lat.value.relativeError, `${key}: ${got} vs ${exact(q)}`);
    }
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    assert.ok(Math.abs(lat.value.mean! - mean) / mean < 1e-9);
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1));
    assert.ok(Math.abs(lat.value.stddev! - sd) / sd < 1e-6, `pooled stddev ${lat.value.stddev} vs ${sd}`);
    assert.equal(lat.value.sketch, undefined);
    const kept = statOf(find(mergeTrees(ps, { sketches: true }), '/k'), 'lat');
    assert.ok(kept?.kind === 'pmf' && typeof kept.value?.sketch === 'string');
    // The aggregations up the tree.
    const agg = find(merged, '/agg');
    assert.equal(valueAt(agg, 'done'), 3);
    assert.deepEqual(valueAt(agg, 'state'), { idle: 1, busy: 1 });
    assert.deepEqual(valueAt(agg, 'codes'), { '200': 4 });
    assert.equal(find(merged, '/agg/child')?.path, '/agg/child');
  });

  test('a dead worker: its counts stay, its gauges and rates no longer count', () => {
    const { parts: ps } = parts([true, false]);
    const k = find(mergeTrees(ps, { sketches: false }), '/k');
    assert.equal(valueAt(k, 'count'), 30);
    assert.equal(valueAt(k, 'inFlight'), 3);
    assert.equal(valueAt(k, 'temp'), 20);
    assert.equal(valueAt(k, 'host'), 'h0');
    const hits = statOf(k, 'hits');
    assert.ok(hits?.kind === 'meter' && hits.value !== null);
    assert.equal(hits.value.count, 3);
    assert.equal(valueAt(k, 'peak'), 10);
  });

  test('a stat declared { counter: true }: summed over every worker, dead ones and retired ones included', () => {
    const nodes = [5, 7].map((cpu) => {
      const r = new Registry();
      r.collection(
        '/p',
        stat('cpuSeconds', () => cpu, { counter: true }),
        stat('level', () => cpu),
      );
      return r.snapshot('/')!;
    });
    const merged = find(
      mergeTrees(
        [
          { node: nodes[0]!, worker: '1', live: true },
          { node: nodes[1]!, worker: '2', live: false },
        ],
        { sketches: false },
      ),
      '/p',
    );
    assert.equal(valueAt(merged, 'cpuSeconds'), 12, 'the dead worker still counts');
    assert.equal(valueAt(merged, 'level'), 5, 'a gauge counts the live worker only');
    assert.equal(valueAt(find(retireTree(nodes[1]!), '/p'), 'cpuSeconds'), 7, 'kept by the retired totals');
    assert.equal(valueAt(find(retireTree(nodes[1]!), '/p'), 'level'), undefined);
  });

  test('a forgotten worker leaves its counts (retireTree), not its gauges nor its window', () => {
    const { parts: ps } = parts([false]);
    const left = retireTree(ps[0]!.node);
    const k = find(left, '/k');
    assert.deepEqual(
      k?.stats.map((s) => s.name),
      ['count', 'byStatus', 'lat', 'byRoute', 'hits', 'hitsBy', 'phase', 'peak'],
    );
    const lat = statOf(k, 'lat');
    assert.ok(lat?.kind === 'pmf' && lat.value !== null);
    assert.equal(lat.value.count, 0);
    assert.equal(lat.value['99percentile'], null);
    assert.equal(lat.value.lifetime.count, 5000);
    assert.equal(lat.value.sketch, undefined);
    // Merged back with a live worker, the totals are those of both.
    const live = parts([true]).parts[0]!;
    const merged = find(mergeTrees([{ node: left, worker: 'retired', live: false }, live], { sketches: false }), '/k');
    assert.equal(valueAt(merged, 'count'), 20);
    const mlat = statOf(merged, 'lat');
    assert.ok(mlat?.kind === 'pmf' && mlat.value !== null);
    assert.equal(mlat.value.count, 5000, 'the window: the live worker');
    assert.equal(mlat.value.lifetime.count, 10_000, 'the lifetime: both');
    // A sum aggregation is a counter: kept; a histogram aggregation (of current states) is not.
    assert.equal(valueAt(find(left, '/agg'), 'done'), 1);
    assert.equal(valueAt(find(left, '/agg'), 'state'), undefined);
  });

  test('workers that disagree on a kind, or on a unit, show an error, not a made-up value', () => {
    const a = new Registry();
    a.collection('/x', intStat('n'), pmfStat('lat', { unit: 's' })).lat.record(1);
    const b = new Registry();
    b.collection('/x', pmfStat('n'), pmfStat('lat', { unit: 'ms' })).lat.record(1);
    const merged = find(
      mergeTrees(
        [
          { node: a.snapshot('/', { sketches: true })!, worker: '1', live: true },
          { node: b.snapshot('/', { sketches: true })!, worker: '2', live: true },
        ],
        { sketches: false },
      ),
      '/x',
    );
    assert.match(statOf(merged, 'n')?.error ?? '', /disagree on its kind: int, pmf/);
    assert.match(statOf(merged, 'lat')?.error ?? '', /unit "ms" of worker 2 differs from "s"/);
  });

  test('labelled dicts merge per combination at every level; declared descriptions stay', () => {
    const trees = [1, 2].map((i) => {
      const r = new Registry();
      const S = r.collection(
        '/http',
        intDictStat('requests', { labels: ['method', 'route', 'status'], help: 'Requests answered' }),
        namedPmfDictStat('latency', { labels: ['method', 'route'], unit: 's' }),
      );
      S.$.requests.inc({ method: 'GET', route: '/a', status: 200 });
      S.$.requests.labels('GET', `/only${i}`, 500).inc();
      for (let k = 0; k < 10 * i; k++) S.$.latency.record({ method: 'GET', route: '/a' }, 0.01 * i);
      return { node: r.snapshot('/', { sketches: true })!, worker: String(i), live: true };
    });
    const http = find(mergeTrees(trees, { sketches: false }), '/http');
    assert.deepEqual(valueAt(http, 'requests'), { GET: { '/a': { '200': 2 }, '/only1': { '500': 1 }, '/only2': { '500': 1 } } });
    assert.equal(statOf(http, 'requests')?.description?.help, 'Requests answered');
    assert.deepEqual(statOf(http, 'requests')?.description?.labels, ['method', 'route', 'status']);
    const latency = statOf(http, 'latency');
    assert.ok(latency?.kind === 'namedPmfDict' && latency.value !== null);
    const a = (latency.value as unknown as { GET: { '/a': { count: number; max: number; median: number } } }).GET['/a'];
    assert.equal(a.count, 30);
    assert.equal(a.max, 0.02);
    assert.ok(Math.abs(a.median - 0.02) / 0.02 < 0.01, `median ${a.median}: 20 of the 30 values are 0.02`);
  });

  test('fields of a stat the merge does not know (a description) are kept', () => {
    const node: SnapshotNode = {
      name: '',
      path: '/',
      stats: [{ name: 'n', kind: 'int', value: 2, description: { help: 'Requests' } } as SnapshotStat],
      children: [],
    };
    const merged = mergeTrees(
      [
        { node, worker: '1', live: true },
        { node, worker: '2', live: true },
      ],
      { sketches: false },
    );
    assert.deepEqual(merged.stats[0], { name: 'n', kind: 'int', value: 4, description: { help: 'Requests' } });
  });
});

/** Waits for the messages already posted to be delivered (a few turns of the event loop; 20 s at most on a loaded machine). */
async function delivered(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('not delivered in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function primary(options: ConstructorParameters<typeof ClusterStats>[0] = {}) {
  const clock = { t: 1_000_000 };
  const source = new ClusterStats({ cluster: false, primary: null, now: () => clock.t, ...options });
  const ports: MessagePort[] = [];
  const connect = (id: string, registry: Registry, extra: { maxReportBytes?: number } = {}) => {
    const { port1, port2 } = new MessageChannel();
    source.add(port1, id);
    ports.push(port1, port2);
    return { port: port2, reporter: reportStats({ port: port2, source: registry, scheduler: new ManualScheduler(), ...extra }) };
  };
  const close = () => {
    source.close();
    for (const p of ports) p.close();
  };
  return { clock, source, connect, close };
}

describe('the primary over MessagePorts', () => {
  test('a report is acknowledged; a worker goes late by its age, dead when its port closes, and is forgotten after keepDeadMs with its counts kept', async () => {
    const { clock, source, connect, close } = primary({ keepDeadMs: 60_000 });
    try {
      const a = connect('a', workerRegistry(0).registry);
      const b = connect('b', workerRegistry(1).registry);
      assert.equal(await a.reporter.reportNow(), true);
      assert.equal(await b.reporter.reportNow(), true);
      assert.equal(a.reporter.sent, 1);
      assert.ok(a.reporter.lastBytes > 1000);
      assert.equal(valueAt(source.snapshot('/k'), 'count'), 30);
      assert.equal(valueAt(source.snapshot('/workers/a'), 'state'), 'live');
      clock.t += 3500; // the default: late after 3 intervals (of 1 s here), and at least 2 s
      assert.equal(valueAt(source.snapshot('/workers/a'), 'state'), 'late');
      assert.equal(valueAt(source.snapshot('/workers/a'), 'ageSeconds'), 3.5);
      assert.equal(valueAt(source.snapshot('/scales/cluster'), 'late'), 2);
      assert.equal(valueAt(source.snapshot('/k'), 'count'), 30, 'late workers still count');
      b.port.close();
      await delivered(() => source.workers().find((w) => w.id === 'b')?.state === 'dead');
      assert.equal(valueAt(source.snapshot('/k'), 'count'), 30);
      assert.equal(valueAt(source.snapshot('/k'), 'temp'), 20, 'a dead gauge no longer counts');
      clock.t += 60_001;
      assert.deepEqual(
        source.workers().map((w) => w.id),
        ['a'],
      );
      assert.equal(valueAt(source.snapshot('/k'), 'count'), 30, 'forgotten, still counted');
      assert.equal(valueAt(source.snapshot('/scales/cluster'), 'forgotten'), 1);
      assert.equal(source.snapshot('/workers/b'), undefined);
    } finally {
      close();
    }
  });

  test('hostile or broken reports are refused, counted and shown; other messages are left alone', async () => {
    const { source, connect, close } = primary({ maxReportBytes: 4096 });
    try {
      const small = new Registry();
      small.collection('/s', intStat('n')).n = 1;
      const w = connect('w', small);
      await w.reporter.reportNow();
      const good = { scales: PROTOCOL, type: 'report', incarnation: 'x', seq: 1, pid: 1, intervalMs: 1000, bytes: 10 };
      const deep = (n: number): object =>
        n === 0 ? { name: 'x', path: '/x', stats: [], children: [] } : { name: 'x', path: '/x', stats: [], children: [deep(n - 1)] };
      const bad = [
        { ...good, tree: '{not json' },
        { ...good, tree: JSON.stringify({ name: '', path: '/', stats: [{ name: 'n', kind: 'nope', value: 1 }], children: [] }) },
        { ...good, tree: JSON.stringify({ name: '', path: '/', stats: 'x', children: [] }) },
        { ...good, tree: JSON.stringify(deep(100)) },
        { ...good, tree: 'x'.repeat(5000) },
        { ...good, seq: -1, tree: null },
        { ...good, incarnation: 7, tree: null },
      ];
      for (const m of bad) w.port.postMessage(m);
      w.port.postMessage({ hello: 'application message' });
      w.port.postMessage('text');
      await delivered(() => valueAt(source.snapshot('/scales/cluster'), 'refused') === bad.length);
      assert.match(String(valueAt(source.snapshot('/workers/w'), 'error')), /report refused: TypeError: "incarnation"/);
      assert.equal(valueAt(source.snapshot('/s'), 'n'), 1, 'the last good report stays');
      assert.equal(valueAt(source.snapshot('/scales/cluster'), 'reports'), 1);
      // A value of the wrong shape costs only that stat: it shows why.
      const odd = {
        name: '',
        path: '/',
        stats: [{ name: 'p', kind: 'pmf', value: 5 }],
        children: [{ name: 's', path: '/s', stats: [{ name: 'n', kind: 'int', value: 'x' }], children: [] }],
      };
      const other = connect('other', small);
      other.port.postMessage({ ...good, tree: JSON.stringify(odd) });
      await delivered(() => source.snapshot('/workers/other') !== undefined);
      assert.equal(statOf(source.snapshot('/workers/other'), 'p')?.error, "the report's value is not the shape of a pmf stat");
      assert.equal(statOf(source.snapshot('/workers/other/s'), 'n')?.error, "the report's value is not the shape of a int stat");
      assert.equal(valueAt(source.snapshot('/s'), 'n'), 1, 'merged: the good value only');
    } finally {
      close();
    }
  });

  test('one reporter per channel: a second is refused until the first stops', () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const first = reportStats({ port: port1, source: new Registry(), scheduler: new ManualScheduler() });
      assert.throws(() => reportStats({ port: port1, source: new Registry() }), /already reports on that channel/);
      first.stop();
      reportStats({ port: port1, source: new Registry(), scheduler: new ManualScheduler() }).stop();
      assert.throws(() => reportStats({ intervalMs: 1 }), /intervalMs 1 is not/);
      assert.throws(() => reportStats({ maxReportBytes: 10 }), /maxReportBytes 10 is not/);
      assert.throws(() => reportStats(), /not in a node:cluster worker nor a worker thread; pass \{ port \}/);
    } finally {
      port1.close();
      port2.close();
    }
  });

  test("a worker's report over its own limit is not sent; the primary shows why", async () => {
    const { source, connect, close } = primary();
    try {
      const w = connect('w', workerRegistry(0).registry, { maxReportBytes: 1024 });
      assert.equal(await w.reporter.reportNow(), true);
      assert.match(String(valueAt(source.snapshot('/workers/w'), 'error')), /report of \d+ bytes is over its maxReportBytes/);
      assert.equal(source.snapshot('/k'), undefined);
    } finally {
      close();
    }
  });

  test('at most maxWorkers are listed: the oldest dead one is forgotten first, its counts kept', async () => {
    const { source, connect, close } = primary({ maxWorkers: 2 });
    try {
      const r = new Registry();
      const s = r.collection('/s', intStat('n'));
      s.n = 5;
      const a = connect('a', r);
      await a.reporter.reportNow();
      a.port.close();
      await delivered(() => source.workers()[0]?.state === 'dead');
      await connect('b', r).reporter.reportNow();
      await connect('c', r).reporter.reportNow();
      assert.deepEqual(
        source.workers().map((w) => w.id),
        ['b', 'c'],
      );
      assert.equal(valueAt(source.snapshot('/s'), 'n'), 15);
    } finally {
      close();
    }
  });

  test('while only reports arrive, the merge is redone at most every mergeEveryMs; options are checked', async () => {
    const { clock, source, connect, close } = primary({ mergeEveryMs: 500 });
    try {
      const r = new Registry();
      const s = r.collection('/s', intStat('n'));
      s.n = 1;
      const w = connect('w', r);
      await w.reporter.reportNow();
      assert.equal(valueAt(source.snapshot('/s'), 'n'), 1);
      s.n = 2;
      await w.reporter.reportNow();
      assert.equal(valueAt(source.snapshot('/s'), 'n'), 1, 'the merge of 0 ms ago');
      assert.equal(
        valueAt(source.snapshot('/workers/w/s'), 'n'),
        1,
        "a worker's own tree is the report that merge used: one read agrees with itself",
      );
      clock.t += 500;
      assert.equal(valueAt(source.snapshot('/s'), 'n'), 2);
      assert.equal(valueAt(source.snapshot('/workers/w/s'), 'n'), 2, "then the worker's latest report");
      for (const bad of [{ mergeEveryMs: -1 }, { lateAfterMs: 0 }, { keepDeadMs: Number.NaN }, { maxWorkers: -5 }, { maxReportBytes: 0 }]) {
        assert.throws(() => new ClusterStats({ cluster: false, ...bad }), RangeError, JSON.stringify(bad));
      }
      assert.throws(() => source.add({} as MessagePort, 'x'), /expected a worker_threads Worker or a MessagePort/);
      assert.throws(() => source.add(new MessageChannel().port1), /a MessagePort needs one/);
      assert.throws(() => source.add(new MessageChannel().port1, 'a/b'), /without "\/"/);
    } finally {
      close();
    }
  });

  test('reads take only what is there: the primary tree, /workers and the merged stats side by side', async () => {
    const own = new Registry();
    own.collection('/mine', intStat('forks')).forks = 3;
    const { source, connect, close } = primary({ primary: own });
    try {
      await connect('1', workerRegistry(0).registry).reporter.reportNow();
      const root = source.snapshot('/');
      assert.deepEqual(
        root?.children.map((c) => c.name),
        ['agg', 'k', 'scales', 'workers', 'primary'],
      );
      assert.equal(valueAt(source.snapshot('/primary/mine'), 'forks'), 3);
      assert.equal(source.snapshot('/primary/mine')?.path, '/primary/mine');
      const skipped = source.snapshot('/', { skip: (p) => p === '/workers' });
      assert.equal(
        skipped?.children.find((c) => c.name === 'workers'),
        undefined,
      );
      assert.equal(source.snapshot('/nope'), undefined);
      assert.deepEqual(await source.snapshotAsync('/k'), source.snapshot('/k'));
    } finally {
      close();
    }
  });
});

describe('lifetime buckets across workers (native histograms of the whole cluster)', () => {
  const h = (schema: number, pos: [number, number][], extra: Partial<HistogramBuckets> = {}): HistogramBuckets => ({
    schema,
    zeroThreshold: 2 ** -128,
    zeroCount: 0,
    positive: { indexes: pos.map(([i]) => i), counts: pos.map(([, c]) => c) },
    negative: { indexes: [], counts: [] },
    count: pos.reduce((a, [, c]) => a + c, 0),
    sum: 0,
    ...extra,
  });

  test('same schema: counts added per bucket index; zero buckets, counts and sums added', () => {
    const m = mergeHistograms([
      h(
        6,
        [
          [1, 2],
          [5, 1],
        ],
        { zeroCount: 1, count: 4, sum: 3 },
      ),
      h(
        6,
        [
          [5, 3],
          [9, 1],
        ],
        { count: 4, sum: 2, negative: { indexes: [2], counts: [7] } },
      ),
    ]);
    assert.equal(m.schema, 6);
    assert.deepEqual(m.positive, { indexes: [1, 5, 9], counts: [2, 4, 1] });
    assert.deepEqual(m.negative, { indexes: [2], counts: [7] });
    assert.equal(m.zeroCount, 1);
    assert.equal(m.count, 8);
    assert.equal(m.sum, 5);
  });

  test('different schemas: the finer brought down to the coarser first; a wider zero bucket takes the buckets it covers', () => {
    // Schema 6 bucket i lies in schema 4 bucket ceil(i / 4): 1..4 -> 1, 5..8 -> 2, -3..0 -> 0.
    const m = mergeHistograms([
      h(6, [
        [-3, 1],
        [0, 1],
        [1, 1],
        [4, 2],
        [5, 1],
        [8, 1],
      ]),
      h(4, [
        [1, 10],
        [3, 1],
      ]),
    ]);
    assert.equal(m.schema, 4);
    assert.deepEqual(m.positive, { indexes: [0, 1, 2, 3], counts: [2, 13, 2, 1] });
    assert.equal(m.count, 7 + 11);
    const z = mergeHistograms([
      h(0, [
        [-2, 1],
        [-1, 1],
        [3, 4],
      ]),
      h(0, [[3, 1]], { zeroThreshold: 0.5, zeroCount: 2 }),
    ]);
    // At schema 0 bucket -1 is (1/4, 1/2], inside the zero bucket of threshold 1/2; bucket -2 too.
    assert.equal(z.zeroThreshold, 0.5);
    assert.equal(z.zeroCount, 4);
    assert.deepEqual(z.positive, { indexes: [3], counts: [5] });
  });

  test('reports carry bucket sides packed (base-36 counts, ~index after a gap); a malformed side fails that stat only', () => {
    const indexes = [-700, -699, -695, -3, 0, 1, 2, 40, 2 ** 20];
    const counts = [1, 35, 2, 9, 2 ** 40, 1, 7, 3, 1];
    const text = packSide(indexes, counts);
    assert.ok(text.startsWith('~-jg,1,z,0,0,0,2,~-3,9,'), text);
    assert.deepEqual(unpackSide(text), { indexes, counts });
    assert.deepEqual(unpackSide(''), { indexes: [], counts: [] });
    for (const bad of ['1,2', '~,1', '~1,-2', '~1,1.5', '~1,1,,2', '~zzzzzzzzzzz,1']) assert.equal(unpackSide(bad), null, bad);
    const tree = (side: string) =>
      JSON.stringify({
        name: '',
        path: '/',
        stats: [
          {
            name: 'lat',
            kind: 'pmf',
            value: {
              count: 0,
              unit: 's',
              lifetime: { count: 3 },
              histogram: { schema: 6, zeroThreshold: 0, zeroCount: 0, count: 3, sum: 1, positive: side, negative: '' },
            },
          },
        ],
        children: [],
      });
    const good = parseTree(tree('~5,1,2')).stats[0]!;
    assert.equal(good.error, undefined);
    assert.deepEqual((good.value as { histogram: HistogramBuckets }).histogram.positive, { indexes: [5, 6], counts: [1, 2] });
    const bad = parseTree(tree('5,x!')).stats[0]!;
    assert.match(bad.error ?? '', /not the shape of a pmf/);
    // stringifyTree packs only the sides of buckets (an object with a schema and a zero count).
    const round = parseTree(stringifyTree(parseTree(tree('~5,1,2'))));
    assert.deepEqual(round, parseTree(tree('~5,1,2')));
    assert.match(stringifyTree(parseTree(tree('~5,1,2'))), /"positive":"~5,1,2"/);
  });

  test("the primary's protobuf exposition: one native histogram whose buckets are every worker's values, kept when a worker dies, is forgotten or restarts", async () => {
    const { clock, source, connect, close } = primary({ keepDeadMs: 60_000 });
    const all: number[] = [];
    const worker = (seed: number, n: number) => {
      const registry = new Registry();
      const s = registry.collection('/web', pmfStat('latency'), pmfStat('quiet', { summary: true }));
      const values = lognormal(n, seed, 0.02, 1);
      for (const v of values) {
        s.latency.record(v);
        s.quiet.record(v);
      }
      all.push(...values);
      return registry;
    };
    /** The decoded native histogram of web_latency_seconds, and the types of the families. */
    const scrape = () => {
      const body = renderPrometheusProtobuf(source.snapshot('/', { histograms: true })!);
      const fams = splitDelimited(body).map((b) => decodeMessage(b));
      const name = (f: WireMessage) => asString(f.get(1)![0]!);
      const family = fams.find((f) => name(f) === 'web_latency_seconds');
      assert.ok(family, `families: ${fams.map(name).join(', ')}`);
      assert.equal(Number((family.get(3)![0] as { v: bigint }).v), 4, 'a histogram');
      assert.equal(family.get(4)!.length, 1, 'one series: the merged one (the workers are not families of their own)');
      const metric = decodeMessage((family.get(4)![0] as { bytes: Uint8Array }).bytes);
      const hist = decodeMessage((metric.get(7)![0] as { bytes: Uint8Array }).bytes);
      const quiet = fams.find((f) => name(f) === 'web_quiet_seconds')!;
      return {
        count: Number((hist.get(1)![0] as { v: bigint }).v),
        sum: asDouble(hist.get(2)![0]!),
        schema: Number(zigzag((hist.get(5)![0] as { v: bigint }).v)),
        buckets: nativeSide(hist, 12, 13),
        quietType: Number((quiet.get(3)![0] as { v: bigint }).v),
      };
    };
    const expected = () => {
      const m = new Map<number, number>();
      for (const v of all) m.set(indexAt(v, 6), (m.get(indexAt(v, 6)) ?? 0) + 1);
      return [...m].sort((a, b) => a[0] - b[0]);
    };
    try {
      const a = connect('a', worker(1, 3000));
      const b = connect('b', worker(2, 2000));
      await a.reporter.reportNow();
      await b.reporter.reportNow();
      let got = scrape();
      assert.equal(got.count, 5000);
      assert.equal(got.schema, 6);
      assert.deepEqual(got.buckets, expected());
      const sum = all.reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(got.sum - sum) < 1e-9 * sum);
      assert.equal(got.quietType, 2, 'a pmf declared { summary: true } stays a summary');
      // Without { histograms: true } the merged tree carries no buckets (JSON, the page).
      const plain = source.snapshot('/web')!.stats.find((s) => s.name === 'latency')!.value as { histogram?: unknown };
      assert.equal(plain.histogram, undefined);
      // b dies, then is forgotten: its buckets stay in the total (the retired totals keep them).
      b.port.close();
      await delivered(() => source.workers().find((w) => w.id === 'b')?.state === 'dead');
      assert.deepEqual(scrape().buckets, expected());
      clock.t += 60_001;
      assert.deepEqual(
        source.workers().map((w) => w.id),
        ['a'],
      );
      got = scrape();
      assert.equal(got.count, 5000, 'forgotten, its buckets kept');
      assert.deepEqual(got.buckets, expected());
      // a restarts (same id, a new incarnation): the old one's buckets are retired, the new one's added.
      a.port.close();
      const a2 = connect('a', worker(3, 1000));
      await a2.reporter.reportNow();
      got = scrape();
      assert.equal(got.count, 6000, 'never backwards across a restart');
      assert.deepEqual(got.buckets, expected());
    } finally {
      close();
    }
  });
});

describe('Prometheus of a cluster: merged families, per-worker series as a worker label (never families of their own)', () => {
  /** Two workers a (count 10) and b (count 20), each with a gauge, a labelled counter and a pmf. */
  const cluster = async (options: ConstructorParameters<typeof ClusterStats>[0]) => {
    const p = primary({ keepDeadMs: 60_000, ...options });
    const workers: Record<string, ReturnType<typeof p.connect>> = {};
    for (const [id, n] of [
      ['a', 10],
      ['b', 20],
    ] as const) {
      const r = new Registry();
      const s = r.collection(
        '/k',
        intStat('count'),
        doubleStat('temp'),
        intDictStat('byStatus', { labels: ['status'] }),
        pmfStat('lat', { buckets: [0.1, 1] }),
        intDictStat('jobs', { labels: ['worker'] }),
      );
      s.count += n;
      s.temp = n / 2;
      s.byStatus['200'] += n;
      for (let i = 0; i < n; i++) s.lat.record(0.05 * (i % 4));
      s.jobs[id] += 1;
      workers[id] = p.connect(id, r);
      await workers[id]!.reporter.reportNow();
    }
    const metrics = () =>
      renderPrometheus(p.source.snapshot('/', { histograms: true, prometheus: true })!)
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'));
    return { ...p, workers, metrics };
  };

  test('by default /metrics holds the merged families only, as AggregatorRegistry gives; /workers/<id> stays in JSON', async () => {
    // The primary's own stat declared with the workers' family name: named from its path instead.
    const own = new Registry();
    own.collection('/k', intStat('count', { prometheusName: 'k_count_total' })).count += 7;
    const { source, metrics, close } = await cluster({ primary: own });
    try {
      const lines = metrics();
      assert.ok(lines.includes('primary_k_count_total 7'), lines.join('\n'));
      assert.ok(lines.includes('k_count_total 30'), lines.join('\n'));
      assert.ok(lines.includes('k_by_status_total{status="200"} 30'));
      assert.ok(lines.includes('k_lat_seconds_count 30'));
      assert.deepEqual(
        lines.filter((l) => l.startsWith('workers_') || (l.includes('worker=') && !l.startsWith('k_jobs'))),
        [],
        'no per-worker family, no worker label',
      );
      assert.equal(valueAt(find(source.snapshot('/'), '/workers/a/k'), 'count'), 10, 'the JSON tree keeps /workers/<id>');
      // Asked for explicitly, /workers/<id> is served (under its own paths).
      const one = renderPrometheus(source.snapshot('/workers/a', { histograms: true, prometheus: true })!);
      assert.match(one, /^workers_a_k_count_total 10$/m);
    } finally {
      close();
    }
  });

  test('workerSeries: each family holds one series per worker (worker="<id>" first), dead ones keep their counts, forgotten ones sum into worker="retired"', async () => {
    const { clock, source, workers, metrics, close } = await cluster({ workerSeries: true });
    try {
      let lines = metrics();
      const sumOf = (prefix: string) => lines.filter((l) => l.startsWith(prefix)).reduce((a, l) => a + Number(l.split(' ').at(-1)), 0);
      for (const l of [
        'k_count_total{worker="a"} 10',
        'k_count_total{worker="b"} 20',
        'k_temp{worker="a"} 5',
        'k_temp{worker="b"} 10',
        'k_by_status_total{worker="a",status="200"} 10',
        'k_lat_seconds_bucket{worker="b",le="+Inf"} 20',
        'k_lat_seconds_count{worker="a"} 10',
      ]) {
        assert.ok(lines.includes(l), `${l} in:\n${lines.join('\n')}`);
      }
      assert.equal(lines.filter((l) => / \d+$/.test(l) && l.startsWith('k_count_total ')).length, 0, 'no merged series beside them');
      assert.deepEqual(
        lines.filter((l) => l.startsWith('k_temp_min') || l.startsWith('k_temp_max') || l.startsWith('workers_')),
        [],
      );
      // A stat with a label named worker of its own stays merged.
      assert.ok(lines.includes('k_jobs_total{worker="a"} 1') && lines.includes('k_jobs_total{worker="b"} 1'));
      // One family in the protobuf exposition too, a native histogram per worker.
      const fams = splitDelimited(renderPrometheusProtobuf(source.snapshot('/', { histograms: true, prometheus: true })!)).map((b) =>
        decodeMessage(b),
      );
      const lat = fams.filter((f) => asString(f.get(1)![0]!) === 'k_lat_seconds');
      assert.equal(lat.length, 1);
      assert.equal(lat[0]!.get(4)!.length, 2, 'two series: a and b');
      // b dies: its counts stay (its gauge goes); forgotten: they move to worker="retired". The sum never drops.
      workers.b!.port.close();
      await delivered(() => source.workers().find((w) => w.id === 'b')?.state === 'dead');
      lines = metrics();
      assert.ok(lines.includes('k_count_total{worker="b"} 20'));
      assert.ok(!lines.some((l) => l.startsWith('k_temp{worker="b"}')));
      assert.equal(sumOf('k_count_total{'), 30);
      clock.t += 60_001;
      source.workers();
      lines = metrics();
      assert.ok(lines.includes('k_count_total{worker="retired"} 20'), lines.join('\n'));
      assert.ok(lines.includes('k_lat_seconds_count{worker="retired"} 20'));
      assert.ok(!lines.some((l) => l.includes('worker="b"') && !l.startsWith('k_jobs')));
      assert.equal(sumOf('k_count_total{'), 30);
    } finally {
      close();
    }
  });
});

test('what a report and a worker cost: bytes per report, primary heap per worker (measured)', async (t) => {
  // A typical worker: the runtime stats, 20 counters, a 3-label request dict, latencies for 10 routes.
  const registry = new Registry();
  const runtime = collectRuntimeStats({ registry });
  const web = registry.collection('/web', intDictStat('requests'), namedPmfDictStat('latency'), pmfStat('all'));
  const counters = registry.collection('/app', ...Array.from({ length: 20 }, (_, i) => intStat(`c${i}`)));
  for (let i = 0; i < 20; i++) (counters as unknown as Record<string, number>)[`c${i}`] = i * 1000;
  for (let r = 0; r < 10; r++) {
    for (const v of lognormal(2000, r, 0.02, 1)) {
      web.latency[`/route/${r}`].record(v);
      web.all.record(v);
    }
    for (const status of ['200', '404', '500']) web.requests[`GET /route/${r} ${status}`] += 7;
  }
  const WORKERS = 64;
  const { source, connect, close } = primary({ maxWorkers: WORKERS + 1 });
  try {
    const before = await settledBytes();
    let bytes = 0;
    for (let i = 0; i < WORKERS; i++) {
      const w = connect(String(i), registry);
      await w.reporter.reportNow();
      bytes = w.reporter.lastBytes;
    }
    const start = performance.now();
    const merged = source.snapshot('/', {});
    const mergeMs = performance.now() - start;
    // Held per worker: its parsed report, and its sketches as decoded by that read.
    const after = await settledBytes();
    const perWorker = (after - before) / WORKERS;
    assert.equal(valueAt(find(merged, '/app'), 'c3'), 3000 * WORKERS);
    // The async read (what the page, Graphite and dumps use) merges in slices: the longest time the event loop waited.
    await connect('late', registry).reporter.reportNow(); // a new worker: the next read merges again
    let longest = 0;
    let last = performance.now();
    let reading = true;
    const tick = () => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      if (reading) setImmediate(tick);
    };
    setImmediate(tick);
    const sliceStart = performance.now();
    const sliced = await source.snapshotAsync('/');
    const slicedMs = performance.now() - sliceStart;
    reading = false;
    assert.equal(valueAt(find(sliced, '/app'), 'c3'), 3000 * (WORKERS + 1));
    t.diagnostic(
      `report: ${bytes} bytes; primary heap per worker: ${Math.round(perWorker)} bytes; merging ${WORKERS} workers: ${mergeMs.toFixed(1)} ms at once, ` +
        `sliced: ${slicedMs.toFixed(1)} ms in all, the event loop held at most ${longest.toFixed(1)} ms`,
    );
    assert.ok(bytes < 64 * 1024, `a typical report takes ${bytes} bytes`);
    // What the primary keeps of a worker is its parsed report (lifetime buckets unpacked: arrays of
    // numbers, about 4 times their packed text) and decoded sketches: a few times its JSON at most.
    assert.ok(perWorker < 5 * bytes + 16 * 1024, `${perWorker} bytes per worker for a report of ${bytes}`);
  } finally {
    close();
    runtime.stop();
  }
});
