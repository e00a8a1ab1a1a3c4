// The Pushgateway pusher (and the Graphite pusher) through the package, on what the happy path
// does not show: a source throwing a value without toString (push() still resolves), grouping
// values that URL normalization would rewrite ('.', '..': their own group, against a real
// Pushgateway), an endless answer body (read no further than 4 KiB), credentials in the URL (sent
// as Basic auth, never shown).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { GraphitePusher } from 'scales-metrics/graphite';
import { groupingPath, PushgatewayPusher } from 'scales-metrics/pushgateway';
import { freePort } from '../helpers/prometheus.js';
import { type PushgatewayServer, startPushgateway } from '../helpers/pushgateway.js';

/** A source whose reads throw a value that String() cannot describe. */
const hostileSource: scales.StatsSource = {
  snapshot() {
    throw Object.create(null);
  },
  async snapshotAsync() {
    throw Object.create(null);
  },
};

/** A local HTTP server answering every request with `handler`; its requests are kept. */
async function localServer(
  handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

describe('a source throwing Object.create(null)', () => {
  it('PushgatewayPusher.push() resolves with the failure counted', async () => {
    const pusher = new PushgatewayPusher({ url: 'http://127.0.0.1:1', job: 'j', source: hostileSource });
    const r = await pusher.push();
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /could not read the stats: \[object with no usable toString\]|could not read the stats: ./);
    assert.equal(pusher.stats().failures, 1);
  });

  it('GraphitePusher.push() resolves with the error in the result', async () => {
    const pusher = new GraphitePusher('127.0.0.1', await freePort(), 'p', { source: hostileSource, selfStatsPath: null });
    try {
      const r = await pusher.push();
      assert.match(r.error ?? '', /graphite push to .* failed: ./);
    } finally {
      await pusher.close(100);
    }
  });

  it('pushAtExit on a signal: the exit push ends (the process is re-signalled only once no push is pending)', async () => {
    // An app listener of its own keeps the signal from being re-raised; the push must still end without an unhandled rejection.
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const own = () => {};
    process.on('SIGUSR2', own);
    const pusher = new PushgatewayPusher({ url: 'http://127.0.0.1:1', job: 'j', source: hostileSource, selfStatsPath: null });
    const handle = pusher.pushAtExit({ signals: ['SIGUSR2'], beforeExit: false });
    try {
      const pending = (process as unknown as Record<symbol, { n: number } | undefined>)[Symbol.for('scales-metrics.pushAtExit.pending')];
      process.emit('SIGUSR2', 'SIGUSR2');
      const deadline = Date.now() + 20_000;
      while (pusher.stats().pushes === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setImmediate(r));
      assert.equal(pusher.stats().failures, 1, 'the exit push ran and failed, counted');
      const box = (process as unknown as Record<symbol, { n: number } | undefined>)[Symbol.for('scales-metrics.pushAtExit.pending')] ?? pending;
      assert.equal(box?.n, 0, 'no exit push left pending');
      assert.deepEqual(unhandled, []);
    } finally {
      handle.uninstall();
      process.off('SIGUSR2', own);
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('grouping values that URL normalization would rewrite', () => {
  it('are sent in the base64 form', () => {
    assert.equal(groupingPath('j', { a: '.', b: '..', c: '.x' }), '/metrics/job/j/a@base64/Lg/b@base64/Li4/c@base64/Lng');
    assert.equal(groupingPath('..'), '/metrics/job@base64/Li4');
  });

  describe('against a real Pushgateway', () => {
    let pgw: PushgatewayServer;
    before(async () => {
      pgw = await startPushgateway();
    });
    after(async () => {
      await pgw?.stop();
    });

    it('".." lands in its own group, and delete removes only that group', async () => {
      const registry = new scales.Registry();
      registry.collection('/app', scales.intStat('n')).$.n.inc(5);
      const parent = new PushgatewayPusher({ url: pgw.url, job: 'dots', source: registry, selfStatsPath: null });
      assert.equal((await parent.push()).ok, true);
      const other = new scales.Registry();
      other.collection('/app', scales.intStat('n')).$.n.inc(9);
      const dots = new PushgatewayPusher({ url: pgw.url, job: 'dots', grouping: { inst: '..' }, source: other, selfStatsPath: null });
      const r = await dots.push();
      assert.equal(r.ok, true, r.error);
      const dotJob = new PushgatewayPusher({ url: pgw.url, job: '..', source: other, selfStatsPath: null });
      assert.equal((await dotJob.push()).ok, true);

      const groups = await pgw.groups();
      const find = (labels: Record<string, string>) => groups.find((g) => JSON.stringify(g.labels) === JSON.stringify(labels));
      assert.equal(find({ job: 'dots' })?.families.app_n_total?.metrics[0].value, '5', `the parent group kept its value: ${JSON.stringify(groups)}`);
      assert.equal(
        find({ inst: '..', job: 'dots' })?.families.app_n_total?.metrics[0].value ??
          find({ job: 'dots', inst: '..' })?.families.app_n_total?.metrics[0].value,
        '9',
      );
      assert.equal(find({ job: '..' })?.families.app_n_total?.metrics[0].value, '9');

      assert.equal((await dots.delete()).ok, true);
      const left = (await pgw.groups()).map((g) => g.labels);
      assert.ok(!left.some((l) => l.inst === '..'), JSON.stringify(left));
      assert.ok(
        left.some((l) => l.job === 'dots' && l.inst === undefined),
        `the parent group is still there: ${JSON.stringify(left)}`,
      );
      assert.ok(left.some((l) => l.job === '..'));
    });
  });
});

describe('the answer of the Pushgateway', () => {
  // The timeout makes a reader that never stops fail here instead of hanging the suite.
  it('an endless error body is read no further than 4 KiB: push() resolves promptly with the failure counted', { timeout: 30_000 }, async () => {
    let sent = 0;
    const { server, url } = await localServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    try {
      const registry = new scales.Registry();
      registry.collection('/app', scales.intStat('n'));
      const pusher = new PushgatewayPusher({ url, job: 'j', source: registry, timeoutMs: 20_000 });
      const r = await pusher.push();
      assert.equal(r.ok, false);
      assert.equal(r.status, 500);
      assert.match(r.error ?? '', /HTTP 500: x+$/);
      assert.ok((r.error ?? '').length < 4096 + 200, `the error holds at most the start of the body (${r.error?.length})`);
      assert.ok(r.durationMs < 10_000, `done promptly, not at the timeout (${r.durationMs} ms, ${sent} bytes sent by the server)`);
      assert.equal(pusher.stats().failures, 1);
    } finally {
      await stop(server);
    }
  });
});

describe('credentials in the Pushgateway URL', () => {
  it('are sent as Authorization: Basic and never shown', async () => {
    const { server, url, requests } = await localServer((req, res) => {
      res.writeHead(req.headers.authorization === `Basic ${Buffer.from('us er:pä:ss').toString('base64')}` ? 200 : 401);
      res.end('denied');
    });
    try {
      const withCreds = url.replace('http://', 'http://us%20er:p%C3%A4%3Ass@');
      const registry = new scales.Registry();
      registry.collection('/app', scales.intStat('n'));
      const pusher = new PushgatewayPusher({ url: withCreds, job: 'j', source: registry });
      assert.ok(!pusher.url.includes('p%C3%A4'), pusher.url);
      const r = await pusher.push();
      assert.equal(r.ok, true, r.error);
      assert.equal(requests.length, 1);
      const del = await pusher.delete();
      assert.equal(del.ok, true, del.error);

      // An explicit authorization header wins; a failure's message does not carry the password.
      const explicit = new PushgatewayPusher({ url: withCreds, job: 'j', source: registry, headers: { Authorization: 'Basic bm8=' } });
      const bad = await explicit.push();
      assert.equal(bad.status, 401);
      assert.ok(!(bad.error ?? '').includes('%C3%A4') && !(bad.error ?? '').includes('us%20er'), bad.error);
      assert.throws(
        () => new PushgatewayPusher({ url: 'ftp://u:secret@h', job: 'j' }),
        (e: Error) => /only http and https/.test(e.message) && !e.message.includes('secret'),
      );
    } finally {
      await stop(server);
    }
  });
});
