/**
 * The `scales` bin (run as a child process, as a user runs it) against hostile input: escape
 * codes in files, file names, server answers and source names; servers that refuse, stall,
 * break the connection or stream without end; files with a BOM or nested without end.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const PACKAGE_JSON = require.resolve('scales-metrics/package.json');

/** Any control character but the line feed: what must never reach a terminal raw. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Terminal attacks: CSI (clear screen), OSC (window title) ended by BEL, 8-bit CSI, DEL. */
const ATTACK = '\u001b[2J\u001b]0;pwned\u0007\u009b31m\u007f';
/** {@link ATTACK} as the CLI shows it. */
const ATTACK_SHOWN = '\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\x7f';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function bin(): Promise<string> {
  const pkg = JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { bin: { scales: string } };
  return join(dirname(PACKAGE_JSON), pkg.bin.scales);
}

async function scales(args: string[]): Promise<Run> {
  const path = await bin();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path, ...args],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env.PATH ?? '' } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
      },
    );
  });
}

function assertNoRawControls(run: Run): void {
  assert.doesNotMatch(run.stdout, RAW_CONTROL, `stdout holds a raw control character: ${JSON.stringify(run.stdout)}`);
  assert.doesNotMatch(run.stderr, RAW_CONTROL, `stderr holds a raw control character: ${JSON.stringify(run.stderr)}`);
}

/** A server on 127.0.0.1 whose answers the test writes; tracks its sockets so that close() ends. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/status/`,
    server,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The URL `scales` reads for `url` (it adds ?format=json), as a pattern for messages. */
function shownUrl(url: string): RegExp {
  return new RegExp(`${(url + '?format=json').replace(/[.?/]/g, '\\$&')}`);
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scales-hostile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('escape codes from outside never reach the terminal raw', () => {
  it('scales view: invalid JSON quoted by the parser, a file name, a --json value with C1 controls', async () => {
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, `${ATTACK}{"a": 1}`);
    const a = await scales(['view', invalid]);
    assert.equal(a.code, 2);
    assertNoRawControls(a);
    assert.match(a.stderr, /invalid\.json is not valid JSON/);
    assert.ok(a.stderr.includes('\\x1b[2J'), a.stderr);

    const named = join(dir, `evil${ATTACK}.json`);
    await writeFile(named, '{"a":');
    const b = await scales(['view', named]);
    assert.equal(b.code, 2);
    assertNoRawControls(b);
    assert.ok(b.stderr.includes(`evil${ATTACK_SHOWN}.json is not valid JSON`), b.stderr);
    const missing = await scales(['view', join(dir, `gone${ATTACK}.json`), `/x${ATTACK}`]);
    assert.equal(missing.code, 2);
    assertNoRawControls(missing);
    assert.ok(missing.stderr.includes(`gone${ATTACK_SHOWN}.json: ENOENT`), missing.stderr);

    const bare = join(dir, `bare${ATTACK}.json`);
    await writeFile(bare, JSON.stringify({ v: `x${ATTACK}` }));
    const tree = await scales(['view', bare]);
    assert.equal(tree.code, 0, tree.stderr);
    assertNoRawControls(tree);
    assert.ok(tree.stdout.split('\n')[0]!.endsWith(`bare${ATTACK_SHOWN}.json`), 'the title (the file name) escaped');
    const json = await scales(['view', bare, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assertNoRawControls(json);
    assert.deepEqual(JSON.parse(json.stdout), { v: `x${ATTACK}` }, 'still the same JSON');
  });

  it("scales view URL: an error answer's body and status text, and a JSON parse error of the answer", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${ATTACK}{`);
    });
    // Node's http server refuses control characters in a status text; a hostile server sends them anyway.
    const raw = createNetServer((socket) => {
      socket.once('data', () =>
        socket.end(`HTTP/1.1 503 Busy${ATTACK}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\ntry later ${ATTACK}`, 'utf8'),
      );
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    try {
      const failed = await scales(['view', `http://127.0.0.1:${(raw.address() as AddressInfo).port}/status/`]);
      assert.equal(failed.code, 1);
      assertNoRawControls(failed);
      assert.match(failed.stderr, /answered 503 Busy\\x1b\[2J.*: try later /);
      assert.ok(failed.stderr.includes(`try later ${ATTACK_SHOWN}`), failed.stderr);
      const bad = await scales(['view', server.url]);
      assert.equal(bad.code, 2);
      assertNoRawControls(bad);
      assert.match(bad.stderr, /did not answer JSON/);
      assert.ok(bad.stderr.includes('\\x1b[2J'), bad.stderr);
    } finally {
      await server.close();
      await new Promise((r) => raw.close(r));
    }
  });

  it('scales aggregate: warnings naming files and sources, and the table title', async () => {
    const fleet = join(dir, 'fleet');
    await mkdir(fleet);
    await writeFile(join(fleet, `web-1${ATTACK}.json`), JSON.stringify({ web: { errors: 2, load: 'high' } }));
    await writeFile(join(fleet, 'web-2.json'), JSON.stringify({ web: { errors: 3 } }));
    await writeFile(join(fleet, `broken${ATTACK}.json`), `{"web": ${ATTACK}`);
    const spec = join(dir, 'spec.json');
    await writeFile(spec, JSON.stringify({ web: { errors: ['sum'], load: ['sum'] } }));
    const run = await scales(['aggregate', fleet, '--spec', spec]);
    assert.equal(run.code, 0, run.stderr);
    assertNoRawControls(run);
    assert.ok(run.stdout.split('\n')[0] === `2 sources: web-1${ATTACK_SHOWN}, web-2`, run.stdout);
    assert.ok(run.stderr.includes(`skipped ${join(fleet, `broken${ATTACK_SHOWN}.json`)}: not valid JSON`), run.stderr);
    assert.ok(run.stderr.includes(`source "web-1${ATTACK_SHOWN}" at /web/load`), run.stderr);
    assert.equal(run.stderr.split('\n').length, 3, 'one line per warning');
    const badSpec = join(dir, `spec${ATTACK}.json`);
    await writeFile(badSpec, `{${ATTACK}`);
    const rejected = await scales(['aggregate', fleet, '--spec', badSpec]);
    assert.equal(rejected.code, 2);
    assertNoRawControls(rejected);
    assert.ok(rejected.stderr.includes(`the spec ${join(dir, `spec${ATTACK_SHOWN}.json`)} is not valid JSON`), rejected.stderr);
  });

  it('scales push-once: a file name and invalid JSON in its messages', async () => {
    const file = join(dir, `dump${ATTACK}.json`);
    await writeFile(file, `{${ATTACK}`);
    const run = await scales(['push-once', '--dry-run', '--from', file]);
    assert.equal(run.code, 2);
    assertNoRawControls(run);
    assert.ok(run.stderr.includes(`dump${ATTACK_SHOWN}.json is not JSON`), run.stderr);
  });
});

describe('every network failure exits 2 with a message naming the URL', () => {
  it('refused, no answer, a stall after the headers, a connection reset mid-body (view and push-once)', async () => {
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/status/silent')) return; // never answers
      if (req.url?.startsWith('/status/stall')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"web": {'); // and then nothing
        return;
      }
      if (req.url?.startsWith('/status/reset')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"web": {', () => setTimeout(() => req.socket.resetAndDestroy(), 20));
        return;
      }
      res.writeHead(404);
      res.end();
    });
    // Port 2 (see REFUSED_PORT in test/graphite/tcp-sink.ts): nothing listens there, while a
    // port freed by a closed server may be bound by another test meanwhile.
    const refusedUrl = 'http://127.0.0.1:2/status/';
    try {
      // The timeout, in s: 0.5 where it is the outcome; 2 where the headers (stall) or the reset
      // must come first, which takes the server in this process a moment on a loaded machine.
      const cases: [string, RegExp, number][] = [
        [refusedUrl, /ECONNREFUSED/, 0.5],
        [`${server.url}silent`, /no answer within 0\.5 s \(timeout\)/, 0.5],
        [`${server.url}stall`, /the body did not arrive within 2 s \(timeout after the headers\)/, 2],
        [`${server.url}reset`, /the connection broke while reading the body \([A-Z_]+\)/, 2],
      ];
      for (const [url, why, timeout] of cases) {
        const view = await scales(['view', url, '--timeout', `${timeout}s`]);
        assert.equal(view.code, 2, `scales view ${url}: ${view.stderr}`);
        assert.match(view.stderr, new RegExp(`^scales view: cannot read ${shownUrl(url).source}: ${why.source}\\n$`));
        const push = await scales(['push-once', '--dry-run', '--timeout', String(timeout * 1000), '--from', url]);
        assert.equal(push.code, 2, `scales push-once --from ${url}: ${push.stderr}`);
        assert.match(push.stderr, new RegExp(`^scales push-once: cannot read ${shownUrl(url).source}: ${why.source}\\n`));
      }
    } finally {
      await server.close();
    }
  });
});

describe('the body of a URL is capped', () => {
  it('an endless body stops at --max-body (default 64 MiB), says so, exits 2; a declared length over it is not read', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/status/declared')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) });
        res.write('{');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a": "');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
    try {
      const small = await scales(['view', `${server.url}endless`, '--max-body', '1M']);
      assert.equal(small.code, 2, small.stderr);
      assert.match(
        small.stderr,
        /^scales view: cannot read http:\/\/127\.0\.0\.1:\d+\/status\/endless\?format=json: the answer is larger than 1 MiB \(--max-body\); stopped reading\n$/,
      );
      sent = 0;
      const byDefault = await scales(['view', `${server.url}endless`]);
      assert.equal(byDefault.code, 2, byDefault.stderr);
      assert.match(byDefault.stderr, /the answer is larger than 64 MiB \(--max-body\); stopped reading/);
      assert.ok(sent < 96 * 1024 * 1024, `reading stopped near the cap (the server could send ${sent} bytes)`);
      const declared = await scales(['view', `${server.url}declared`]);
      assert.equal(declared.code, 2);
      assert.match(declared.stderr, /larger than 64 MiB/);
      const push = await scales(['push-once', '--dry-run', '--max-body', '256k', '--from', `${server.url}endless`]);
      assert.equal(push.code, 2);
      assert.match(push.stderr, /the answer is larger than 256 KiB \(--max-body\); stopped reading/);
      const bad = await scales(['view', server.url, '--max-body', 'lots']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--max-body: invalid size "lots"/);
    } finally {
      await server.close();
    }
  });
});

describe('JSON files from outside', () => {
  it('a UTF-8 byte order mark is accepted (view, aggregate, its spec, push-once)', async () => {
    const sub = join(dir, 'bom');
    await mkdir(sub);
    const file = join(sub, 'web-1.json');
    await writeFile(file, '\ufeff' + JSON.stringify({ web: { errors: 7 } }));
    const view = await scales(['view', file, '--json']);
    assert.equal(view.code, 0, view.stderr);
    assert.deepEqual(JSON.parse(view.stdout), { web: { errors: 7 } });
    const spec = join(dir, 'bom-spec.json');
    await writeFile(spec, '\ufeff' + JSON.stringify({ web: { errors: ['sum'] } }));
    const agg = await scales(['aggregate', sub, '--spec', spec, '--format', 'json']);
    assert.equal(agg.code, 0, agg.stderr);
    assert.equal(agg.stderr, '');
    assert.deepEqual(JSON.parse(agg.stdout), { web: { errors: { sum: 7 } } });
    const push = await scales(['push-once', '--dry-run', '--prefix', 'p', '--timestamp', '1764000000', '--from', file]);
    assert.equal(push.code, 0, push.stderr);
    assert.equal(push.stdout, 'p.web.errors 7 1764000000\n');
  });

  it('a file nested 200,000 deep is refused with a clear message, never a stack overflow; 1000 deep is read', async () => {
    const deep = join(dir, 'deep.json');
    await writeFile(deep, '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000));
    for (const args of [
      ['view', deep],
      ['push-once', '--dry-run', '--from', deep],
    ]) {
      const run = await scales(args);
      assert.equal(run.code, 2, `${args[0]}: ${run.stderr}`);
      assert.match(run.stderr, /deep\.json:? (is refused: )?nested deeper than 1000 levels \(at character 5000\); a stat tree is never that deep\n/);
      assert.doesNotMatch(run.stderr, /Maximum call stack|RangeError/);
    }
    const fleet = join(dir, 'deep-fleet');
    await mkdir(fleet);
    await writeFile(join(fleet, 'deep.json'), '['.repeat(200_000) + ']'.repeat(200_000));
    await writeFile(join(fleet, 'ok.json'), JSON.stringify({ a: 1 }));
    const spec = join(dir, 'deep-spec.json');
    await writeFile(spec, JSON.stringify({ a: ['sum'] }));
    const agg = await scales(['aggregate', fleet, '--spec', spec]);
    assert.equal(agg.code, 0, agg.stderr);
    assert.match(agg.stderr, /skipped .*deep\.json: nested deeper than 1000 levels/);
    const deepSpec = join(dir, 'deeper-spec.json');
    await writeFile(deepSpec, '{"a":'.repeat(5000) + '["sum"]' + '}'.repeat(5000));
    const rejected = await scales(['aggregate', fleet, '--spec', deepSpec]);
    assert.equal(rejected.code, 2);
    assert.match(rejected.stderr, /nested deeper than 1000 levels/);

    const limit = join(dir, 'limit.json');
    await writeFile(limit, '{"a":'.repeat(1000) + '1' + '}'.repeat(1000));
    const view = await scales(['view', limit]);
    assert.equal(view.code, 0, view.stderr);
    assert.equal(view.stdout.split('\n').length, 1 + 1000 + 1, 'a title, one line per level, the end');
    const json = await scales(['view', limit, '--json', '-q', 'a']);
    assert.equal(json.code, 0, json.stderr);
    const push = await scales(['push-once', '--dry-run', '--prefix', 'p', '--from', limit]);
    assert.equal(push.code, 0, push.stderr);
  });
});
