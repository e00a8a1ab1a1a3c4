// Slow and hostile clients against the standalone server, on real sockets on 127.0.0.1: a
// socket that never sends a byte, headers that trickle in, a client that asks for a big page
// and never reads, and more connections than the cap. Each is closed within its limit.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BYTES_IN_FLIGHT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_SEND_TIMEOUT_MS,
  serveInBackground,
  type ServeOptions,
  type StatusServer,
} from 'scales-metrics/http';

const servers: StatusServer[] = [];
const sockets: net.Socket[] = [];
after(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers) await s.close();
});

async function serve(options: ServeOptions): Promise<StatusServer> {
  const server = await serveInBackground(0, { live: false, ...options });
  servers.push(server);
  return server;
}

/** A raw client socket, connected. */
async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {}); // a reset by the server is what some tests expect
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Resolves with the ms until the socket closes, or rejects after `ms`. */
function closedWithin(socket: net.Socket, ms: number): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve(0);
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - start);
    });
  });
}

/** Polls `test` every 20 ms until it holds or `ms` pass; returns whether it held. */
async function pollUntil(test: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('standalone server limits', { timeout: 60_000 }, () => {
  it('closes a socket that never sends a byte after idleTimeoutMs', async () => {
    const server = await serve({ source: new scales.Registry(), idleTimeoutMs: 200 });
    const silent = await connect(server.port);
    const ms = await closedWithin(silent, 20_000);
    assert.ok(ms >= 150, `closed after ${Math.round(ms)} ms, not before the idle timeout`);
  });

  it('closes a keep-alive connection idle after its response', async () => {
    const registry = new scales.Registry();
    registry.collection('/a', scales.intStat('n'));
    const server = await serve({ source: registry, idleTimeoutMs: 200 });
    const socket = await connect(server.port);
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.write('GET /status/a?format=json HTTP/1.1\r\nHost: x\r\n\r\n');
    await closedWithin(socket, 3_000); // well before Node's own 5 s keep-alive timeout
    assert.match(got, /^HTTP\/1\.1 200 /, 'the request was answered before the idle close');
  });

  it('closes a client whose headers trickle in after headersTimeoutMs', async () => {
    const server = await serve({ source: new scales.Registry(), headersTimeoutMs: 300, idleTimeoutMs: 60_000 });
    const socket = await connect(server.port);
    socket.write('GET /status/ HTTP/1.1\r\n');
    // A byte every 50 ms: never idle, never done.
    const drip = setInterval(() => socket.writable && socket.write('X'), 50);
    try {
      const ms = await closedWithin(socket, 20_000);
      assert.ok(ms >= 250, `closed after ${Math.round(ms)} ms`);
    } finally {
      clearInterval(drip);
    }
  });

  it('destroys the response of a client that never reads after sendTimeoutMs', async () => {
    const registry = new scales.Registry();
    // A 12 MB page: far more than the kernel buffers for a client that does not read.
    registry.collection('/big', scales.stat('blob', 'x'.repeat(12_000_000)));
    const server = await serve({ source: registry, sendTimeoutMs: 300, idleTimeoutMs: 60_000 });
    const socket = await connect(server.port);
    socket.pause();
    socket.write('GET /status/big?format=json HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(await pollUntil(() => server.connections === 1, 20_000), 'connected');
    assert.ok(await pollUntil(() => server.connections === 0, 10_000), `the stalled connection is destroyed (${server.connections} open)`);
    // Now read what arrived: the response was cut, not delivered whole.
    let bytes = 0;
    socket.on('data', (d: Buffer) => (bytes += d.length));
    socket.resume();
    await closedWithin(socket, 20_000);
    assert.ok(bytes > 0 && bytes < 12_000_000, `received ${bytes} bytes of a 12 MB page`);
  });

  it('closes connections over maxConnections as they arrive, keeping the others', async () => {
    const registry = new scales.Registry();
    registry.collection('/a', scales.intStat('n'));
    const server = await serve({ source: registry, maxConnections: 2, idleTimeoutMs: 60_000 });
    const first = await connect(server.port);
    const second = await connect(server.port);
    assert.ok(await pollUntil(() => server.connections === 2, 20_000));
    const third = await connect(server.port); // the kernel accepts it; the server closes it
    await closedWithin(third, 20_000);
    assert.equal(first.destroyed || second.destroyed, false, 'the first two stay open');
    assert.equal(server.connections, 2);
    // The admitted connections are served.
    let got = '';
    first.on('data', (d) => (got += d));
    first.write('GET /status/a?format=json HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(await pollUntil(() => got.includes('{"n":0}'), 20_000), got);
    // A slot frees up when one closes.
    second.destroy();
    assert.ok(await pollUntil(() => server.connections === 1, 20_000));
    const fourth = await connect(server.port);
    let answer = '';
    fourth.on('data', (d) => (answer += d));
    fourth.write('GET /status/a?format=json HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(await pollUntil(() => answer.includes('{"n":0}'), 20_000), answer);
  });

  it('answers 503 with Retry-After while maxBytesInFlight is held by clients that do not read, and serves again once they are gone', async () => {
    const registry = new scales.Registry();
    // A 12 MB page: more than the kernel buffers for a client that does not read.
    registry.collection('/big', scales.stat('blob', 'x'.repeat(12_000_000)));
    registry.collection('/small', scales.intStat('n'));
    const server = await serve({ source: registry, maxBytesInFlight: 30_000_000, sendTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
    const base = `http://127.0.0.1:${server.port}/status`;
    const stalled: net.Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = await connect(server.port);
      socket.pause();
      socket.write('GET /status/big?format=json HTTP/1.1\r\nHost: x\r\n\r\n');
      stalled.push(socket);
    }
    assert.ok(await pollUntil(() => server.bytesInFlight > 24_000_000, 10_000), `two big pages held (${server.bytesInFlight} bytes in flight)`);
    // A third big page would go over the budget: refused, cheaply, with a hint to retry.
    const refused = await fetch(`${base}/big?format=json`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.match(await refused.text(), /busy/);
    assert.equal(server.refusedBusy, 1);
    // A small page still fits.
    const small = await fetch(`${base}/small?format=json`);
    assert.equal(small.status, 200);
    assert.deepEqual(await small.json(), { n: 0 });
    // One stalled client reads its page to the end (drained), the other goes away (destroyed).
    let drained = 0;
    stalled[0]!.on('data', (d: Buffer) => (drained += d.length));
    stalled[0]!.resume();
    assert.ok(await pollUntil(() => server.bytesInFlight < 13_000_000, 10_000), `the drained page is released (${server.bytesInFlight} in flight)`);
    // Released when the server has handed the last bytes to the socket: the client may still be reading them.
    await pollUntil(() => drained > 12_000_000, 10_000);
    assert.ok(drained > 12_000_000, `the reading client got its whole page (${drained} bytes)`);
    stalled[1]!.destroy();
    assert.ok(await pollUntil(() => server.bytesInFlight === 0, 10_000), `the destroyed one is released (${server.bytesInFlight} in flight)`);
    const again = await fetch(`${base}/big?format=json`);
    assert.equal(again.status, 200);
    assert.equal((await again.text()).length > 12_000_000, true);
    assert.equal(server.refusedBusy, 1);
    assert.ok(await pollUntil(() => server.bytesInFlight === 0, 10_000), 'a finished response holds nothing');
  });

  it('releases the budget of a stalled response destroyed after sendTimeoutMs', async () => {
    const registry = new scales.Registry();
    registry.collection('/big', scales.stat('blob', 'x'.repeat(12_000_000)));
    const server = await serve({ source: registry, maxBytesInFlight: 15_000_000, sendTimeoutMs: 300, idleTimeoutMs: 60_000 });
    const socket = await connect(server.port);
    socket.pause();
    socket.write('GET /status/big?format=json HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(await pollUntil(() => server.bytesInFlight > 12_000_000, 10_000), 'held while the client does not read');
    assert.ok(await pollUntil(() => server.bytesInFlight === 0, 10_000), `released when the server destroys it (${server.bytesInFlight} in flight)`);
    const again = await fetch(`http://127.0.0.1:${server.port}/status/big?format=json`);
    assert.equal(again.status, 200);
    await again.arrayBuffer();
  });

  it('has safe defaults and rejects bad limits naming the option', async () => {
    assert.equal(DEFAULT_IDLE_TIMEOUT_MS, 5_000);
    assert.equal(DEFAULT_SEND_TIMEOUT_MS, 30_000);
    assert.equal(DEFAULT_MAX_CONNECTIONS, 64);
    assert.equal(DEFAULT_MAX_BYTES_IN_FLIGHT, 64 * 1024 * 1024);
    for (const [key, v] of [
      ['idleTimeoutMs', -1],
      ['sendTimeoutMs', Number.NaN],
      ['maxConnections', 1.5],
      ['headersTimeoutMs', '10'],
      ['maxBytesInFlight', -5],
    ] as const) {
      await assert.rejects(serveInBackground(0, { [key]: v }), new RegExp(`invalid serveInBackground option ${key}`));
    }
  });
});
