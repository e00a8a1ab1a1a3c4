// The README's status-page examples are programs under examples/: run each, check its output.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

/** The text after `<p>: ` on the line of an example's output that starts so. */
const lineOf = (out: string, p: string): string =>
  out
    .split('\n')
    .find((l) => l.startsWith(p + ':'))!
    .slice(p.length + 2);

const run = async (name: string) =>
  (await promisify(execFile)(process.execPath, [fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url))], { timeout: 30_000 })).stdout;

test('examples/http-server: standalone server, node handler with a token, json, query, metrics', async () => {
  const out = await run('http-server');
  const line = (p: string) => lineOf(out, p);
  assert.match(line('status page'), /^http:\/\/127\.0\.0\.1:\d+\/status\/$/);
  const json = JSON.parse(line('json'));
  assert.equal(json.success, 3);
  assert.deepEqual(json.byPath, { '/a': 2, '/b': 1 });
  assert.equal(json.latency.count, 3);
  assert.deepEqual(JSON.parse(line('query')), { web: { byPath: { '/a': 2 } } });
  assert.equal(line('metrics'), 'web_by_path_total{key="/a"} 2 | web_by_path_total{key="/b"} 1');
  assert.equal(line('no token'), '401');
  assert.equal(line('token'), '200');
});

test('examples/http-frameworks: express, fastify, koa, hono and fetch serve the same JSON', async () => {
  const lines = (await run('http-frameworks')).trim().split('\n');
  assert.deepEqual(
    lines,
    ['express', 'fastify', 'koa', 'hono', 'fetch'].map((n) => `${n} 200 {"success":1}`),
  );
});

test("examples/status-page: a stat's own page and JSON, the filter in units, the history", async () => {
  const out = await run('status-page');
  const line = (p: string) => lineOf(out, p);
  assert.match(line('status page'), /^http:\/\/127\.0\.0\.1:\d+\/status\/$/);
  assert.equal(line('stat page'), '200');
  assert.equal(line('stat json'), 'GET', 'the request stats nest by method, then route');
  assert.deepEqual(Object.keys(JSON.parse(line('slow')).http.latency.GET), ['/slow']);
  assert.equal(line('history samples'), '0');
});
