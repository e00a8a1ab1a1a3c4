// Gauges (`scales.stat(name, fn)`) as the status server reads them: once per snapshot, slow ones
// timed, reported and kept out of the background history, and whatever a gauge throws shown in
// its place while every output keeps working.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { dumpStatsTo, dumpStatsToSync } from 'scales-metrics/dump';
import { GraphitePusher } from 'scales-metrics/graphite';
import { createStatusHandler, type StatusHandler, type StatusHandlerOptions } from 'scales-metrics/http';
import { Sink, until } from '../graphite/tcp-sink.js';
import { warningsDuring } from '../helpers/warnings.js';

const handlers: StatusHandler[] = [];
after(() => {
  for (const h of handlers) h.close();
});

/** A handler whose history timer never fires during a test (samples are taken by hand). */
function handlerOf(registry: scales.Registry, options: StatusHandlerOptions = {}): StatusHandler {
  const h = createStatusHandler({ source: registry, metricsPath: '/metrics', history: { intervalMs: 3_600_000 }, ...options });
  handlers.push(h);
  return h;
}

async function get(h: StatusHandler, path: string): Promise<{ status: number; body: string }> {
  const res = await h.fetch(new Request('http://127.0.0.1' + path));
  return { status: res.status, body: await res.text() };
}

describe('a gauge is read once per snapshot', () => {
  for (const format of ['', '?format=json', '?format=prometheus', '?format=openmetrics', '?format=live', '?format=live&history=1']) {
    it(`one call per view: /status/app${format}`, async () => {
      const registry = new scales.Registry();
      let calls = 0;
      registry.collection(
        '/app',
        scales.stat('g', () => {
          calls++;
          return calls;
        }),
      );
      const h = handlerOf(registry);
      const r = await get(h, '/status/app' + format);
      assert.equal(r.status, 200);
      assert.equal(calls, 1, `the gauge was called ${calls} times for one view`);
      await get(h, '/status/app' + format);
      assert.equal(calls, 2, 'and once more for the next view');
    });
  }
});

describe('slow gauges', () => {
  it('are timed, reported in the tree and by one warning, and skipped by the history sampler', async () => {
    const clock = new scales.ManualClock();
    const registry = new scales.Registry({ clock, gaugeBudgetMs: 50 });
    let slowCalls = 0;
    let fastCalls = 0;
    let slowMs = 2_000;
    registry.collection(
      '/app',
      scales.stat('slow', () => {
        slowCalls++;
        clock.advance(slowMs); // the gauge's work, in the registry's time
        return 1;
      }),
      scales.stat('fast', () => ++fastCalls),
    );
    const h = handlerOf(registry);
    const warnings = await warningsDuring('SCALES_SLOW_GAUGE', async () => {
      assert.equal((await get(h, '/status/app')).status, 200);
      assert.equal((await get(h, '/status/app?format=json')).status, 200);
    });
    assert.equal(slowCalls, 2, 'pages still read the slow gauge, once each');
    assert.equal(warnings.length, 1, 'one warning per gauge');
    assert.match(warnings[0].message, /gauge \/app\/slow took 2000 ms to read, over the 50 ms budget/);
    assert.deepEqual(registry.getStats('/scales'), { gaugeReadMs: { '/app/slow': 2000 } });
    slowCalls = 0;
    fastCalls = 0;

    // Background samples leave it out; the fast gauge is still sampled.
    await h.sampler!.sample();
    await h.sampler!.sample();
    assert.equal(slowCalls, 0, 'the sampler did not call the slow gauge');
    assert.equal(fastCalls, 2, 'the sampler sampled the rest');
    const live = JSON.parse((await get(h, '/status/app?format=live&history=1')).body);
    assert.ok(JSON.stringify(live).includes('fast'), 'the live view still has the fast gauge');

    // Fast again: a foreground read shows its new time, and the sampler takes it back.
    slowMs = 3;
    await get(h, '/status/app?format=json');
    assert.deepEqual(registry.getStats('/scales'), { gaugeReadMs: { '/app/slow': 3 } });
    slowCalls = 0;
    await h.sampler!.sample();
    assert.equal(slowCalls, 1, 'sampled again once under the budget');
  });

  it('measures with the real clock by default (budget 50 ms)', async () => {
    assert.equal(scales.DEFAULT_GAUGE_BUDGET_MS, 50);
    const registry = new scales.Registry();
    registry.collection(
      '/app',
      scales.stat('busy', () => {
        const end = performance.now() + 60;
        while (performance.now() < end) {
          // a gauge doing 60 ms of synchronous work
        }
        return 1;
      }),
    );
    const warnings = await warningsDuring('SCALES_SLOW_GAUGE', async () => {
      await registry.snapshotAsync('/app');
    });
    assert.equal(warnings.length, 1);
    const ms = (registry.getStats('/scales') as { gaugeReadMs: Record<string, number> }).gaugeReadMs['/app/busy'];
    assert.ok(ms >= 60 && ms < 10_000, `recorded ${ms} ms`);
  });

  it('rejects a bad budget naming the option', () => {
    assert.throws(() => new scales.Registry({ gaugeBudgetMs: -1 }), /gaugeBudgetMs/);
    assert.throws(() => new scales.Registry({ gaugeBudgetMs: Number.NaN }), /gaugeBudgetMs/);
  });
});

describe('whatever a gauge throws shows in its place; every output keeps working', () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const THROWN: Array<[string, unknown, RegExp]> = [
    ['nullProto', Object.create(null), /^\[object Object\]$/],
    ['revokedProxy', revoked.proxy, /^a thrown object$/],
    ['symbol', Symbol('boom'), /^Symbol\(boom\)$/],
    [
      'badToString',
      {
        toString() {
          throw new Error('no');
        },
      },
      /^\[object Object\]$/,
    ],
    [
      'badErrorName',
      Object.defineProperty(new Error('msg'), 'name', {
        get() {
          throw new Error('no');
        },
      }),
      /./,
    ],
    ['plainError', new TypeError('down'), /^TypeError: down$/],
  ];

  function weirdTree(): scales.Registry {
    const registry = new scales.Registry();
    const defs = THROWN.map(([name, value]) =>
      scales.stat(name, () => {
        throw value;
      }),
    );
    registry.collection(
      '/app',
      scales.intStat('ok'),
      scales.stat('returnsRevoked', () => revoked.proxy),
      ...defs,
    ).ok += 7;
    return registry;
  }

  it('getStats and snapshot describe each thrown value', () => {
    const registry = weirdTree();
    const stats = registry.getStats('/app') as Record<string, unknown>;
    assert.equal(stats.ok, 7);
    for (const [name, , pattern] of THROWN) {
      const e = (stats[name] as { error: string }).error;
      assert.equal(typeof e, 'string', name);
      assert.match(e, pattern, name);
    }
    assert.equal(typeof (stats.returnsRevoked as { error: string }).error, 'string', 'a returned revoked Proxy is an error too');
    const snap = registry.snapshot('/app')!;
    assert.equal(snap.stats.filter((s) => s.error !== undefined).length, THROWN.length + 1);
  });

  it('JSON, HTML, Prometheus and OpenMetrics answer 200', async () => {
    const h = handlerOf(weirdTree(), { live: false });
    const json = await get(h, '/status/app?format=json');
    assert.equal(json.status, 200);
    assert.match(JSON.parse(json.body).nullProto.error, /object/);
    const html = await get(h, '/status/app');
    assert.equal(html.status, 200);
    assert.match(html.body, /Symbol\(boom\)/);
    for (const url of ['/metrics', '/metrics?format=openmetrics']) {
      const prom = await get(h, url);
      assert.equal(prom.status, 200, url);
      assert.match(prom.body, /^app_ok_total 7$/m, url);
    }
  });

  it('the Graphite push and the dumps go through', async () => {
    const registry = weirdTree();
    const sink = new Sink();
    const port = await sink.listen();
    const dir = await mkdtemp(join(tmpdir(), 'scales-gauges-'));
    try {
      const pusher = new GraphitePusher('127.0.0.1', port, 'p', { source: registry, selfStatsPath: null });
      pusher.allow('*');
      const r = await pusher.push();
      await pusher.close();
      assert.equal(r.error, undefined);
      await until('the ok datapoint', () => sink.points().get('p.app.ok')?.[0] === 7);
      const file = join(dir, 'dump.json');
      await dumpStatsTo(file, { source: registry });
      const dump = JSON.parse(await readFile(file, 'utf8'));
      assert.equal(dump.stats.app.ok, 7);
      assert.equal(typeof dump.stats.app.nullProto.error, 'string');
      const syncFile = join(dir, 'dump-sync.json');
      dumpStatsToSync(syncFile, { source: registry });
      assert.equal(JSON.parse(await readFile(syncFile, 'utf8')).stats.app.ok, 7);
    } finally {
      await sink.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
