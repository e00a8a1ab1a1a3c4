// `scales view URL` against a live status server of this process on 127.0.0.1, through the
// package: the server by name, the command as the package's bin in a child process.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { serveInBackground, type StatusServer } from 'scales-metrics/http';
import { run } from './run-bin.js';

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
    const r = await run(['view', server.url]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^http:\/\/127\.0\.0\.1:\d+\/status\/\?format=json$/);
    assert.equal(lines[1], 'web/');
    assert.equal(lines[2], '  errors   5');
    assert.match(lines[3]!, /^ {2}latency {2}n 100 {2}min 10 ms {2}p50 (49\d|50\d)(\.\d+)? ms .* max 1 s$/);
  });

  it('a path and a query apply to the live tree too', async () => {
    const r = await run(['view', server.url, '/web', '-q', 'errors', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { errors: 5 });
  });

  it('reads a page behind basic auth with the credentials in the URL, and never prints the password', async () => {
    const locked = await serveInBackground(0, { source: registry, host: '127.0.0.1', auth: { username: 'ops', password: 's3 cr:et' } });
    try {
      const url = `http://ops:${encodeURIComponent('s3 cr:et')}@127.0.0.1:${locked.port}/status/web`;
      const r = await run(['view', url, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { errors: number }).errors, 5);
      const wrong = await run(['view', `http://ops:nope@127.0.0.1:${locked.port}/status/`]);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /answered 401/);
      assert.doesNotMatch(wrong.stderr + wrong.stdout, /nope/);
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
      const r = await run(['view', `http://127.0.0.1:${port}/status/`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /answered 500 .*internal trouble/);
    } finally {
      await new Promise((r) => failing.close(r));
    }
    const r = await run(['view', `http://127.0.0.1:${port}/status/`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read http:\/\/127\.0\.0\.1:\d+\/status\/\?format=json: ECONNREFUSED/);
  });
});
