import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { createGraphiteSender, type GraphiteSenderStats } from '../../src/graphite/sender.js';
import { assertNothingEscapes, freePort, REFUSED_PORT, Sink, until } from './tcp-sink.js';

const batch = (prefix: string, n: number, ts = 1700000000) => ({
  names: Array.from({ length: n }, (_, i) => `${prefix}.m${i}`),
  values: Array.from({ length: n }, (_, i) => i + 0.5),
  timestamp: ts,
});

assertNothingEscapes('nothing may escape from a sender');

describe('TCP sender', () => {
  it('delivers plaintext lines and counts them as sent', async () => {
    const sink = new Sink();
    const port = await sink.listen();
    const sender = createGraphiteSender({ host: '127.0.0.1', port });
    try {
      sender.send(batch('a', 1000));
      sender.send(batch('b', 10));
      const r = await sender.flush({ timeoutMs: 20_000, keepAlive: true });
      assert.deepEqual(r, { drained: true, pending: 0 });
      await until('all lines', () => sink.lines().length === 1010);
      assert.equal(sink.lines()[0], 'a.m0 0.5 1700000000');
      assert.equal(sink.lines()[1009], 'b.m9 9.5 1700000000');
      const s = sender.stats();
      assert.equal(s.sent, 1010);
      assert.equal(s.dropped, 0);
      assert.equal(s.bufferedBytes, 0);
    } finally {
      await sender.close(1000);
      await sink.close();
    }
  });

  it('delivers pickle frames', async () => {
    const sink = new Sink();
    const port = await sink.listen();
    const chunks: Buffer[] = [];
    sink.server.on('connection', (s) => s.on('data', (d) => chunks.push(d)));
    const sender = createGraphiteSender({ host: '127.0.0.1', port, protocol: 'pickle' });
    try {
      sender.send(batch('p', 20000));
      await sender.flush({ timeoutMs: 20_000, keepAlive: true });
      assert.equal(sender.stats().sent, 20000);
      await sender.close(2000);
      await until('the sink to read everything up to our FIN', () => sink.sockets.size === 0);
      let data = Buffer.concat(chunks);
      let frames = 0;
      while (data.length >= 4) {
        const n = data.readUInt32BE(0);
        assert.equal(data[4 + n - 1], 0x2e, 'each frame ends with STOP');
        data = data.subarray(4 + n);
        frames++;
      }
      assert.equal(data.length, 0);
      assert.ok(frames > 1);
    } finally {
      await sender.close(1000);
      await sink.close();
    }
  });

  it('with carbon down: bounded buffer, oldest dropped and counted, flush does not hang; reconnects when it is back', async () => {
    const port = await freePort();
    const errors: string[] = [];
    let reconnects = 0;
    const bound = 64 * 1024;
    const sender = createGraphiteSender({
      host: '127.0.0.1',
      port,
      bufferBytes: bound,
      reconnectBaseMs: 20,
      reconnectMaxMs: 100,
      listener: { error: (m) => errors.push(m), reconnect: () => reconnects++ },
    });
    try {
      let maxBuffered = 0;
      for (let i = 0; i < 50; i++) {
        sender.send(batch(`down${i}`, 100));
        maxBuffered = Math.max(maxBuffered, sender.stats().bufferedBytes);
      }
      const r = await sender.flush({ timeoutMs: 3000, keepAlive: true });
      assert.equal(r.drained, false);
      const s: GraphiteSenderStats = sender.stats();
      assert.ok(maxBuffered <= bound, `buffer ${maxBuffered} > ${bound}`);
      assert.ok(s.bufferedBytes <= bound);
      assert.ok(s.dropped > 0, 'some datapoints were dropped');
      assert.equal(s.dropped + r.pending, 5000, 'every datapoint is either pending or counted as dropped');
      assert.match(s.lastError, /ECONNREFUSED/);
      assert.ok(errors.length >= 1);
      // carbon comes back on the same port: the queue drains by itself.
      const sink = new Sink();
      await sink.listen(port);
      try {
        await until('reconnect and drain', () => sender.stats().bufferedBytes === 0);
        assert.ok(reconnects >= 1);
        await until('the sink to read every line', () => sink.lines().length >= r.pending);
        const lines = sink.lines();
        assert.equal(lines.length, r.pending);
        assert.equal(lines[lines.length - 1], 'down49.m99 99.5 1700000000', 'the newest data survived');
        assert.equal(sender.stats().sent, r.pending);
      } finally {
        await sender.close(1000);
        await sink.close();
      }
    } finally {
      await sender.close(100);
    }
  });

  it('while carbon is down it keeps retrying by itself, with delays that grow from the base and stop at the cap', async () => {
    const port = REFUSED_PORT;
    const at: number[] = [];
    const base = 40;
    const max = 320;
    const sender = createGraphiteSender({
      host: '127.0.0.1',
      port,
      reconnectBaseMs: base,
      reconnectMaxMs: max,
      listener: { reconnect: () => at.push(performance.now()) },
    });
    try {
      sender.send(batch('retry', 10)); // nothing flushes: the sender retries on its own
      await until('nine reconnect attempts', () => at.length >= 9, 15000);
      const gaps = at.slice(1).map((t, i) => t - at[i]);
      // Attempt i waits between half and all of min(max, base * 2^i); timers never fire early
      // (2 ms allowed for clock granularity), but may fire late on a busy machine.
      gaps.forEach((gap, i) => {
        const exp = Math.min(max, base * 2 ** (i + 1));
        assert.ok(
          gap >= exp / 2 - 2,
          `gap ${i} was ${gap.toFixed(1)} ms, expected at least ${exp / 2} ms: ${gaps.map((g) => g.toFixed(0)).join(', ')}`,
        );
      });
      assert.ok(gaps.at(-1)! >= max / 2 - 2, 'the delay reached the cap');
      assert.ok(sender.stats().errors >= 9);
      assert.equal(sender.stats().bufferedBytes > 0, true, 'the data stays queued meanwhile');
    } finally {
      await sender.close(100);
    }
  });

  it('notices that carbon closed the connection and reconnects for the next send', async () => {
    const sink = new Sink();
    const port = await sink.listen();
    const sender = createGraphiteSender({ host: '127.0.0.1', port, reconnectBaseMs: 10 });
    try {
      sender.send(batch('one', 1));
      await sender.flush({ timeoutMs: 20_000, keepAlive: true });
      await until('first line', () => sink.lines().length === 1);
      for (const s of sink.sockets) s.destroy(); // carbon drops us
      await until('the server side closed', () => sink.sockets.size === 0);
      sender.send(batch('two', 1));
      await sender.flush({ timeoutMs: 20_000, keepAlive: true });
      await until('second line', () => sink.lines().length === 2);
      assert.deepEqual(sink.lines(), ['one.m0 0.5 1700000000', 'two.m0 0.5 1700000000']);
    } finally {
      await sender.close(1000);
      await sink.close();
    }
  });

  it('a connection where carbon stops reading is reset after writeTimeoutMs, and the data is re-sent on a new one', async () => {
    const sink = new Sink();
    let first = true;
    sink.server.on('connection', (s) => {
      if (first) {
        first = false;
        s.pause(); // a carbon that accepts and never reads
        s.removeAllListeners('data');
      }
    });
    const port = await sink.listen();
    const sender = createGraphiteSender({ host: '127.0.0.1', port, writeTimeoutMs: 300, reconnectBaseMs: 10, bufferBytes: 256 * 1024 * 1024 });
    try {
      // More than the loopback socket buffers can take, so writes stall.
      for (let i = 0; i < 20; i++) sender.send(batch(`stall${i}`, 50000));
      await until('the stalled connection to be reset and everything delivered', () => sender.stats().bufferedBytes === 0, 30000);
      assert.match(sender.stats().lastError, /stalled for 300 ms/);
      assert.ok(sender.stats().reconnects >= 1);
      await until('the last line', () => sink.received.includes('stall19.m49999 49999.5 1700000000\n'));
      assert.equal(sender.stats().dropped, 0);
    } finally {
      await sender.close(1000);
      for (const s of sink.sockets) s.destroy();
      await sink.close();
    }
  });

  it('close() drops what cannot be sent and counts it; sends after close are dropped', async () => {
    const port = REFUSED_PORT;
    const sender = createGraphiteSender({ host: '127.0.0.1', port, reconnectBaseMs: 10 });
    sender.send(batch('x', 10));
    const t0 = Date.now();
    await sender.close(300);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(sender.stats().dropped, 10);
    sender.send(batch('y', 5));
    assert.equal(sender.stats().dropped, 15);
    assert.equal(sender.stats().bufferedBytes, 0);
  });

  it('rejects bad options with errors naming them', () => {
    assert.throws(() => createGraphiteSender({ host: '', port: 2003 }), /invalid graphite host ""/);
    assert.throws(() => createGraphiteSender({ host: 'h', port: 70000 }), /invalid graphite port 70000 for h/);
    assert.throws(() => createGraphiteSender({ host: 'h', port: 1, protocol: 'http' as never }), /invalid graphite protocol "http"/);
    assert.throws(() => createGraphiteSender({ host: 'h', port: 1, bufferBytes: 0 }), /bufferBytes 0/);
    // Values that would make it reconnect in a tight loop, or throw from a socket event later.
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ reconnectBaseMs: 0 }, /invalid graphite reconnectBaseMs 0: expected a positive number/],
      [{ reconnectBaseMs: Number.NaN }, /reconnectBaseMs NaN/],
      [{ reconnectMaxMs: 0 }, /reconnectMaxMs 0: expected a number of milliseconds >= reconnectBaseMs \(200\)/],
      [{ reconnectBaseMs: 500, reconnectMaxMs: 400 }, /reconnectMaxMs 400/],
      [{ connectTimeoutMs: -1 }, /connectTimeoutMs -1/],
      [{ writeTimeoutMs: -1 }, /writeTimeoutMs -1/],
      [{ writeTimeoutMs: Number.POSITIVE_INFINITY }, /writeTimeoutMs Infinity/],
      [{ maxDatagramBytes: 0, protocol: 'udp' }, /maxDatagramBytes 0/],
      [{ reconnectBaseMs: '100' }, /reconnectBaseMs 100/],
    ];
    for (const [opts, want] of bad) {
      assert.throws(
        () => createGraphiteSender({ host: 'h', port: 1, ...opts }),
        (e: Error) => e instanceof TypeError && want.test(e.message),
        JSON.stringify(opts),
      );
    }
    assert.equal(
      createGraphiteSender({ host: 'h', port: 1, reconnectBaseMs: 50, reconnectMaxMs: 50, connectTimeoutMs: 0, writeTimeoutMs: 0 }).protocol,
      'plaintext',
    );
  });
});

describe('UDP sender', () => {
  it('packs lines into datagrams under the size bound', async () => {
    const socket = dgram.createSocket('udp4');
    const datagrams: Buffer[] = [];
    socket.on('message', (m) => datagrams.push(m));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const sender = createGraphiteSender({ host: '127.0.0.1', port: socket.address().port, protocol: 'udp', maxDatagramBytes: 512 });
    try {
      sender.send(batch('u', 200));
      const r = await sender.flush({ timeoutMs: 20_000, keepAlive: true });
      assert.equal(r.drained, true);
      await until('datagrams', () => datagrams.reduce((n, d) => n + d.toString().split('\n').length - 1, 0) === 200);
      for (const d of datagrams) assert.ok(d.length <= 512);
      const lines = datagrams
        .map((d) => d.toString())
        .join('')
        .split('\n')
        .filter(Boolean);
      assert.equal(lines[199], 'u.m199 199.5 1700000000');
      assert.equal(sender.stats().sent, 200);
    } finally {
      await sender.close(500);
      socket.close();
    }
  });
});
