// The programs docs/cluster.md quotes, run as they are: examples/cluster.ts (a node:cluster
// primary and 2 HTTP workers) and examples/worker-pool.ts (a pool of 4 worker threads).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = async (name: string, env: Record<string, string> = {}) =>
  (
    await promisify(execFile)(process.execPath, [fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url))], {
      timeout: 30_000,
      env: { ...process.env, ...env },
    })
  ).stdout;

test('examples/cluster: the primary page shows both workers merged, and each under /workers/<id>', async () => {
  const out = await run('cluster', { STATUS_PORT: '0', APP_PORT: '0' });
  assert.match(out, /^page: http:\/\/127\.0\.0\.1:\d+\/status\/$/m);
  assert.match(out, /^merged: \{"requests":20,"latencyCount":20\}$/m);
  const own = [...out.matchAll(/^worker (\d): \{"state":"live","requests":(\d+)\}$/gm)];
  assert.deepEqual(
    own.map((m) => m[1]),
    ['1', '2'],
  );
  assert.equal(
    own.reduce((n, m) => n + Number(m[2]), 0),
    20,
  );
});

test('examples/worker-pool: 4 threads that ended, their counts and percentiles merged', async () => {
  const out = await run('worker-pool');
  assert.equal(out, ['done: 1000', 'seconds: count 1000, p99 0.0500 s', 'workers: 1 dead, 2 dead, 3 dead, 4 dead', ''].join('\n'));
});
