/**
 * Durability of the atomic writes, without a power cut: the file-system calls are observed
 * through the internal seam `atomicWriteFs` (real calls, logged in order), for the synchronous
 * and the asynchronous forms. The temporary file must be fsync'ed, after its last write and
 * before it is renamed over the target; the directory is fsync'ed after the rename; and a
 * failed fsync never replaces the good file.
 */
import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { intStat, pmfStat } from '../../src/registry/catalogue.js';
import { Registry } from '../../src/registry/registry.js';
import { atomicWriteFs, writeFileAtomic, writeFileAtomicSync } from '../../src/dump/atomic-write.js';
import { dumpStatsTo, dumpStatsToSync } from '../../src/dump/dump-file.js';

type Step = { op: 'open' | 'write' | 'fsync' | 'close' | 'rename'; path: string; to?: string };

const real = { ...atomicWriteFs };

/** Wraps every call of the seam to log it with the path it acts on; `failFsyncOf` makes fsync of matching paths fail with EIO. */
function observe(failFsyncOf?: RegExp): Step[] {
  const log: Step[] = [];
  const fds = new Map<number, string>();
  const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  atomicWriteFs.openSync = ((path: string, flags: string, mode?: number) => {
    const fd = real.openSync(path, flags, mode);
    fds.set(fd, path);
    log.push({ op: 'open', path });
    return fd;
  }) as typeof atomicWriteFs.openSync;
  atomicWriteFs.writeSync = (fd, buf, offset, length) => {
    log.push({ op: 'write', path: fds.get(fd)! });
    return real.writeSync(fd, buf, offset, length);
  };
  atomicWriteFs.fsyncSync = (fd) => {
    log.push({ op: 'fsync', path: fds.get(fd as number)! });
    if (failFsyncOf?.test(fds.get(fd as number)!)) throw eio();
    real.fsyncSync(fd);
  };
  atomicWriteFs.closeSync = (fd) => {
    log.push({ op: 'close', path: fds.get(fd)! });
    real.closeSync(fd);
  };
  atomicWriteFs.renameSync = (from, to) => {
    log.push({ op: 'rename', path: String(from), to: String(to) });
    real.renameSync(from, to);
  };
  atomicWriteFs.open = (async (path: string, flags: string, mode?: number) => {
    const handle: FileHandle = await real.open(path, flags, mode);
    log.push({ op: 'open', path });
    const { write, writeFile: whole, sync, close } = handle;
    handle.write = ((...args: unknown[]) => {
      log.push({ op: 'write', path });
      return (write as (...a: unknown[]) => unknown).apply(handle, args);
    }) as FileHandle['write'];
    handle.writeFile = (...args: Parameters<FileHandle['writeFile']>) => {
      log.push({ op: 'write', path });
      return whole.apply(handle, args);
    };
    handle.sync = () => {
      log.push({ op: 'fsync', path });
      if (failFsyncOf?.test(path)) return Promise.reject(eio());
      return sync.apply(handle);
    };
    handle.close = () => {
      log.push({ op: 'close', path });
      return close.apply(handle);
    };
    return handle;
  }) as typeof atomicWriteFs.open;
  atomicWriteFs.rename = async (from, to) => {
    log.push({ op: 'rename', path: String(from), to: String(to) });
    return real.rename(from, to);
  };
  return log;
}

/** Asserts the durable order for one write of `target`; returns the temporary path. */
function assertDurableOrder(log: Step[], target: string, dir: string): string {
  const rename = log.findIndex((s) => s.op === 'rename' && s.to === target);
  assert.ok(rename >= 0, `the temporary file is renamed over ${target}: ${JSON.stringify(log)}`);
  const tmp = log[rename]!.path;
  assert.match(basename(tmp), new RegExp(`^\\.${basename(target).replace(/\./g, '\\.')}\\.\\d+\\.[0-9a-f]{16}\\.\\d+\\.tmp$`));
  const at = (op: Step['op'], path: string) => log.map((s, i) => (s.op === op && s.path === path ? i : -1)).filter((i) => i >= 0);
  const writes = at('write', tmp);
  const syncs = at('fsync', tmp);
  assert.ok(writes.length > 0, 'the data is written to the temporary file');
  assert.ok(
    syncs.some((i) => i > Math.max(...writes) && i < rename),
    `the temporary file is fsync'ed after its last write and before the rename: ${JSON.stringify(log.map((s) => s.op + ' ' + basename(s.path)))}`,
  );
  assert.ok(
    at('close', tmp).some((i) => i < rename),
    'closed before the rename',
  );
  assert.ok(
    at('fsync', dir).some((i) => i > rename),
    "the directory is fsync'ed after the rename",
  );
  return tmp;
}

describe('atomic writes are durable: fsync of the temporary file before the rename', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scales-durable-'));
  });
  afterEach(() => {
    Object.assign(atomicWriteFs, real);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writeFileAtomicSync', async () => {
    const target = join(dir, 'sync.json');
    const log = observe();
    writeFileAtomicSync(target, '{"n":1}');
    assertDurableOrder(log, target, dir);
    assert.equal(await readFile(target, 'utf8'), '{"n":1}');
  });

  it('writeFileAtomic, with a string and with pieces written in batches', async () => {
    const target = join(dir, 'async.json');
    let log = observe();
    await writeFileAtomic(target, '{"n":2}');
    assertDurableOrder(log, target, dir);
    Object.assign(atomicWriteFs, real);
    log = observe();
    const pieces = Array.from({ length: 2000 }, (_, i) => `"k${i}": "${'x'.repeat(100)}",`);
    await writeFileAtomic(target, ['{', ...pieces, '"end": 1}']);
    assertDurableOrder(log, target, dir);
    assert.ok(log.filter((s) => s.op === 'write').length > 2, 'several batches');
    assert.equal((JSON.parse(await readFile(target, 'utf8')) as { end: number }).end, 1);
  });

  it('dumpStatsToSync and dumpStatsTo (the sliced, piecewise dump) go the same durable way', async () => {
    const registry = new Registry();
    registry.collection('/web', intStat('errors'), pmfStat('latency')).errors += 3;
    const a = join(dir, 'dump-sync.json');
    const b = join(dir, 'dump-async.json');
    let log = observe();
    dumpStatsToSync(a, { source: registry });
    assertDurableOrder(log, a, dir);
    Object.assign(atomicWriteFs, real);
    log = observe();
    await dumpStatsTo(b, { source: registry });
    assertDurableOrder(log, b, dir);
  });

  for (const form of ['sync', 'async'] as const) {
    it(`a failed fsync (${form}) never replaces the good file, and leaves no temporary file`, async () => {
      const sub = await mkdtemp(join(dir, `fail-${form}-`));
      const target = join(sub, 'stats.json');
      await writeFile(target, '{"good":true}');
      const log = observe(/\.tmp$/);
      if (form === 'sync') assert.throws(() => writeFileAtomicSync(target, '{"new":true}'), { code: 'EIO' });
      else await assert.rejects(writeFileAtomic(target, '{"new":true}'), { code: 'EIO' });
      assert.ok(!log.some((s) => s.op === 'rename'), 'not renamed');
      assert.equal(await readFile(target, 'utf8'), '{"good":true}');
      assert.deepEqual(await readdir(sub), ['stats.json']);
    });
  }
});
