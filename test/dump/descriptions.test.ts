// Descriptions (help, unit, labels, gauge) go into dump files and come back out: `scales view`
// and `scales push-once` of a dump see a labelled dict nested by its labels and a stat's unit;
// a dump written before descriptions existed still reads. Through the package and its bin.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { buildDump, type DumpFile, dumpStatsTo } from 'scales-metrics/dump';
import { run } from '../cli/run-bin.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scales-descriptions-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function registry() {
  const r = new scales.Registry({ clock: new scales.ManualClock(1000) });
  const S = r.collection(
    '/http',
    scales.intDictStat('requests', { labels: ['method', 'route', 'status'], help: 'Requests answered' }),
    scales.intStat('bytesSent', { unit: 'bytes', help: 'Body bytes sent' }),
    scales.intStat('inFlight', { gauge: true }),
    scales.pmfStat('latency', { unit: 'us' }),
  );
  S.$.requests.inc({ method: 'GET', route: '/a', status: 200 }, 2);
  S.$.requests.labels('POST', '/b', 500).inc();
  S.bytesSent += 1234;
  S.latency.record(250);
  return r;
}

describe('descriptions in dumps', () => {
  it('a dump records them by path after the kinds, only for the stats that have one', async () => {
    const file = path.join(dir, 'd.json');
    await dumpStatsTo(file, { source: registry(), serverName: 'w' });
    const dump = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
    assert.deepEqual(Object.keys(dump).slice(-3), ['stats', 'kinds', 'descriptions']);
    assert.deepEqual(dump.descriptions, {
      '/http/requests': { help: 'Requests answered', labels: ['method', 'route', 'status'] },
      '/http/bytesSent': { help: 'Body bytes sent', unit: 'bytes' },
      '/http/inFlight': { gauge: true },
      '/http/latency': { unit: 'us' },
    });
    assert.deepEqual(buildDump({ source: registry() }).descriptions, dump.descriptions, 'the synchronous dump writes the same');
  });

  it('push-once and view read them back: labels nest the Graphite paths and the tree, the unit shows', async () => {
    const file = path.join(dir, 'v.json');
    await dumpStatsTo(file, { source: registry() });
    const push = await run(['push-once', '--from', file, '--prefix', 'p', '--timestamp', '1700000000', '--dry-run']);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^p\.http\.requests\.GET\._a\.200 2 1700000000$/m);
    assert.match(push.stdout, /^p\.http\.requests\.POST\._b\.500 1 1700000000$/m);
    const view = await run(['view', file], { NO_COLOR: '1' });
    assert.equal(view.code, 0, view.stderr);
    assert.match(view.stdout, /^ {2}requests\/\n {4}GET\/\n {6}\/a\/\n {8}200 +2$/m, view.stdout);
    assert.match(view.stdout, /bytesSent +1,234 bytes/);
    assert.match(view.stdout, /latency +n 1 +min 250 µs/);
  });

  it('a dump without descriptions (written before them) still reads: its dicts are one-key dicts', async () => {
    const file = path.join(dir, 'old.json');
    const r = new scales.Registry();
    r.collection('/web', scales.intDictStat('byPath')).byPath['/a'] += 3;
    const { descriptions: _dropped, ...old } = buildDump({ source: r });
    await writeFile(file, JSON.stringify(old));
    const push = await run(['push-once', '--from', file, '--prefix', 'p', '--timestamp', '1700000000', '--dry-run']);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^p\.web\.byPath\._a 3 1700000000$/m);
  });
});
