import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bin, run } from './run-bin.js';

const SAMPLE = fileURLToPath(new URL('../../../test/fixtures/dump/view-sample.json', import.meta.url));

describe('the scales bin (package.json "bin", run as a child process)', () => {
  it('starts with a node shebang', async () => {
    assert.match(await readFile(await bin(), 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it('--help exits 0; no command or an unknown one exits 2', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: scales <command>/);
    assert.match(help.stdout, /view FILE\|URL/);
    const none = await run([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: scales <command>/);
    const unknown = await run(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });

  it('view prints a dump, with colours only when forced', async () => {
    const plain = await run(['view', SAMPLE]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.split('\n')[3], 'web/');
    assert.doesNotMatch(plain.stdout, /\u001b\[/);
    const forced = await run(['view', SAMPLE], { FORCE_COLOR: '1' });
    assert.match(forced.stdout, /\u001b\[1mweb\/\u001b\[22m/);
    const bad = await run(['view', '/nonexistent/dump.json']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /scales view: cannot read \/nonexistent\/dump\.json: ENOENT/);
  });

  it('a reader that goes away (scales view big.json | head) ends the command quietly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-bin-'));
    try {
      const file = join(dir, 'big.json');
      await writeFile(file, JSON.stringify({ big: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])) }));
      const child = spawn(process.execPath, [await bin(), 'view', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout.once('data', () => child.stdout.destroy()); // like head: read a little, then close
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      // 'close', not 'exit': 'exit' may come before the last of stderr has been read.
      const [code] = (await once(child, 'close')) as [number | null];
      clearTimeout(timer);
      assert.equal(stderr, '', 'no EPIPE stack trace');
      assert.equal(code, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('push-once is dispatched to the Graphite command', async () => {
    const help = await run(['push-once', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout + help.stderr, /push-once/);
  });

  it('aggregate --help and a bad call', async () => {
    assert.equal((await run(['aggregate', '--help'])).code, 0);
    const bad = await run(['aggregate', '/nonexistent-dir', '--spec', 'x.json']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cannot read the directory \/nonexistent-dir/);
  });
});
