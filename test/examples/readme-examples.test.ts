// Every README example of the core is a program under examples/; run each and check its output.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

const run = async (name: string) =>
  (await promisify(execFile)(process.execPath, [fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url))], { timeout: 20_000 })).stdout;

test('examples/quick-start: the getting-started snippet runs and records what it says', async () => {
  const out = await run('quick-start');
  const json = JSON.parse(out.slice(out.indexOf('{')));
  assert.equal(json.success, 1);
  assert.deepEqual(json.byPath, { '/a': 2 });
  assert.equal(json.hits.count, 6);
  assert.equal(json.latency.count, 4);
  assert.equal(json.latency.unit, 's');
  assert.equal(json.latency.max, 0.042);
  assert.equal(typeof json.currentTime, 'number');
});

test('examples/class-based: children aggregate up to the parent', async () => {
  const out = (await run('class-based')).trim().split('\n');
  assert.equal(out[0], '3');
  assert.equal(out[1], '1');
  assert.deepEqual(JSON.parse(out[2]!), {
    state: { starting: 0, waitingForTask: 1, performingTask: 1 },
    finished: 3,
    'thread-0': { state: 'waitingForTask', finished: 2 },
    'thread-1': { state: 'performingTask', finished: 1 },
  });
});

test('examples/labels: labelled writes by name and through a bound child, nested in label order', async () => {
  const out = (await run('labels')).trim().split('\n');
  assert.deepEqual(JSON.parse(out[0]!), { GET: { '/a': { '200': 2 } } });
  assert.equal(out[1], '2');
});

test('examples/counters: a counter rejects a decrease (thrown in strict mode), a gauge takes it', async () => {
  const out = (await run('counters')).trim().split('\n');
  assert.match(
    out[0]!,
    /^scales-metrics: rejected a write to \/t\/n: -1 is a decrease of a counter \(now 0\): declare it with \{ gauge: true \} if it may go down$/,
  );
  assert.deepEqual(JSON.parse(out[1]!), { '/jobs/done': 1 });
});
