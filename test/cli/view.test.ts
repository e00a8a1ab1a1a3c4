import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as scales from 'scales-metrics';
import { serveInBackground, type StatusServer } from 'scales-metrics/http';
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

describe('scales view URL (a live status server on 127.0.0.1)', () => {
  let server: StatusServer;
  const registry = new scales.Registry();
  before(async () => {
    const S = registry.collection('/web', scales.intStat('errors'), scales.pmfStat('latency'));
    S.errors += 5;
    for (let i = 1; i <= 100; i++) S.latency.record(i / 100);
    server = await serveInBackground(0, { source: registry, host: '127.0.0.1' });
  });
  after(async () => {
    await server.close();
  });

  it('reads ?format=json from the server and renders it', async () => {
    const io = captureIo();
    assert.equal(await runView([server.url], io), 0, io.stderr.text);
    const lines = io.stdout.text.split('\n');
    assert.match(lines[0]!, /^http:\/\/127\.0\.0\.1:\d+\/status\/\?format=json$/);
    assert.equal(lines[1], 'web/');
    assert.equal(lines[2], '  errors   5');
    assert.match(lines[3]!, /^ {2}latency {2}n 100 {2}min 10 ms {2}p50 (49\d|50\d)(\.\d+)? ms .* max 1 s$/);
  });

  it('a path and a query apply to the live tree too', async () => {
    const io = captureIo();
    assert.equal(await runView([server.url, '/web', '-q', 'errors', '--json'], io), 0, io.stderr.text);
    assert.deepEqual(JSON.parse(io.stdout.text), { errors: 5 });
  });

  it('reads a page behind basic auth with the credentials in the URL, and never prints the password', async () => {
    const locked = await serveInBackground(0, { source: registry, host: '127.0.0.1', auth: { username: 'ops', password: 's3 cr:et' } });
    try {
      const url = `http://ops:${encodeURIComponent('s3 cr:et')}@127.0.0.1:${locked.port}/status/web`;
      const io = captureIo();
      assert.equal(await runView([url, '--json'], io), 0, io.stderr.text);
      assert.equal((JSON.parse(io.stdout.text) as { errors: number }).errors, 5);
      const wrong = captureIo();
      assert.equal(await runView([`http://ops:nope@127.0.0.1:${locked.port}/status/`], wrong), 1);
      assert.match(wrong.stderr.text, /answered 401/);
      assert.doesNotMatch(wrong.stderr.text + wrong.stdout.text, /nope/);
    } finally {
      await locked.close();
    }
  });

  it('a server error exits 1, an unreachable server exits 2', async () => {
    const failing = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal trouble');
    });
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    const port = (failing.address() as AddressInfo).port;
    try {
      const io = captureIo();
      assert.equal(await runView([`http://127.0.0.1:${port}/status/`], io), 1);
      assert.match(io.stderr.text, /answered 500 .*internal trouble/);
    } finally {
      await new Promise((r) => failing.close(r));
    }
    const io = captureIo();
    assert.equal(await runView([`http://127.0.0.1:${port}/status/`], io), 2);
    assert.match(io.stderr.text, /cannot read http:\/\/127\.0\.0\.1:\d+\/status\/\?format=json: ECONNREFUSED/);
  });
});
