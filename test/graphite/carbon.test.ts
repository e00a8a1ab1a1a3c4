/**
 * Integration tests against a real carbon-cache (Debian graphite-carbon) started on free
 * loopback ports with its own config and storage: what the pusher sends over plaintext, pickle
 * and UDP is read back from the whisper files; then the fault test.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { dumpStatsTo } from 'scales-metrics/dump';
import { GraphitePeriodicPusher, type GraphiteProtocol, GraphitePusher } from 'scales-metrics/graphite';
import { run as runBin } from '../cli/run-bin.js';
import { Carbon } from '../helpers/carbon.js';
import { until } from './tcp-sink.js';

const escaped: unknown[] = [];
const onEscape = (e: unknown) => escaped.push(e);

let carbon: Carbon;
before(async () => {
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  carbon = await Carbon.start();
});
after(async () => {
  await carbon?.destroy();
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
  assert.deepEqual(escaped, [], 'no exception or rejection may escape');
});

/** A tree with allowed, forbidden and pruned parts; returns the names and values expected in carbon. */
function tree() {
  const registry = new scales.Registry();
  const web = registry.collection(
    '/web',
    scales.intStat('success'),
    scales.intStat('secretToken'),
    scales.pmfStat('latency'),
    scales.intDictStat('byPath'),
    scales.meterStat('hits'),
  );
  web.success = 42;
  web.secretToken = 7;
  web.latency.record(0.000045);
  web.byPath['/a.b c'] += 3;
  web.byPath['héllo'] += 2;
  web.hits.mark(9);
  registry.collection('/processor', scales.sumAggregationStat('finished'));
  registry.collection('/processor/thread-1', scales.intStat('finished')).finished = 5;
  registry.collection('/processor/thread-2', scales.intStat('finished')).finished = 6;
  registry.collection('/processor', scales.doubleStat('load')).load = 0.125;
  return registry;
}

function pusherFor(registry: scales.Registry, prefix: string, protocol: GraphiteProtocol, port: number) {
  const pusher = new GraphitePusher('127.0.0.1', port, prefix, { source: registry, protocol, selfStatsPath: null });
  pusher.allow('*').forbid('web/secret*').prune('processor/thread-*');
  return pusher;
}

async function checkLanded(prefix: string) {
  const value = async (name: string) => (await carbon.waitFor(`${prefix}.${name}`)).at(-1)![1];
  assert.equal(await value('web.success'), 42);
  assert.equal(await value('web.byPath._a-b-c'), 3);
  assert.equal(await value('web.byPath.héllo'), 2);
  assert.equal(await value('web.hits.count'), 9);
  assert.equal(await value('processor.finished'), 11);
  assert.equal(await value('processor.load'), 0.125);
  const median = await value('web.latency.median');
  assert.ok(Math.abs(median - 0.000045) / 0.000045 < 0.02, `median ${median} kept its precision`);
  assert.equal(await value('web.latency.lifetime.count'), 1);
  // Everything that arrived: none forbidden, none pruned.
  const metrics = (await carbon.metrics()).filter((m) => m.startsWith(`${prefix}.`));
  assert.ok(metrics.length >= 20, metrics.join(' '));
  assert.ok(!metrics.some((m) => m.includes('secretToken')), 'forbidden stat absent');
  assert.ok(!metrics.some((m) => m.includes('thread-')), 'pruned branch absent');
}

describe('against a real carbon-cache', () => {
  it('plaintext over TCP: values and names read back from whisper', async () => {
    const pusher = pusherFor(tree(), 'it.plain', 'plaintext', carbon.linePort);
    const r = await pusher.push();
    await pusher.close();
    assert.equal(r.drained, true);
    assert.ok(r.datapoints >= 20);
    await checkLanded('it.plain');
    // One timestamp for the whole push.
    const ts = r.timestamp;
    assert.deepEqual(
      (await carbon.read('it.plain.web.success')).map((p) => p[0]),
      [ts],
    );
  });

  it('keys that sanitize to the same name: carbon stores both values', async () => {
    const registry = new scales.Registry();
    const A = registry.collection('/a', scales.intDictStat('d'));
    A.$.d.inc('a/b', 10);
    A.$.d.inc('a_b', 1000);
    const pusher = new GraphitePusher('127.0.0.1', carbon.linePort, 'it.meet', { source: registry, selfStatsPath: null });
    pusher.allow('*');
    const r = await pusher.push();
    await pusher.close();
    assert.equal(r.datapoints, 2);
    assert.equal((await carbon.waitFor('it.meet.a.d.a_b')).at(-1)![1], 1000);
    assert.equal((await carbon.waitFor('it.meet.a.d.a_b_2')).at(-1)![1], 10);
  });

  it('pickle over TCP: the same values land', async () => {
    const pusher = pusherFor(tree(), 'it.pickle', 'pickle', carbon.picklePort);
    const r = await pusher.push();
    await pusher.close();
    assert.equal(r.drained, true);
    await checkLanded('it.pickle');
  });

  it('plaintext over UDP: the same values land', async () => {
    const pusher = pusherFor(tree(), 'it.udp', 'udp', carbon.udpPort);
    const r = await pusher.push();
    await pusher.close();
    assert.equal(r.drained, true);
    await checkLanded('it.udp');
  });

  it("scales push-once backfills a dump file over pickle at the dump's own time", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'scales-backfill-'));
    try {
      const registry = tree();
      const file = path.join(dir, 'crash.json');
      await dumpStatsTo(file, { source: registry });
      const r = await runBin([
        'push-once',
        '--graphite',
        `127.0.0.1:${carbon.picklePort}`,
        '--protocol',
        'pickle',
        '--prefix',
        'it.backfill',
        '--from',
        file,
        '--forbid',
        'web/secret*',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const points = await carbon.waitFor('it.backfill.web.success');
      assert.deepEqual(
        points.map((p) => p[1]),
        [42],
      );
      assert.equal((await carbon.waitFor('it.backfill.processor.thread-1.finished')).at(-1)![1], 5);
      assert.equal(
        (await carbon.metrics()).some((m) => m.startsWith('it.backfill.web.secret')),
        false,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('examples/graphite-push.ts (quoted in the README) lands its stats, rules applied', async () => {
    const program = path.resolve('build/examples/graphite-push.js');
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [program, `127.0.0.1:${carbon.linePort}`, '1', '1.5'], { timeout: 30000 }, (error, out, err) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
      );
    });
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /final push: \d+ datapoints at \d+, delivered: true/);
    const requests = await carbon.waitFor('my.server.prefix.web.requests');
    assert.ok(
      requests.every(([, v]) => v > 0 && v < 400),
      `per-period deltas, not totals: ${JSON.stringify(requests)}`,
    );
    await carbon.waitFor('my.server.prefix.processor.finished');
    const metrics = (await carbon.metrics()).filter((m) => m.startsWith('my.server.prefix.'));
    assert.ok(metrics.includes('my.server.prefix.web.latency.99percentile'));
    assert.ok(!metrics.some((m) => m.includes('secret') || m.includes('thread-')), metrics.join(' '));
  });

  it('fault: carbon stops mid-run and restarts; the host app keeps serving, memory stays bounded, drops are counted, later pushes land', async () => {
    const registry = new scales.Registry();
    const app = registry.collection('/app', scales.intStat('requests'), scales.intStat('phase'), scales.intDictStat('bulk', { keyLimit: 2000 }));
    for (let i = 0; i < 600; i++) app.bulk[`key-number-${i}`] += i; // ~600 datapoints, ~25 KB per push
    app.phase = 1;

    // The host app: an HTTP server in this process, and a client that keeps calling it.
    const server = http.createServer((_req, res) => {
      app.requests += 1;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true });
    let served = 0;
    let failed = 0;
    let loadOn = true;
    const load = (async () => {
      while (loadOn) {
        await new Promise<void>((resolve) => {
          http
            .get({ host: '127.0.0.1', port, path: '/', agent, timeout: 2000 }, (res) => {
              res.resume();
              res.on('end', () => {
                if (res.statusCode === 200) served++;
                else failed++;
                resolve();
              });
            })
            .on('error', () => {
              failed++;
              resolve();
            });
        });
        await new Promise((r) => setTimeout(r, 10)); // pacing of the client, not a wait for a condition
      }
    })();

    const bound = 48 * 1024;
    const pusher = new GraphitePeriodicPusher('127.0.0.1', carbon.linePort, 'fault', {
      source: registry,
      period: 1,
      bufferBytes: bound,
      reconnectMaxMs: 400,
      flushTimeoutMs: 500,
    });
    pusher.allow('*');
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      maxBuffered = Math.max(maxBuffered, pusher.stats().bufferedBytes);
    }, 5);
    try {
      pusher.start();
      await carbon.waitFor('fault.app.phase', (p) => p.some(([, v]) => v === 1), 15000);

      await carbon.stop();
      const servedBefore = served;
      app.phase = 2; // written while carbon is down
      await until('points dropped for lack of room', () => pusher.stats().dropped > 0, 20000);
      assert.ok(served > servedBefore, 'requests were served while carbon was down');

      await carbon.restart();
      app.phase = 3;
      const points = await carbon.waitFor('fault.app.phase', (p) => p.some(([, v]) => v === 3), 20000);
      assert.ok(
        points.some(([, v]) => v === 3),
        'pushes after the restart land',
      );
      assert.ok((await carbon.read('fault.app.requests')).length > 0);

      const stats = pusher.stats();
      assert.ok(maxBuffered > 0 && maxBuffered <= bound, `buffer peaked at ${maxBuffered} bytes, bound ${bound}`);
      assert.ok(stats.dropped > 0);
      assert.ok(stats.reconnects > 0);
      const self = registry.getStats('/scales/graphite')!;
      assert.equal(self.dropped, stats.dropped, 'drops are exposed as a stat');
      assert.ok(Number(self.reconnects) > 0);
      assert.ok(Number(self.errors) > 0);
      assert.notEqual(self.lastError, '');
    } finally {
      clearInterval(sampler);
      await pusher.stop(2000);
      loadOn = false;
      await load;
      agent.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
    assert.equal(failed, 0, 'the host app never failed a request');
    assert.ok(served > 50, `served ${served} requests`);
  });
});
