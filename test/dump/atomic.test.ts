import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as scales from 'scales-metrics';
import { type DumpFile, dumpStatsPeriodically, dumpStatsTo, dumpStatsToSync } from 'scales-metrics/dump';
import { ManualScheduler } from '../helpers/manual-scheduler.js';

const WRITER = fileURLToPath(new URL('../fixtures/dump/writer-child.js', import.meta.url));

interface Writer {
  ready: Promise<void>;
  /** Resolves once the writer is well into its loop (it says so after its 10th write). */
  looping: Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

function startWriter(file: string, iterations: number, how: 'sync' | 'async'): Writer {
  const child = spawn(process.execPath, [WRITER, file, String(iterations), how], { stdio: ['ignore', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const said = (word: string) => {
    const p = new Promise<void>((resolve, reject) => {
      const check = () => out.includes(word) && resolve();
      child.stdout.on('data', check);
      child.on('exit', () => reject(new Error(`writer ended before it said ${word}`)));
    });
    p.catch(() => {});
    return p;
  };
  const ready = said('ready');
  const looping = said('looping');
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  return { ready, looping, done, kill: (s) => child.kill(s) };
}

/** Reads the file as fast as it can while `running()`; returns every version seen, throws on a partial file. */
async function readWhile(file: string, running: () => boolean): Promise<{ reads: number; versions: Set<number> }> {
  const versions = new Set<number>();
  let reads = 0;
  while (running()) {
    const text = await readFile(file, 'utf8');
    let dump: DumpFile;
    try {
      dump = JSON.parse(text) as DumpFile;
    } catch (err) {
      throw new Error(`a reader saw a partial file (${text.length} bytes): ${(err as Error).message}`);
    }
    const big = (dump.stats as { big: { version: number; keys: Record<string, number> } }).big;
    assert.equal(Object.keys(big.keys).length, 3000, 'a complete tree');
    versions.add(big.version);
    reads++;
  }
  return { reads, versions };
}

describe('atomic dumps', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scales-atomic-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const how of ['sync', 'async'] as const) {
    it(`concurrent readers never see a partial file while a ${how} writer loops`, async () => {
      const file = join(dir, `loop-${how}.json`);
      const writer = startWriter(file, 300, how);
      await writer.ready;
      let running = true;
      const end = writer.done.then((r) => {
        running = false;
        return r;
      });
      const readers = await Promise.all([1, 2, 3, 4].map(() => readWhile(file, () => running)));
      assert.deepEqual(await end, { code: 0, signal: null });
      const versions = new Set(readers.flatMap((r) => [...r.versions]));
      assert.ok(versions.size > 1, `readers saw the file change (${versions.size} versions in ${readers.reduce((a, r) => a + r.reads, 0)} reads)`);
      const final = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
      assert.equal((final.stats as { big: { version: number } }).big.version, 301);
      assert.deepEqual(
        (await readdir(dir)).filter((n) => n.endsWith('.tmp')),
        [],
        'no temporary files left',
      );
    });
  }

  it('a writer killed mid-loop leaves a complete file, and stray temp files are not *.json', async () => {
    const file = join(dir, 'killed.json');
    const writer = startWriter(file, 100_000, 'sync');
    await writer.looping; // ten writes done, 99,990 to go: killed in the middle of its loop
    writer.kill('SIGKILL');
    assert.equal((await writer.done).signal, 'SIGKILL');
    const dump = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
    assert.ok((dump.stats as { big: { version: number } }).big.version > 10, 'the file holds a write from inside the loop');
    for (const name of await readdir(dir)) {
      if (name !== 'killed.json' && !name.startsWith('loop-')) assert.match(name, /^\.killed\.json\.\d+\.[0-9a-f]{16}\.\d+\.tmp$/);
    }
  });

  it('dumpStatsTo writes the header and the registry tree', async () => {
    const registry = new scales.Registry();
    const S = registry.collection('/web', scales.intStat('errors'), scales.pmfStat('latency'));
    S.errors += 2;
    S.latency.record(0.5);
    const file = join(dir, 'one.json');
    await dumpStatsTo(file, { source: registry, serverName: 'web-1' });
    const dump = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
    assert.deepEqual(Object.keys(dump), ['format', 'version', 'host', 'pid', 'serverName', 'last-updated', 'stats', 'kinds', 'descriptions']);
    assert.deepEqual(dump.kinds, { '/web/errors': 'int', '/web/latency': 'pmf' }, 'the kinds, by path, after the tree');
    assert.deepEqual(dump.descriptions, { '/web/latency': { unit: 's' } }, 'the descriptions of the stats that have one, after the kinds');
    assert.equal(dump.serverName, 'web-1');
    assert.equal(dump.pid, process.pid);
    const web = (dump.stats as { web: { errors: number; latency: { count: number; sketch?: string } } }).web;
    assert.equal(web.errors, 2);
    assert.equal(web.latency.count, 1);
    assert.equal(web.latency.sketch, undefined, 'no sketch unless asked');
    await dumpStatsTo(file, { source: registry, sketches: true, path: '/web' });
    const withSketch = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
    assert.equal(typeof (withSketch.stats as { latency: { sketch?: string } }).latency.sketch, 'string');
    assert.deepEqual(withSketch.kinds, { '/errors': 'int', '/latency': 'pmf' }, 'paths relative to the dumped subtree');
  });

  it('the async dump (read in slices, written in pieces) holds the same tree as the sync one', async () => {
    const registry = new scales.Registry();
    for (let c = 0; c < 300; c++) {
      const s = registry.collection(`/svc/c${c}`, scales.intStat('n'), scales.pmfStat('lat'), scales.stringDictStat('tags'));
      s.n += c;
      s.lat.record(c / 1000);
      s.tags['quote"and\\backslash'] = `line\nbreak ${c}`;
    }
    registry.collection('/hidden', scales.intStat('x'));
    registry.setCollapsed('/hidden', true);
    const a = join(dir, 'async.json');
    const b = join(dir, 'sync.json');
    await dumpStatsTo(a, { source: registry, sketches: true });
    dumpStatsToSync(b, { source: registry, sketches: true });
    const da = JSON.parse(await readFile(a, 'utf8')) as DumpFile;
    const db = JSON.parse(await readFile(b, 'utf8')) as DumpFile;
    assert.ok((await readFile(a, 'utf8')).length > 64 * 1024, 'large enough to be written in several pieces');
    assert.deepEqual(Object.keys(da), Object.keys(db));
    assert.deepEqual(da.stats, db.stats);
    assert.deepEqual(da.stats, registry.getStats('/', { sketches: true }));
    assert.equal((da.stats as Record<string, unknown>).hidden, undefined, 'collapsed containers left out, as in getStats');
    // Any StatsSource (here one that is not a Registry), and a source whose snapshotAsync fails:
    const only = join(dir, 'only.json');
    const other = new scales.Registry();
    other.collection('/', scales.intStat('a')).a = 1;
    const wrapped: scales.StatsSource = { snapshot: (p, o) => other.snapshot(p, o), snapshotAsync: (p, o) => other.snapshotAsync(p, o) };
    await dumpStatsTo(only, { source: wrapped });
    assert.deepEqual((JSON.parse(await readFile(only, 'utf8')) as DumpFile).stats, { a: 1 });
    dumpStatsToSync(only, { source: wrapped });
    assert.deepEqual((JSON.parse(await readFile(only, 'utf8')) as DumpFile).stats, { a: 1 });
    await dumpStatsTo(only, {
      source: { snapshot: () => undefined, snapshotAsync: () => Promise.reject(new Error('slices broke')) },
    });
    const failed = JSON.parse(await readFile(only, 'utf8')) as DumpFile;
    assert.match(failed.statsError ?? '', /slices broke/);
    assert.deepEqual(failed.stats, {});
  });

  it('a broken registry still gives a readable dump; an unwritable path rejects or throws', async () => {
    const file = join(dir, 'keep.json');
    await writeFile(file, '{"old":true}');
    const registry: scales.StatsSource = {
      snapshot(): never {
        throw new Error('registry exploded');
      },
      snapshotAsync: () => Promise.reject(new Error('registry exploded')),
    };
    // A broken registry still gives a readable file that says so (a crash dump must not vanish).
    dumpStatsToSync(file, { source: registry });
    const dump = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
    assert.match(dump.statsError ?? '', /registry exploded/);
    await assert.rejects(dumpStatsTo(join(dir, 'no-such-dir', 'x.json'), { source: new scales.Registry() }), { code: 'ENOENT' });
    assert.throws(() => dumpStatsToSync(join(dir, 'no-such-dir', 'x.json'), { source: new scales.Registry() }), { code: 'ENOENT' });
  });
});

describe('dumpStatsPeriodically', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scales-periodic-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the scheduler's next task (a write) and waits until that write ends, which schedules the next one. */
  async function nextWrite(scheduler: ManualScheduler, what: string): Promise<void> {
    const seen = scheduler.calls;
    scheduler.runNext();
    await scheduler.scheduled(what, seen);
  }

  it("period in seconds, as the issue, Python's installStatsLoop and the Graphite pusher say it", async () => {
    const registry = new scales.Registry();
    const scheduler = new ManualScheduler();
    const handle = dumpStatsPeriodically(join(dir, 'seconds.json'), { source: registry, period: 0.01, scheduler });
    await scheduler.scheduled('the first dump', 0);
    assert.equal(scheduler.nextDelay, 10, 'period 0.01 s is 10 ms');
    await nextWrite(scheduler, 'the second dump');
    assert.equal(handle.writes, 2);
    await handle.stop();
  });

  it('writes again and again with fresh values, one period after each write ends, and stops', async () => {
    const registry = new scales.Registry();
    const S = registry.collection('/w', scales.intStat('n'));
    const file = join(dir, 'p.json');
    const scheduler = new ManualScheduler();
    const handle = dumpStatsPeriodically(file, { source: registry, periodMs: 10, scheduler });
    await scheduler.scheduled('the first dump', 0);
    assert.equal(handle.writes, 1, 'the first write ran at once, not on the timer');
    assert.deepEqual([scheduler.pending, scheduler.nextDelay], [1, 10], 'one timer, one period after the write ended');
    S.n += 5;
    await nextWrite(scheduler, 'the second dump');
    assert.equal(handle.writes, 2);
    const d = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
    assert.equal((d.stats as { w: { n: number } }).w.n, 5, 'a write with the new value');
    await handle.stop();
    const writes = handle.writes;
    assert.equal(scheduler.pending, 0, 'stop() cancels the timer');
    assert.equal(scheduler.advance(60_000), 0, 'nothing runs after stop()');
    assert.equal(handle.writes, writes, 'no write after stop()');
    assert.equal(handle.errors, 0);
    const self = registry.getStats('/scales/dump') as { writes: number; errors: number; lastWriteMs: number; lastError: string };
    assert.equal(self.writes, writes, 'the loop reports on itself in the registry it dumps');
    assert.equal(self.errors, 0);
    assert.ok(self.lastWriteMs > 0);
  });

  it('reports errors to onError without throwing, and keeps trying', async () => {
    const errors: Error[] = [];
    const registry = new scales.Registry();
    const scheduler = new ManualScheduler();
    const handle = dumpStatsPeriodically(join(dir, 'missing', 'p.json'), {
      source: registry,
      periodMs: 5,
      onError: (e) => errors.push(e),
      scheduler,
    });
    await scheduler.scheduled('the first failed dump', 0);
    assert.equal(errors.length, 1);
    await nextWrite(scheduler, 'the second failed dump');
    assert.equal(errors.length, 2, 'it kept trying');
    await handle.stop();
    assert.match(errors[0]!.message, /ENOENT/);
    assert.equal(registry.getStats('/scales/dump')?.errors, handle.errors);
    assert.match(String(registry.getStats('/scales/dump')?.lastError), /ENOENT/);
    assert.equal(handle.errors, errors.length);
    assert.equal(handle.lastError, errors[errors.length - 1]);
  });

  it('without onError, warns once through process warnings', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const scheduler = new ManualScheduler();
      const handle = dumpStatsPeriodically(join(dir, 'missing', 'q.json'), { source: new scales.Registry(), periodMs: 5, scheduler });
      await scheduler.scheduled('the first failed dump', 0);
      await nextWrite(scheduler, 'the second failed dump');
      await nextWrite(scheduler, 'the third failed dump');
      assert.equal(handle.errors, 3);
      await handle.stop();
      await new Promise((r) => setImmediate(r));
      const ours = warnings.filter((w) => (w as { code?: string }).code === 'SCALES_DUMP_FAILED');
      assert.equal(ours.length, 1);
      assert.match(ours[0]!.message, /missing\/q\.json/);
    } finally {
      process.removeListener('warning', onWarning);
    }
  });

  it('writes at once: stop() right after the call still leaves the first dump', async () => {
    const registry = new scales.Registry();
    registry.collection('/w', scales.intStat('n')).n += 3;
    const file = join(dir, 'at-once.json');
    const handle = dumpStatsPeriodically(file, { source: registry, periodMs: 60_000 });
    await handle.stop();
    assert.equal(handle.writes, 1);
    const d = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
    assert.equal((d.stats as { w: { n: number } }).w.n, 3);
  });

  it('rejects a bad period', () => {
    assert.throws(() => dumpStatsPeriodically('x.json', { periodMs: 0 }), /periodMs must be a positive number/);
    // 30 days: longer than a Node timer takes, which would fire at once and write in a loop.
    assert.throws(() => dumpStatsPeriodically('x.json', { periodMs: 30 * 86_400_000 }), /up to 2147483647/);
    assert.throws(() => dumpStatsPeriodically('x.json', { period: -1 }), /got -1000/);
    assert.throws(() => dumpStatsPeriodically('x.json', { period: 1, periodMs: 1000 }), /period \(seconds\) or periodMs, not both/);
  });
});
