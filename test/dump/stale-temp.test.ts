/**
 * Temporary files of dumps killed mid-write (SIGKILL) are removed by the next dump, and only
 * those: the writer's own naming for that target, older than the current write, of a process
 * that is gone. Through the package, with real killed child processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as scales from 'scales-metrics';
import { dumpStatsTo, dumpStatsToSync } from 'scales-metrics/dump';

const WRITER = fileURLToPath(new URL('../fixtures/dump/writer-child.js', import.meta.url));

/** The pid of a process that has ended (a real child, waited for). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid!;
  await once(child, 'exit');
  return pid;
}

/** Starts the dump-writing child, lets it write, and kills it with SIGKILL. */
async function killWriterMidLoop(file: string): Promise<void> {
  const child = spawn(process.execPath, [WRITER, file, '100000', 'sync'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await new Promise<void>((resolve) => child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('ready') && resolve()));
  await new Promise((r) => setTimeout(r, 20 + Math.random() * 30)); // somewhere in its loop
  child.kill('SIGKILL');
  await once(child, 'exit');
  clearTimeout(timer);
}

const temporaries = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.tmp')).sort();

describe('stale temporary files of dumps killed mid-write', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scales-stale-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writers killed with SIGKILL leave temporary files; the next dump removes them', async () => {
    const sub = await mkdtemp(join(dir, 'killed-'));
    const file = join(sub, 'stats.json');
    let left: string[] = [];
    for (let kills = 0; kills < 40 && left.length === 0; kills++) {
      await killWriterMidLoop(file);
      left = await temporaries(sub);
    }
    assert.ok(left.length > 0, 'a kill mid-write left a temporary file (as it does without cleanup)');
    for (const name of left) assert.match(name, /^\.stats\.json\.\d+\.[0-9a-f]{16}\.\d+\.tmp$/);
    await dumpStatsTo(file, { source: new scales.Registry() });
    assert.deepEqual(await temporaries(sub), [], 'the next dump removed them');
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')).stats, {});
  });

  for (const form of ['dumpStatsTo', 'dumpStatsToSync'] as const) {
    it(`${form} removes only its own target's stale temporary files`, async () => {
      const sub = await mkdtemp(join(dir, `${form}-`));
      const file = join(sub, 'stats.json');
      const gone = await deadPid();
      const hourAgo = new Date(Date.now() - 3600_000);
      const minuteAgo = new Date(Date.now() - 60_000);
      const inAMinute = new Date(Date.now() + 60_000);
      const files: [string, Date, 'removed' | 'kept'][] = [
        [`.stats.json.${gone}.3.tmp`, minuteAgo, 'removed'], // a killed writer's (the naming before tokens)
        [`.stats.json.${gone}.0123456789abcdef.3.tmp`, minuteAgo, 'removed'], // a killed writer's
        [`.stats.json.${process.pid}.0123456789abcdef.5.tmp`, minuteAgo, 'kept'], // our pid, another token: another container's pid 1 writing now
        [`.stats.json.${process.pid}.0123456789abcdef.6.tmp`, hourAgo, 'removed'], // the same, untouched for an hour
        [`.stats.json.${process.pid}.999999.tmp`, minuteAgo, 'kept'], // our pid without a token: not ours, maybe an older version's write
        [`.stats.json.${process.pid}.999998.tmp`, hourAgo, 'removed'],
        [`.stats.json.${process.ppid}.fedcba9876543210.9.tmp`, minuteAgo, 'kept'], // a live process's write in progress
        [`.stats.json.${process.ppid}.7.tmp`, hourAgo, 'removed'], // a live pid, untouched for an hour: a reused pid
        [`.stats.json.${process.ppid}.8.tmp`, minuteAgo, 'kept'], // a live process's write in progress
        [`.stats.json.${gone}.4.tmp`, inAMinute, 'kept'], // newer than this write
        [`.other.json.${gone}.1.tmp`, minuteAgo, 'kept'], // another target's
        [`.stats.json.tmp`, minuteAgo, 'kept'], // not this naming
        [`stats.json.${gone}.1.tmp`, minuteAgo, 'kept'],
        [`.stats.json.${gone}.x.tmp`, minuteAgo, 'kept'],
        [`.stats.json.${gone}.0123456789ABCDEF.1.tmp`, minuteAgo, 'kept'],
        [`.stats.json.${gone}.abc.1.tmp`, minuteAgo, 'kept'],
        [`.stats.json.${gone}.1.tmp.bak`, minuteAgo, 'kept'],
        [`.xstats.json.${gone}.1.tmp`, minuteAgo, 'kept'],
      ];
      for (const [name, mtime] of files) {
        await writeFile(join(sub, name), '{"half');
        await utimes(join(sub, name), mtime, mtime);
      }
      const registry = new scales.Registry();
      if (form === 'dumpStatsTo') await dumpStatsTo(file, { source: registry });
      else dumpStatsToSync(file, { source: registry });
      const expected = files.filter(([, , fate]) => fate === 'kept').map(([name]) => name);
      assert.deepEqual((await readdir(sub)).filter((n) => n !== 'stats.json').sort(), expected.sort());
    });
  }
});
