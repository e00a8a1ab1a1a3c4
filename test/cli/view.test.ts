import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { filterTree, runView } from '../../src/cli/view-command.js';
import { captureIo } from './capture.js';

const SAMPLE = fileURLToPath(new URL('../../../test/fixtures/dump/view-sample.json', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../../test/fixtures/dump/view-sample.txt', import.meta.url));

describe('scales view FILE', () => {
  it('renders the golden tree of a dump (header, aligned numbers, pmf and meter rows)', async () => {
    const io = captureIo();
    assert.equal(await runView([SAMPLE], io), 0, io.stderr.text);
    assert.equal(io.stdout.text, await readFile(GOLDEN, 'utf8'));
    assert.equal(io.stderr.text, '');
  });

  it('colours only with FORCE_COLOR or a TTY, never with NO_COLOR', async () => {
    const forced = captureIo({ FORCE_COLOR: '1' });
    await runView([SAMPLE], forced);
    assert.match(forced.stdout.text, /\u001b\[36m17\u001b\[39m/);
    const tty = captureIo();
    tty.stdout.isTTY = true;
    await runView([SAMPLE], tty);
    assert.match(tty.stdout.text, /\u001b\[/);
    const noColor = captureIo({ FORCE_COLOR: '1', NO_COLOR: '1' });
    noColor.stdout.isTTY = true;
    await runView([SAMPLE], noColor);
    assert.doesNotMatch(noColor.stdout.text, /\u001b\[/);
    const dumb = captureIo({ TERM: 'dumb' });
    dumb.stdout.isTTY = true;
    await runView([SAMPLE], dumb);
    assert.doesNotMatch(dumb.stdout.text, /\u001b\[/, 'a dumb terminal gets no escapes');
    const pipe = captureIo();
    await runView([SAMPLE], pipe);
    assert.doesNotMatch(pipe.stdout.text, /\u001b\[/);
  });

  it('PATH picks a subtree, --query filters like the status page', async () => {
    const io = captureIo();
    assert.equal(await runView([SAMPLE, '/web/byPath'], io), 0);
    assert.deepEqual(io.stdout.text.split('\n').slice(3), ['/               5', '/checkout   1,200', '/api/items     34', '']);
    const q = captureIo();
    assert.equal(await runView([SAMPLE, '--query', 'count > 500', '--json'], q), 0, q.stderr.text);
    assert.deepEqual(JSON.parse(q.stdout.text), { web: { latency: { count: 1000, lifetime: { count: 5000 } }, hits: { count: 98765 } } });
    assert.deepEqual(filterTree({ a: { x: 1 }, b: { y: 2 } }, 'y'), { b: { y: 2 } });
  });

  it('exit code 2 and a message naming the problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-view-'));
    try {
      const partial = join(dir, 'partial.json');
      await writeFile(partial, '{"format":"scales-metrics-dump","stats":{"a":');
      const cases: [string[], RegExp][] = [
        [[], /missing FILE or URL/],
        [[join(dir, 'missing.json')], /cannot read .*missing\.json: ENOENT/],
        [[partial], /partial\.json is not valid JSON/],
        [[SAMPLE, '/web/nope'], /no \/web\/nope in /],
        [[SAMPLE, '--bogus'], /Unknown option '--bogus'/],
        [[SAMPLE, '/web', 'extra'], /unexpected argument "extra"/],
        [[SAMPLE, '--query', 'a > b > c'], /invalid query/],
      ];
      for (const [args, message] of cases) {
        const io = captureIo();
        assert.equal(await runView(args, io), 2, `scales view ${args.join(' ')}`);
        assert.match(io.stderr.text, message);
        assert.equal(io.stdout.text, '');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('control characters in keys, values and the header are shown escaped, never sent to the terminal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-view-'));
    try {
      const file = join(dir, 'evil.json');
      const dump = {
        format: 'scales-metrics-dump',
        serverName: 'web\u001b[2J',
        error: { message: 'two\nlines' },
        stats: { 'bad\nkey': 'line1\nline2', esc: '\u001b[31mred\u009b', g: { error: 'x\ry' } },
      };
      await writeFile(file, JSON.stringify(dump));
      const io = captureIo({ FORCE_COLOR: '1' });
      assert.equal(await runView([file], io), 0, io.stderr.text);
      const text = io.stdout.text.replace(/\u001b\[\d+m/g, ''); // the palette's own colours
      assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, 'no control characters but the line ends');
      assert.equal(text.split('\n').length, 6, text);
      assert.match(text, /^web\\x1b\[2J$/m);
      assert.match(text, /^error: two\\nlines$/m);
      assert.match(text, /^bad\\nkey {2}line1\\nline2$/m);
      assert.match(text, /^esc {7}\\x1b\[31mred\\x9b$/m);
      assert.match(text, /^g {9}error: x\\ry$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('renders a dict of 200,000 keys (no spread of huge lists)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-view-'));
    try {
      const file = join(dir, 'big.json');
      const keys = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]));
      await writeFile(file, JSON.stringify({ big: { keys } }));
      const io = captureIo();
      assert.equal(await runView([file], io), 0, io.stderr.text);
      const lines = io.stdout.text.split('\n');
      assert.equal(lines.length, 200_000 + 4);
      assert.equal(lines[lines.length - 2], '    k199999  199,999');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--help prints the usage and exits 0', async () => {
    const io = captureIo();
    assert.equal(await runView(['--help'], io), 0);
    assert.match(io.stdout.text, /^Usage: scales view FILE\|URL \[PATH\]/);
  });
});
