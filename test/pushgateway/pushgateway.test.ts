// The Pushgateway client through the package, against a real Pushgateway 1.5 (Debian
// prometheus-pushgateway) on loopback: grouping paths (base64 for '/', empty values), PUT and
// POST semantics, delete, failures counted and never thrown (refused connection, timeout, a 400
// from the gateway), pushes at exit from real child processes, and a real Prometheus scraping
// the pushed series from the gateway.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as scales from 'scales-metrics';
import { groupingPath, PushgatewayPusher } from 'scales-metrics/pushgateway';
import { startPrometheus } from '../helpers/prometheus.js';
import { type PushgatewayServer, startPushgateway } from '../helpers/pushgateway.js';

const HERE = dirname(fileURLToPath(import.meta.url));

describe('groupingPath', () => {
  it('percent-encodes values, uses base64url for values with "/" and for the empty value', () => {
    assert.equal(groupingPath('backup'), '/metrics/job/backup');
    assert.equal(
      groupingPath('nightly/backup', { instance: 'db-1', dir: '/var/tmp', empty: '', name: 'a b?é' }),
      '/metrics/job@base64/bmlnaHRseS9iYWNrdXA/instance/db-1/dir@base64/L3Zhci90bXA/empty@base64/=/name/a%20b%3F%C3%A9',
    );
  });

  it('refuses what the Pushgateway cannot group by, naming it', () => {
    assert.throws(() => groupingPath(''), /pushgateway job: expected a non-empty string/);
    assert.throws(() => groupingPath('j', { 'bad-name': 'x' }), /grouping label "bad-name": a label name must match/);
    assert.throws(() => groupingPath('j', { __x: 'x' }), /"__x": names starting with __ are reserved/);
    assert.throws(() => groupingPath('j', { job: 'x' }), /grouping label "job": the job is given on its own/);
    assert.throws(() => groupingPath('j', { k: 'a\ud800' }), /lone UTF-16 surrogate/);
    assert.throws(() => new PushgatewayPusher({ url: 'ftp://x', job: 'j' }), /only http and https/);
    assert.throws(() => new PushgatewayPusher({ url: 'http://127.0.0.1:1', job: 'j', timeoutMs: 0 }), /timeoutMs 0/);
  });
});

describe('PushgatewayPusher against a real Pushgateway', () => {
  let pgw: PushgatewayServer;

  before(async () => {
    pgw = await startPushgateway();
  });
  after(async () => {
    await pgw?.stop();
  });

  const groupOf = async (job: string) => (await pgw.groups()).find((g) => g.labels.job === job);

  it('pushes the tree to the group named by job and grouping labels; the values read back', async () => {
    const registry = new scales.Registry();
    const s = registry.collection(
      '/backup',
      scales.intStat('rows'),
      scales.pmfStat('seconds'),
      scales.intDictStat('byTable'),
      scales.stat('phase', 'done'),
    );
    s.$.rows.inc(42);
    s.$.seconds.record(1.5);
    s.$.seconds.record(2.5);
    s.$.byTable.inc('users', 3);
    const pusher = new PushgatewayPusher({
      url: pgw.url,
      job: 'nightly/backup',
      grouping: { dir: '/var/tmp', empty: '', instance: 'db 1' },
      source: registry,
      path: '/backup',
    });
    const r = await pusher.push();
    assert.equal(r.ok, true, r.error);
    assert.equal(r.status, 200);
    assert.ok(r.bytes > 0);
    const g = await groupOf('nightly/backup');
    assert.ok(g, JSON.stringify(await pgw.groups()));
    assert.deepEqual(g.labels, { job: 'nightly/backup', dir: '/var/tmp', empty: '', instance: 'db 1' });
    assert.equal(g.families.backup_rows_total?.metrics[0].value, '42');
    assert.equal(g.families.backup_rows_total?.help, '/backup/rows');
    assert.equal(g.families.backup_by_table_total?.metrics[0].labels.key, 'users');
    assert.equal(g.families.backup_seconds?.type, 'HISTOGRAM');
    assert.equal(g.families.backup_seconds?.metrics[0].count, '2');
    assert.equal(g.families.backup_seconds?.metrics[0].sum, '4');
    // classic buckets derived from the sketch: 1.5 and 2.5 are both at or below le=2.5, none below 1
    assert.equal(g.families.backup_seconds?.metrics[0].buckets?.['2.5'], '2');
    assert.equal(g.families.backup_seconds?.metrics[0].buckets?.['1'], '0');
    assert.equal(g.families.backup_phase_info?.metrics[0].labels.value, 'done');
    // Only the subtree: the self-stats under /scales are not in it.
    assert.equal(
      Object.keys(g.families).some((n) => n.startsWith('scales_')),
      false,
    );
    assert.deepEqual(pusher.stats(), { pushes: 1, failures: 0, lastError: '' });
  });

  it('PUT replaces the whole group, POST only the names it pushes; delete removes the group', async () => {
    const registry = new scales.Registry();
    const a = registry.collection('/a', scales.intStat('x', { gauge: true }));
    const b = registry.collection('/b', scales.intStat('y', { gauge: true }));
    a.$.x.set(1);
    b.$.y.set(2);
    const common = { url: pgw.url, job: 'methods', source: registry, selfStatsPath: null };
    const putA = new PushgatewayPusher({ ...common, path: '/a' });
    const postB = new PushgatewayPusher({ ...common, path: '/b', method: 'POST' });
    const putB = new PushgatewayPusher({ ...common, path: '/b' });
    const names = async () =>
      Object.keys((await groupOf('methods'))?.families ?? {})
        .filter((n) => !n.startsWith('push_'))
        .sort();
    assert.equal((await putA.push()).ok, true);
    assert.equal((await postB.push()).ok, true);
    assert.deepEqual(await names(), ['a_x', 'b_y']);
    assert.equal((await putB.push()).ok, true);
    assert.deepEqual(await names(), ['b_y']);
    assert.equal((await putB.delete()).ok, true);
    // The gateway answers a DELETE (202) before its storage has applied it: poll, with a deadline.
    const deadline = Date.now() + 20_000;
    while ((await groupOf('methods')) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await groupOf('methods'), undefined);
  });

  it('a push the gateway refuses (400) is counted with its answer, not thrown', async () => {
    const registry = new scales.Registry();
    registry.collection('/', scales.intStat('clash', { gauge: true })).$.clash.set(1);
    const other = new scales.Registry();
    other.collection('/', scales.pmfStat('clash', { prometheusName: 'clash' })).$.clash.record(1);
    assert.equal((await new PushgatewayPusher({ url: pgw.url, job: 'clash-1', source: registry }).push()).ok, true);
    // The same name as a summary in another group is inconsistent: the gateway answers 400.
    const pusher = new PushgatewayPusher({ url: pgw.url, job: 'clash-2', source: other });
    const r = await pusher.push();
    assert.equal(r.ok, false);
    assert.equal(r.status, 400);
    assert.match(r.error ?? '', /HTTP 400: .*clash/);
    assert.equal(pusher.stats().failures, 1);
    const self = other.getStats('/scales/pushgateway') as Record<string, unknown>;
    assert.equal(self.failures, 1);
    assert.match(String(self.lastError), /HTTP 400/);
  });

  it('a real Prometheus scrapes the pushed subtree from the gateway, with the grouping labels: a counter, labels, a histogram', async () => {
    const registry = new scales.Registry();
    const jobs = registry.collection(
      '/jobs',
      scales.intStat('processed', { help: 'Rows processed' }),
      scales.intDictStat('outcomes', { labels: ['table', 'status'] }),
      scales.pmfStat('step', { unit: 'ms', help: 'Time per step' }),
    );
    registry.collection('/other', scales.intStat('left')).left = 1;
    jobs.$.processed.inc(1234);
    jobs.$.outcomes.inc({ table: 'users', status: 'ok' }, 5);
    jobs.$.outcomes.inc({ table: 'orders', status: 'ok' }, 2);
    jobs.$.outcomes.inc({ table: 'orders', status: 'failed' });
    for (let i = 1; i <= 100; i++) jobs.$.step.record(i * 10); // 10 ms .. 1 s
    const r = await new PushgatewayPusher({ url: pgw.url, job: 'scraped', grouping: { shard: '7' }, source: registry, path: '/jobs' }).push();
    assert.equal(r.ok, true, r.error);
    const prom = await startPrometheus({ targets: [pgw.target], honorLabels: true });
    try {
      const got = await prom.waitFor('jobs_processed_total{job="scraped"}', () => true, 30_000);
      assert.deepEqual(
        got.map((s) => [s.metric.job, s.metric.shard, s.value[1]]),
        [['scraped', '7', '1234']],
        JSON.stringify(await prom.targets()),
      );
      const byStatus = await prom.query('sum by (status) (jobs_outcomes_total{job="scraped",shard="7"})');
      assert.deepEqual(Object.fromEntries(byStatus.map((s) => [s.metric.status, s.value[1]])), { ok: '7', failed: '1' });
      const count = await prom.query('jobs_step_seconds_count{job="scraped"}');
      assert.equal(count[0]?.value[1], '100');
      // classic buckets derived from the sketch, read by histogram_quantile: the median of 10 ms .. 1 s
      const median = Number((await prom.query('histogram_quantile(0.5, sum by (le) (jobs_step_seconds_bucket{job="scraped"}))'))[0].value[1]);
      assert.ok(median > 0.25 && median <= 0.5, `median ${median} in the bucket (0.25, 0.5] of the exact 0.5`);
      assert.equal((await prom.query('other_left')).length, 0, 'only the subtree was pushed');
    } finally {
      await prom.stop();
    }
  });

  it('examples/pushgateway-push (quoted in the README) pushes its subtree to its group', async () => {
    const example = join(HERE, '..', '..', 'examples', 'pushgateway-push.js');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [example, pgw.url], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    assert.deepEqual(JSON.parse(out), { ok: true, status: 200 });
    const g = await groupOf('nightly-backup');
    assert.deepEqual(g?.labels, { job: 'nightly-backup', db: 'users', dir: '/var/backups' });
    assert.equal(g?.families.backup_rows_total?.metrics[0].value, String((8 + 6 + 5) * 100));
    assert.equal(g?.families.backup_table_seconds?.metrics[0].count, '3');
  });

  describe('at exit, from a real batch process', () => {
    const run = (mode: string, signal?: NodeJS.Signals) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; pid: number; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [join(HERE, 'exit-child.js'), pgw.url, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.stdout.on('data', (d) => {
          if (signal && String(d).includes('ready')) child.kill(signal);
        });
        const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('error', reject);
        // 'close', not 'exit': 'exit' may come before the last of stderr has been read.
        child.on('close', (code, sig) => {
          clearTimeout(t);
          resolve({ code, signal: sig, pid: child.pid!, stderr });
        });
      });

    it('pushes when the event loop runs dry, once, and the process ends normally', async () => {
      const r = await run('beforeExit');
      assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
      const g = await groupOf('exit-beforeExit');
      assert.equal(g?.labels.pid, String(r.pid));
      assert.equal(g?.families.batch_rows_total?.metrics[0].value, '8');
      assert.equal(g?.families.scales_pushgateway_pushes_total?.metrics[0].value, '0');
    });

    it('pushes on SIGTERM, then dies of SIGTERM as it would have', async () => {
      const r = await run('signal', 'SIGTERM');
      assert.deepEqual([r.code, r.signal, r.stderr], [null, 'SIGTERM', '']);
      const g = await groupOf('exit-signal');
      assert.equal(g?.labels.pid, String(r.pid));
      assert.equal(g?.families.batch_rows_total?.metrics[0].value, '7');
    });

    it("leaves the end to the app's own SIGTERM listener", async () => {
      const r = await run('app-listener', 'SIGTERM');
      assert.deepEqual([r.code, r.signal], [42, null]);
      assert.equal((await groupOf('exit-app-listener'))?.families.batch_rows_total?.metrics[0].value, '7');
    });
  });
});

describe('PushgatewayPusher failures never reach the job', () => {
  let silent: Server;
  before(async () => {
    // Accepts requests and never answers.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a refused connection is a counted failure', async () => {
    const registry = new scales.Registry();
    registry.collection('/', scales.intStat('n'));
    const pusher = new PushgatewayPusher({ url: 'http://127.0.0.1:2', job: 'down', source: registry });
    const r = await pusher.push();
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /ECONNREFUSED/);
    assert.equal(r.status, undefined);
    assert.deepEqual([pusher.stats().pushes, pusher.stats().failures], [1, 1]);
    assert.equal((registry.getStats('/scales/pushgateway') as Record<string, unknown>).failures, 1);
  });

  it('a gateway that never answers is given up after timeoutMs', async () => {
    const registry = new scales.Registry();
    registry.collection('/', scales.intStat('n'));
    const port = (silent.address() as { port: number }).port;
    const pusher = new PushgatewayPusher({ url: `http://127.0.0.1:${port}`, job: 'slow', source: registry, timeoutMs: 300 });
    const r = await pusher.push();
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /no answer within 300 ms/);
    assert.ok(r.durationMs >= 290 && r.durationMs < 5000, String(r.durationMs));
  });

  it('a path with no stats is a counted failure naming it', async () => {
    const pusher = new PushgatewayPusher({ url: 'http://127.0.0.1:9', job: 'none', source: new scales.Registry(), path: '/missing' });
    const r = await pusher.push();
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /no stats at "\/missing"/);
  });
});
