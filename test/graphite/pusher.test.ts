import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as scales from 'scales-metrics';
import { GraphitePeriodicPusher, GraphitePusher, type GraphiteSender } from 'scales-metrics/graphite';
import { ManualScheduler } from '../helpers/manual-scheduler.js';
import { assertNothingEscapes, REFUSED_PORT, Sink, until } from './tcp-sink.js';

assertNothingEscapes('nothing may escape from a pusher');

const NOW = 1_800_000_012_345; // epoch ms

async function withSink<T>(fn: (port: number, sink: Sink) => Promise<T>): Promise<T> {
  const sink = new Sink();
  const port = await sink.listen();
  try {
    return await fn(port, sink);
  } finally {
    await sink.close();
  }
}

function webTree() {
  const registry = new scales.Registry();
  const S = registry.collection(
    '/web',
    scales.intStat('errors'),
    scales.pmfStat('latency'),
    scales.meterStat('hits'),
    scales.intDictStat('byPath'),
    scales.stat('gauge', () => 7.25),
    scales.stat('broken', (): number => {
      throw new Error('gauge failed');
    }),
    scales.stat('flag', true),
    scales.stat('label', 'text'),
    scales.stat('nan', Number.NaN),
    scales.namedPmfDictStat('byOp'),
    scales.doubleStat('ratio'),
  );
  S.errors += 2;
  S.byPath['/a.b c'] += 3;
  S.hits.mark(5);
  S.latency.record(0.000045);
  S.byOp['get'].record(0.5);
  S.ratio = 0.1 + 0.2;
  return { registry, S };
}

describe('GraphitePusher: what is sent', () => {
  it('flattens every kind, sanitizes names, keeps full precision, skips non-numbers', () =>
    withSink(async (port, sink) => {
      const { registry } = webTree();
      const pusher = new GraphitePusher('127.0.0.1', port, 'my.app', { source: registry, now: () => NOW, selfStatsPath: null });
      pusher.allow('*');
      const r = await pusher.push();
      await pusher.close();
      assert.equal(r.error, undefined);
      assert.equal(r.drained, true);
      assert.equal(r.timestamp, 1_800_000_012);
      await until('all lines', () => sink.lines().length === r.datapoints);
      const p = sink.points();
      for (const [, ts] of p.values()) assert.equal(ts, 1_800_000_012);
      assert.deepEqual(p.get('my.app.web.errors'), [2, 1_800_000_012]);
      assert.equal(p.get('my.app.web.ratio')?.[0], 0.30000000000000004);
      assert.equal(p.get('my.app.web.gauge')?.[0], 7.25);
      assert.equal(p.get('my.app.web.byPath._a-b-c')?.[0], 3);
      assert.equal(p.get('my.app.web.hits.count')?.[0], 5);
      for (const f of ['m1', 'm5', 'm15', 'mean']) assert.ok(p.has(`my.app.web.hits.${f}`), f);
      assert.ok(Math.abs(p.get('my.app.web.latency.median')![0] - 0.000045) / 0.000045 < 0.02, 'no 2-decimal rounding');
      for (const f of ['count', 'min', 'max', 'mean', 'stddev', '75percentile', '95percentile', '98percentile', '99percentile', '999percentile']) {
        assert.ok(p.has(`my.app.web.latency.${f}`), f);
      }
      assert.equal(p.get('my.app.web.latency.lifetime.count')?.[0], 1);
      assert.equal(p.get('my.app.web.byOp.get.median')?.[0], 0.5);
      for (const absent of [
        'my.app.web.latency.windowSeconds',
        'my.app.web.latency.unit',
        'my.app.web.broken',
        'my.app.web.flag',
        'my.app.web.label',
        'my.app.web.nan',
        'my.app.web.byOp.get.windowSeconds',
      ]) {
        assert.equal(p.has(absent), false, absent);
      }
      assert.equal(pusher.stats().sent, r.datapoints);
    }));

  it('sends nothing until a rule allows it', () =>
    withSink(async (port, sink) => {
      const { registry } = webTree();
      const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry, selfStatsPath: null });
      const r = await pusher.push();
      await pusher.close();
      assert.equal(r.datapoints, 0);
      assert.equal(sink.received, '');
    }));

  it('allow / forbid / prune: newest matching rule wins, prune stops descent, predicates see path and value', () =>
    withSink(async (port, sink) => {
      const registry = new scales.Registry();
      registry.collection('/web', scales.intStat('ok'), scales.intStat('secretKey'), scales.intStat('big'));
      registry.collection('/processor/thread-1', scales.intStat('finished'));
      registry.collection('/processor/thread-2', scales.intStat('finished'));
      const P = registry.collection('/processor', scales.sumAggregationStat('finished'));
      const W = registry.collection('/web', scales.intStat('ok'), scales.intStat('secretKey'), scales.intStat('big'));
      W.ok = 1;
      W.secretKey = 2;
      W.big = 1000;
      registry.collection('/processor/thread-1', scales.intStat('finished')).finished += 3;
      assert.equal(P.finished, 3);
      const seen: [string, unknown][] = [];
      const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry, selfStatsPath: null });
      pusher
        .allow('*')
        .forbid('web/secret*')
        .forbid((p, v) => {
          seen.push([p, v]);
          return p === 'web/big' && typeof v === 'number' && v > 100;
        })
        .prune('processor/thread-*');
      const r = await pusher.push();
      await pusher.close();
      await until('lines', () => sink.lines().length === r.datapoints);
      assert.deepEqual([...sink.points().keys()].sort(), ['p.processor.finished', 'p.web.ok']);
      assert.ok(seen.some(([p, v]) => p === 'web/big' && v === 1000));
      assert.ok(!seen.some(([p]) => p.startsWith('processor/thread-')), 'pruned branches are not even visited');
    }));

  it('collapsed containers are pushed (collapsing is for the status page, as in Python scales), unless pruned', () =>
    withSink(async (port, sink) => {
      const registry = new scales.Registry();
      registry.collection('/db', scales.intStat('queries')).queries = 4;
      registry.collection('/db/pool', scales.intStat('busy')).busy = 2;
      registry.collection('/db/pool/deep', scales.intStat('waits')).waits = 9;
      registry.collection('/cache/shard-1', scales.intStat('hits')).hits = 5;
      let probed = 0; // a gauge in the pruned container: reading it would call it
      registry.collection(
        '/cache/shard-2',
        scales.intStat('hits'),
        scales.stat('probe', () => ++probed),
      ).hits = 6;
      registry.setCollapsed('/db', true);
      registry.setCollapsed('/db/pool/deep', true); // collapsed inside a collapsed one
      registry.setCollapsed('/cache/shard-2', true);
      const snapshotted: string[] = [];
      const snapshotAsync = registry.snapshotAsync.bind(registry);
      registry.snapshotAsync = (path?: string, options?: scales.SnapshotOptions) => {
        snapshotted.push(path ?? '/');
        return snapshotAsync(path, options);
      };
      const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry, selfStatsPath: null });
      pusher.allow('*').prune('cache/shard-2');
      const r = await pusher.push();
      await pusher.close();
      await until('lines', () => sink.lines().length === r.datapoints);
      assert.deepEqual([...sink.points().keys()].sort(), ['p.cache.shard-1.hits', 'p.db.pool.busy', 'p.db.pool.deep.waits', 'p.db.queries']);
      assert.deepEqual(snapshotted, ['/'], 'one snapshot: collapsing is no part of it');
      assert.equal(probed, 0, 'a pruned (collapsed) container is not even read');
      assert.equal(registry.getStats()?.db, undefined, 'the JSON view still leaves it out');
    }));

  it('an invalid rule is a TypeError', () => {
    const pusher = new GraphitePusher('127.0.0.1', 2003, 'p', { source: new scales.Registry(), selfStatsPath: null });
    assert.throws(() => pusher.allow(5 as never), TypeError);
    assert.throws(() => pusher.prune({} as never), TypeError);
  });

  it('prefix: default is the lower-cased host name; a trailing dot is added', () => {
    const registry = new scales.Registry();
    const a = new GraphitePusher('127.0.0.1', 2003, undefined, { source: registry });
    assert.equal(a.prefix, `${os.hostname().toLowerCase().replace(/\.+$/, '')}.`.replace(/[ ]/g, '-'));
    assert.equal(new GraphitePusher('h', 2003, 'my.server.prefix', { source: registry }).prefix, 'my.server.prefix.');
    assert.equal(new GraphitePusher('h', 2003, 'my.server.prefix.', { source: registry }).prefix, 'my.server.prefix.');
    assert.equal(new GraphitePusher('h', 2003, '', { source: registry }).prefix, '');
  });

  it('skips names carbon cannot store (>= 500 characters, or a segment over 255 bytes) and counts them', () =>
    withSink(async (port, sink) => {
      const registry = new scales.Registry();
      const S = registry.collection('/x', scales.intDictStat('d'));
      S.d['k'.repeat(200)] += 1; // fits: 'p.x.d.' + 200
      S.d['y'.repeat(256)] += 1; // segment too long for a file name
      registry.collection(`/${'a'.repeat(250)}/${'b'.repeat(250)}`, scales.intStat('n')).n += 1; // >= 500 characters
      const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry });
      pusher.allow('*').forbid('scales/*');
      const r = await pusher.push();
      await pusher.close();
      assert.equal(r.datapoints, 1);
      assert.equal(r.skipped, 2);
      await until('line', () => sink.lines().length === 1);
      assert.ok(sink.lines()[0].startsWith(`p.x.d.${'k'.repeat(200)} 1 `));
      assert.equal(registry.getStats('/scales/graphite')?.skipped, 2);
    }));
});

describe('GraphitePusher: time, deltas, self-stats', () => {
  it('aligns the timestamp to the period; every datapoint of a push shares it', () =>
    withSink(async (port, sink) => {
      const registry = new scales.Registry();
      registry.collection('/a', scales.intStat('x'), scales.intStat('y'));
      let now = 1_800_000_059_999;
      const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry, period: 60, now: () => now, selfStatsPath: null });
      pusher.allow('*');
      assert.equal((await pusher.push()).timestamp, 1_799_999_940 + 60);
      now = 1_800_000_060_000;
      assert.equal((await pusher.push()).timestamp, 1_800_000_060);
      await pusher.close();
      await until('lines', () => sink.lines().length === 4);
      assert.deepEqual(
        sink.lines().map((l) => l.split(' ')[2]),
        ['1800000000', '1800000000', '1800000060', '1800000060'],
      );
    }));

  it('deltas: counters are sent per period, gauges as they are; pushes in one period share the base', () =>
    withSink(async (port, sink) => {
      const registry = new scales.Registry();
      const S = registry.collection(
        '/w',
        scales.intStat('requests'),
        scales.doubleStat('load'),
        scales.meterStat('hits'),
        scales.pmfStat('lat'),
        scales.intDictStat('codes'),
      );
      let now = 1_800_000_000_000;
      const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry, period: 10, deltas: true, now: () => now, selfStatsPath: null });
      pusher.allow('*');
      const sent: Map<string, [number, number]>[] = [];
      const pushAndRead = async () => {
        sink.received = '';
        const r = await pusher.push();
        await until('lines', () => sink.lines().length === r.datapoints);
        sent.push(sink.points());
      };
      S.requests += 5;
      S.load = 0.5;
      S.hits.mark(3);
      S.lat.record(1);
      S.codes['200'] += 4;
      await pushAndRead(); // period 1800000000: delta from 0
      S.requests += 2;
      S.hits.mark(1);
      S.lat.record(2);
      S.codes['200'] += 1;
      now += 10_000;
      await pushAndRead(); // next period
      S.requests += 1;
      now += 1_000;
      await pushAndRead(); // same period again: measured from the same base
      await pusher.close();
      assert.deepEqual(
        sent.map((m) => m.get('p.w.requests')),
        [
          [5, 1_800_000_000],
          [2, 1_800_000_010],
          [3, 1_800_000_010],
        ],
      );
      assert.deepEqual(
        sent.map((m) => m.get('p.w.load')?.[0]),
        [0.5, 0.5, 0.5],
      );
      assert.deepEqual(
        sent.map((m) => m.get('p.w.hits.count')?.[0]),
        [3, 1, 1],
      );
      assert.deepEqual(
        sent.map((m) => m.get('p.w.lat.lifetime.count')?.[0]),
        [1, 1, 1],
      );
      assert.deepEqual(
        sent.map((m) => m.get('p.w.lat.lifetime.sum')?.[0]),
        [1, 2, 2],
      );
      assert.deepEqual(
        sent.map((m) => m.get('p.w.codes.200')?.[0]),
        [4, 1, 1],
      );
      assert.equal(sent[1].get('p.w.lat.max')?.[0], 2, 'window figures are not turned into deltas');
    }));

  it('reports on itself under /scales/graphite, and those stats are pushed too', () =>
    withSink(async (port, sink) => {
      const registry = new scales.Registry();
      registry.collection('/a', scales.intStat('x')).x = 1;
      const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry });
      pusher.allow('*');
      const r1 = await pusher.push();
      const self = registry.getStats('/scales/graphite')!;
      assert.equal(self.pushes, 1);
      assert.equal(self.sent, r1.datapoints);
      assert.equal(self.dropped, 0);
      assert.equal(self.bufferedBytes, 0);
      assert.equal(typeof self.lastPushMs, 'number');
      assert.equal(self.lastError, '');
      const r2 = await pusher.push();
      await pusher.close();
      await until('lines', () => sink.lines().length === r1.datapoints + r2.datapoints);
      const lines = sink.lines().slice(r1.datapoints);
      assert.ok(lines.some((l) => l.startsWith('p.scales.graphite.pushes 1 ')));
      assert.ok(lines.some((l) => l.startsWith(`p.scales.graphite.sent ${r1.datapoints} `)));
      assert.ok(!lines.some((l) => l.startsWith('p.scales.graphite.lastError')), 'strings are not sent');
    }));

  it('a push larger than the buffer is delivered whole while carbon keeps up (back-pressure, no drops)', () =>
    withSink(async (port, sink) => {
      const registry = new scales.Registry();
      const S = registry.collection('/big', scales.intDictStat('d', { keyLimit: 30000 }));
      for (let i = 0; i < 20000; i++) S.d[`key-${i}`] += i + 1;
      const bound = 64 * 1024;
      const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry, bufferBytes: bound, selfStatsPath: null });
      pusher.allow('*');
      let maxBuffered = 0;
      const sampler = setInterval(() => {
        maxBuffered = Math.max(maxBuffered, pusher.stats().bufferedBytes);
      }, 1);
      const r = await pusher.push();
      clearInterval(sampler);
      await pusher.close();
      assert.equal(r.datapoints, 20000);
      assert.equal(r.drained, true);
      assert.equal(pusher.stats().dropped, 0);
      assert.ok(maxBuffered <= bound, `buffered ${maxBuffered}`);
      await until('all lines', () => sink.lines().length === 20000);
      assert.equal(sink.points().get('p.big.d.key-19999')?.[0], 20000);
    }));

  it('with carbon unreachable, push() resolves quickly with the data pending and the error recorded', async () => {
    const port = REFUSED_PORT;
    const registry = new scales.Registry();
    registry.collection('/a', scales.intStat('x')).x = 1;
    const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry, reconnectBaseMs: 1000 });
    pusher.allow('a/*');
    const t0 = Date.now();
    const r = await pusher.push();
    assert.ok(Date.now() - t0 < 3000);
    assert.equal(r.drained, false);
    assert.equal(r.pending, 1);
    assert.match(String(registry.getStats('/scales/graphite')?.lastError), /ECONNREFUSED/);
    await pusher.close(100);
    assert.equal(pusher.stats().dropped, 1);
    assert.equal(registry.getStats('/scales/graphite')?.dropped, 1);
  });
});

describe('GraphitePeriodicPusher', () => {
  it('pushes every period on its own, aligned to the period, and stop() makes a final push and closes', () =>
    withSink(async (port, sink) => {
      const registry = new scales.Registry();
      const S = registry.collection('/a', scales.intStat('x'));
      const scheduler = new ManualScheduler(1_800_000_000_400); // 400 ms into a second
      const pusher = new GraphitePeriodicPusher('127.0.0.1', port, 'p', { source: registry, period: 1, scheduler });
      pusher.allow('a/*');
      S.x = 1;
      pusher.start();
      assert.equal(pusher.running, true);
      assert.equal(scheduler.pending, 1, 'one timer');
      assert.equal(scheduler.nextDelay, 620, 'the first push just after the next period boundary');
      scheduler.runNext();
      await until('the first periodic push', () => sink.lines().length === 1);
      S.x = 2;
      assert.equal(scheduler.nextDelay, 1000, 'then every period');
      scheduler.runNext();
      await until('the second periodic push', () => sink.lines().length === 2);
      assert.deepEqual(sink.lines(), ['p.a.x 1 1800000001', 'p.a.x 2 1800000002']);
      S.x = 42;
      const last = await pusher.stop();
      assert.equal(pusher.running, false);
      assert.equal(scheduler.pending, 0, 'stop() cancels the timer');
      assert.equal(last?.drained, true);
      await until('final value', () => sink.lines().length === 3);
      assert.equal(sink.lines()[2], 'p.a.x 42 1800000002');
      assert.equal(scheduler.advance(10_000), 0, 'nothing runs after stop()');
      assert.throws(() => pusher.start(), /was stopped/);
      assert.match(String((await pusher.push()).error), /pusher for 127\.0\.0\.1:\d+ is closed/);
    }));

  it('a push slower than the period is not doubled: the due push is skipped and counted', async () => {
    const registry = new scales.Registry();
    registry.collection('/a', scales.intStat('x')).x = 1;
    let concurrent = 0;
    let maxConcurrent = 0;
    let sends = 0;
    // A sender whose flush lasts until the test lets it end (a slow carbon).
    const deferred = () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      return { promise, resolve };
    };
    let flushing = deferred();
    let finish = deferred();
    const flushed = deferred();
    const slow: GraphiteSender = {
      protocol: 'plaintext',
      destination: 'slow:1',
      send() {
        sends++;
      },
      async flush() {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        flushing.resolve();
        await finish.promise;
        concurrent--;
        flushed.resolve();
        return { drained: true, pending: 0 };
      },
      async close() {},
      stats: () => ({ sent: 0, dropped: 0, reconnects: 0, errors: 0, lastError: '', bufferedBytes: 0 }),
    };
    const scheduler = new ManualScheduler();
    const pusher = new GraphitePeriodicPusher('slow', 1, 'p', { source: registry, period: 0.1, sender: slow, scheduler });
    pusher.allow('*');
    pusher.start();
    const overlaps = () => Number(registry.getStats('/scales/graphite')?.overlaps);
    scheduler.runNext();
    await flushing.promise; // the first push is flushing
    scheduler.runNext();
    scheduler.runNext(); // two more periods go by while it flushes
    assert.equal(overlaps(), 2, 'the due pushes were skipped and counted');
    assert.deepEqual([sends, maxConcurrent], [1, 1], 'never two pushes at once');
    flushing = deferred();
    finish.resolve();
    finish = deferred();
    await flushed.promise;
    await new Promise((r) => setImmediate(r)); // the push's own promise chain settles (microtasks only)
    scheduler.runNext();
    await flushing.promise;
    assert.deepEqual([sends, overlaps()], [2, 2], 'the next period pushes again');
    finish.resolve();
    await pusher.stop();
    assert.equal(maxConcurrent, 1);
  });

  it('never keeps the process alive: a program that only starts a pusher exits by itself', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const program = `
      import * as scales from 'scales-metrics';
      import { GraphitePeriodicPusher } from 'scales-metrics/graphite';
      scales.collection('/a', scales.intStat('x')).x = 1;
      const p = new GraphitePeriodicPusher('127.0.0.1', 9, 'p', { period: 1 });
      p.allow('*');
      p.start();
      p.push(); // a push towards a closed port, not awaited
      console.log('started');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      // 20 s: a kept-alive process never ends, while a node start on a loaded machine can take seconds.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the process was kept alive'));
      }, 20_000);
      // 'close', not 'exit': 'exit' may come before "started" has been read from stdout.
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(out.trim(), 'started', err);
    assert.equal(code, 0, err);
  });
});
