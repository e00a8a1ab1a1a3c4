// Internals of the atomic dump writes (through src): temporary names. The public behaviour
// (readers never see a partial file, killed writers) is in atomic.test.ts, through the package.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporaryPathFor, writeFileAtomic, writeFileAtomicSync } from '../../src/dump/atomic-write.js';

describe('atomic writes', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scales-atomic-write-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("temporary names left by a killed process with the same pid (a container's pid 1) do not block writes, and are cleaned", async () => {
    const sub = await mkdtemp(join(dir, 'stale-'));
    const file = join(sub, 'stats.json');
    // The names the next writes of this process would take: leave stale files at the next ones.
    const [, pid, token, seq] = /\.(\d+)\.([0-9a-f]{16})\.(\d+)\.tmp$/.exec(temporaryPathFor(file))!;
    const stale = [1, 2, 3, 4, 5, 6].map((i) => `.stats.json.${pid}.${token}.${Number(seq) + i}.tmp`);
    for (const name of stale) await writeFile(join(sub, name), '{"half');
    writeFileAtomicSync(file, '{"n":1}');
    assert.equal(await readFile(file, 'utf8'), '{"n":1}');
    await writeFileAtomic(file, ['{"n":', '2}']);
    assert.equal(await readFile(file, 'utf8'), '{"n":2}');
    const left = (await readdir(sub)).filter((n) => n.endsWith('.tmp')).sort();
    assert.deepEqual(left, [], 'the names were skipped, then the stale files (older than the write, this naming) removed');
  });
});
