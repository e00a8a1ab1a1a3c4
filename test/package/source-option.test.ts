// One source abstraction for every output, through the package by name: each output reads the
// `source` it is given (any StatsSource, not only a Registry), defaults to the default registry,
// and refuses the option's old name `registry` with an error saying so (rather than ignoring it
// and silently reading the default registry).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { buildDump, dumpOnCrash, dumpStatsPeriodically, dumpStatsTo, dumpStatsToSync } from 'scales-metrics/dump';
import { GraphitePeriodicPusher, GraphitePusher } from 'scales-metrics/graphite';
import { createNodeHandler, createStatusHandler, StatusHandler, serveInBackground } from 'scales-metrics/http';
import { PushgatewayPusher } from 'scales-metrics/pushgateway';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scales-source-'));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A source that is not a Registry: it forwards to one, and counts the snapshots taken. */
function wrapped(): { source: scales.StatsSource; calls: () => number } {
  const registry = new scales.Registry();
  registry.collection('/jobs', scales.intStat('done')).done = 7;
  let calls = 0;
  return {
    source: {
      snapshot: (path, options) => {
        calls++;
        return registry.snapshot(path, options);
      },
      snapshotAsync: (path, options) => {
        calls++;
        return registry.snapshotAsync(path, options);
      },
    },
    calls: () => calls,
  };
}

describe('the source option', () => {
  it('the status handler and the dumps read any StatsSource they are given', async () => {
    const { source, calls } = wrapped();
    const handler = createStatusHandler({ source, live: false });
    try {
      const res = await handler.fetch(new Request('http://x/status/?format=json'));
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { jobs: { done: 7 } });
    } finally {
      handler.close();
    }
    const file = join(dir, 'wrapped.json');
    await dumpStatsTo(file, { source });
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')).stats, { jobs: { done: 7 } });
    dumpStatsToSync(file, { source });
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')).stats, { jobs: { done: 7 } });
    assert.deepEqual(buildDump({ source }).stats, { jobs: { done: 7 } });
    assert.ok(calls() >= 4, `${calls()} snapshots taken of the given source`);
  });

  it('defaults to the default registry', async () => {
    scales.collection('/sourceDefault', scales.intStat('n')).n = 3;
    assert.deepEqual((buildDump({ path: '/sourceDefault' }).stats as { n: number }).n, 3);
    const handler = createStatusHandler({ live: false });
    try {
      const res = await handler.fetch(new Request('http://x/status/sourceDefault?format=json'));
      assert.deepEqual(await res.json(), { n: 3 });
    } finally {
      handler.close();
    }
  });

  it('the old option name `registry` is refused by every output, naming the new one', async () => {
    const registry = new scales.Registry();
    const options = { registry } as unknown as { source?: scales.StatsSource };
    const refused = /the option "registry" is now "source"/;
    assert.throws(() => createStatusHandler(options), refused);
    assert.throws(() => createNodeHandler(options), refused);
    assert.throws(() => new StatusHandler({ ...options, source: registry }), refused);
    await assert.rejects(serveInBackground(0, options), refused);
    assert.throws(() => new GraphitePusher('127.0.0.1', 2003, 'p', options), refused);
    assert.throws(() => new GraphitePeriodicPusher('127.0.0.1', 2003, 'p', options), refused);
    assert.throws(() => new PushgatewayPusher({ url: 'http://127.0.0.1:9', job: 'j', ...options }), refused);
    await assert.rejects(dumpStatsTo(join(dir, 'x.json'), options), refused);
    assert.throws(() => dumpStatsToSync(join(dir, 'x.json'), options), refused);
    assert.throws(() => buildDump(options), refused);
    assert.throws(() => dumpStatsPeriodically(join(dir, 'x.json'), options), refused);
    assert.throws(() => dumpOnCrash(join(dir, 'x.json'), options), refused);
  });

  it('a source that cannot take snapshots is refused with a message naming the output', () => {
    const bad = { source: { getStats: () => ({}) } } as unknown as { source?: scales.StatsSource };
    assert.throws(() => createStatusHandler(bad), /createStatusHandler: "source" must have snapshot\(\) and snapshotAsync\(\)/);
    assert.throws(() => new GraphitePusher('127.0.0.1', 2003, 'p', bad), /GraphitePusher: "source" must have/);
    assert.throws(() => dumpStatsToSync(join(dir, 'y.json'), bad), /buildDump: "source" must have/);
  });
});
