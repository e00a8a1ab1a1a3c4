// `scales push-once`, run as the package's bin in a child process, against a TCP sink on
// 127.0.0.1 (the real carbon is in carbon.test.ts).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { dumpStatsTo } from 'scales-metrics/dump';
import { REFUSED_PORT, Sink, until } from '../graphite/tcp-sink.js';
import { run as runBin } from './run-bin.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scales-push-once-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `scales push-once ARGS`: the package's bin in a child process. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runBin(['push-once', ...args]);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

async function writeDump(): Promise<string> {
  const registry = new scales.Registry();
  const S = registry.collection('/web', scales.intStat('errors'), scales.pmfStat('latency'), scales.stat('version', '1.2.3'));
  S.errors = 3;
  S.latency.record(0.25);
  const file = path.join(dir, 'dump.json');
  await dumpStatsTo(file, { source: registry, serverName: 'api' });
  return file;
}

describe('scales push-once', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /Usage: scales push-once --graphite HOST\[:PORT\] --from FILE\|URL/);
  });

  it('bad arguments and unreadable input exit 2 with a message naming the problem', async () => {
    const file = await writeDump();
    const notJson = path.join(dir, 'bad.json');
    await writeFile(notJson, '{"web": ');
    const cases: [string[], RegExp][] = [
      [['--from', file], /--graphite HOST\[:PORT\] is required/],
      [['--graphite', '127.0.0.1:2003'], /--from FILE\|URL is required/],
      [['--graphite', '127.0.0.1:99999', '--from', file], /port "99999" is not in 1..65535/],
      [['--graphite', '127.0.0.1:2003', '--from', file, '--protocol', 'http'], /--protocol "http"/],
      [['--graphite', '127.0.0.1:2003', '--from', file, '--timestamp', 'yesterday'], /--timestamp "yesterday"/],
      [['--graphite', '127.0.0.1:2003', '--from', file, '--timestamp', '1700000000000'], /milliseconds/],
      [['--graphite', '127.0.0.1:2003', '--from', file, '--bogus'], /Unknown option '--bogus'/],
      [['--graphite', '127.0.0.1:2003', '--from', path.join(dir, 'missing.json')], /cannot read .*missing\.json: ENOENT/],
      [['--graphite', '127.0.0.1:2003', '--from', notJson], /bad\.json is not JSON/],
      [['--graphite', '127.0.0.1:2003', '--from'], /--from <value>' argument missing/],
    ];
    for (const [args, want] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, want);
    }
  });

  it("sends a dump file's numeric stats with its header's host and time by default", async () => {
    const file = await writeDump();
    const sink = new Sink();
    const port = await sink.listen();
    try {
      const r = await run(['--graphite', `127.0.0.1:${port}`, '--from', file, '--forbid', 'web/latency/lifetime/*']);
      assert.equal(r.code, 0, r.err);
      await until('every line, up to our FIN', () => sink.lines().length > 5 && sink.sockets.size === 0);
      const dump = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8')));
      const prefix = `${String(dump.host).toLowerCase()}.`;
      const ts = Math.floor(dump['last-updated']);
      const points = sink.points();
      assert.deepEqual(points.get(`${prefix}web.errors`), [3, ts]);
      assert.deepEqual(points.get(`${prefix}web.latency.count`), [1, ts]);
      assert.ok(Math.abs(points.get(`${prefix}web.latency.median`)![0] - 0.25) < 0.01);
      assert.ok(![...points.keys()].some((k) => k.includes('lifetime')), 'forbidden paths are not sent');
      assert.ok(![...points.keys()].some((k) => k.endsWith('version') || k.endsWith('windowSeconds') || k.includes('pid')));
      assert.match(r.out, new RegExp(`sent ${points.size} datapoints to plaintext 127\\.0\\.0\\.1:${port}`));
    } finally {
      await sink.close();
    }
  });

  it('accepts a bare tree (Python style, last-updated mixed in), --prefix, --timestamp and --dry-run', async () => {
    const file = path.join(dir, 'bare.json');
    await writeFile(file, JSON.stringify({ 'last-updated': 1700000000.5, web: { hits: 10, name: 'x', ok: true, ratio: 0.000045 } }));
    const dry = await run(['--from', file, '--prefix', 'old.box', '--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    assert.equal(dry.out, 'old.box.web.hits 10 1700000000\nold.box.web.ratio 0.000045 1700000000\n');
    const again = await run(['--from', file, '--prefix', 'p', '--timestamp', '1700000123', '--dry-run']);
    assert.equal(again.out, 'p.web.hits 10 1700000123\np.web.ratio 0.000045 1700000123\n');
  });

  it("reads a live status page's JSON", async () => {
    const server = http.createServer((req, res) => {
      assert.match(req.url ?? '', /format=json/);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ web: { hits: 5 } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await run(['--from', `http://127.0.0.1:${port}/status/`, '--prefix', 'live', '--timestamp', '1700000000', '--dry-run']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, 'live.web.hits 5 1700000000\n');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('reads a status page behind basic auth with the credentials in the URL', async () => {
    const server = http.createServer((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('ops:pw').toString('base64')}`) {
        res.writeHead(401).end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ web: { hits: 7 } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await run(['--from', `http://ops:pw@127.0.0.1:${port}/status/`, '--prefix', 'live', '--timestamp', '1700000000', '--dry-run']);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, 'live.web.hits 7 1700000000\n');
      const bad = await run(['--from', `http://ops:wrong@127.0.0.1:${port}/status/`, '--dry-run']);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /HTTP 401/);
      assert.doesNotMatch(bad.err, /wrong/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('exits 1 when carbon cannot be reached', async () => {
    const file = await writeDump();
    const r = await run(['--graphite', `127.0.0.1:${REFUSED_PORT}`, '--from', file, '--timeout', '2000']);
    assert.equal(r.code, 1);
    assert.match(r.err, /sent 0 of \d+ datapoints to plaintext 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});
