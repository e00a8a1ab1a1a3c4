/**
 * The README's tour (examples/tour.ts) against a real carbon-cache: the program's own output
 * (the JSON and the Prometheus text it fetched from its status server), the datapoints carbon
 * stored in whisper, and the dump file it wrote.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DumpFile } from 'scales-metrics/dump';
import { Carbon } from '../helpers/carbon.js';

const TOUR = fileURLToPath(new URL('../../examples/tour.js', import.meta.url));

let carbon: Carbon;
let dir: string;
before(async () => {
  carbon = await Carbon.start();
  dir = await mkdtemp(join(tmpdir(), 'scales-tour-'));
});
after(async () => {
  await carbon?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('examples/tour: page, JSON, Prometheus, Graphite (read back from whisper) and a dump', async () => {
  const env = { PATH: process.env.PATH ?? '', STATUS_PORT: '0', CARBON_PORT: String(carbon.linePort), DUMP_DIR: dir };
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [TOUR], { env, timeout: 30_000 }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
    );
  });
  assert.equal(code, 0, stdout + stderr);

  // The status page's URL, on a free port.
  assert.match(stdout, /^page: http:\/\/127\.0\.0\.1:\d+\/status\/$/m);

  // The JSON of /web.
  const json = JSON.parse(/^json: (.*)$/m.exec(stdout)![1]!) as {
    requests: number;
    responses: Record<string, Record<string, number>>;
    latency: { count: number; max: number; median: number; unit: string };
  };
  assert.equal(json.requests, 1);
  assert.deepEqual(json.responses, { GET: { '200': 1 } }, 'labels nest in their order');
  assert.equal(json.latency.count, 1);
  assert.equal(json.latency.max, 42);
  assert.equal(json.latency.unit, 'ms');

  // The Prometheus text of /metrics.
  const prometheus = stdout.slice(stdout.indexOf('prometheus: ') + 'prometheus: '.length, stdout.indexOf('\ndump: '));
  assert.match(prometheus, /^# HELP web_requests_total Requests answered$/m);
  assert.match(prometheus, /^# TYPE web_requests_total counter$/m);
  assert.match(prometheus, /^web_requests_total 1$/m);
  assert.match(prometheus, /^web_responses_total\{method="GET",status="200"\} 1$/m);
  assert.match(prometheus, /^# TYPE web_latency_seconds histogram$/m, 'a pmf in ms is exported in seconds');
  assert.match(prometheus, /^web_latency_seconds_bucket\{le="0\.05"\} 1$/m);
  assert.match(prometheus, /^web_latency_seconds_bucket\{le="0\.025"\} 0$/m);
  assert.match(prometheus, /^web_latency_seconds_count 1$/m);
  assert.match(prometheus, /^process_cpu_seconds_total [\d.e+-]+$/m, "runtime stats under prom-client's names");
  assert.match(prometheus, /^nodejs_heap_size_used_bytes [\d.e+-]+$/m);

  // Graphite: the final push of stop() was delivered, and carbon stored it in whisper.
  assert.match(stdout, /^graphite: \d+ datapoints, delivered: true$/m);
  const last = async (metric: string) => (await carbon.waitFor(metric)).at(-1)![1];
  assert.equal(await last('myapp.web.requests'), 1);
  assert.equal(await last('myapp.web.responses.GET.200'), 1);
  assert.equal(await last('myapp.web.latency.count'), 1);
  const median = await last('myapp.web.latency.median');
  assert.ok(Math.abs(median - 42) / 42 < 0.01, `median ${median}`);
  const metrics = (await carbon.metrics()).filter((m) => m.startsWith('myapp.'));
  assert.ok(
    metrics.every((m) => m.startsWith('myapp.web.')),
    `only web/* is allowed: ${metrics.join(' ')}`,
  );

  // The dump file: the header, and the tree under `stats`.
  const file = join(dir, 'stats.json');
  assert.match(stdout, new RegExp(`^dump: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  const dump = JSON.parse(await readFile(file, 'utf8')) as DumpFile;
  assert.equal(dump.format, 'scales-metrics-dump');
  assert.equal(dump.serverName, 'tour');
  const web = (dump.stats as { web: typeof json }).web;
  assert.equal(web.requests, 1);
  assert.deepEqual(web.responses, { GET: { '200': 1 } });
  assert.equal(web.latency.count, 1);
  assert.deepEqual(
    [dump.kinds?.['/web/requests'], dump.kinds?.['/web/responses'], dump.kinds?.['/web/latency']],
    ['int', 'intDict', 'pmf'],
    "the dump carries each stat's kind",
  );
  assert.equal(dump.descriptions?.['/web/requests']?.help, 'Requests answered', 'and what was declared about it');
  assert.deepEqual(dump.descriptions?.['/web/responses']?.labels, ['method', 'status']);
});
