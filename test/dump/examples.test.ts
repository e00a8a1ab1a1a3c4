import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DumpFile } from 'scales-metrics/dump';

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url));
const MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 30_000, env: { PATH: process.env.PATH ?? '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('the README examples of dumps and aggregation run', () => {
  it('examples/dump-on-crash: normal run and crash both leave a readable dump', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-example-'));
    try {
      const file = join(dir, 'stats.json');
      const ok = await run([example('dump-on-crash'), file]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, `stats in ${file}\n`);
      const crashed = await run([example('dump-on-crash'), file, 'crash']);
      assert.equal(crashed.code, 1);
      assert.match(crashed.stderr, /simulated crash/);
      const dump = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
      assert.equal(dump.error?.message, 'simulated crash');
      assert.equal(dump.exitCode, 1);
      assert.deepEqual(
        { done: (dump.stats as { jobs: { done: number } }).jobs.done, failed: (dump.stats as { jobs: { failed: number } }).jobs.failed },
        { done: 50, failed: 1 },
      );
      const view = await run([MAIN, 'view', file]);
      assert.equal(view.code, 0, view.stderr);
      assert.match(view.stdout, /^error: simulated crash$/m);
      assert.match(view.stdout, /^ {2}done {6}50$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('examples/dump-files writes a dump now, periodically and installs and removes dumpOnCrash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-example-'));
    try {
      const file = join(dir, 'stats.json');
      const out = await run([example('dump-files'), dir]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^periodic: [1-9]\d* write\(s\), 0 error\(s\)$/m);
      assert.ok(out.stdout.includes(`${file}: scales-metrics-dump v1, server dump-files, errors 17, sketch string\n`), out.stdout);
      const dump = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
      assert.equal(dump.reason, undefined, 'dumpOnCrash was uninstalled before the exit: no exit dump');
      assert.equal((dump.stats as { web: { errors: number } }).web.errors, 17);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('examples/dump-stall measures the event-loop stall of both dump forms (the README numbers)', async () => {
    const out = await run([example('dump-stall'), '1']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^tree: 10,000 stats, \d+\.\d\d MB with sketches; 1 rounds$/m);
    assert.match(out.stdout, /^longest event-loop stall, async dumpStatsTo: +median \d+\.\d ms$/m);
    assert.match(out.stdout, /^longest event-loop stall, dumpStatsToSync: +median \d+\.\d ms$/m);
  });

  it('examples/aggregate-fleet prints fleet-wide figures', async () => {
    const out = await run([example('aggregate-fleet')]);
    assert.equal(out.code, 0, out.stderr);
    const lines = Object.fromEntries(
      out.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
    );
    // 300 values: 200 of them 1..100 ms, 100 of them 20..2000 ms: the p99 is near 1.96 s.
    assert.ok(Math.abs(Number(lines['fleet p99']) - 1.96) / 1.96 < 0.02, out.stdout);
    assert.ok(Math.abs(Number(lines.mean) - (0.0505 * 2 + 1.01) / 3) < 1e-9, out.stdout);
    assert.equal(lines['5xx'], '5');
    assert.equal(lines.versions, '{"1.4.2":["web-1","web-10"],"1.5.0":["web-2"]}');
    assert.equal(lines['slowest p99'], 'web-10');
    assert.equal(lines.warnings, '0');
  });
});
